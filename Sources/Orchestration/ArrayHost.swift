import Coordination
import Foundation
import Logging
import Observatory
import Persistence
import Planning
import Reporting
import Sky
import SkyMaps
import StarlingCore

/// Makes and starts the agents of a night: a simulated telescope and its `TelescopeAgent` for
/// every telescope of the scenario's sites, the `PlannerAgent`, the `NetworkCoordinator` and
/// its alert intake; feeds in what the scenario says happens (alerts at their times, the
/// sites' weather to the coordinator).
struct ArrayHost: Sendable {
    let configuration: NightRunConfiguration
    let span: DateInterval
    let clock: SimulationClock
    let store: SQLiteStore
    let router: MessageRouter
    let planner: PlannerAgent
    let coordinator: NetworkCoordinator
    let intake: AlertIntake
    let agents: [TelescopeAgent]
    let timelines: [SiteID: WeatherTimeline]

    init(
        configuration: NightRunConfiguration, span: DateInterval, clock: SimulationClock, store: SQLiteStore, router: MessageRouter,
        framesDirectory: String
    ) throws {
        self.configuration = configuration
        self.span = span
        self.clock = clock
        self.store = store
        self.router = router
        let scenario = configuration.scenario
        let logger = configuration.logger
        let galaxies = configuration.catalog.targets.compactMap(FieldGalaxy.init(target:))
        let renderer = SimulatedFrameRenderer(galaxies: galaxies, starField: StarField(seed: scenario.seed))
        // The weather covers the night's span with an hour before and two after, the same in a
        // resumed run, so it sees the same weather.
        let weatherSpan = DateInterval(start: span.start.addingTimeInterval(-3600), end: span.end.addingTimeInterval(2 * 3600))
        var timelines: [SiteID: WeatherTimeline] = [:]
        var agents: [TelescopeAgent] = []
        let agentLogger = logger.with(component: "telescope")
        for site in configuration.sites {
            let timeline = WeatherTimeline(site: site, scenario: scenario.weather, span: weatherSpan, seed: scenario.seed)
            timelines[site.id] = timeline
            for telescope in site.telescopes {
                let simulated = SimulatedTelescope(
                    telescope: telescope, site: site, clock: clock, weather: timeline, renderer: renderer,
                    options: SimulatorOptions(rendering: configuration.rendering, seed: scenario.seed ^ StableHash.fnv1a(telescope.id.rawValue)))
                for fault in scenario.faults where fault.telescope == telescope.id { simulated.inject(DeviceFault(fault)) }
                let agent = TelescopeAgent(
                    telescope: telescope, site: site, devices: simulated.devices, clock: clock, store: store, framesDirectory: framesDirectory,
                    logger: agentLogger) { [router] event in await router.route(event) }
                agents.append(agent)
            }
        }
        self.timelines = timelines
        self.agents = agents
        planner = PlannerAgent(
            network: configuration.runningNetwork, catalog: configuration.catalog, store: store, clock: clock, logger: logger.with(component: "planner")
        ) { [router] event in await router.route(event) }
        let coordinatorLogger = logger.with(component: "coordinator")
        coordinator = NetworkCoordinator(
            network: configuration.runningNetwork, store: store, clock: clock, logger: coordinatorLogger,
            skyMaps: SkyMapLoader(reader: FITSSkyMapReader()), galaxies: configuration.catalog.targets
        ) { [router] event in await router.route(event) }
        let coordinator = self.coordinator
        intake = AlertIntake(store: store, clock: clock, logger: coordinatorLogger) { batch in await coordinator.handle(batch) }
    }

    /// Starts everything on the clock: agents, coordinator, intake, the weather feed and the
    /// scenario's alerts; then plans the array (or re-plans every telescope from the resume
    /// instant).
    func start(resumingAt resume: Date?, reporter: Reporter) async throws {
        for agent in agents { await router.register(agent, site: agent.site.id) }
        for agent in agents { await agent.start() }
        await reporter.start()
        try await coordinator.start()
        try await intake.start()
        feedWeather()
        injectAlerts(after: resume)
        if let resume {
            for agent in agents {
                _ = try await planner.replan(telescope: agent.telescope.id, from: resume, reason: "resumed after a restart")
            }
        } else {
            _ = try await planner.planArray(.localDate(configuration.scenario.date), telescopes: Set(agents.map(\.telescope.id)))
        }
    }

    /// Asks every agent to close, park and stop.
    func stop() async {
        for agent in agents { await agent.stopRequested(reason: "end of the simulated night") }
        await coordinator.stop()
    }

    /// Tells the coordinator each site's weather as its sensor reports it, at every step of
    /// the weather model (it decides where follow-ups can go).
    private func feedWeather() {
        let coordinator = self.coordinator
        let clock = self.clock
        let end = span.end
        for (siteID, timeline) in timelines.sorted(by: { $0.key < $1.key }) {
            clock.spawn(named: "weather \(siteID)") {
                var last: WeatherSafety?
                while clock.currentDate < end {
                    let now = clock.currentDate
                    let safety = WeatherSafety.assess(timeline.sensorReading(at: now), limits: WeatherLimits(), at: now, graceSeconds: 600)
                    if safety != last {
                        await coordinator.updateWeather(site: siteID, safety: safety)
                        last = safety
                    }
                    do { try await clock.sleep(seconds: WeatherTimeline.stepSeconds) } catch { return }
                }
            }
        }
    }

    /// Delivers each of the scenario's alert files to the intake at its time; on a resume,
    /// those due before the resume instant at once (the intake recognises notices it already
    /// stored, so none is decided twice).
    private func injectAlerts(after resume: Date?) {
        let intake = self.intake
        let clock = self.clock
        let logger = configuration.logger
        for injection in configuration.scenario.alerts {
            clock.spawn(named: "alert \(injection.path)") {
                if injection.at > clock.currentDate {
                    do { try await clock.sleep(until: injection.at) } catch { return }
                }
                do {
                    let raw = try Data(contentsOf: URL(fileURLWithPath: injection.path))
                    let receipt = try await intake.submit(raw, transport: "scenario:\(URL(fileURLWithPath: injection.path).lastPathComponent)")
                    logger.notice("Alert delivered", metadata: ["alert.file": "\(injection.path)", "alert.id": "\(receipt.id)"])
                } catch {
                    logger.error("Could not deliver an alert", metadata: ["alert.file": "\(injection.path)", "error": "\(error)"])
                }
            }
        }
    }
}
