public import StarlingCore

/// A night plan's targets as the CSV file N.I.N.A.'s Target Scheduler plugin imports into a
/// project (Projects > target > Import > CSV file).
///
/// The columns are the plugin's own "Target Scheduler format", as its loader reads them
/// (tcpalmer/nina.plugin.targetscheduler, `Controls/Utils/CsvTargetLoader.cs`): headers
/// matched case-insensitively after trimming; `name`; `ra` in hours, sexagesimal
/// (`HH:MM:SS.ss`, read by `AstroUtil.HMSToDegrees`); `dec` in degrees, sexagesimal and
/// signed (`+DD:MM:SS.s`, `AstroUtil.DMSToDegrees`); `rotation` in degrees 0–360 (we ask
/// for none: 0); `roi` in percent 1–100 (100, the whole frame); and `type`, which the
/// import dialog offers as a filter over the rows (we write the request kind: survey,
/// follow-up, calibration). Coordinates are J2000 (ICRS, to well within the plugin's
/// precision).
///
/// One row per target, in the order the plan first reaches it: the plugin's targets are
/// places, not visits. Exposure plans (filter, exposure time, count) have no columns in
/// this import: the plugin plans exposures from the project's exposure templates. The
/// exposures Starling planned travel in the other exports (CSV, iCalendar, Ekos).
public struct NINATargetSchedulerCSV: NightPlanExporter {
    public static let fileExtension = "csv"

    /// The header row, in column order.
    public static let columns = ["name", "ra", "dec", "rotation", "roi", "type"]

    public init() {}

    public func export(_ plan: NightPlan, at site: Site) -> String {
        var seen: Set<TargetID> = []
        var rows: [[String]] = []
        for entry in plan.entries where seen.insert(entry.request.target.id).inserted {
            let target = entry.request.target
            rows.append([
                target.name,
                Sexagesimal.format(target.coordinates.rightAscension, unit: .hours, secondsDecimals: 2),
                Sexagesimal.format(target.coordinates.declination, unit: .degrees, secondsDecimals: 1),
                "0", "100", entry.request.kind.rawValue,
            ])
        }
        return CSVRecord.file(header: Self.columns, rows: rows)
    }
}
