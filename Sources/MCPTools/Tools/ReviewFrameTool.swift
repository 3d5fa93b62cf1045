import Foundation
import MCP
import Persistence
import Reporting
import StarlingCore

/// `review_frame`: approves or flags a frame, as an observer does on the dashboard or with
/// `starling review`, through Reporting's ``Reporting/ReviewDesk`` (stored with the caller's
/// token name as the reviewer; the night's report shows it).
struct ReviewFrameTool: StarlingTool {
    let name = "review_frame"
    let title = "Approve or flag a frame"
    let description = """
        Approves a FITS frame, or flags it with a note saying what is wrong (a satellite trail, clouds, bad focus). The review \
        is stored under the caller's token name and appears in the night's report. Frame ids come from the night's report or \
        the API. Needs a token with the observer role.
        """

    let parameters: [ToolParameter] = [
        ToolParameter("frame_id", .string(), required: true, "The frame's id."),
        ToolParameter("decision", .string(choices: Review.Decision.allCases.map(\.rawValue)), required: true, "approved or flagged."),
        ToolParameter("note", .string(), "What the reviewer says; required to flag."),
    ]

    var role: AccessRole? { .observer }
    var isReadOnly: Bool { false }

    var outputSchema: Value {
        Schema.object([
            "frame_id": Schema.string(), "decision": Schema.string(choices: Review.Decision.allCases.map(\.rawValue)), "note": Schema.string(),
            "reviewer": Schema.string(), "reviewed_at": Schema.instant(),
            "previous_reviews": Schema.integer("How many reviews the frame had before this one (the latest stands).", minimum: 0),
            "summary": Schema.string(),
        ])
    }

    struct Document: Encodable {
        let frameId: String
        let decision: String
        let note: String
        let reviewer: String
        let reviewedAt: Date
        let previousReviews: Int
        let summary: String
    }

    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer {
        let frame = FrameID(try input.requiredString("frame_id"))
        guard let decision = input.string("decision").flatMap(Review.Decision.init(rawValue:)) else { throw ToolError.invalid("decision", "required") }
        guard let reviewer = caller.name else { throw ToolError(.forbidden, "\(name) records the reviewer's name: call it with a named token") }
        let previous: Int
        do {
            previous = try await context.store.reviews(of: .frame(frame)).count
        } catch {
            throw ToolError(.failed, "cannot read the frame's reviews: \(error.description)")
        }
        let review: Review
        do {
            review = try await ReviewDesk(store: context.store).record(
                decision, of: .frame(frame), note: input.string("note") ?? "", reviewer: reviewer, at: context.now)
        } catch {
            switch error.code {
            case .invalidReview: throw ToolError.invalid(decision == .flagged ? "note" : "decision", error.message.replacingOccurrences(of: "--flag", with: "note:"))
            case .unknownSubject: throw ToolError(.notFound, "frame_id: \(error.message)")
            default: throw ToolError(.failed, "the review could not be stored: \(error.message)")
            }
        }
        let summary = "Frame \(frame) \(review.decision.rawValue) by \(review.reviewer)" + (review.note.isEmpty ? "." : ": \(review.note)")
        return try ToolAnswer(summary: summary, document: Document(
            frameId: frame.rawValue, decision: review.decision.rawValue, note: review.note, reviewer: review.reviewer, reviewedAt: review.reviewedAt,
            previousReviews: previous, summary: summary))
    }
}
