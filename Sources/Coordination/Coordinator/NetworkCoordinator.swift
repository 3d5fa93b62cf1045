public import Foundation
public import Logging
import Metrics
public import Persistence
import SkyMaps
public import StarlingCore

/// Moves each follow-up to the telescope that can observe it soonest, holds it there with a
/// lease, and moves it again when the telescope refuses, faults or goes silent.
///
/// An ``StarlingCore/Agent``: accepted alerts from the ``AlertIntake``, telescope events,
/// site weather and operator policies arrive as ``CoordinatorCommand``s in its mailbox
/// (``send(_:)``); ``run()`` reloads the open assignments from the store, then handles the
/// commands in order and expires leases on the clock. It reports through its event handler
/// (`CoordinatorEvent`): `assignmentMade` for the host to route to the telescope,
/// `assignmentChanged` for every state change.
///
/// Decisions are deterministic (``FollowUpPlanner``) and never wait on a model. Each alert's
/// decision and its assignments are written in one transaction
/// (``Persistence/AssignmentStore/recordDecisions(_:)``), so an alert handed on again after a
/// crash is not decided twice.
///
/// Leases: an offered assignment must be accepted within ``leaseSeconds``; an accepted one
/// must finish by its planned end plus ``completionGraceSeconds``. A lease that runs out
/// expires the assignment and the field goes to the next best telescope.
public actor NetworkCoordinator: Agent {
    public typealias Command = CoordinatorCommand
    public typealias Event = CoordinatorEvent
    public typealias Storage = AlertStore & AssignmentStore & JournalStore

    public let leaseSeconds: TimeInterval
    public let completionGraceSeconds: TimeInterval
    /// How many telescopes a field may be offered to before it is given up.
    public nonisolated let maximumAttempts: Int
    /// Whether leases run out. `false` where no telescope agents are connected (`starling
    /// alert listen` records decisions for operators): offers then stay open instead of
    /// expiring and moving from telescope to telescope.
    public let expiresLeases: Bool

    private let network: ObservatoryNetwork
    private let planner: FollowUpPlanner
    private let coveragePlanner: CoveragePlanner
    private let store: any Storage
    private let clock: any UTCClock
    private let logger: Logger
    private let skyMaps: SkyMapLoader?
    private let galaxies: [Target]
    private let events: EventHandler<CoordinatorEvent>
    private let mailbox = Mailbox<CoordinatorCommand>()

    private var sky = FollowUpPlanner.SkyCache()
    private var statuses: [TelescopeID: TelescopeAvailability] = [:]
    private var weather: [SiteID: WeatherSafety] = [:]
    private var policies: [Alert.Kind: SitePolicy] = [:]
    /// Open and recent assignments by id, with what the coordinator needs to reassign them.
    private var assignments: [AssignmentID: Tracked] = [:]
    private var byRequest: [RequestID: AssignmentID] = [:]
    /// Observers' requests whose window opens beyond the planning horizon, or that no
    /// telescope could take within it, with when to decide them again. They stay unprocessed
    /// in the store, so a restarted coordinator is handed them again.
    private var deferred: [AlertID: (accepted: AcceptedAlert, until: Date)] = [:]

    private let latency = Metrics.Timer(label: "starling_followup_decision_seconds")

    private struct Tracked: Sendable {
        var assignment: Assignment
        let alert: Alert
        let field: FollowUpField
        let plannedEnd: Date
        let attempt: Int
        /// Telescope–field pairs that already failed this field.
        var excluded: Set<String>
    }

    /// - Parameters:
    ///   - network: the array.
    ///   - store: where alerts, assignments and the journal live.
    ///   - clock: the coordinator's clock (leases run on it).
    ///   - skyMaps: reads sky maps of alerts that have one (`nil`: sky-map alerts use their centre only).
    ///   - galaxies: a catalog for the 3-D probability of gravitational-wave maps (galaxy-targeted fields).
    ///   - skyMapStrategy: how sky-map alerts are followed up (the credible region, the most fields).
    ///   - expiresLeases: see ``expiresLeases``.
    ///   - events: receives every `CoordinatorEvent`, from the coordinator's task.
    public init(
        network: ObservatoryNetwork, store: any Storage, clock: any UTCClock, logger: Logger, skyMaps: SkyMapLoader?,
        galaxies: [Target] = [], skyMapStrategy: SkyMapStrategy = SkyMapStrategy(), policies: [SitePolicy] = [], leaseSeconds: TimeInterval = 120,
        completionGraceSeconds: TimeInterval = 1800, maximumAttempts: Int = 4, expiresLeases: Bool = true, events: @escaping EventHandler<CoordinatorEvent>
    ) {
        self.network = network
        self.planner = FollowUpPlanner(network: network)
        self.coveragePlanner = CoveragePlanner(planner: planner, strategy: skyMapStrategy)
        self.store = store
        self.clock = clock
        self.logger = logger
        self.skyMaps = skyMaps
        self.galaxies = galaxies
        self.leaseSeconds = leaseSeconds
        self.completionGraceSeconds = completionGraceSeconds
        self.maximumAttempts = maximumAttempts
        self.expiresLeases = expiresLeases
        self.events = events
        for policy in policies { self.policies[policy.alertKind] = policy }
    }

    // MARK: Agent

    /// Queues a command; returns at once.
    public nonisolated func send(_ command: CoordinatorCommand) { mailbox.post(command) }

    /// Asks the coordinator to handle what is already queued and then return from ``run()``.
    /// Open assignments stay in the store; the next run reloads them.
    public nonisolated func stop(reason: String) { mailbox.requestStop(reason: reason) }

    /// Reloads the open assignments from the store (after a restart) and offers the unaccepted
    /// ones again; then handles commands and expires leases until stopped or cancelled.
    ///
    /// - Throws: ``Persistence/StoreError`` when the open assignments cannot be read.
    public func run() async throws {
        try await mailbox.runStoppingOnGracefulShutdown {
            try await reloadOpenAssignments()
            while true {
                let commands = mailbox.takeAll()
                for command in commands { await handle(command) }
                if expiresLeases { await expireLeases(at: clock.currentDate) }
                let due = await decideDeferred(at: clock.currentDate)
                // Looked at again before any sleep: rings that arrived while handling were
                // folded into the one that woke this task.
                if !commands.isEmpty || due { continue }
                if mailbox.stopReason != nil { return }
                let wake = [expiresLeases ? nextLeaseDeadline : nil, deferred.values.map(\.until).min()].compactMap { $0 }.min()
                // At least a millisecond on: a `Date` and the clock's instant may differ in the
                // last bit, and a deadline "not yet due" by one and due by the other would spin.
                let now = clock.currentDate
                try await mailbox.wait(on: clock, until: wake.map { UTCInstant(max($0, now.addingTimeInterval(0.001))) })
            }
        }
    }

    /// Handles one command.
    func handle(_ command: CoordinatorCommand) async {
        switch command {
        case .ingest(let batch): await decide(batch)
        case .telescopeEvent(let event): await follow(event)
        case .weather(let site, let safety): weather[site] = safety
        case .setSitePolicy(let policy): policies[policy.alertKind] = policy
        }
    }

    private func reloadOpenAssignments() async throws(StoreError) {
        for assignment in try await store.openAssignments() {
            guard let record = try await store.alert(assignment.alertID), let alert = record.alert else { continue }
            // A sky-map field keeps the field of view it was planned with: its telescope's.
            var footprint: FieldOfView?
            if case .skyMap = alert.errorRegion { footprint = network.locate(assignment.telescopeID)?.telescope.fieldOfView }
            let field = FollowUpField(
                id: String(assignment.request.id.rawValue.split(separator: "/").last ?? "f0"), center: assignment.request.target.coordinates,
                probability: 0, label: assignment.request.target.name, footprint: footprint)
            let end = assignment.plannedStart.addingTimeInterval(Overheads(telescope: telescope(assignment.telescopeID)).blockSeconds(assignment.request))
            track(Tracked(assignment: assignment, alert: alert, field: field, plannedEnd: end, attempt: attemptNumber(assignment.id), excluded: []))
            if assignment.state == .offered { events(.assignmentMade(assignment)) }
        }
    }

    /// The current status of every telescope the coordinator has heard from.
    public var telescopeStatuses: [TelescopeID: TelescopeAvailability] { statuses }

    // MARK: Alerts

    /// Acts on a batch of accepted alerts, in order: plans their follow-up, cancels what a
    /// retraction or an update makes obsolete, records every decision in one transaction; then
    /// offers the assignments. Idempotent per alert id.
    private func decide(_ batch: [AcceptedAlert]) async {
        var pending: [Pending] = []
        let now = clock.currentDate
        // Most urgent first, so that what arrives together competes for telescopes in order of
        // priority (a burst before a normal request, an observer's high IPP before a low one);
        // the sort is stable, so equals keep their order of arrival.
        let batch = batch.enumerated().sorted { a, b in
            let (pa, pb) = (FollowUpExposures.priority(for: a.element.alert), FollowUpExposures.priority(for: b.element.alert))
            return pa != pb ? pa > pb : a.offset < b.offset
        }.map(\.element)
        for accepted in batch {
            deferred[accepted.alert.id] = nil
            if let until = Self.deferral(of: accepted.alert, now: now) {
                postpone(accepted, until: until, because: "its window opens beyond the planning horizon")
                continue
            }
            let item = await plan(accepted)
            if item.made.isEmpty, item.cancelled.isEmpty, let window = accepted.alert.requested?.window, item.decision.status == .processed,
                window.end > now.addingTimeInterval(Self.retrySeconds)
            {
                // No telescope can take it in the next day, but its window goes on: try again.
                postpone(accepted, until: now.addingTimeInterval(Self.retrySeconds), because: item.decision.note)
                continue
            }
            pending.append(item)
        }
        let recorded: [Bool]
        do {
            recorded = try await store.recordDecisions(pending.map(\.decision))
        } catch {
            logger.error("Alert decisions could not be stored", metadata: ["alert.count": "\(batch.count)", "store.error": "\(error)"])
            return
        }
        for (item, wasRecorded) in zip(pending, recorded) {
            let metadata: Logger.Metadata = ["alert.id": "\(item.decision.alert)"]
            guard wasRecorded else {
                logger.info("Alert already decided before a restart", metadata: metadata)
                continue
            }
            for (id, reason) in item.cancelled {
                guard var tracked = assignments[id] else { continue }
                tracked.assignment = tracked.assignment.with(state: .cancelled)
                assignments[id] = tracked
                events(.assignmentChanged(id, to: .cancelled, reason: reason.description, at: item.time))
            }
            for tracked in item.made {
                track(tracked)
                events(.assignmentMade(tracked.assignment))
            }
            if !item.made.isEmpty {
                logger.info("Follow-up assigned", metadata: metadata.merging(["followup.assignments": "\(item.made.count)"]) { $1 })
            }
        }
    }

    /// An observer's request is decided once its window opens within half the planning
    /// horizon (so the decision sees the whole start of the window).
    static func deferral(of alert: Alert, now: Date) -> Date? {
        guard let window = alert.requested?.window else { return nil }
        let decideAt = window.start.addingTimeInterval(-FollowUpPlanner.horizonSeconds / 2)
        return decideAt > now ? decideAt : nil
    }

    /// How long before a request no telescope could take is decided again.
    static let retrySeconds: TimeInterval = 6 * 3600

    private func postpone(_ accepted: AcceptedAlert, until: Date, because why: String) {
        deferred[accepted.alert.id] = (accepted, until)
        logger.info(
            "Request deferred", metadata: ["alert.id": "\(accepted.alert.id)", "until": "\(ISO8601.string(from: until))", "reason": "\(why)"])
    }

    /// Decides the deferred requests now due; `true` if there were some.
    private func decideDeferred(at now: Date) async -> Bool {
        let due = deferred.values.filter { $0.until <= now }.map(\.accepted).sorted { $0.alert.id < $1.alert.id }
        guard !due.isEmpty else { return false }
        for accepted in due { deferred[accepted.alert.id] = nil }
        await decide(due)
        return true
    }

    /// A decision planned and waiting to be recorded, with what to do once it is.
    private struct Pending {
        let decision: AlertDecision
        let time: Date
        let made: [Tracked]
        let cancelled: [(AssignmentID, Reason)]
    }

    /// Plans one alert's decision without writing anything.
    private func plan(_ accepted: AcceptedAlert) async -> Pending {
        let alert = accepted.alert
        let now = clock.currentDate
        func journal(_ message: String) -> [JournalEntry] { [JournalEntry(time: now, subject: alert.id.rawValue, kind: .decision, message: message)] }
        if alert.isRetraction {
            // Requests of the event not yet decided are dropped, and recorded as such.
            for (id, entry) in deferred where entry.accepted.alert.eventID == alert.eventID {
                deferred[id] = nil
                do {
                    try await store.markAlert(id, status: .processed, note: "cancelled by \(alert.id) before it was decided")
                } catch {
                    logger.error("A cancelled request could not be marked", metadata: ["alert.id": "\(id)", "store.error": "\(error)"])
                }
            }
            let cancelled = openAssignments(event: alert.eventID, reason: Reason(.retracted, "alert \(alert.id) retracts \(alert.eventID)"))
            return Pending(
                decision: AlertDecision(
                    alert: alert.id, status: .processed, note: "retraction: \(cancelled.count) assignment(s) cancelled",
                    assignments: cancelled.map { $0.0 }, journal: journal("Retraction of \(alert.eventID): \(cancelled.count) follow-up(s) cancelled")),
                time: now, made: [], cancelled: cancelled.map { ($0.0.id, $0.1) })
        }
        var cancelled: [(Assignment, Reason)] = []
        if case .update = accepted.change {
            cancelled = openAssignments(event: alert.eventID, reason: Reason(.operatorRequest, "superseded by \(alert.id), a later notice of \(alert.eventID)"))
        }
        if let veto = alert.followUpVeto {
            // The notice's own flags forbid a follow-up (its instrument distrusts the position
            // or classes the source as no transient): cancel the event's, start none.
            return Pending(
                decision: AlertDecision(
                    alert: alert.id, status: .ignored, note: "not followed up: \(veto)", assignments: cancelled.map { $0.0 },
                    journal: journal("\(alert.mission) \(alert.noticeType) \(alert.eventID): not followed up (\(veto)); \(cancelled.count) follow-up(s) cancelled")),
                time: now, made: [], cancelled: cancelled.map { ($0.0.id, $0.1) })
        }
        var skyMap: HEALPixSkyMap?
        if case .skyMap = alert.errorRegion, let loader = skyMaps {
            do {
                skyMap = try await loader.skyMap(for: alert, raw: accepted.raw)
            } catch {
                logger.warning("Sky map unreadable; using the alert's position", metadata: ["alert.id": "\(alert.id)", "skymap.error": "\(error)"])
            }
        }
        let started = ContinuousClock.now  // decision latency for metrics only; never used to decide
        let decision: FollowUpDecision
        if let skyMap {
            decision = coveragePlanner.decide(
                alert: alert, skyMap: skyMap, galaxies: galaxies, now: now, statuses: statuses, weather: weather, policy: policies[alert.kind], sky: &sky)
        } else {
            let fields = FieldSelection.fields(for: alert, fieldSide: typicalFieldSide)
            guard !fields.isEmpty else {
                return Pending(
                    decision: AlertDecision(alert: alert.id, status: .ignored, note: "no position to observe", assignments: cancelled.map { $0.0 }),
                    time: now, made: [], cancelled: cancelled.map { ($0.0.id, $0.1) })
            }
            decision = planner.decide(alert: alert, fields: fields, now: now, statuses: statuses, weather: weather, policy: policies[alert.kind], sky: &sky)
        }
        let elapsed = ContinuousClock.now - started
        latency.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        var made: [Tracked] = []
        for planned in decision.assignments {
            let assignment = Assignment(
                id: AssignmentID("\(alert.id.rawValue)#\(planned.field.id)#1"), alertID: alert.id, telescopeID: planned.telescopeID,
                siteID: planned.siteID, request: planned.request, plannedStart: planned.start, slewStart: planned.slewStart,
                leaseExpiry: now.addingTimeInterval(leaseSeconds), state: .offered, reason: planned.reason)
            made.append(Tracked(assignment: assignment, alert: alert, field: planned.field, plannedEnd: planned.end, attempt: 1, excluded: []))
            // The telescope is taken until the block ends, for the next decisions too.
            updateStatus(planned.telescopeID) { status in
                status.activity = .followUp(until: planned.end)
                status.pointing = planned.field.center
            }
        }
        return Pending(
            decision: AlertDecision(
                alert: alert.id, status: .processed, note: decision.summary, assignments: cancelled.map { $0.0 } + made.map(\.assignment),
                journal: journal("\(alert.mission) \(alert.noticeType) \(alert.eventID): \(decision.summary)")),
            time: now, made: made, cancelled: cancelled.map { ($0.0.id, $0.1) })
    }

    // MARK: Telescope events

    /// Follows what telescopes report: state, faults, acceptance, progress and outcome of
    /// assignments.
    private func follow(_ event: TelescopeEvent) async {
        switch event {
        case .stateChanged(let telescope, _, let to, _, _):
            updateStatus(telescope) { status in
                status.state = to
                if to == .fault { status.activity = .unavailable("fault") } else if case .unavailable = status.activity { status.activity = .idle }
            }
        case .faultOccurred(let telescope, let device, let reason, _):
            updateStatus(telescope) { $0.activity = .unavailable("\(device.rawValue): \(reason.detail)") }
        case .faultRecovered(let telescope, _, _):
            updateStatus(telescope) { $0.activity = .idle }
        case .observationStarted(let telescope, let request, let at):
            if let id = byRequest[request], var tracked = assignments[id] {
                updateStatus(telescope) { $0.activity = .followUp(until: tracked.plannedEnd) }
                tracked.assignment = tracked.assignment.with(state: .observing)
                assignments[id] = tracked
                await persist(tracked.assignment, reason: "observing since \(ISO8601.string(from: at, fractionalSeconds: false))", at: at)
            } else {
                updateStatus(telescope) { $0.activity = .survey }
            }
        case .observationEnded(let observation):
            updateStatus(observation.telescopeID) { status in
                status.activity = .idle
                if let pointing = observation.frames.last?.pointing { status.pointing = pointing }
            }
            guard let id = byRequest[observation.requestID], let tracked = assignments[id], !tracked.assignment.state.isFinal else { return }
            switch observation.outcome {
            case .completed:
                await finish(id, .completed, reason: "observed: \(observation.frames.count) frame(s)", at: observation.ended)
            case .refused(let reason), .failed(let reason), .aborted(let reason):
                await finish(id, .failed, reason: reason.description, at: observation.ended)
                await reassign(id, because: reason.description)
            }
        case .assignmentAccepted(let id, _, let at):
            guard var tracked = assignments[id], tracked.assignment.state == .offered else { return }
            tracked.assignment = tracked.assignment.with(state: .accepted)
            assignments[id] = tracked
            await persist(tracked.assignment, reason: "accepted", at: at)
        case .assignmentRefused(let id, _, let reason, let at):
            guard assignments[id] != nil else { return }
            await finish(id, .refused, reason: reason.description, at: at)
            await reassign(id, because: "refused: \(reason.detail)")
        case .frameWritten, .safetyActionTaken:
            break
        }
    }

    // MARK: Leases

    /// Expires what ran out by `now` and reassigns it.
    private func expireLeases(at now: Date) async {
        for (id, tracked) in assignments.sorted(by: { $0.key < $1.key }) where !tracked.assignment.state.isFinal {
            if let deadline = deadline(of: tracked), deadline <= now {
                await finish(id, .expired, reason: "lease ran out at \(ISO8601.string(from: deadline, fractionalSeconds: false)) (state \(tracked.assignment.state.rawValue))", at: now)
                await reassign(id, because: "lease expired")
            }
        }
    }

    /// When the next open lease runs out.
    private var nextLeaseDeadline: Date? {
        assignments.values.filter { !$0.assignment.state.isFinal }.compactMap(deadline(of:)).min()
    }

    private func deadline(of tracked: Tracked) -> Date? {
        switch tracked.assignment.state {
        case .offered: tracked.assignment.leaseExpiry
        case .accepted, .observing: tracked.plannedEnd.addingTimeInterval(completionGraceSeconds)
        default: nil
        }
    }

    // MARK: Reassignment

    private func reassign(_ id: AssignmentID, because why: String) async {
        guard let tracked = assignments[id] else { return }
        let now = clock.currentDate
        var excluded = tracked.excluded
        excluded.insert(FollowUpPlanner.exclusionKey(tracked.assignment.telescopeID, tracked.field.id))
        guard tracked.attempt < maximumAttempts else {
            await journal(now, tracked.alert, .decision, "Field \(tracked.field.id) of \(tracked.alert.eventID) given up after \(tracked.attempt) attempts (\(why))")
            return
        }
        let decision = planner.decide(
            alert: tracked.alert, fields: [tracked.field], now: now, statuses: statuses, weather: weather, policy: policies[tracked.alert.kind],
            excluded: excluded, sky: &sky)
        guard let planned = decision.assignments.first else {
            await journal(now, tracked.alert, .decision, "Field \(tracked.field.id) of \(tracked.alert.eventID) cannot be reassigned (\(why)): \(decision.unassigned.first?.reason ?? "no telescope")")
            return
        }
        let attempt = tracked.attempt + 1
        let assignment = Assignment(
            id: AssignmentID("\(tracked.alert.id.rawValue)#\(tracked.field.id)#\(attempt)"), alertID: tracked.alert.id,
            telescopeID: planned.telescopeID, siteID: planned.siteID, request: planned.request, plannedStart: planned.start, slewStart: planned.slewStart,
            leaseExpiry: now.addingTimeInterval(leaseSeconds), state: .offered, reason: "reassigned (\(why)): \(planned.reason)")
        track(Tracked(assignment: assignment, alert: tracked.alert, field: tracked.field, plannedEnd: planned.end, attempt: attempt, excluded: excluded))
        await persist(assignment, reason: assignment.reason, at: now)
        logger.notice("Follow-up reassigned", metadata: ["assignment.id": "\(assignment.id)", "telescope.id": "\(assignment.telescopeID)", "alert.id": "\(tracked.alert.id)"])
        events(.assignmentMade(assignment))
    }

    /// The event's open assignments, as cancelled copies with the reason (recorded with the decision).
    private func openAssignments(event: String, reason: Reason) -> [(Assignment, Reason)] {
        assignments.sorted { $0.key < $1.key }
            .filter { $0.value.alert.eventID == event && !$0.value.assignment.state.isFinal }
            .map { ($0.value.assignment.with(state: .cancelled), reason) }
    }

    private func finish(_ id: AssignmentID, _ state: Assignment.State, reason: String, at time: Date) async {
        guard var tracked = assignments[id] else { return }
        tracked.assignment = tracked.assignment.with(state: state)
        assignments[id] = tracked
        await persist(tracked.assignment, reason: reason, at: time)
    }

    private func persist(_ assignment: Assignment, reason: String, at time: Date) async {
        do {
            try await store.saveAssignment(assignment)
        } catch {
            logger.error("Assignment state could not be stored", metadata: ["assignment.id": "\(assignment.id)", "store.error": "\(error)"])
        }
        events(.assignmentChanged(assignment.id, to: assignment.state, reason: reason, at: time))
    }

    private func track(_ tracked: Tracked) {
        assignments[tracked.assignment.id] = tracked
        byRequest[tracked.assignment.request.id] = tracked.assignment.id
    }

    private func updateStatus(_ telescope: TelescopeID, _ change: (inout TelescopeAvailability) -> Void) {
        guard let site = network.locate(telescope)?.site else { return }
        var status = statuses[telescope] ?? TelescopeAvailability(telescopeID: telescope, siteID: site.id, state: .closed, activity: .idle)
        change(&status)
        statuses[telescope] = status
    }

    private func journal(_ time: Date, _ alert: Alert, _ kind: JournalEntry.Kind, _ message: String) async {
        do {
            try await store.appendJournal([JournalEntry(time: time, subject: alert.id.rawValue, kind: kind, message: message)])
        } catch {
            logger.error("Journal entry could not be stored", metadata: ["alert.id": "\(alert.id)", "store.error": "\(error)"])
        }
    }

    private func telescope(_ id: TelescopeID) -> Telescope {
        // Assignments only name telescopes of this network.
        network.locate(id)!.telescope
    }

    private func attemptNumber(_ id: AssignmentID) -> Int { Int(id.rawValue.split(separator: "#").last ?? "1") ?? 1 }

    /// The side of the most common field of view in the array, used to tile localisations.
    private var typicalFieldSide: Angle {
        let sides = network.sites.flatMap(\.telescopes).map { min($0.fieldWidth, $0.fieldHeight) }
        return sides.sorted()[sides.count / 2]
    }
}
