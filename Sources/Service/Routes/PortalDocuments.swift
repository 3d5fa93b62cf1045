import Foundation
import Requests
import StarlingCore

/// The documents of the OCS request API, in the portal's own field names (LCO's
/// observation portal and archive), which observers' tools such as TOM Toolkit read.
///
/// They are encoded by ``PortalJSON`` without the rest of the API's snake_case key
/// conversion: the portal's keys include codes (`1M0-IMAGER`, `DATE_OBS`) that must pass
/// unchanged.
enum PortalJSON {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(from: date, fractionalSeconds: false))
        }
        return try encoder.encode(value)
    }
}

/// A page of a list, as the portal pages: `count`, `next`, `previous`, `results`; `next`
/// and `previous` are `null` at the ends (clients read the key).
struct PortalPage<Item: Encodable>: Encodable {
    let count: Int
    let next: String?
    let previous: String?
    let results: [Item]

    enum CodingKeys: String, CodingKey { case count, next, previous, results }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(next, forKey: .next)
        try container.encode(previous, forKey: .previous)
        try container.encode(results, forKey: .results)
    }
}

struct RequestGroupDocument: Encodable {
    let id: Int
    let name: String
    let proposal: String
    let submitter: String
    let observationType: String
    let `operator`: String
    let ippValue: Double
    let state: String
    let created: Date
    let modified: Date
    let requests: [RequestDocument]

    enum CodingKeys: String, CodingKey {
        case id, name, proposal, submitter, state, created, modified, requests, `operator`
        case observationType = "observation_type"
        case ippValue = "ipp_value"
    }

    init(_ group: RequestGroup, state: RequestState, requestStates: [Int: RequestState]) {
        id = group.id
        name = group.name
        proposal = group.proposalID
        submitter = group.submitter
        observationType = group.mode.rawValue
        self.operator = group.requests.count == 1 ? "SINGLE" : "MANY"
        ippValue = group.ippValue
        self.state = state.rawValue
        created = group.created
        modified = group.cancelled ?? group.created
        requests = group.requests.map { RequestDocument($0, groupID: group.id, state: requestStates[$0.id] ?? .pending) }
    }
}

struct RequestDocument: Encodable {
    let id: Int
    let requestGroupID: Int
    let state: String
    let duration: Double
    let location: Location
    let windows: [Window]
    let configurations: [Configuration]
    let acceptabilityThreshold: Double

    struct Location: Encodable {
        let telescopeClass: String
        enum CodingKeys: String, CodingKey { case telescopeClass = "telescope_class" }
    }

    struct Window: Encodable {
        let start: Date
        let end: Date
    }

    struct Configuration: Encodable {
        let type: String
        let instrumentType: String
        let target: Target
        let constraints: Constraints
        let instrumentConfigs: [InstrumentConfig]

        enum CodingKeys: String, CodingKey {
            case type, target, constraints
            case instrumentType = "instrument_type"
            case instrumentConfigs = "instrument_configs"
        }
    }

    struct Target: Encodable {
        let name: String
        let type: String
        let ra: Double
        let dec: Double
        let properMotionRA: Double
        let properMotionDec: Double
        let epoch: Double

        enum CodingKeys: String, CodingKey {
            case name, type, ra, dec, epoch
            case properMotionRA = "proper_motion_ra"
            case properMotionDec = "proper_motion_dec"
        }
    }

    struct Constraints: Encodable {
        let maxAirmass: Double
        let minLunarDistance: Double
        let maxLunarPhase: Double

        enum CodingKeys: String, CodingKey {
            case maxAirmass = "max_airmass"
            case minLunarDistance = "min_lunar_distance"
            case maxLunarPhase = "max_lunar_phase"
        }
    }

    struct InstrumentConfig: Encodable {
        let exposureTime: Double
        let exposureCount: Int
        let opticalElements: [String: String]

        enum CodingKeys: String, CodingKey {
            case exposureTime = "exposure_time"
            case exposureCount = "exposure_count"
            case opticalElements = "optical_elements"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, state, duration, location, windows, configurations
        case requestGroupID = "request_group_id"
        case acceptabilityThreshold = "acceptability_threshold"
    }

    init(_ request: RequestGroup.Request, groupID: Int, state: RequestState) {
        id = request.id
        requestGroupID = groupID
        self.state = state.rawValue
        duration = request.durationSeconds.rounded()
        location = Location(telescopeClass: request.telescopeClass)
        windows = [Window(start: request.window.start, end: request.window.end)]
        let target = request.target
        configurations = [
            Configuration(
                type: "EXPOSE", instrumentType: request.instrumentType,
                target: Target(
                    name: target.name, type: "ICRS", ra: target.coordinates.rightAscension.degrees, dec: target.coordinates.declination.degrees,
                    properMotionRA: target.properMotionRAMilliarcsecondsPerYear, properMotionDec: target.properMotionDecMilliarcsecondsPerYear,
                    epoch: target.epoch),
                constraints: Constraints(
                    maxAirmass: request.constraints.maximumAirmass, minLunarDistance: request.constraints.minimumMoonSeparation.degrees,
                    maxLunarPhase: request.constraints.maximumMoonIllumination),
                instrumentConfigs: request.exposures.map {
                    InstrumentConfig(exposureTime: $0.exposureSeconds, exposureCount: $0.count, opticalElements: ["filter": $0.filter.name])
                })
        ]
        acceptabilityThreshold = 100
    }
}

/// One attempt at a request (a telescope's assignment), as the portal's observation.
struct PortalObservationDocument: Encodable {
    let id: String
    let request: Int
    let site: String
    let enclosure: String
    let telescope: String
    let start: Date
    let end: Date
    let state: String
    let reason: String

    init(_ assignment: Assignment, requestID: Int, end: Date) {
        id = assignment.id.rawValue
        request = requestID
        site = assignment.siteID.rawValue
        enclosure = "enc"
        telescope = assignment.telescopeID.rawValue
        start = assignment.plannedStart
        self.end = end
        state = AttemptState(assignment.state).rawValue
        reason = assignment.reason
    }
}

/// A frame as the archive lists it.
struct ArchiveFrameDocument: Encodable {
    let id: String
    let filename: String
    let basename: String
    let dateObs: Date
    let requestNumber: Int
    let object: String
    let filter: String
    let exposureTime: Double
    let site: String
    let telescope: String
    let url: String
    let filesize: Int?

    enum CodingKeys: String, CodingKey {
        case id, filename, basename, url, filesize
        case dateObs = "DATE_OBS"
        case requestNumber = "REQNUM"
        case object = "OBJECT"
        case filter = "FILTER"
        case exposureTime = "EXPTIME"
        case site = "SITEID"
        case telescope = "TELID"
    }
}

/// The portal's validation answer: how long each request takes, and the errors.
struct ValidationDocument: Encodable {
    let requestDurations: Durations
    let errors: FieldErrors

    struct Durations: Encodable {
        let duration: Double?
        let requests: [RequestDuration]
    }

    struct RequestDuration: Encodable {
        let duration: Double
        let configurations: [ConfigurationDuration]
    }

    struct ConfigurationDuration: Encodable {
        let duration: Double
    }

    enum CodingKeys: String, CodingKey {
        case errors
        case requestDurations = "request_durations"
    }

    init(_ outcome: RequestGroupValidator.Outcome) {
        requestDurations = Durations(
            duration: outcome.durations.isEmpty ? nil : outcome.totalSeconds.rounded(),
            requests: outcome.durations.map { request in
                RequestDuration(duration: request.seconds.rounded(), configurations: request.configurationSeconds.map { ConfigurationDuration(duration: $0.rounded()) })
            })
        errors = outcome.errors
    }
}
