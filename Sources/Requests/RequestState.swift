public import Foundation
public import StarlingCore

/// What became of an observer's request, in the OCS portal's words, from what the network
/// did with it: the one rule every endpoint and report uses.
public enum RequestState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for a telescope (not yet assigned, or its window not yet open).
    case pending = "PENDING"
    /// Assigned to a telescope, which has not finished it yet.
    case scheduled = "SCHEDULED"
    case completed = "COMPLETED"
    /// Its window ended before any telescope observed it.
    case windowExpired = "WINDOW_EXPIRED"
    /// Telescopes tried and failed as often as the coordinator allows.
    case failureLimitReached = "FAILURE_LIMIT_REACHED"
    case canceled = "CANCELED"
    /// Another request of its group made it unnecessary (not used by the operators Starling takes).
    case notAttempted = "NOT_ATTEMPTED"

    /// Whether it can still change.
    public var isFinal: Bool { ![.pending, .scheduled].contains(self) }

    /// The state of a request.
    ///
    /// - Parameters:
    ///   - request: the request.
    ///   - group: its group (cancelled or not).
    ///   - assignments: the coordinator's assignments of the request, every attempt.
    ///   - now: the instant asked about.
    ///   - maximumAttempts: how many telescopes a request is offered to before it is given up.
    public static func of(
        _ request: RequestGroup.Request, in group: RequestGroup, assignments: [Assignment], now: Date, maximumAttempts: Int
    ) -> RequestState {
        if assignments.contains(where: { $0.state == .completed }) { return .completed }
        if group.cancelled != nil { return .canceled }
        if assignments.contains(where: { !$0.state.isFinal }) { return .scheduled }
        let failed = assignments.filter { [.failed, .refused, .expired].contains($0.state) }.count
        if failed >= maximumAttempts { return .failureLimitReached }
        if request.window.end <= now { return .windowExpired }
        return .pending
    }

    /// A group's state from its requests': cancelled; completed when every request is final and
    /// one completed; the first request's final state when none did; pending otherwise.
    public static func of(group: RequestGroup, requestStates: [RequestState]) -> RequestState {
        if group.cancelled != nil, !requestStates.allSatisfy({ $0 == .completed }) { return .canceled }
        guard requestStates.allSatisfy(\.isFinal) else { return .pending }
        if requestStates.contains(.completed) { return .completed }
        return requestStates.first ?? .pending
    }
}

/// What became of one attempt (a telescope's assignment), as the portal names an
/// observation's states.
public enum AttemptState: String, Sendable, Hashable, Codable {
    case pending = "PENDING"
    case inProgress = "IN_PROGRESS"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case notAttempted = "NOT_ATTEMPTED"
    case canceled = "CANCELED"

    public init(_ state: Assignment.State) {
        switch state {
        case .offered, .accepted: self = .pending
        case .observing: self = .inProgress
        case .completed: self = .completed
        case .failed: self = .failed
        case .refused, .expired: self = .notAttempted
        case .cancelled: self = .canceled
        }
    }
}
