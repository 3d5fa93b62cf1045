import Foundation
import MCP
import Orchestration
import Persistence
import Requests
import StarlingCore

/// `cancel_observation_request`: cancels a request group through the ``Orchestration/RequestDesk``
/// (stored as cancelled, then each request's cancellation handed to the coordinator, which
/// cancels its assignments; a telescope observing one stops).
struct CancelRequestTool: StarlingTool {
    let name = "cancel_observation_request"
    let title = "Cancel an observation request"
    let description = """
        Cancels an observation request group (give group_id, or the request_id of one of its requests): it is stored as \
        cancelled, its open assignments are cancelled, and a telescope observing it stops. Says whether an exposure was \
        stopped. Needs a token with the observer role that is a member of the proposal (or an operator's).
        """

    let parameters: [ToolParameter] = [
        ToolParameter("group_id", .integer(1...Int(Int32.max)), "The request group's id."),
        ToolParameter("request_id", .integer(1...Int(Int32.max)), "A request's id (cancels its whole group)."),
    ]

    var role: AccessRole? { .observer }
    var isReadOnly: Bool { false }

    var outputSchema: Value {
        Schema.object([
            "group": RequestGroupDocument.schema,
            "exposure_stopped": Schema.boolean("Whether a telescope was observing it, and so stopped."),
            "summary": Schema.string(),
        ])
    }

    struct Document: Encodable {
        let group: RequestGroupDocument
        let exposureStopped: Bool
        let summary: String
    }

    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer {
        let live = try context.requireLive(for: name, doing: "hands the cancellation to the coordinator and the telescopes")
        let desk = live.requests
        let existing = try await RequestStatusTool.group(input, desk: desk, caller: caller, proposals: context.proposals)
        guard live.currentPhase == .running else {
            throw ToolError(.notRunning, "the network is \(live.currentPhase.rawValue); nothing was cancelled: try again")
        }
        let outcome: (group: RequestGroup, stoppedObserving: Bool)?
        do {
            outcome = try await desk.cancel(existing.id, now: context.now)
        } catch {
            throw ToolError(.failed, "the cancellation could not be stored; nothing was cancelled: \(error.description)")
        }
        guard let (group, stopped) = outcome else { throw ToolError(.notFound, "no request group \(existing.id)") }
        let document = try await RequestGroupDocument.stored(group, desk: desk, now: context.now)
        let summary = "Cancelled request group \(group.id) (\(group.name))" + (stopped ? "; a telescope observing it stops." : "; no telescope was observing it.")
        return try ToolAnswer(summary: summary, document: Document(group: document, exposureStopped: stopped, summary: summary))
    }
}
