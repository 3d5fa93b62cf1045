public import Coordination
import Foundation
public import Logging
public import Observatory
public import Persistence
import PersistencePostgres
import Planning
import Reporting
public import ServiceLifecycle
public import StarlingCore
import Synchronization

/// What the live network runs and where.
public struct NetworkHostConfiguration: Sendable {
    /// Which clock the network lives on.
    public enum ClockChoice: Sendable, Hashable {
        /// The wall clock: the network as it runs at an observatory.
        case wall
        /// A simulation clock paced at `speed` × real time (simulated telescopes only): a
        /// night watched live in minutes, for demonstrations and tests.
        case simulated(speed: Double)
    }

    /// The whole array (the scenario, if any, picks the sites that run).
    public var network: ObservatoryNetwork
    /// The survey catalog.
    public var catalog: TargetCatalog
    /// Weather, faults and alerts for simulated telescopes, and where a simulated clock
    /// starts; `nil`: every site, each simulated site's climate, starting now.
    public var scenario: Scenario?
    /// The store: a SQLite file (created with its folder) or a PostgreSQL database.
    /// Restarted over the same store, the network picks up where it stopped.
    public var store: StoreLocation
    /// Where frames (`frames/`) and reports (`reports/`) go.
    public var outputDirectory: String
    public var clock: ClockChoice
    /// A folder watched for alert notice files.
    public var alertFolder: String?
    /// A VOEvent broker to subscribe to.
    public var vtp: VTPSubscriber.Configuration?
    /// Which simulated frames get pixels.
    public var rendering: RenderingPolicy
    /// What the intake hands on.
    public var intakePolicy: IntakePolicy
    /// The proposals observers submit requests under (`proposals.yaml`).
    public var proposals: ProposalBook
    public var logger: Logger

    public init(
        network: ObservatoryNetwork, catalog: TargetCatalog, scenario: Scenario? = nil, store: StoreLocation, outputDirectory: String,
        clock: ClockChoice = .wall, alertFolder: String? = nil, vtp: VTPSubscriber.Configuration? = nil,
        rendering: RenderingPolicy = .sample(everyNth: 250), intakePolicy: IntakePolicy = IntakePolicy(), proposals: ProposalBook = .empty,
        logger: Logger = Logger(label: "starling.serve")
    ) {
        self.network = network
        self.catalog = catalog
        self.scenario = scenario
        self.store = store
        self.outputDirectory = outputDirectory
        self.clock = clock
        self.alertFolder = alertFolder
        self.vtp = vtp
        self.rendering = rendering
        self.intakePolicy = intakePolicy
        self.proposals = proposals
        self.logger = logger
    }

    /// The sites that run: the scenario's, or every site with telescopes.
    public var sites: [Site] {
        network.sites.filter { !$0.telescopes.isEmpty && (scenario?.sites.includes($0.id) ?? true) }
    }
}

/// Hosts the live network: every telescope's agent over the driver its configuration names
/// (simulator, INDI, Alpaca), each site's daily cycle in its own time zone (plan an hour before
/// the first sunset, observe, close at dawn, report half an hour after sunrise), the planner,
/// the coordinator with live alert intake (a watched folder, a VOEvent broker, the scenario's
/// alerts), and the Reporter, on the wall clock or a paced simulation clock.
///
/// A `Service`: ``run()`` runs until graceful shutdown (SIGTERM or SIGINT in a
/// `ServiceGroup`), then every telescope closes and parks, the coordinator and the Reporter
/// finish what they were handed, the journal is written, and it returns. Restarted over the
/// same store it picks up where it stopped: plans restored, open assignments offered again,
/// unfinished alerts handed on, unmeasured frames measured; an observation that was running
/// when the process died is recorded as interrupted.
///
/// ``live`` is the running network as the HTTP API sees it.
public final class NetworkHost: Service, Sendable {
    public let configuration: NetworkHostConfiguration
    /// The running network, for the HTTP API and the dashboard.
    public let live: LiveNetwork

    private let agents: NetworkAgents
    private let world: SimulatedWorld?
    private let clock: any UTCClock
    private let simulationClock: SimulationClock?
    private let store: any Store
    private let tasks: AgentTasks
    private let runID: String
    private let startedAt = Date()
    /// What moves the network through time: the daily cycle and each night's steps, the
    /// checkpoints, the simulated weather and alert feeds. Cancelled first on shutdown, so a
    /// clock driven on while the telescopes close starts no new night, report or plan.
    private let schedule = Mutex<[Task<Void, Never>]>([])

    /// Opens the store and builds every agent (nothing runs until ``run()``).
    ///
    /// - Throws: a ``Persistence/StoreError`` when the store cannot be opened, a
    ///   ``Observatory/DriverError`` when a telescope's drivers cannot be made, a
    ///   ``NightRunError`` when the scenario has no site to run.
    public init(configuration: NetworkHostConfiguration) async throws {
        self.configuration = configuration
        let logger = configuration.logger
        try FileManager.default.createDirectory(atPath: configuration.outputDirectory, withIntermediateDirectories: true)
        let store = try await configuration.store.open(logger: logger.with(component: "store"))
        self.store = store
        let running = ObservatoryNetwork(sites: configuration.sites)
        guard !running.sites.isEmpty else { throw NightRunError("no site with telescopes to run") }
        runID = "serve:\(configuration.scenario?.name ?? "network")"

        // Where the clock starts: now, or (simulated) the scenario's start, or where the store
        // says an earlier run of the same scenario got to.
        let clock: any UTCClock
        var simulationSpan: DateInterval?
        switch configuration.clock {
        case .wall:
            clock = WallClock()
            simulationClock = nil
        case .simulated:
            var start = Date()
            if let scenario = configuration.scenario {
                let span = try NightHost.span(of: scenario, sites: running.sites)
                simulationSpan = span
                start = span.start
            }
            // The store is the truth: a run over a store that has seen this network goes on
            // from the latest instant it recorded anything, so nothing stored happens again.
            let previous = try await store.run(runID)
            let reached = previous?.reached ?? start
            let around = DateInterval(start: min(start, reached).addingTimeInterval(-86_400), end: max(start, reached).addingTimeInterval(30 * 86_400))
            start = max(start, reached, try await RecordedTime.latest(around: around, in: store, network: running))
            try await store.checkpoint(run: runID, reached: start, startedAt: previous?.startedAt ?? Date())
            let simulation = SimulationClock(start: UTCInstant(start))
            clock = simulation
            simulationClock = simulation
        }
        self.clock = clock
        let anySimulated = running.sites.flatMap(\.telescopes).contains { $0.driver == .simulator }
        let world: SimulatedWorld? =
            anySimulated
            ? SimulatedWorld(
                scenario: configuration.scenario ?? Scenario.climate(for: running, at: clock.currentDate), sites: running.sites,
                catalog: configuration.catalog,
                span: simulationSpan.map { DateInterval(start: $0.start, duration: max($0.duration, 30 * 86_400)) }
                    ?? DateInterval(start: clock.currentDate, duration: 30 * 86_400),
                rendering: configuration.rendering)
            : nil
        self.world = world
        let agents = try NetworkAgents(
            network: running, catalog: configuration.catalog, store: store, clock: clock, logger: logger,
            options: .init(
                framesDirectory: configuration.outputDirectory + "/frames", reportsDirectory: configuration.outputDirectory + "/reports",
                intakePolicy: configuration.intakePolicy,
                router: .init(journalFlushSeconds: configuration.clock == .wall ? 2 : 60))
        ) { telescope, site throws(DriverError) in
            if telescope.driver == .simulator, let world { return world.devices(for: telescope, at: site, clock: clock) }
            return try DeviceDriverFactory.makeDevices(for: telescope, site: site.location, logger: logger.with(component: "drivers"))
        }
        self.agents = agents
        tasks = AgentTasks(clock: clock, logger: logger)
        live = LiveNetwork(
            network: running, store: store, clock: clock, outputDirectory: configuration.outputDirectory, router: agents.router,
            telescopes: Dictionary(uniqueKeysWithValues: agents.telescopes.map { ($0.telescope.id, $0) }), intake: agents.intake,
            reportsDirectory: configuration.outputDirectory + "/reports", proposals: configuration.proposals,
            maximumAttempts: agents.coordinator.maximumAttempts, logger: logger)
    }

    /// Runs the network until graceful shutdown, then stops it in order.
    public func run() async throws {
        let logger = configuration.logger
        try await agents.start(in: tasks)
        live.markReady()
        // Request groups stored before a crash without their notices go to the coordinator now.
        do {
            try await live.requests.resubmitUnsent()
        } catch {
            logger.error("Request groups could not be handed on again", metadata: ["store.error": "\(error)"])
        }
        let now = clock.currentDate
        logger.notice("Network running", metadata: ["clock": "\(configuration.clock)", "sites": "\(live.network.sites.count)", "sim.time": "\(ISO8601.string(from: now))"])
        if let world {
            scheduled(world.feedWeather(to: agents.coordinator, on: clock, until: .distantFuture))
            scheduled(world.injectAlerts(into: agents.intake, on: clock, logger: logger))
        }
        // Frames a previous run stored without a measurement (it died before measuring them).
        agents.reporter.send(.measureUnmeasured(DateInterval(start: now.addingTimeInterval(-2 * 86_400), end: now)))
        let cycle = try NightCycle.current(at: now, network: live.network)
        scheduled([clock.spawn(named: "night cycle") { [self] in await runCycles(from: cycle) }])
        if let simulationClock { scheduled([clock.spawn(named: "checkpoints") { [self] in await checkpoint(simulationClock) }]) }
        let transports = startTransports()

        if let simulationClock, case .simulated(let speed) = configuration.clock {
            await pace(simulationClock, speed: speed)
        } else {
            try? await gracefulShutdown()
        }

        logger.notice("Stopping: closing every telescope")
        live.markStopping()
        for task in schedule.withLock({ $0 }) { task.cancel() }
        for transport in transports { transport.cancel() }
        for transport in transports { await transport.value }
        tasks.stop(.telescopes, reason: "the network is shutting down")
        await tasks.waitUntilFinished(.telescopes, driving: simulationClock)
        tasks.stop(.network, reason: "the network is shutting down")
        await tasks.waitUntilFinished(.network, driving: simulationClock)
        await agents.intake.stop()
        tasks.stop(.reporter, reason: "the network is shutting down")
        await tasks.waitUntilFinished(.reporter, driving: simulationClock)
        tasks.stop(.router, reason: "the network is shutting down")
        await tasks.waitUntilFinished(.router, driving: simulationClock)
        if let simulationClock { try? await store.checkpoint(run: runID, reached: simulationClock.currentDate, startedAt: startedAt) }
        logger.notice("Network stopped", metadata: ["sim.time": "\(ISO8601.string(from: clock.currentDate))"])
    }

    /// Keeps tasks of the network's schedule, to cancel them when it stops.
    private func scheduled(_ tasks: [Task<Void, Never>]) {
        schedule.withLock { $0 += tasks }
    }

    /// Moves a simulation clock at `speed` × real time until graceful shutdown.
    ///
    /// The clock moves only when every task is idle, so work that takes real time (measuring
    /// frames in a debug build) holds it back. It then moves ten simulated seconds at a time, never
    /// in one leap to where the wall clock says it should be: the loop keeps looking for a
    /// shutdown between steps, and a SIGTERM is answered after at most one step's work.
    private func pace(_ clock: SimulationClock, speed: Double) async {
        let wallStart = ContinuousClock.now
        let simulatedStart = clock.now
        let step = Duration.seconds(10)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let elapsed = (ContinuousClock.now - wallStart).seconds
            let due = simulatedStart.advanced(by: .seconds(elapsed * speed))
            await clock.run(until: min(due, clock.now.advanced(by: step)))
            if clock.now >= due { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Plans each date's nights before the first dusk and writes the reports after each dawn,
    /// one date after another, for as long as the network runs. On a start in the middle of a
    /// night, the stored plans are taken up again (or telescopes without one are planned from
    /// now), and reports already due are written if missing.
    private func runCycles(from first: NightCycle) async {
        var cycle = first
        var isFirst = true
        while !Task.isCancelled {
            let current = cycle
            let resuming = isFirst && current.planAt <= clock.currentDate
            scheduled([clock.spawn(named: "night of \(current.date)") { [self] in await runCycle(current, resuming: resuming) }])
            isFirst = false
            do {
                cycle = try NightCycle(date: cycle.date.adding(days: 1), network: live.network)
            } catch {
                configuration.logger.error("Cannot compute the next night; the cycle stops", metadata: ["night": "\(cycle.date)", "error": "\(error)"])
                return
            }
            do { try await clock.sleep(until: max(clock.currentDate, cycle.planAt.addingTimeInterval(-60))) } catch { return }
        }
    }

    private func runCycle(_ cycle: NightCycle, resuming: Bool) async {
        do {
            if resuming {
                agents.planner.send(.resume(at: clock.currentDate))
            } else {
                try await clock.sleep(until: cycle.planAt)
                agents.planner.send(.planNight(localDate: cycle.date, telescopes: nil))
            }
            for report in cycle.siteReports {
                if report.at <= clock.currentDate, live.hasReport(night: cycle.date, site: report.site) { continue }
                try await clock.sleep(until: max(report.at, clock.currentDate))
                agents.reporter.send(.buildNightReport(date: cycle.date, site: report.site))
            }
            if cycle.networkReportAt > clock.currentDate || !live.hasReport(night: cycle.date, site: nil) {
                try await clock.sleep(until: max(cycle.networkReportAt, clock.currentDate))
                agents.reporter.send(.buildNightReport(date: cycle.date, site: nil))
            }
        } catch {
            return  // cancelled: the network is stopping
        }
    }

    /// Records how far simulated time got, so a restart resumes from there at the latest.
    private func checkpoint(_ clock: SimulationClock) async {
        while !Task.isCancelled {
            do { try await clock.sleep(seconds: 1800) } catch { return }
            await agents.router.flushJournal()
            do {
                try await store.checkpoint(run: runID, reached: clock.currentDate, startedAt: startedAt)
            } catch {
                configuration.logger.warning("Checkpoint not stored", metadata: ["store.error": "\(error)"])
            }
        }
    }

    /// Starts the configured alert transports (on the wall clock: they wait on the network).
    private func startTransports() -> [Task<Void, Never>] {
        var transports: [any AlertTransport] = []
        let wall = WallClock()
        if let folder = configuration.alertFolder {
            transports.append(WatchedFolder(path: folder, clock: wall, logger: configuration.logger.with(component: "alerts")))
        }
        if let vtp = configuration.vtp {
            transports.append(VTPSubscriber(configuration: vtp, clock: wall, logger: configuration.logger.with(component: "alerts")))
        }
        let intake = agents.intake
        return transports.map { transport in Task { await transport.run(into: intake) } }
    }
}
