import Foundation
public import Logging
public import Persistence
import Sky
public import StarlingCore

/// Runs one telescope: owns its devices through drivers, carries out observation requests,
/// and keeps the hardware safe.
///
/// An explicit state machine (``StarlingCore/TelescopeState``: closed, opening, idle,
/// slewing, exposing, reading out, closing, parked, fault) driven by three tasks on the
/// injected clock: the main loop, the safety watch and the mailbox. Work arrives as ``StarlingCore/TelescopeCommand``s: a night plan, an
/// immediate request, a follow-up under an assignment (which may abort a running survey
/// exposure). Every request is checked at dispatch against the sky, the weather and the
/// telescope's state (``DispatchCheck``): a plan made at dusk may be stale. Every step and
/// every failure is reported as a ``StarlingCore/TelescopeEvent`` with a reason, and every
/// request ends as an ``StarlingCore/Observation`` (completed, refused, aborted or failed):
/// none is dropped silently.
///
/// Safety is the agent's and is never delegated: a watch task reads the weather and the
/// enclosure on a short period; the enclosure never opens when the weather is unsafe or
/// unknown for longer than the grace, or the Sun is too high; it closes (aborting the
/// exposure) within the policy's deadline when that changes, and on lost contact with the
/// controller; the mount never points below the horizon mask or within the Sun avoidance
/// radius, whatever a driver would allow.
///
/// An ``StarlingCore/Agent``: commands arrive in its mailbox (``send(_:)`` returns at once) and
/// are handled by the agent's own mailbox task, beside the main loop, so an abort or a
/// follow-up is taken even in the middle of an exposure. ``stop(reason:)`` ends the running
/// observation, closes and parks, answers every queued request, and then ``run()`` returns.
///
/// ```swift
/// let agent = TelescopeAgent(telescope: telescope, site: site, devices: simulated.devices,
///                            clock: clock, store: store, framesDirectory: "frames") { event in … }
/// clock.spawn(named: "\(telescope.id)") { try? await agent.run() }
/// agent.send(.load(plan))
/// ```
public actor TelescopeAgent: Agent {
    public typealias Command = TelescopeCommand
    public typealias Event = TelescopeEvent

    public nonisolated let telescope: Telescope
    public nonisolated let site: Site
    let devices: TelescopeDevices
    let clock: any UTCClock
    let store: (any ObservationStore)?
    let frames: FrameArchive
    let logger: Logger
    let configuration: TelescopeAgentConfiguration
    let events: EventHandler<TelescopeEvent>
    let mailbox = Mailbox<TelescopeCommand>()
    let observer: Observer
    let dispatchCheck: DispatchCheck

    // MARK: State (the actor's)

    var state: TelescopeState = .closed
    var queue = WorkQueue()
    /// Rung by every command and by the safety watch: the main loop reacts at once.
    let wakeUp = Alarm()
    /// Rung when the enclosure starts to open: the safety watch moves to its short period at once.
    let watchWakeUp = Alarm()
    var current: TelescopeWork?
    /// Why the running operation is being aborted, set before the abort.
    var interruption: Reason?
    var enclosureState: EnclosureState = .closed
    /// Whether the agent parked the mount (at the end of the night, or idle between work).
    var mountIsParked = true
    /// The azimuth the agent last turned the dome to, for drivers that cannot report it.
    var domeAzimuth: Angle?
    var latestWeather: WeatherSnapshot?
    var lastContact: Date
    /// An operator's close: the agent stays closed until told to open.
    var operatorHold: String?
    var faults: [DeviceKind: DeviceFailure] = [:]
    /// When to try closing again after a close failed (a stuck roof, a lost controller).
    var closeRetry: Date?
    var failedCloses = 0
    var isStopping = false
    var observationSequence = 0
    /// Requests this agent completed, and when: not taken again from a later plan that night.
    var observedTonight: [RequestID: Date] = [:]
    var outcomes: [String: Int] = [:]
    var framesWritten = 0
    var isRunning = false

    /// - Parameters:
    ///   - devices: the telescope's devices (simulator, INDI or Alpaca).
    ///   - clock: the injected clock; nothing here reads the system clock.
    ///   - store: where observations and modelled frame metrics are stored; `nil` stores nothing.
    ///   - framesDirectory: FITS frames go to `<framesDirectory>/<night>/<telescope>/`.
    ///   - events: receives every event, in order, from the agent's tasks.
    public init(
        telescope: Telescope, site: Site, devices: TelescopeDevices, clock: any UTCClock, store: (any ObservationStore)?,
        framesDirectory: String, logger: Logger = Logger(label: "starling.telescope"),
        configuration: TelescopeAgentConfiguration = TelescopeAgentConfiguration(), events: @escaping EventHandler<TelescopeEvent> = { _ in }
    ) {
        self.telescope = telescope
        self.site = site
        self.devices = devices
        self.clock = clock
        self.store = store
        self.frames = FrameArchive(directory: framesDirectory, telescope: telescope, site: site)
        var logger = logger
        logger[metadataKey: "telescope.id"] = "\(telescope.id)"
        self.logger = logger
        self.configuration = configuration
        self.events = events
        self.observer = Observer(site: site)
        self.dispatchCheck = DispatchCheck(telescope: telescope, site: site)
        self.lastContact = clock.currentDate
    }

    // MARK: Agent

    /// Queues a command and wakes the agent; returns at once.
    public nonisolated func send(_ command: TelescopeCommand) { mailbox.post(command) }

    /// Asks the agent to stop: it ends the running observation, closes and parks, answers
    /// every queued request, and then ``run()`` returns. Returns at once.
    public nonisolated func stop(reason: String) { mailbox.requestStop(reason: reason) }

    /// Runs the agent until it has stopped: connects the devices, then runs the main loop
    /// beside two tasks on its clock, the safety watch and the mailbox.
    ///
    /// Under a ``StarlingCore/SimulationClock`` the caller keeps the clock running while the
    /// agent stops (closing takes simulated time).
    public func run() async throws {
        precondition(!isRunning, "TelescopeAgent.run() called twice")
        isRunning = true
        await mailbox.runStoppingOnGracefulShutdown {
            let watch = clock.spawn(named: "\(telescope.id) safety") { [self] in await self.watchSafety() }
            let inbox = clock.spawn(named: "\(telescope.id) mailbox") { [self] in await self.serveMailbox() }
            await runLoop()
            watch.cancel()
            inbox.cancel()
            await watch.value
            await inbox.value
        }
    }

    /// Takes commands as they arrive, until the main loop has finished.
    private func serveMailbox() async {
        while !Task.isCancelled {
            for command in mailbox.takeAll() { await handle(command) }
            if let reason = mailbox.stopReason { stopRequested(reason: reason) }
            do { try await mailbox.wait(on: clock) } catch { return }
        }
    }

    /// Sets the agent stopping (once): the running operation is interrupted and the main loop
    /// closes, parks and answers what is queued.
    private func stopRequested(reason: String) {
        guard !isStopping else { return }
        isStopping = true
        interrupt(Reason(.operatorRequest, "shutting down: \(reason)"))
        wakeUp.ring()
    }

    // MARK: Commands

    /// Handles a command in the mailbox task (the work itself happens in the main loop).
    private func handle(_ command: TelescopeCommand) async {
        let now = clock.currentDate
        switch command {
        case .load(let plan):
            // A plan made while an observation ran may hold its target, or one just done.
            var excluded = Set(observedTonight.filter { now.timeIntervalSince($0.value) < 18 * 3600 }.keys)
            if let current { excluded.insert(current.request.id) }
            queue.load(plan, now: now, excluding: excluded)
            logger.info("Plan loaded", metadata: ["plan.id": "\(plan.id)", "plan.entries": "\(queue.plan.count)"])
        case .observe(let request):
            queue.add(request)
        case .followUp(let assignment):
            await receive(assignment, at: now)
        case .cancelFollowUp(let id, let reason):
            if queue.removeFollowUp(id) == nil, case .followUp(let running)? = current, running.id == id {
                interrupt(reason)
            }
        case .abort(let reason):
            interrupt(reason)
        case .open:
            operatorHold = nil
        case .close(let reason):
            operatorHold = reason
            if current != nil { interrupt(Reason(.operatorRequest, "closing on request: \(reason)")) }
        }
        wakeUp.ring()
    }

    /// What the agent is doing now.
    public func status() -> TelescopeStatus {
        TelescopeStatus(
            telescope: telescope.id, state: state, enclosure: enclosureState, weather: weatherSafety(at: clock.currentDate),
            currentRequest: current?.request.id, queued: queue.count, faults: faults.mapValues(\.reason), outcomes: outcomes,
            framesWritten: framesWritten, operatorHold: operatorHold, at: clock.currentDate)
    }

    private func receive(_ assignment: Assignment, at now: Date) async {
        if let reason = gaveUpReason {
            emit(.assignmentRefused(assignment.id, telescope: telescope.id, reason: reason, at: now))
            return
        }
        if let hold = operatorHold {
            emit(.assignmentRefused(assignment.id, telescope: telescope.id, reason: Reason(.operatorRequest, "held closed by an operator: \(hold)"), at: now))
            return
        }
        // A follow-up due now needs an enclosure that is open or may open now, judged on a
        // fresh reading (a closed telescope reads its sensors only now and then). One due
        // later is taken, and checked at dispatch like any other work.
        if enclosureState != .open, assignment.slewStart <= now.addingTimeInterval(configuration.openLeadSeconds) {
            await readSensors(at: now)
            if case .refused(let reason) = openingVerdict(at: now) {
                emit(.assignmentRefused(assignment.id, telescope: telescope.id, reason: reason, at: now))
                return
            }
        }
        queue.add(assignment)
        emit(.assignmentAccepted(assignment.id, telescope: telescope.id, at: now))
        if assignment.slewStart <= now.addingTimeInterval(configuration.followUpHoldSeconds) {
            preemptFor(assignment)
        } else {
            // Due later: whatever less urgent work is running when the slew should start gives way.
            let start = assignment.slewStart
            clock.spawn(named: "\(telescope.id) follow-up \(assignment.id)") { [self] in
                try? await clock.sleep(until: start)
                await self.preemptFor(assignment)
            }
        }
    }

    /// Aborts less urgent running work for a queued follow-up.
    func preemptFor(_ assignment: Assignment) {
        guard assignment.request.isTimeCritical, queue.followUps.contains(where: { $0.id == assignment.id }), let current, !current.isTimeCritical
        else { return }
        interrupt(Reason(.preempted, "aborted for the follow-up of alert \(assignment.alertID) (assignment \(assignment.id))"))
    }

    /// Aborts whatever device operation is running, recording why.
    func interrupt(_ reason: Reason) {
        guard current != nil || state == .slewing || state == .exposing else { return }
        if interruption == nil { interruption = reason }
        let devices = self.devices
        clock.spawn(named: "\(telescope.id) abort") {
            try? await devices.camera.abortExposure()
            try? await devices.mount.abortSlew()
        }
    }

    // MARK: Events and state

    func emit(_ event: TelescopeEvent) {
        events(event)
    }

    func transition(to next: TelescopeState, reason: String) {
        guard next != state else { return }
        let previous = state
        state = next
        logger.debug("State changed", metadata: ["from": "\(previous.rawValue)", "to": "\(next.rawValue)", "reason": "\(reason)"])
        emit(.stateChanged(telescope: telescope.id, from: previous, to: next, at: clock.currentDate, reason: reason))
    }

    func weatherSafety(at now: Date) -> WeatherSafety {
        WeatherSafety.assess(latestWeather, limits: configuration.weatherLimits, at: now, graceSeconds: telescope.safety.weatherDataGraceSeconds)
    }

    func sunAltitude(at date: Date) -> Angle {
        (try? observer.sunAltitude(at: date)) ?? .degrees(90)  // unknown Sun: assume day, the safe side
    }

    /// Whether the enclosure may open now, by the safety rules and the operator.
    func openingVerdict(at now: Date) -> SafetyRules.Verdict {
        if let hold = operatorHold { return .refused(Reason(.operatorRequest, "held closed by an operator: \(hold)")) }
        if let reason = gaveUpReason { return .refused(reason) }
        return SafetyRules.mayOpen(weather: weatherSafety(at: now), sunAltitude: sunAltitude(at: now), policy: telescope.safety)
    }

    /// The failure of the first device (by kind, so the same every run) that the agent gave
    /// up on, or of any failed device when `onlyGivenUp` is false, as a reason.
    func faultReason(onlyGivenUp: Bool = true) -> Reason? {
        faults.sorted { $0.key.rawValue < $1.key.rawValue }.first { !onlyGivenUp || $0.value.gaveUp }
            .map { Reason(.telescopeFault, $0.value.reason.detail) }
    }

    /// Why the telescope is held: a device the agent gave up on.
    var gaveUpReason: Reason? { faultReason() }
}

/// A device that failed, and the agent's attempts to bring it back.
struct DeviceFailure: Sendable {
    var reason: Reason
    var since: Date
    var attempts: Int
    var nextAttempt: Date
    /// The agent closed after too many failed attempts; the telescope needs attention.
    var gaveUp: Bool
}
