import Coordination
import Foundation
import Logging
import Observatory
import Persistence
import Planning
import Reporting
import SkyMaps
import StarlingCore

/// The network's agents on one clock and one store, wired through one ``MessageRouter``: a
/// `TelescopeAgent` per telescope over the devices the host gives it, the `PlannerAgent`, the
/// `NetworkCoordinator` with its `AlertIntake`, and the `Reporter`.
///
/// The night host and the live network host build the same set; they differ in the clock,
/// the devices and what feeds alerts in.
struct NetworkAgents: Sendable {
    /// Where the agents write and what they are given besides the network.
    struct Options: Sendable {
        var framesDirectory: String
        var reportsDirectory: String
        var intakePolicy = IntakePolicy()
        var telescope = TelescopeAgentConfiguration()
        var router = MessageRouter.Configuration()
    }

    let router: MessageRouter
    let telescopes: [TelescopeAgent]
    let planner: PlannerAgent
    let coordinator: NetworkCoordinator
    let intake: AlertIntake
    let reporter: Reporter

    /// Builds every agent and wires its events to the router and the router's commands to it.
    ///
    /// - Parameter devices: the devices of a telescope (the simulator's, or real drivers').
    init(
        network: ObservatoryNetwork, catalog: TargetCatalog, store: any Store, clock: any UTCClock, logger: Logger, options: Options,
        devices: (Telescope, Site) throws -> TelescopeDevices
    ) rethrows {
        let router = MessageRouter(store: store, clock: clock, logger: logger.with(component: "router"), configuration: options.router)
        self.router = router
        var telescopes: [TelescopeAgent] = []
        let telescopeLogger = logger.with(component: "telescope")
        for site in network.sites {
            for telescope in site.telescopes {
                let agent = TelescopeAgent(
                    telescope: telescope, site: site, devices: try devices(telescope, site), clock: clock, store: store,
                    framesDirectory: options.framesDirectory, logger: telescopeLogger, configuration: options.telescope
                ) { event in router.route(.telescope(event)) }
                router.register(telescope: telescope.id, site: site.id, receiver: agent)
                telescopes.append(agent)
            }
        }
        self.telescopes = telescopes
        planner = PlannerAgent(network: network, catalog: catalog, store: store, clock: clock, logger: logger.with(component: "planner")) { event in
            router.route(.planner(event))
        }
        let coordinatorLogger = logger.with(component: "coordinator")
        // The coordinator plans a sky map's fields and the Reporter measures their coverage
        // from the same map and the same galaxies.
        let skyMaps = SkyMapLoader(reader: FITSSkyMapReader())
        let coordinator = NetworkCoordinator(
            network: network, store: store, clock: clock, logger: coordinatorLogger, skyMaps: skyMaps, galaxies: catalog.targets
        ) { event in router.route(.coordinator(event)) }
        self.coordinator = coordinator
        // Alerts committed together reach the coordinator together (one decision transaction).
        intake = AlertIntake(store: store, policy: options.intakePolicy, clock: clock, logger: coordinatorLogger) { batch in
            coordinator.send(.ingest(batch))
        }
        reporter = Reporter(
            store: store, clock: clock, logger: logger.with(component: "reporter"),
            configuration: Reporter.Configuration(
                outputDirectory: options.reportsDirectory, network: network, surveyCatalog: catalog,
                skyMaps: SkyMapOptions(source: skyMaps, galaxies: catalog.targets))
        ) { event in router.route(.reporter(event)) }
        router.connect(planner: planner, coordinator: coordinator, reporter: reporter)
    }

    /// Starts every agent on the clock, in a fixed order (the router, the telescopes in network
    /// order, the planner, the coordinator, the Reporter), then the intake, which hands the
    /// coordinator what a previous run left undecided.
    ///
    /// - Throws: ``Persistence/StoreError`` when the intake cannot read the store.
    func start(in tasks: AgentTasks) async throws(StoreError) {
        let router = self.router
        tasks.start("router", .router, run: { try await router.run() }, stop: { router.stop(reason: $0) })
        for agent in telescopes { tasks.start(agent.telescope.id.rawValue, .telescopes, agent) }
        tasks.start("planner", .network, planner)
        tasks.start("coordinator", .network, coordinator)
        tasks.start("reporter", .reporter, reporter)
        try await intake.start()
    }
}

extension Logger {
    /// The same logger with its messages marked as one component's (`component` metadata).
    func with(component: String) -> Logger {
        var copy = self
        copy[metadataKey: "component"] = "\(component)"
        return copy
    }
}
