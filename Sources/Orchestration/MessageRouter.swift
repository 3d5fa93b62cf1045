public import Coordination
import Foundation
public import Logging
public import Persistence
public import ServiceLifecycle
public import StarlingCore
import Synchronization

/// Carries every agent's events to the agents that care, by posting commands to their
/// mailboxes, so no agent ever calls into another or waits for it.
///
/// - A telescope's events go to the coordinator (its view of who is free, the outcome of
///   assignments), to the Reporter (every frame written, to measure), to the journal (state
///   changes, faults, safety actions: the night's story and hours open), and to the planner
///   when the telescope's plan went stale (a fault recovered, a follow-up done, reopened after
///   a closure): it re-plans that telescope from now.
/// - The planner's plans go to their telescopes.
/// - The coordinator's assignments go to their telescopes, and cancellations after them.
/// - Every event goes to every subscriber of ``events()`` (a dashboard, the event stream).
///
/// ``route(_:)`` is synchronous and never waits: it posts and returns. Journal lines are
/// written in batches by ``run()`` (a `Service` on the clock), at least every
/// ``Configuration/journalFlushSeconds`` and whenever ``Configuration/journalBatch`` are waiting.
public final class MessageRouter: Service, Sendable {
    /// How the router batches the journal and when a reopened telescope is re-planned.
    public struct Configuration: Sendable {
        /// The most journal lines held before a write is due at once.
        public var journalBatch: Int
        /// The longest a journal line waits to be written, in clock seconds.
        public var journalFlushSeconds: Double
        /// A telescope that reopens this long (clock seconds) after its last plan is re-planned.
        public var replanAfterReopeningSeconds: Double

        public init(journalBatch: Int = 512, journalFlushSeconds: Double = 60, replanAfterReopeningSeconds: Double = 900) {
            self.journalBatch = journalBatch
            self.journalFlushSeconds = journalFlushSeconds
            self.replanAfterReopeningSeconds = replanAfterReopeningSeconds
        }
    }

    /// Counts for progress displays.
    public struct Counts: Sendable, Hashable {
        public var observations = 0
        public var completed = 0
        public var frames = 0
        public var assignments = 0
        public var faults = 0
        /// Telescopes open now.
        public var open: Set<TelescopeID> = []
    }

    private struct Destinations {
        var telescopes: [TelescopeID: any CommandReceiver<TelescopeCommand>] = [:]
        var sites: [TelescopeID: SiteID] = [:]
        var planner: (any CommandReceiver<PlannerCommand>)?
        var coordinator: (any CommandReceiver<CoordinatorCommand>)?
        var reporter: (any CommandReceiver<ReporterCommand>)?
    }

    private struct State {
        var destinations = Destinations()
        var assignmentTelescopes: [AssignmentID: TelescopeID] = [:]
        var followUpRequests: Set<RequestID> = []
        /// When each telescope last received a plan (a reopening soon after needs no re-plan).
        var lastPlanTime: [TelescopeID: Date] = [:]
        /// Journal lines not yet written.
        var journal: [JournalEntry] = []
        var counts = Counts()
        var subscribers: [UInt64: AsyncStream<NetworkEvent>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
    }

    private let state = Mutex(State())
    private let store: any JournalStore
    private let clock: any UTCClock
    private let logger: Logger
    private let configuration: Configuration
    /// Rung when the journal is due (a full batch, or a stop).
    private let mailbox = Mailbox<Never>()

    public init(store: any JournalStore, clock: any UTCClock, logger: Logger, configuration: Configuration = Configuration()) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
    }

    // MARK: Wiring

    /// Routes commands for a telescope to `receiver` (its agent).
    public func register(telescope: TelescopeID, site: SiteID, receiver: any CommandReceiver<TelescopeCommand>) {
        state.withLock {
            $0.destinations.telescopes[telescope] = receiver
            $0.destinations.sites[telescope] = site
        }
    }

    /// Routes commands for the planner, the coordinator and the Reporter.
    public func connect(
        planner: (any CommandReceiver<PlannerCommand>)?, coordinator: (any CommandReceiver<CoordinatorCommand>)?,
        reporter: (any CommandReceiver<ReporterCommand>)?
    ) {
        state.withLock {
            $0.destinations.planner = planner
            $0.destinations.coordinator = coordinator
            $0.destinations.reporter = reporter
        }
    }

    /// Every event routed from now on, in routing order. The stream ends when the router stops.
    ///
    /// - Parameter buffer: events kept for a slow subscriber before the oldest are dropped.
    public func events(buffer: Int = 10_000) -> AsyncStream<NetworkEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: NetworkEvent.self, bufferingPolicy: .bufferingNewest(buffer))
        let id = state.withLock { state in
            defer { state.nextSubscriber += 1 }
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// The counts so far.
    public var counts: Counts { state.withLock { $0.counts } }

    // MARK: Routing

    /// Routes one event: posts the commands it calls for and queues its journal lines. Returns
    /// at once.
    public func route(_ event: NetworkEvent) {
        let now = clock.currentDate
        let (posts, subscribers, journalDue) = state.withLock { state -> ([Post], [AsyncStream<NetworkEvent>.Continuation], Bool) in
            var posts: [Post] = []
            switch event {
            case .telescope(let event): route(event, now: now, into: &state, posts: &posts)
            case .planner(let event): route(event, now: now, into: &state, posts: &posts)
            case .coordinator(let event): route(event, into: &state, posts: &posts)
            case .reporter: break
            }
            return (posts, Array(state.subscribers.values), state.journal.count >= configuration.journalBatch)
        }
        // Posting outside the lock: a receiver may route in turn.
        for post in posts { post.deliver() }
        for subscriber in subscribers { subscriber.yield(event) }
        if journalDue { mailbox.alarm.ring() }
    }

    /// A command to deliver once the router's state is consistent again.
    private struct Post {
        let deliver: @Sendable () -> Void
        init<C: Sendable>(_ command: C, to receiver: (any CommandReceiver<C>)?) {
            deliver = { receiver?.send(command) }
        }
    }

    private func route(_ event: TelescopeEvent, now: Date, into state: inout State, posts: inout [Post]) {
        posts.append(Post(.telescopeEvent(event), to: state.destinations.coordinator))
        func site(_ telescope: TelescopeID) -> SiteID? { state.destinations.sites[telescope] }
        func replan(_ telescope: TelescopeID, because reason: String) {
            posts.append(Post(.replan(telescope: telescope, from: now, reason: reason), to: state.destinations.planner))
        }
        switch event {
        case .stateChanged(let telescope, let from, let to, let at, let reason):
            state.journal.append(JournalEntry.stateChange(telescope: telescope, site: site(telescope) ?? SiteID("unknown"), from: from, to: to, at: at, reason: reason))
            if to == .idle, from == .opening { state.counts.open.insert(telescope) }
            if to == .parked || to == .closing { state.counts.open.remove(telescope) }
            // Reopened after a closure in the night: the plan's slots have moved on.
            if from == .opening, to == .idle,
                now.timeIntervalSince(state.lastPlanTime[telescope] ?? .distantPast) > configuration.replanAfterReopeningSeconds
            {
                replan(telescope, because: "reopened after a closure")
            }
        case .frameWritten(let frame):
            state.counts.frames += 1
            posts.append(Post(.measure(frame), to: state.destinations.reporter))
        case .observationStarted:
            break
        case .observationEnded(let observation):
            state.counts.observations += 1
            if observation.outcome == .completed { state.counts.completed += 1 }
            if state.followUpRequests.contains(observation.requestID) {
                replan(observation.telescopeID, because: "follow-up \(observation.requestID) ended (\(observation.outcome.name))")
            }
        case .assignmentAccepted, .assignmentRefused:
            break
        case .faultOccurred(let telescope, let device, let reason, let at):
            state.counts.faults += 1
            state.journal.append(JournalEntry(time: at, subject: telescope.rawValue, siteID: site(telescope)?.rawValue, kind: .fault, message: "\(device.rawValue): \(reason)"))
        case .faultRecovered(let telescope, let device, let at):
            state.journal.append(JournalEntry(time: at, subject: telescope.rawValue, siteID: site(telescope)?.rawValue, kind: .recovery, message: "\(device.rawValue) recovered"))
            replan(telescope, because: "\(device.rawValue) recovered")
        case .safetyActionTaken(let telescope, let action, let at):
            state.journal.append(JournalEntry(time: at, subject: telescope.rawValue, siteID: site(telescope)?.rawValue, kind: .safety, message: action))
        }
    }

    private func route(_ event: PlannerEvent, now: Date, into state: inout State, posts: inout [Post]) {
        switch event {
        case .planMade(let plan), .planRestored(let plan):
            state.lastPlanTime[plan.telescopeID] = now
            posts.append(Post(.load(plan), to: state.destinations.telescopes[plan.telescopeID]))
        case .planningFailed(let telescope, let reason, let at):
            state.journal.append(JournalEntry(time: at, subject: telescope?.rawValue ?? "planner", kind: .decision, message: "planning failed: \(reason)"))
        }
    }

    private func route(_ event: CoordinatorEvent, into state: inout State, posts: inout [Post]) {
        switch event {
        case .assignmentMade(let assignment):
            state.counts.assignments += 1
            state.assignmentTelescopes[assignment.id] = assignment.telescopeID
            state.followUpRequests.insert(assignment.request.id)
            posts.append(Post(.followUp(assignment), to: state.destinations.telescopes[assignment.telescopeID]))
        case .assignmentChanged(let id, let newState, let reason, _):
            guard newState == .cancelled || newState == .expired, let telescope = state.assignmentTelescopes[id] else { return }
            let cancel = TelescopeCommand.cancelFollowUp(id, reason: Reason(newState == .cancelled ? .retracted : .leaseExpired, reason))
            posts.append(Post(cancel, to: state.destinations.telescopes[telescope]))
        case .alertAccepted, .alertIgnored:
            break
        }
    }

    // MARK: Journal

    /// Writes the journal lines gathered so far in one transaction; on failure they stay
    /// queued for the next write.
    public func flushJournal() async {
        let entries = state.withLock { state in
            defer { state.journal.removeAll() }
            return state.journal
        }
        guard !entries.isEmpty else { return }
        do {
            try await store.appendJournal(entries)
        } catch {
            logger.error("Could not write the journal", metadata: ["entries": "\(entries.count)", "error": "\(error)"])
            state.withLock { $0.journal.insert(contentsOf: entries, at: 0) }
        }
    }

    /// Writes the journal in batches until stopped; then writes what is left and ends every
    /// subscriber's stream.
    public func run() async throws {
        try await mailbox.runStoppingOnGracefulShutdown {
            while mailbox.stopReason == nil {
                await flushJournal()
                try await mailbox.wait(on: clock, until: clock.now.advanced(by: .seconds(configuration.journalFlushSeconds)))
            }
        }
        await flushJournal()
        let subscribers = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    /// Asks ``run()`` to write what is left and return.
    public func stop(reason: String) { mailbox.requestStop(reason: reason) }
}
