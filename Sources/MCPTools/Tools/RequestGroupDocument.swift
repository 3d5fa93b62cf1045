import Foundation
import MCP
import Orchestration
import Persistence
import Requests
import StarlingCore

/// An observer's request group as the request tools show it: the requests as Starling
/// understood them, and each one's state (``Requests/RequestState``, the one rule the OCS
/// API follows).
struct RequestGroupDocument: Encodable {
    struct Item: Encodable {
        let id: Int
        let state: String
        let targetName: String
        let raDeg: Double
        let decDeg: Double
        let telescopeClass: String
        let instrumentType: String
        let exposures: [Exposure]
        let windowStart: Date
        let windowEnd: Date
        let maxAirmass: Double
        let minLunarDistanceDeg: Double
        let durationSeconds: Double
    }
    struct Exposure: Encodable {
        let filter: String
        let exposureS: Double
        let count: Int
    }

    let id: Int?
    let name: String
    let proposal: String
    let submitter: String
    let mode: String
    let state: String
    let created: Date?
    let cancelled: Date?
    let durationSeconds: Double
    let requests: [Item]

    /// - Parameters:
    ///   - numbered: whether the group was stored (a validated draft has no ids or states).
    init(_ group: RequestGroup, numbered: Bool, state: RequestState?, requestStates: [Int: RequestState]) {
        id = numbered ? group.id : nil
        name = group.name
        proposal = group.proposalID
        submitter = group.submitter
        mode = group.mode.rawValue
        self.state = state?.rawValue ?? "DRAFT"
        created = numbered ? group.created : nil
        cancelled = group.cancelled
        durationSeconds = rounded(group.durationSeconds, 1)
        requests = group.requests.map { request in
            Item(
                id: request.id, state: numbered ? (requestStates[request.id] ?? .pending).rawValue : "DRAFT", targetName: request.target.name,
                raDeg: rounded(request.target.coordinates.rightAscension.degrees, 6), decDeg: rounded(request.target.coordinates.declination.degrees, 6),
                telescopeClass: request.telescopeClass, instrumentType: request.instrumentType,
                exposures: request.exposures.map { Exposure(filter: $0.filter.name, exposureS: $0.exposureSeconds, count: $0.count) },
                windowStart: request.window.start, windowEnd: request.window.end, maxAirmass: request.constraints.maximumAirmass,
                minLunarDistanceDeg: rounded(request.constraints.minimumMoonSeparation.degrees, 3), durationSeconds: rounded(request.durationSeconds, 1))
        }
    }

    /// A stored group with its states now.
    static func stored(_ group: RequestGroup, desk: RequestDesk, now: Date) async throws(ToolError) -> RequestGroupDocument {
        do {
            let states = try await desk.states(of: group, now: now)
            return RequestGroupDocument(group, numbered: true, state: states.group, requestStates: states.requests)
        } catch {
            throw ToolError(.failed, "cannot read the states of request group \(group.id): \(error.description)")
        }
    }

    static var schema: Value {
        let states = RequestState.allCases.map(\.rawValue) + ["DRAFT"]
        return Schema.object([
            "id": Schema.nullable(Schema.integer("The group's id once stored (null for a validated draft).")),
            "name": Schema.string(), "proposal": Schema.string(), "submitter": Schema.string(),
            "mode": Schema.string(choices: ObservingMode.allCases.map(\.rawValue)),
            "state": Schema.string(choices: states), "created": Schema.nullable(Schema.instant()), "cancelled": Schema.nullable(Schema.instant()),
            "duration_seconds": Schema.number(),
            "requests": Schema.array(of: Schema.object([
                "id": Schema.integer(), "state": Schema.string(choices: states), "target_name": Schema.string(), "ra_deg": Schema.number(),
                "dec_deg": Schema.number(), "telescope_class": Schema.string(), "instrument_type": Schema.string(),
                "exposures": Schema.array(of: Schema.object(["filter": Schema.string(), "exposure_s": Schema.number(), "count": Schema.integer(minimum: 1)])),
                "window_start": Schema.instant(), "window_end": Schema.instant(), "max_airmass": Schema.number(), "min_lunar_distance_deg": Schema.number(),
                "duration_seconds": Schema.number(),
            ])),
        ])
    }

    /// Whether a caller may see or change a group: a member of its proposal, or an operator
    /// (the OCS API's rule).
    static func mayAct(on group: RequestGroup, caller: ToolCaller, proposals: ProposalBook) -> Bool {
        if let role = caller.role, role >= .operator { return true }
        guard let name = caller.name else { return false }
        return proposals.proposal(group.proposalID)?.admits(name) ?? false
    }
}
