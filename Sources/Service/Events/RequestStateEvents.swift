import Coordination
import Foundation
import Orchestration
import Persistence
import Requests
import StarlingCore

/// Turns what the coordinator does with observers' requests into `request.state` events, so
/// a client following `/api/events` hears each state change of its requests (PENDING →
/// SCHEDULED → COMPLETED, CANCELED, …) without polling.
///
/// It learns which request an assignment serves when the assignment is made (from the
/// request's notice in the store), and after each change of that assignment publishes the
/// request's state by ``Requests/RequestState`` (the one rule), once per distinct state.
actor RequestStateEvents {
    private let live: LiveNetwork
    private var requestOfAssignment: [AssignmentID: Int] = [:]
    private var lastState: [Int: RequestState] = [:]

    init(live: LiveNetwork) {
        self.live = live
    }

    /// The request state event an event leads to, if any.
    func observe(_ event: NetworkEvent) async -> EventDocument? {
        guard case .coordinator(let change) = event else { return nil }
        let requestID: Int
        switch change {
        case .assignmentMade(let assignment):
            guard let record = try? await live.store.alert(assignment.alertID), let number = record.alert?.requested?.requestNumber else { return nil }
            requestOfAssignment[assignment.id] = number
            requestID = number
        case .assignmentChanged(let id, _, _, _):
            guard let number = requestOfAssignment[id] else { return nil }
            requestID = number
        case .alertAccepted, .alertIgnored:
            return nil
        }
        return await document(for: requestID)
    }

    /// The event for a request's current state, if it changed since the last one sent.
    func document(for requestID: Int) async -> EventDocument? {
        let now = live.clock.currentDate
        guard let group = try? await live.requests.group(containingRequest: requestID),
            let state = try? await live.requests.state(of: requestID, now: now), lastState[requestID] != state
        else { return nil }
        lastState[requestID] = state
        return EventDocument(requestState: state, requestID: requestID, groupID: group.id, at: now)
    }
}
