public import Foundation

/// Identifies a follow-up assignment.
public typealias AssignmentID = Identifier<Assignment>

/// A follow-up given to a telescope by the network coordinator, held under a lease.
///
/// If the lease expires before the telescope reports progress, or the telescope refuses or
/// faults, the coordinator reassigns. Every assignment keeps the reason it was made.
public struct Assignment: Sendable, Hashable, Codable, Identifiable {
    public let id: AssignmentID
    public let alertID: AlertID
    public let telescopeID: TelescopeID
    public let siteID: SiteID
    public let request: ObservationRequest
    /// When the coordinator expects the first exposure to start.
    public let plannedStart: Date
    /// The lease: the telescope must acknowledge or report progress before this instant.
    public let leaseExpiry: Date
    public let state: State
    /// Why this telescope, e.g. "earliest dark start: 18:42 UTC, altitude 48°, clear".
    public let reason: String

    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case offered, accepted, observing, completed, refused, failed, expired, cancelled

        /// Whether the assignment is finished one way or another.
        public var isFinal: Bool { [.completed, .refused, .failed, .expired, .cancelled].contains(self) }
    }

    public init(
        id: AssignmentID, alertID: AlertID, telescopeID: TelescopeID, siteID: SiteID, request: ObservationRequest,
        plannedStart: Date, leaseExpiry: Date, state: State, reason: String
    ) {
        self.id = id
        self.alertID = alertID
        self.telescopeID = telescopeID
        self.siteID = siteID
        self.request = request
        self.plannedStart = plannedStart
        self.leaseExpiry = leaseExpiry
        self.state = state
        self.reason = reason
    }

    /// The same assignment in a new state.
    public func with(state: State) -> Assignment {
        Assignment(
            id: id, alertID: alertID, telescopeID: telescopeID, siteID: siteID, request: request,
            plannedStart: plannedStart, leaseExpiry: leaseExpiry, state: state, reason: reason)
    }
}
