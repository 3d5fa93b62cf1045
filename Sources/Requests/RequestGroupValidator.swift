import Coordination
public import Foundation
public import StarlingCore

/// Reads and checks a request group in the OCS request language (LCO's observation portal
/// `RequestGroup` JSON), field by field, as the portal does: every problem is reported at
/// its field, not only the first.
///
/// Structure first (types, ranges, known instruments and filters, windows in the future),
/// then what only the whole request can say: whether any telescope of the class can observe
/// the target in its window under its constraints (``ObservabilityCheck``, the one
/// observability rule), and whether the proposal has the time left.
///
/// What Starling does not take from the OCS language is refused with a reason, never
/// ignored silently: non-sidereal targets, several targets in one request, several windows,
/// cadences, and the `AND`/`ONEOF` operators. Fields with no meaning here (`acquisition_config`,
/// `guiding_config`, `extra_params`, `optimization_type`, …) are ignored.
public struct RequestGroupValidator: Sendable {
    public let catalog: InstrumentCatalog
    public let proposals: ProposalBook
    public let observability: ObservabilityCheck

    /// The most requests in a group, configurations in a request, exposure sets in a configuration.
    public static let maximumRequests = 100
    public static let maximumConfigurations = 10
    public static let maximumInstrumentConfigs = 10

    public init(catalog: InstrumentCatalog, proposals: ProposalBook, observability: ObservabilityCheck) {
        self.catalog = catalog
        self.proposals = proposals
        self.observability = observability
    }

    /// The outcome: the group (not yet numbered: ids 0) and its durations when valid, the
    /// errors otherwise.
    public struct Outcome: Sendable {
        public let group: RequestGroup?
        public let errors: FieldErrors
        /// Per request, its duration and its configurations' (seconds), as validated so far.
        public let durations: [RequestDuration]

        public var isValid: Bool { group != nil }

        public init(group: RequestGroup?, errors: FieldErrors, durations: [RequestDuration]) {
            self.group = group
            self.errors = errors
            self.durations = durations
        }
        /// The whole group's duration, seconds.
        public var totalSeconds: Double { durations.reduce(0) { $0 + $1.seconds } }
    }

    /// Why a valid group exceeds what is left of its proposal's time for its mode, or `nil`.
    public func shortfall(of group: RequestGroup, usedSeconds: [String: [ObservingMode: Double]]) -> String? {
        guard let proposal = proposals.proposal(group.proposalID) else { return "Invalid pk \"\(group.proposalID)\" - object does not exist." }
        return Self.shortfall(proposal, mode: group.mode, neededSeconds: group.durationSeconds, usedSeconds: usedSeconds)
    }

    private static func shortfall(_ proposal: Proposal, mode: ObservingMode, neededSeconds needed: Double, usedSeconds: [String: [ObservingMode: Double]]) -> String? {
        let granted = (proposal.allocationHours[mode] ?? 0) * 3600
        let used = usedSeconds[proposal.id]?[mode] ?? 0
        guard needed > granted - used else { return nil }
        return String(
            format: "Proposal %@ does not have enough %@ time left: the group needs %.2f h, %.2f h of %.2f h remain.",
            proposal.id, mode.rawValue, needed / 3600, max(0, granted - used) / 3600, granted / 3600)
    }

    /// The time one request takes, with each configuration's share.
    public struct RequestDuration: Sendable, Hashable {
        public let seconds: Double
        public let configurationSeconds: [Double]
    }

    /// Validates a request group.
    ///
    /// - Parameters:
    ///   - body: the JSON as received.
    ///   - submitter: the API token's name (proposals admit token names).
    ///   - now: the validation instant (windows must end after it).
    ///   - usedSeconds: the time already charged to each proposal per mode; `nil` leaves the
    ///     time to be checked later (``shortfall(of:usedSeconds:)``, where groups are stored one
    ///     at a time), so the rest can run for many groups at once.
    public func validate(_ body: Data, submitter: String, now: Date, usedSeconds: [String: [ObservingMode: Double]]?) -> Outcome {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            return Outcome(group: nil, errors: .object(["non_field_errors": .messages(["JSON parse error - \(error.message)"])]), durations: [])
        }
        guard document.object != nil else {
            return Outcome(group: nil, errors: .object(["non_field_errors": .messages(["Invalid data. Expected a dictionary, but got \(document.typeDescription)."])]), durations: [])
        }
        var errors = ObjectErrors()

        let name = string(document["name"], field: "name", required: true, maximumLength: 50, into: &errors)
        var proposal: Proposal?
        if let code = string(document["proposal"], field: "proposal", required: true, maximumLength: 200, into: &errors) {
            if let found = proposals.proposal(code) {
                if !found.admits(submitter) {
                    errors.add("proposal", "You do not belong to the proposal \(code).")
                } else if !found.isCurrent {
                    errors.add("proposal", "The proposal \(code) is not current.")
                } else {
                    proposal = found
                }
            } else {
                errors.add("proposal", "Invalid pk \"\(code)\" - object does not exist.")
            }
        }
        let ipp = number(document["ipp_value"], field: "ipp_value", default: 1.0, in: 0.5...2.0, into: &errors)
        var mode = ObservingMode.normal
        if let text = string(document["observation_type"], field: "observation_type", required: false, maximumLength: 40, into: &errors) {
            if let value = ObservingMode(rawValue: text) { mode = value } else {
                errors.add("observation_type", "\"\(text)\" is not a valid choice (\(ObservingMode.allCases.map(\.rawValue).joined(separator: ", "))).")
            }
        }
        let operatorText = string(document["operator"], field: "operator", required: false, maximumLength: 10, into: &errors) ?? "SINGLE"
        if !["SINGLE", "MANY"].contains(operatorText) {
            errors.add("operator", operatorText == "AND" || operatorText == "ONEOF"
                ? "Starling takes the operators SINGLE and MANY; submit the requests of an \(operatorText) group separately."
                : "\"\(operatorText)\" is not a valid choice (SINGLE, MANY).")
        }

        var requests: [RequestGroup.Request] = []
        var durations: [RequestDuration] = []
        switch document["requests"] {
        case .array(let items)?:
            if items.isEmpty { errors.add("requests", "A request group needs at least one request.") }
            if items.count > Self.maximumRequests { errors.add("requests", "At most \(Self.maximumRequests) requests in a group.") }
            if operatorText == "SINGLE", items.count > 1 { errors.add("operator", "The SINGLE operator takes exactly one request; use MANY.") }
            var itemErrors: [FieldErrors] = []
            for item in items.prefix(Self.maximumRequests) {
                let (request, duration, problems) = validateRequest(item, now: now)
                itemErrors.append(problems.tree)
                if let request { requests.append(request) }
                if let duration { durations.append(duration) }
            }
            errors.nest("requests", .list(itemErrors))
        case nil: errors.add("requests", "This field is required.")
        case let other?: errors.add("requests", "Expected a list of items but got \(other.typeDescription).")
        }

        // Only a group whose every field is right is checked against the sky, then charged.
        if errors.isEmpty {
            var itemErrors: [FieldErrors] = []
            for request in requests {
                var problems = ObjectErrors()
                if let reason = observability.neverObservable(request) { problems.add("non_field_errors", reason) }
                itemErrors.append(problems.tree)
            }
            errors.nest("requests", .list(itemErrors))
        }
        if errors.isEmpty, let proposal, let usedSeconds,
            let shortfall = Self.shortfall(proposal, mode: mode, neededSeconds: requests.reduce(0) { $0 + $1.durationSeconds }, usedSeconds: usedSeconds)
        {
            errors.add("non_field_errors", shortfall)
        }
        guard errors.isEmpty, let name, let proposal, let ipp else { return Outcome(group: nil, errors: errors.tree, durations: durations) }
        let group = RequestGroup(
            id: 0, name: name, proposalID: proposal.id, submitter: submitter, mode: mode, ippValue: ipp, created: now, cancelled: nil,
            requests: requests)
        return Outcome(group: group, errors: .object([:]), durations: durations)
    }

    // MARK: One request

    private func validateRequest(_ value: JSONValue, now: Date) -> (RequestGroup.Request?, RequestDuration?, ObjectErrors) {
        var errors = ObjectErrors()
        guard value.object != nil else {
            errors.add("non_field_errors", "Invalid data. Expected a dictionary, but got \(value.typeDescription).")
            return (nil, nil, errors)
        }
        if value["cadence"] != nil { errors.add("cadence", "Starling does not expand cadences; submit one request per visit (operator MANY).") }

        var telescopeClass: String?
        if let location = value["location"], location.object != nil {
            var locationErrors = ObjectErrors()
            if let text = string(location["telescope_class"], field: "telescope_class", required: true, maximumLength: 20, into: &locationErrors) {
                if catalog.telescopeClasses.contains(text) { telescopeClass = text } else {
                    locationErrors.add("telescope_class", "\"\(text)\" is not a telescope class of this network (\(catalog.telescopeClasses.joined(separator: ", "))).")
                }
            }
            if location["site"] != nil || location["enclosure"] != nil || location["telescope"] != nil {
                locationErrors.add("non_field_errors", "Starling chooses the telescope; give only telescope_class.")
            }
            errors.nest("location", locationErrors.tree)
        } else {
            errors.add("location", value["location"] == nil ? "This field is required." : "Expected a dictionary.")
        }

        var window: DateInterval?
        switch value["windows"] {
        case .array(let items)?:
            if items.isEmpty { errors.add("windows", "You must specify at least 1 window.") }
            if items.count > 1 { errors.add("windows", "Starling takes one window per request; submit one request per window (operator MANY).") }
            var itemErrors: [FieldErrors] = []
            for item in items {
                var windowErrors = ObjectErrors()
                let start = instant(item["start"], field: "start", into: &windowErrors)
                let end = instant(item["end"], field: "end", into: &windowErrors)
                if let start, let end {
                    if end <= start {
                        windowErrors.add("end", "The window end time must be after its start time.")
                    } else if end <= now {
                        windowErrors.add("end", "Window end time must be in the future.")
                    } else {
                        window = DateInterval(start: start, end: end)
                    }
                }
                itemErrors.append(windowErrors.tree)
            }
            errors.nest("windows", .list(itemErrors))
        case nil: errors.add("windows", "This field is required.")
        case let other?: errors.add("windows", "Expected a list of items but got \(other.typeDescription).")
        }

        var configurations: [(target: RequestedTarget, exposures: [ExposureSpec], constraints: ObservingConstraints, instrument: InstrumentCatalog.Instrument)] = []
        switch value["configurations"] {
        case .array(let items)?:
            if items.isEmpty { errors.add("configurations", "A request needs at least one configuration.") }
            if items.count > Self.maximumConfigurations { errors.add("configurations", "At most \(Self.maximumConfigurations) configurations in a request.") }
            var itemErrors: [FieldErrors] = []
            for item in items.prefix(Self.maximumConfigurations) {
                var configurationErrors = ObjectErrors()
                if let parsed = validateConfiguration(item, telescopeClass: telescopeClass, into: &configurationErrors) { configurations.append(parsed) }
                itemErrors.append(configurationErrors.tree)
            }
            // One target per request: what a telescope points at.
            if let first = configurations.first {
                for (index, configuration) in configurations.enumerated().dropFirst()
                where configuration.target.coordinates.separation(from: first.target.coordinates).degrees > 1.0 / 3600 {
                    var configurationErrors = ObjectErrors()
                    configurationErrors.add("target", "Starling observes one target per request; submit the target '\(configuration.target.name)' in its own request (operator MANY).")
                    itemErrors[index] = configurationErrors.tree
                }
            }
            errors.nest("configurations", .list(itemErrors))
        case nil: errors.add("configurations", "This field is required.")
        case let other?: errors.add("configurations", "Expected a list of items but got \(other.typeDescription).")
        }

        guard errors.isEmpty, let telescopeClass, let window, let first = configurations.first else { return (nil, nil, errors) }
        // The strictest constraints of the configurations hold for the whole block.
        let constraints = configurations.map(\.constraints).dropFirst().reduce(first.constraints) { a, b in
            ObservingConstraints(
                minimumAltitude: max(a.minimumAltitude, b.minimumAltitude), maximumAirmass: min(a.maximumAirmass, b.maximumAirmass),
                minimumMoonSeparation: max(a.minimumMoonSeparation, b.minimumMoonSeparation),
                maximumMoonIllumination: min(a.maximumMoonIllumination, b.maximumMoonIllumination), darkness: a.darkness)
        }
        let exposures = configurations.flatMap(\.exposures)
        // Charged as the slowest telescope of the class would take it.
        let overheads = first.instrument.telescopes.map(Overheads.init(telescope:))
        let configurationSeconds = configurations.map { configuration in overheads.map { $0.blockSeconds(configuration.exposures) }.max() ?? 0 }
        let seconds = overheads.map { $0.blockSeconds(exposures) }.max() ?? 0
        let request = RequestGroup.Request(
            id: 0, target: first.target, exposures: exposures, constraints: constraints, window: window, telescopeClass: telescopeClass,
            instrumentType: first.instrument.code, durationSeconds: seconds)
        return (request, RequestDuration(seconds: seconds, configurationSeconds: configurationSeconds), errors)
    }

    private func validateConfiguration(
        _ value: JSONValue, telescopeClass: String?, into errors: inout ObjectErrors
    ) -> (target: RequestedTarget, exposures: [ExposureSpec], constraints: ObservingConstraints, instrument: InstrumentCatalog.Instrument)? {
        guard value.object != nil else {
            errors.add("non_field_errors", "Invalid data. Expected a dictionary, but got \(value.typeDescription).")
            return nil
        }
        if let type = string(value["type"], field: "type", required: true, maximumLength: 40, into: &errors), type != "EXPOSE" {
            errors.add("type", "Starling takes the configuration type EXPOSE (an imaging sequence), not \(type).")
        }
        var instrument: InstrumentCatalog.Instrument?
        if let code = string(value["instrument_type"], field: "instrument_type", required: true, maximumLength: 60, into: &errors) {
            if let found = catalog.instrument(code) {
                if let telescopeClass, found.telescopeClass != telescopeClass {
                    errors.add("instrument_type", "\(code) is on \(found.telescopeClass) telescopes, not on the class \(telescopeClass) asked for.")
                } else {
                    instrument = found
                }
            } else {
                errors.add("instrument_type", "Invalid instrument type \(code); valid instrument types are \(catalog.instruments.map(\.code).joined(separator: ", ")).")
            }
        }

        var target: RequestedTarget?
        if let node = value["target"], node.object != nil {
            var targetErrors = ObjectErrors()
            target = validateTarget(node, into: &targetErrors)
            errors.nest("target", targetErrors.tree)
        } else {
            errors.add("target", value["target"] == nil ? "This field is required." : "Expected a dictionary.")
        }

        // As the portal: between nautical twilights, the airmass and Moon limits the observer gives.
        var constraints = ObservingConstraints(minimumAltitude: .degrees(0), maximumAirmass: 1.6, minimumMoonSeparation: .degrees(30), darkness: .nautical)
        if let node = value["constraints"] {
            var constraintErrors = ObjectErrors()
            if node.object == nil { constraintErrors.add("non_field_errors", "Expected a dictionary.") }
            if let airmass = number(node["max_airmass"], field: "max_airmass", default: 1.6, in: 1.0...25.0, into: &constraintErrors) {
                constraints.maximumAirmass = airmass
            }
            if let separation = number(node["min_lunar_distance"], field: "min_lunar_distance", default: 30, in: 0...180, into: &constraintErrors) {
                constraints.minimumMoonSeparation = .degrees(separation)
            }
            if let phase = number(node["max_lunar_phase"], field: "max_lunar_phase", default: 1, in: 0...1, into: &constraintErrors) {
                constraints.maximumMoonIllumination = phase
            }
            errors.nest("constraints", constraintErrors.tree)
        }

        var exposures: [ExposureSpec] = []
        switch value["instrument_configs"] {
        case .array(let items)?:
            if items.isEmpty { errors.add("instrument_configs", "A configuration needs at least one instrument configuration.") }
            if items.count > Self.maximumInstrumentConfigs {
                errors.add("instrument_configs", "At most \(Self.maximumInstrumentConfigs) instrument configurations in a configuration.")
            }
            var itemErrors: [FieldErrors] = []
            for item in items.prefix(Self.maximumInstrumentConfigs) {
                var configErrors = ObjectErrors()
                if item.object == nil { configErrors.add("non_field_errors", "Expected a dictionary.") }
                let seconds = number(item["exposure_time"], field: "exposure_time", default: nil, in: 0.001...7200, into: &configErrors)
                let count = number(item["exposure_count"], field: "exposure_count", default: 1, in: 1...1000, into: &configErrors)
                if let count, count != count.rounded() { configErrors.add("exposure_count", "A valid integer is required.") }
                var filter: String?
                if let elements = item["optical_elements"], elements.object != nil {
                    var elementErrors = ObjectErrors()
                    if let name = string(elements["filter"], field: "filter", required: true, maximumLength: 40, into: &elementErrors) {
                        if let instrument, !instrument.allFilters.contains(name) {
                            elementErrors.add("filter", "Invalid filter \(name) for instrument \(instrument.code). Valid filters: \(instrument.allFilters.joined(separator: ", ")).")
                        } else {
                            filter = name
                        }
                    }
                    configErrors.nest("optical_elements", elementErrors.tree)
                } else {
                    configErrors.add("optical_elements", "This field is required: give optical_elements.filter.")
                }
                if configErrors.isEmpty, let seconds, let count, let filter {
                    exposures.append(ExposureSpec(filter: Filter(filter), exposureSeconds: seconds, count: Int(count)))
                }
                itemErrors.append(configErrors.tree)
            }
            errors.nest("instrument_configs", .list(itemErrors))
        case nil: errors.add("instrument_configs", "This field is required.")
        case let other?: errors.add("instrument_configs", "Expected a list of items but got \(other.typeDescription).")
        }
        guard errors.isEmpty, let target, let instrument, !exposures.isEmpty else { return nil }
        return (target, exposures, constraints, instrument)
    }

    private func validateTarget(_ node: JSONValue, into errors: inout ObjectErrors) -> RequestedTarget? {
        let type = string(node["type"], field: "type", required: false, maximumLength: 40, into: &errors) ?? "ICRS"
        guard type == "ICRS" else {
            errors.add("type", "Starling observes ICRS (sidereal) targets, not \(type).")
            return nil
        }
        let name = string(node["name"], field: "name", required: true, maximumLength: 100, into: &errors)
        let ra = number(node["ra"], field: "ra", default: nil, in: 0...360, into: &errors)
        let dec = number(node["dec"], field: "dec", default: nil, in: -90...90, into: &errors)
        let pmRA = number(node["proper_motion_ra"], field: "proper_motion_ra", default: 0, in: -20_000...20_000, into: &errors)
        let pmDec = number(node["proper_motion_dec"], field: "proper_motion_dec", default: 0, in: -20_000...20_000, into: &errors)
        let epoch = number(node["epoch"], field: "epoch", default: 2000, in: 1900...2100, into: &errors)
        guard let name, let ra, let dec, let pmRA, let pmDec, let epoch,
            let coordinates = try? EquatorialCoordinates(rightAscensionDegrees: ra == 360 ? 0 : ra, declinationDegrees: dec)
        else { return nil }
        return RequestedTarget(
            name: name, coordinates: coordinates, properMotionRAMilliarcsecondsPerYear: pmRA, properMotionDecMilliarcsecondsPerYear: pmDec, epoch: epoch)
    }

    // MARK: Fields

    private func string(_ value: JSONValue?, field: String, required: Bool, maximumLength: Int, into errors: inout ObjectErrors) -> String? {
        guard let value else {
            if required { errors.add(field, "This field is required.") }
            return nil
        }
        guard case .string(let text) = value else {
            errors.add(field, "Not a valid string: got \(value.typeDescription).")
            return nil
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { errors.add(field, "This field may not be blank.") }
            return nil
        }
        guard trimmed.count <= maximumLength else {
            errors.add(field, "Ensure this field has no more than \(maximumLength) characters.")
            return nil
        }
        return trimmed
    }

    /// A number (JSON number, or a string holding one, as Django forms send), in range;
    /// `default` when absent or null.
    private func number(_ value: JSONValue?, field: String, default fallback: Double?, in range: ClosedRange<Double>, into errors: inout ObjectErrors) -> Double? {
        guard let value else {
            if fallback == nil { errors.add(field, "This field is required.") }
            return fallback
        }
        let parsed: Double?
        switch value {
        case .number, .integer: parsed = value.number
        case .string(let text): parsed = Double(text.trimmingCharacters(in: .whitespaces))
        default: parsed = nil
        }
        guard let number = parsed, number.isFinite else {
            errors.add(field, "A valid number is required.")
            return nil
        }
        guard range.contains(number) else {
            errors.add(field, number < range.lowerBound
                ? "Ensure this value is greater than or equal to \(Self.format(range.lowerBound))."
                : "Ensure this value is less than or equal to \(Self.format(range.upperBound)).")
            return nil
        }
        return number
    }

    /// An ISO 8601 instant; one without a zone is UTC, as the portal reads it.
    private func instant(_ value: JSONValue?, field: String, into errors: inout ObjectErrors) -> Date? {
        guard let value else {
            errors.add(field, "This field is required.")
            return nil
        }
        guard case .string(let text) = value, let date = NoticeTime.parse(text) else {
            errors.add(field, "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")
            return nil
        }
        return date
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
