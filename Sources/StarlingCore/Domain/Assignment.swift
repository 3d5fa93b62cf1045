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
    /// When the coordinator expects the first exposure to start: the telescope's lead-in
    /// (slew, settle, dome, filter change; ``Overheads``) after ``slewStart``, or when the field
    /// becomes observable, whichever is later.
    public let plannedStart: Date
    /// When the telescope may start moving to the field. The telescope starts its slew then,
    /// not at ``plannedStart`` (which already includes the slew).
    public let slewStart: Date
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
        plannedStart: Date, slewStart: Date? = nil, leaseExpiry: Date, state: State, reason: String
    ) {
        self.id = id
        self.alertID = alertID
        self.telescopeID = telescopeID
        self.siteID = siteID
        self.request = request
        self.plannedStart = plannedStart
        self.slewStart = min(slewStart ?? plannedStart, plannedStart)
        self.leaseExpiry = leaseExpiry
        self.state = state
        self.reason = reason
    }

    /// The same assignment in a new state.
    public func with(state: State) -> Assignment {
        Assignment(
            id: id, alertID: alertID, telescopeID: telescopeID, siteID: siteID, request: request,
            plannedStart: plannedStart, slewStart: slewStart, leaseExpiry: leaseExpiry, state: state, reason: reason)
    }

    private enum CodingKeys: String, CodingKey {
        case id, alertID, telescopeID, siteID, request, plannedStart, slewStart, leaseExpiry, state, reason
    }

    /// Decodes an assignment; one stored before assignments carried a ``slewStart`` starts
    /// its slew at its planned start, as it then did.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(AssignmentID.self, forKey: .id), alertID: try container.decode(AlertID.self, forKey: .alertID),
            telescopeID: try container.decode(TelescopeID.self, forKey: .telescopeID), siteID: try container.decode(SiteID.self, forKey: .siteID),
            request: try container.decode(ObservationRequest.self, forKey: .request), plannedStart: try container.decode(Date.self, forKey: .plannedStart),
            slewStart: try container.decodeIfPresent(Date.self, forKey: .slewStart), leaseExpiry: try container.decode(Date.self, forKey: .leaseExpiry),
            state: try container.decode(State.self, forKey: .state), reason: try container.decode(String.self, forKey: .reason))
    }
}
