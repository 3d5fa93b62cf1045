import Foundation
import MCP
import Orchestration
import Persistence
import Requests
import StarlingCore

/// `observation_request_status`: an observer's request group (by group or request id) with
/// each request's state and its attempts: which telescope, when, in which state.
struct RequestStatusTool: StarlingTool {
    let name = "observation_request_status"
    let title = "Observation request status"
    let description = """
        What became of an observation request: its group's and each request's state (PENDING, SCHEDULED, COMPLETED, CANCELED, \
        WINDOW_EXPIRED, FAILURE_LIMIT_REACHED) and each attempt (telescope, planned start, state, the coordinator's reason). \
        Give group_id or request_id. Needs the running network and a token that is a member of the proposal (or an operator's).
        """

    let parameters: [ToolParameter] = [
        ToolParameter("group_id", .integer(1...Int(Int32.max)), "The request group's id."),
        ToolParameter("request_id", .integer(1...Int(Int32.max)), "A request's id (finds its group)."),
    ]

    var outputSchema: Value {
        Schema.object([
            "group": RequestGroupDocument.schema,
            "attempts": Schema.array(of: Schema.object([
                "request_id": Schema.integer(), "telescope_id": Schema.string(), "site_id": Schema.string(), "state": Schema.string(),
                "planned_start": Schema.instant(), "reason": Schema.string(),
            ])),
            "summary": Schema.string(),
        ])
    }

    struct Document: Encodable {
        struct Attempt: Encodable {
            let requestId: Int
            let telescopeId: String
            let siteId: String
            let state: String
            let plannedStart: Date
            let reason: String
        }
        let group: RequestGroupDocument
        let attempts: [Attempt]
        let summary: String
    }

    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer {
        let live = try context.requireLive(for: name, doing: "reads the requests' states as the coordinator decides them")
        let desk = live.requests
        let group = try await Self.group(input, desk: desk, caller: caller, proposals: context.proposals)
        let document = try await RequestGroupDocument.stored(group, desk: desk, now: context.now)
        var attempts: [Document.Attempt] = []
        do {
            for request in group.requests {
                for attempt in try await desk.attempts(of: request.id) {
                    attempts.append(Document.Attempt(
                        requestId: request.id, telescopeId: attempt.telescopeID.rawValue, siteId: attempt.siteID.rawValue, state: attempt.state.rawValue,
                        plannedStart: attempt.plannedStart, reason: attempt.reason))
                }
            }
        } catch {
            throw ToolError(.failed, "cannot read the attempts of request group \(group.id): \(error.description)")
        }
        let summary = "Request group \(group.id) (\(group.name)): \(document.state); "
            + document.requests.map { "request \($0.id) \($0.state)" }.joined(separator: ", ") + "; \(attempts.count) attempt\(attempts.count == 1 ? "" : "s")."
        return try ToolAnswer(summary: summary, document: Document(group: document, attempts: attempts, summary: summary))
    }

    /// The group named by `group_id` or `request_id` that the caller may see.
    static func group(_ input: ToolInput, desk: RequestDesk, caller: ToolCaller, proposals: ProposalBook) async throws(ToolError) -> RequestGroup {
        let found: RequestGroup?
        let label: String
        do {
            switch (input.integer("group_id"), input.integer("request_id")) {
            case (let id?, nil):
                (found, label) = (try await desk.group(id), "request group \(id)")
            case (nil, let id?):
                (found, label) = (try await desk.group(containingRequest: id), "request \(id)")
            default:
                throw ToolError.invalid("group_id", "give either group_id or request_id")
            }
        } catch let error as ToolError {
            throw error
        } catch {
            throw ToolError(.failed, "cannot read the request groups: \(error)")
        }
        // Someone else's group is not found, as the OCS API answers it: its existence is not theirs to learn.
        guard let group = found, RequestGroupDocument.mayAct(on: group, caller: caller, proposals: proposals) else {
            throw ToolError(.notFound, "no \(label) of a proposal this token belongs to")
        }
        return group
    }
}
