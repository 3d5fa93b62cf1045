// The library enums that are also command-line values: their raw values are what people type,
// and argument-parser lists their cases in the help. Declared here, in one file, because a
// conformance of a public type needs ArgumentParser imported publicly.
public import ArgumentParser
import Planning
import Service
import StarlingCore

extension AccessRole: ExpressibleByArgument {}
extension ReadAccess: ExpressibleByArgument {}
extension WeatherScenario.Model: ExpressibleByArgument {}
extension PlanExportFormat: ExpressibleByArgument {}
