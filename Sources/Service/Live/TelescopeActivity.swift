import Foundation
import StarlingCore
import Synchronization

/// What each telescope is doing, as its events tell: the last state change and its reason,
/// the observation running and what it asks for (target, filter, exposure), and an operator's
/// hold placed through the API.
///
/// The agents' status (``Observatory/TelescopeStatus``) names the running request by id only;
/// the board learns what each request is from the plans and follow-up assignments that pass
/// through the network's event stream, so `/api/telescopes` answers from memory, without a
/// store read per request. A request it has not seen (an event missed before the server
/// subscribed) is learnt once from the store by the handler (``learn(_:)``).
final class TelescopeActivityBoard: Sendable {
    /// The last state change of a telescope.
    struct StateChange: Sendable, Hashable {
        let state: TelescopeState
        let at: Date
        /// The agent's words, e.g. "r 60 s on NGC 253" or "no work left tonight".
        let reason: String
    }

    /// The observation a telescope is carrying out.
    struct Running: Sendable, Hashable {
        let requestID: RequestID
        let started: Date
    }

    /// A telescope's activity.
    struct Activity: Sendable, Hashable {
        var lastChange: StateChange?
        var running: Running?
        /// Why an operator holds it closed (set through the API), or `nil`.
        var hold: String?
        /// Whether a plan has reached it (made or restored) since this process started.
        var hasPlan = false
    }

    private struct State {
        var activity: [TelescopeID: Activity] = [:]
        var requests: [RequestID: ObservationRequest] = [:]
        /// The requests of each telescope's latest plan, so a new plan retires the old one's.
        var planRequests: [TelescopeID: [RequestID]] = [:]
        /// Follow-up requests in the order they came, oldest first, to bound their number.
        var followUpRequests: [RequestID] = []
        /// Requests already looked up in the store, so a request found in neither a plan nor
        /// an assignment (an immediate one) is not looked up on every call.
        var lookedUp: Set<RequestID> = []
    }

    /// Follow-up requests remembered at most (the oldest are forgotten first).
    let followUpCapacity: Int
    private let state = Mutex(State())

    init(followUpCapacity: Int = 1000) {
        self.followUpCapacity = followUpCapacity
    }

    /// Takes in one event of the network's stream.
    func record(_ event: NetworkEvent) {
        state.withLock { state in
            switch event {
            case .telescope(.stateChanged(let telescope, _, let to, let at, let reason)):
                state.activity[telescope, default: Activity()].lastChange = StateChange(state: to, at: at, reason: reason)
            case .telescope(.observationStarted(let telescope, let request, let at)):
                state.activity[telescope, default: Activity()].running = Running(requestID: request, started: at)
            case .telescope(.observationEnded(let observation)):
                if state.activity[observation.telescopeID]?.running?.requestID == observation.requestID {
                    state.activity[observation.telescopeID]?.running = nil
                }
            case .planner(.planMade(let plan)), .planner(.planRestored(let plan)):
                Self.remember(plan, in: &state)
            case .coordinator(.assignmentMade(let assignment)):
                remember(followUp: assignment.request, in: &state)
            default:
                break
            }
        }
    }

    /// Remembers a request learnt elsewhere (from the store, when an event was missed).
    func learn(_ requests: [ObservationRequest]) {
        state.withLock { state in
            for request in requests where state.requests[request.id] == nil {
                if request.kind == .followUp {
                    remember(followUp: request, in: &state)
                } else {
                    state.requests[request.id] = request
                }
            }
        }
    }

    /// Whether a request the board does not know should be looked up in the store: once per
    /// request (the answer is then `false`).
    func shouldLookUp(_ id: RequestID) -> Bool {
        state.withLock { state in
            if state.lookedUp.count > 10_000 { state.lookedUp.removeAll() }
            return state.lookedUp.insert(id).inserted
        }
    }

    /// Records an operator's hold (the API's close) or its release (`nil`, the API's open).
    func setHold(_ reason: String?, on telescope: TelescopeID) {
        state.withLock { $0.activity[telescope, default: Activity()].hold = reason }
    }

    /// A telescope's activity so far (empty before its first event).
    func activity(of telescope: TelescopeID) -> Activity {
        state.withLock { $0.activity[telescope] ?? Activity() }
    }

    /// A request the board knows, or `nil`.
    func request(_ id: RequestID) -> ObservationRequest? {
        state.withLock { $0.requests[id] }
    }

    private static func remember(_ plan: NightPlan, in state: inout State) {
        let running = state.activity[plan.telescopeID]?.running?.requestID
        for old in state.planRequests[plan.telescopeID] ?? [] where old != running {
            state.requests[old] = nil
        }
        for entry in plan.entries { state.requests[entry.request.id] = entry.request }
        // The running request stays known until the next plan after it ends.
        state.planRequests[plan.telescopeID] = plan.entries.map(\.request.id) + [running].compactMap { $0 }
        state.activity[plan.telescopeID, default: Activity()].hasPlan = true
    }

    private func remember(followUp request: ObservationRequest, in state: inout State) {
        guard state.requests[request.id] == nil else { return }
        state.requests[request.id] = request
        state.followUpRequests.append(request.id)
        if state.followUpRequests.count > followUpCapacity {
            let forgotten = state.followUpRequests.removeFirst()
            state.requests[forgotten] = nil
        }
    }
}
