import Coordination
public import Foundation
import Logging
import Synchronization
public import Persistence
public import Requests
public import StarlingCore

/// Where observers' request groups (the OCS request API) come in and what became of them
/// is answered: validation against the proposals and the sky, storage, the notices that hand
/// each request to the coordinator, cancellation, states and the time charged.
///
/// The store is the truth: a group is stored before its notices are submitted, and on start
/// ``resubmitUnsent()`` submits the notices of any group stored before a crash without them
/// (the intake drops a notice it already holds), so nothing accepted is lost or doubled.
///
/// An actor, so that checking a proposal's time and storing a group are one step: two
/// groups submitted at once cannot both spend the last hour. What it knows is kept in a lock
/// of its own (``Index``), so reading states and groups never waits behind submissions.
public actor RequestDesk {
    public nonisolated let validator: RequestGroupValidator
    public let maximumAttempts: Int
    private let store: any Store
    private let intake: AlertIntake
    private let isRunning: @Sendable () -> Bool
    private let logger: Logger

    /// Every group, by id, loaded from the store on first use; changed only by the actor.
    private let index = Mutex(Index())

    /// The groups, and the final states already worked out (they never change).
    struct Index {
        var groups: [Int: RequestGroup] = [:]
        var groupOfRequest: [Int: Int] = [:]
        var finalStates: [Int: RequestState] = [:]
        var loaded = false

        mutating func remember(_ group: RequestGroup) {
            groups[group.id] = group
            for request in group.requests { groupOfRequest[request.id] = group.id }
        }
    }

    init(
        network: ObservatoryNetwork, proposals: ProposalBook, store: any Store, intake: AlertIntake, maximumAttempts: Int, logger: Logger,
        isRunning: @escaping @Sendable () -> Bool
    ) {
        validator = RequestGroupValidator(catalog: InstrumentCatalog(network: network), proposals: proposals, observability: ObservabilityCheck(network: network))
        self.maximumAttempts = maximumAttempts
        self.store = store
        self.intake = intake
        self.isRunning = isRunning
        self.logger = logger
    }

    /// Why a submission was not accepted.
    public enum Refusal: Error, Sendable {
        /// The group is invalid: the portal's field-by-field errors.
        case invalid(RequestGroupValidator.Outcome)
        /// The network is starting or stopping: nothing was stored; submit again.
        case notRunning
    }

    // MARK: Submitting

    /// Validates a group as submitting it would, without storing anything.
    public func validate(_ body: Data, submitter: String, now: Date) async throws(StoreError) -> RequestGroupValidator.Outcome {
        try await loadIfNeeded()
        return validator.validate(body, submitter: submitter, now: now, usedSeconds: try await usedSeconds(now: now))
    }

    /// Validates, stores and hands on a group.
    ///
    /// Everything but the proposal's time is checked outside the actor, so groups submitted
    /// together are validated together; the time is checked where groups are stored, one at a
    /// time, so two groups cannot both spend the last hour.
    ///
    /// - Returns: the group as stored (numbered), or why it was refused.
    public nonisolated func submit(_ body: Data, submitter: String, now: Date) async throws(StoreError) -> Result<RequestGroup, Refusal> {
        guard isRunning() else { return .failure(.notRunning) }
        let outcome = validator.validate(body, submitter: submitter, now: now, usedSeconds: nil)
        guard let draft = outcome.group else { return .failure(.invalid(outcome)) }
        switch try await charge(draft, now: now) {
        case .failure(let shortfall):
            return .failure(.invalid(RequestGroupValidator.Outcome(
                group: nil, errors: .object(["non_field_errors": .messages([shortfall.message])]), durations: outcome.durations)))
        case .success(let group):
            try await send(group, now: now)
            logger.info("Request group accepted", metadata: ["group.id": "\(group.id)", "proposal": "\(group.proposalID)", "requests": "\(group.requests.count)"])
            return .success(group)
        }
    }

    /// Why a group was not stored: its proposal's time is spent.
    struct Shortfall: Error {
        let message: String
    }

    /// Charges a valid group to its proposal and stores it, or says why the time is lacking.
    ///
    /// One charge at a time, start to end: the actor alone would let a second charge in while
    /// the first awaits the store, and both could then spend the last hour.
    private func charge(_ draft: RequestGroup, now: Date) async throws(StoreError) -> Result<RequestGroup, Shortfall> {
        await beginCharging()
        defer { endCharging() }
        try await loadIfNeeded()
        if let shortfall = validator.shortfall(of: draft, usedSeconds: try await usedSeconds(now: now)) { return .failure(Shortfall(message: shortfall)) }
        let group = try await store.insertRequestGroup(draft)
        index.withLock { $0.remember(group) }
        return .success(group)
    }

    /// Whether a charge is under way, and the charges waiting for it, in order.
    private var charging = false
    private var waitingToCharge: [CheckedContinuation<Void, Never>] = []

    private func beginCharging() async {
        guard charging else {
            charging = true
            return
        }
        await withCheckedContinuation { waitingToCharge.append($0) }
    }

    /// Hands the turn to the next waiting charge (which then holds it), or frees it.
    private func endCharging() {
        if waitingToCharge.isEmpty { charging = false } else { waitingToCharge.removeFirst().resume() }
    }

    /// Cancels a group: stored as cancelled, then each request's cancellation handed to the
    /// coordinator, which cancels its assignments (a telescope observing one stops).
    ///
    /// - Returns: the group as cancelled, and whether an observation of it was running (and
    ///   so was stopped); `nil` when there is no such group.
    public func cancel(_ id: Int, now: Date) async throws(StoreError) -> (group: RequestGroup, stoppedObserving: Bool)? {
        try await loadIfNeeded()
        guard index.withLock({ $0.groups[id] }) != nil, let group = try await store.cancelRequestGroup(id: id, at: now) else { return nil }
        index.withLock { $0.remember(group) }
        var observing = false
        for request in group.requests {
            let assignments = try await store.assignments(alert: ObservationRequestNotice.alertID(requestNumber: request.id))
            if assignments.contains(where: { $0.state == .observing }) { observing = true }
            let notice = ObservationRequestNotice(
                target: request.target, requested: request.requestedObservation(mode: group.mode), priority: priority(of: group),
                submittedAt: now, submittedBy: group.submitter, isCancellation: true)
            _ = try await intake.submit(notice.encoded(), transport: "request-api:\(group.submitter)")
        }
        logger.info("Request group cancelled", metadata: ["group.id": "\(id)", "stopped.observing": "\(observing)"])
        return (group, observing)
    }

    /// Submits the notices of groups stored without them (a crash between storing a group
    /// and handing it on); the intake drops the notices it already holds.
    public func resubmitUnsent() async throws(StoreError) {
        try await loadIfNeeded()
        var sent = 0
        for group in index.withLock({ Array($0.groups.values) }).sorted(by: { $0.id < $1.id }) where group.cancelled == nil {
            for request in group.requests where try await store.alert(ObservationRequestNotice.alertID(requestNumber: request.id)) == nil {
                _ = try await intake.submit(notice(request, of: group, at: group.created).encoded(), transport: "request-api:\(group.submitter)")
                sent += 1
            }
        }
        if sent > 0 { logger.notice("Requests handed on again after a restart", metadata: ["requests": "\(sent)"]) }
    }

    // MARK: Reading

    public nonisolated func group(_ id: Int) async throws(StoreError) -> RequestGroup? {
        try await loaded()
        return index.withLock { $0.groups[id] }
    }

    /// The group a request belongs to.
    public nonisolated func group(containingRequest id: Int) async throws(StoreError) -> RequestGroup? {
        try await loaded()
        return index.withLock { index in index.groupOfRequest[id].flatMap { index.groups[$0] } }
    }

    /// Every group, oldest first, optionally only those a submitter made.
    public nonisolated func groups(submitter: String? = nil) async throws(StoreError) -> [RequestGroup] {
        try await loaded()
        return index.withLock { $0.groups.values.filter { submitter == nil || $0.submitter == submitter } }.sorted { $0.id < $1.id }
    }

    /// A request's attempts: the coordinator's assignments, oldest first.
    public nonisolated func attempts(of requestID: Int) async throws(StoreError) -> [Assignment] {
        try await store.assignments(alert: ObservationRequestNotice.alertID(requestNumber: requestID))
    }

    /// A request's state now (``Requests/RequestState``, the one rule).
    public nonisolated func state(of requestID: Int, now: Date) async throws(StoreError) -> RequestState? {
        try await loaded()
        let (group, known) = index.withLock { index in (index.groupOfRequest[requestID].flatMap { index.groups[$0] }, index.finalStates[requestID]) }
        guard let group, let request = group.requests.first(where: { $0.id == requestID }) else { return nil }
        if let known { return known }
        let state = RequestState.of(request, in: group, assignments: try await attempts(of: requestID), now: now, maximumAttempts: maximumAttempts)
        if state.isFinal { index.withLock { $0.finalStates[requestID] = state } }
        return state
    }

    /// A group's state now, with each request's.
    public nonisolated func states(of group: RequestGroup, now: Date) async throws(StoreError) -> (group: RequestState, requests: [Int: RequestState]) {
        var states: [Int: RequestState] = [:]
        for request in group.requests { states[request.id] = try await state(of: request.id, now: now) ?? .pending }
        return (RequestState.of(group: group, requestStates: group.requests.map { states[$0.id] ?? .pending }), states)
    }

    /// The time charged to each proposal per mode, seconds: requests completed, and those
    /// still pending or scheduled (held for them); nothing for requests cancelled, expired or
    /// given up.
    public nonisolated func usedSeconds(now: Date) async throws(StoreError) -> [String: [ObservingMode: Double]] {
        try await loaded()
        let (groups, finalStates) = index.withLock { (Array($0.groups.values), $0.finalStates) }
        var used: [String: [ObservingMode: Double]] = [:]
        for group in groups {
            for request in group.requests {
                // A request whose window is open and not cancelled holds its time without a look at the store.
                let state: RequestState =
                    group.cancelled == nil && request.window.end > now && finalStates[request.id] == nil
                    ? .pending : (try await self.state(of: request.id, now: now) ?? .pending)
                guard [.pending, .scheduled, .completed].contains(state) else { continue }
                used[group.proposalID, default: [:]][group.mode, default: 0] += request.durationSeconds
            }
        }
        return used
    }

    // MARK: Internals

    private func loadIfNeeded() async throws(StoreError) {
        guard !index.withLock({ $0.loaded }) else { return }
        let stored = try await store.requestGroups()
        index.withLock { index in
            for group in stored { index.remember(group) }
            index.loaded = true
        }
    }

    /// Loads the groups on the actor the first time; afterwards answers at once.
    private nonisolated func loaded() async throws(StoreError) {
        if !index.withLock({ $0.loaded }) { try await loadIfNeeded() }
    }

    private nonisolated func send(_ group: RequestGroup, now: Date) async throws(StoreError) {
        for request in group.requests {
            _ = try await intake.submit(notice(request, of: group, at: now).encoded(), transport: "request-api:\(group.submitter)")
        }
    }

    private nonisolated func notice(_ request: RequestGroup.Request, of group: RequestGroup, at time: Date) -> ObservationRequestNotice {
        ObservationRequestNotice(
            target: request.target, requested: request.requestedObservation(mode: group.mode), priority: priority(of: group), submittedAt: time,
            submittedBy: group.submitter)
    }

    /// Priority 0…10: rapid response 9, time-critical 8, normal 3.5 × the observer's IPP
    /// (1.75…7, below every time-critical request).
    private nonisolated func priority(of group: RequestGroup) -> Double {
        switch group.mode {
        case .rapidResponse: 9
        case .timeCritical: 8
        case .normal: min(7, max(1.75, 3.5 * group.ippValue))
        }
    }
}
