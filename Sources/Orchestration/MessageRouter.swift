import Coordination
import Foundation
import Logging
import Observatory
import Persistence
import Planning
import Reporting
import StarlingCore

/// Carries every agent's messages to the agents that care, so agents never call into each
/// other's internals.
///
/// - A telescope's events go to the coordinator (its view of who is free, the outcome of
///   assignments), to the Reporter (every frame written, to measure), to the journal (state
///   changes, faults, safety actions: the night's story and hours open), and to the planner
///   when the telescope's plan went stale (a fault recovered, a follow-up done, reopened
///   after bad weather): it re-plans that telescope from now.
/// - The planner's plans go to their telescopes.
/// - The coordinator's assignments go to their telescopes, and cancellations after them.
///
/// Routing happens in the task that emitted the message; under the simulation clock one task
/// runs at a time, so a night is reproducible.
actor MessageRouter {
    private var agents: [TelescopeID: TelescopeAgent] = [:]
    private var sites: [TelescopeID: SiteID] = [:]
    private var planner: PlannerAgent?
    private var coordinator: NetworkCoordinator?
    private var reporter: Reporter?
    private let store: any Store
    private let clock: any UTCClock
    private let logger: Logger
    private var assignmentTelescopes: [AssignmentID: TelescopeID] = [:]
    private var followUpRequests: Set<RequestID> = []
    /// When each telescope last received a plan (a reopening soon after needs no re-plan).
    private var lastPlanTime: [TelescopeID: Date] = [:]
    /// Journal lines not yet written: flushed in batches (each flush is one transaction).
    private var journal: [JournalEntry] = []
    /// Counts for the progress display.
    private(set) var counts = Counts()

    struct Counts: Sendable {
        var observations = 0
        var completed = 0
        var frames = 0
        var assignments = 0
        var faults = 0
        var open: Set<TelescopeID> = []
    }

    init(store: any Store, clock: any UTCClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    func register(_ agent: TelescopeAgent, site: SiteID) {
        agents[agent.telescope.id] = agent
        sites[agent.telescope.id] = site
    }

    func connect(planner: PlannerAgent, coordinator: NetworkCoordinator, reporter: Reporter) {
        self.planner = planner
        self.coordinator = coordinator
        self.reporter = reporter
    }

    // MARK: Telescope events

    func route(_ event: TelescopeEvent) async {
        await coordinator?.telescopeEvent(event)
        switch event {
        case .stateChanged(let telescope, let from, let to, let at, let reason):
            journal.append(JournalEntry.stateChange(telescope: telescope, site: sites[telescope] ?? SiteID("unknown"), from: from, to: to, at: at, reason: reason))
            if to == .idle, from == .opening { counts.open.insert(telescope) }
            if to == .parked || to == .closing { counts.open.remove(telescope) }
            // Reopened after a closure in the night: the plan's slots have moved on.
            if from == .opening, to == .idle, clock.currentDate.timeIntervalSince(lastPlanTime[telescope] ?? .distantPast) > 900 {
                await replan(telescope, because: "reopened after a closure")
            }
        case .frameWritten(let frame):
            counts.frames += 1
            reporter?.send(.measure(frame))
        case .observationStarted:
            break
        case .observationEnded(let observation):
            counts.observations += 1
            if observation.outcome == .completed { counts.completed += 1 }
            if followUpRequests.contains(observation.requestID) {
                await replan(observation.telescopeID, because: "follow-up \(observation.requestID) ended (\(observation.outcome.name))")
            }
        case .assignmentAccepted, .assignmentRefused:
            break
        case .faultOccurred(let telescope, let device, let reason, let at):
            counts.faults += 1
            journal.append(JournalEntry(time: at, subject: telescope.rawValue, siteID: sites[telescope]?.rawValue, kind: .fault, message: "\(device.rawValue): \(reason)"))
        case .faultRecovered(let telescope, let device, let at):
            journal.append(JournalEntry(time: at, subject: telescope.rawValue, siteID: sites[telescope]?.rawValue, kind: .recovery, message: "\(device.rawValue) recovered"))
            await replan(telescope, because: "\(device.rawValue) recovered")
        case .safetyActionTaken(let telescope, let action, let at):
            journal.append(JournalEntry(time: at, subject: telescope.rawValue, siteID: sites[telescope]?.rawValue, kind: .safety, message: action))
        }
        if journal.count >= 512 { await flushJournal() }
    }

    private func replan(_ telescope: TelescopeID, because reason: String) async {
        guard let planner else { return }
        do {
            _ = try await planner.replan(telescope: telescope, from: clock.currentDate, reason: reason)
        } catch {
            logger.error("Re-planning failed", metadata: ["telescope.id": "\(telescope)", "error": "\(error)"])
        }
    }

    // MARK: Planner and coordinator events

    func route(_ event: PlannerEvent) async {
        switch event {
        case .planMade(let plan):
            lastPlanTime[plan.telescopeID] = clock.currentDate
            await agents[plan.telescopeID]?.send(.load(plan))
        }
    }

    func route(_ event: CoordinatorEvent) async {
        switch event {
        case .assignmentMade(let assignment):
            counts.assignments += 1
            assignmentTelescopes[assignment.id] = assignment.telescopeID
            followUpRequests.insert(assignment.request.id)
            await agents[assignment.telescopeID]?.send(.followUp(assignment))
        case .assignmentChanged(let id, let state, let reason, _):
            guard state == .cancelled || state == .expired, let telescope = assignmentTelescopes[id] else { return }
            await agents[telescope]?.send(.cancelFollowUp(id, reason: Reason(state == .cancelled ? .retracted : .leaseExpired, reason)))
        case .alertAccepted, .alertIgnored:
            break
        }
    }

    // MARK: Journal

    /// Writes the journal lines gathered so far in one transaction.
    func flushJournal() async {
        guard !journal.isEmpty else { return }
        let entries = journal
        journal = []
        do {
            try await store.appendJournal(entries)
        } catch {
            logger.error("Could not write the journal", metadata: ["entries": "\(entries.count)", "error": "\(error)"])
            journal = entries + journal
        }
    }
}
