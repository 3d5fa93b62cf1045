public import Foundation
public import Persistence
public import StarlingCore

/// Records people's verdicts on frames and observations: the rules a review must follow and
/// the check that its subject exists.
///
/// A review approves or flags one frame or one observation; a flag needs a note saying what
/// is wrong. Reviews are kept in order (an earlier verdict is never overwritten) and the
/// latest one shows in every later report.
///
/// ```swift
/// let desk = ReviewDesk(store: store)
/// try await desk.record(.flagged, of: .frame("teide-1m-a-0042"), note: "satellite trail", reviewer: "pi", at: clock.currentDate)
/// ```
public struct ReviewDesk: Sendable {
    private let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    /// Records a review.
    ///
    /// - Parameters:
    ///   - decision: approved or flagged.
    ///   - subject: the frame or observation reviewed.
    ///   - note: what the reviewer says (required to flag; whitespace is trimmed).
    ///   - reviewer: who reviewed (required).
    ///   - time: when (UTC).
    /// - Returns: the review stored.
    /// - Throws: ``ReportingError`` `.invalidReview` for a flag without a note or a review
    ///   without a reviewer, `.unknownSubject` when no such frame or observation is stored,
    ///   `.store` when the store fails.
    @discardableResult
    public func record(
        _ decision: Review.Decision, of subject: Review.Subject, note: String, reviewer: String, at time: Date
    ) async throws(ReportingError) -> Review {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        let reviewer = reviewer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reviewer.isEmpty else {
            throw ReportingError(.invalidReview, "a review needs a reviewer's name (--reviewer NAME, or set $USER)")
        }
        if decision == .flagged, note.isEmpty {
            throw ReportingError(.invalidReview, "a flag needs a note saying what is wrong, e.g. --flag \"satellite trail across the target\"")
        }
        let exists: Bool
        do {
            switch subject {
            case .frame(let id): exists = try await store.frame(id) != nil
            case .observation(let id): exists = try await store.observation(id) != nil
            }
        } catch {
            throw ReportingError(error, while: "look up the reviewed \(Self.describe(subject))")
        }
        guard exists else {
            throw ReportingError(.unknownSubject, "no \(Self.describe(subject)) in the store (the report lists the ids of the night's frames and observations)")
        }
        let review = Review(subject: subject, decision: decision, note: note, reviewer: reviewer, reviewedAt: time)
        do {
            try await store.saveReview(review)
        } catch {
            throw ReportingError(error, while: "record the review")
        }
        return review
    }

    private static func describe(_ subject: Review.Subject) -> String {
        switch subject {
        case .frame(let id): "frame '\(id)'"
        case .observation(let id): "observation '\(id)'"
        }
    }
}
