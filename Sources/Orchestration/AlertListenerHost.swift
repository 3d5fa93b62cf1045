public import Coordination
import Foundation
public import Logging
public import Persistence
public import ServiceLifecycle
import SkyMaps
public import StarlingCore

/// Hosts alert listening without telescopes, on the wall clock: a transport (a VOEvent broker
/// or a watched folder) feeds the durable intake, and the network coordinator decides each
/// alert's follow-up and records it with its assignments for operators. No telescope agents
/// run, so offers are recorded and do not expire (`NetworkCoordinator.expiresLeases` off).
///
/// A `Service`: ``run()`` listens until graceful shutdown (SIGINT or SIGTERM with
/// ``StarlingCore/Agent``'s one stop path), then stops the transport, lets the coordinator
/// decide what the intake already handed on, and returns.
///
/// ```swift
/// let host = AlertListenerHost(network: network, store: store, source: .folder("/var/alerts"), logger: logger)
/// try await host.runUntilTerminated()
/// ```
public struct AlertListenerHost: Service {
    /// Where notices come from.
    public enum Source: Sendable, Hashable {
        /// A VOEvent broker (VOEvent Transport Protocol); `localIVORN` is sent in replies.
        case vtp(host: String, port: Int, localIVORN: String)
        /// A folder notice files are dropped into.
        case folder(String)
    }

    public let network: ObservatoryNetwork
    public let store: any Store
    public let source: Source
    public let policy: IntakePolicy
    public let logger: Logger

    public init(network: ObservatoryNetwork, store: any Store, source: Source, policy: IntakePolicy = IntakePolicy(), logger: Logger) {
        self.network = network
        self.store = store
        self.source = source
        self.policy = policy
        self.logger = logger
    }

    /// Listens until graceful shutdown, then stops in order.
    ///
    /// - Throws: ``Persistence/StoreError`` when the store cannot be read at start.
    public func run() async throws {
        let clock = WallClock()
        let logger = self.logger
        let coordinator = NetworkCoordinator(
            network: network, store: store, clock: clock, logger: logger, skyMaps: SkyMapLoader(reader: FITSSkyMapReader()), expiresLeases: false
        ) { event in
            guard case .assignmentMade(let assignment) = event else { return }
            logger.info("Follow-up offered", metadata: [
                "assignment.id": "\(assignment.id)", "telescope.id": "\(assignment.telescopeID)",
                "assignment.start": "\(ISO8601.string(from: assignment.plannedStart, fractionalSeconds: false))",
                "assignment.reason": "\(assignment.reason)",
            ])
        }
        // Alerts committed together are decided together, in one transaction.
        let intake = AlertIntake(store: store, policy: policy, clock: clock, logger: logger) { batch in coordinator.send(.ingest(batch)) }
        let tasks = AgentTasks(clock: clock, logger: logger)
        tasks.start("coordinator", .network, coordinator)
        try await intake.start()
        let transport = makeTransport(clock: clock)
        logger.notice("Listening for alerts", metadata: ["alert.transport": "\(transport.name)"])
        let listening = Task { await transport.run(into: intake) }
        try? await gracefulShutdown()
        logger.notice("Stopping")
        listening.cancel()
        await listening.value
        await intake.stop()
        tasks.stop(.network, reason: "the listener is stopping")
        await tasks.waitUntilFinished(.network)
    }

    private func makeTransport(clock: WallClock) -> any AlertTransport {
        switch source {
        case .vtp(let host, let port, let localIVORN):
            VTPSubscriber(configuration: .init(host: host, port: port, localIVORN: localIVORN), clock: clock, logger: logger)
        case .folder(let path):
            WatchedFolder(path: path, clock: clock, logger: logger)
        }
    }
}
