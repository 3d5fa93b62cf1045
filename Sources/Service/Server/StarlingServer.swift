import Foundation
import HTTPTypes
import Hummingbird
public import Logging
public import MCPTools
import NIOCore
public import Orchestration
public import Prometheus
public import ServiceLifecycle
import StarlingCore

/// How the HTTP service listens and who may read.
public struct ServerConfiguration: Sendable {
    /// The address to listen on (`127.0.0.1` by default: put a reverse proxy with TLS in front
    /// to serve other machines, see docs/deployment.md).
    public var host: String
    /// The port; 0 picks a free one (printed when listening).
    public var port: Int
    /// Whether reading needs a token.
    public var readAccess: ReadAccess

    public init(host: String = "127.0.0.1", port: Int = 8080, readAccess: ReadAccess = .token) {
        self.host = host
        self.port = port
        self.readAccess = readAccess
    }
}

/// The HTTP service over the live network (Hummingbird 2): the JSON API described by
/// `/openapi.json`, the live event stream (`/api/events`, Server-Sent Events), the dashboard
/// (`/`), the tools for AI agents (`/mcp`, the Model Context Protocol), Prometheus metrics
/// (`/metrics`), `/health` and `/ready`.
///
/// A `Service`: run it in the same `ServiceGroup` as the ``Orchestration/NetworkHost``,
/// listed before it, so that on SIGTERM the network closes its telescopes first and the
/// server stops last (its event streams end when the network's do).
///
/// Every handler only reads (the store, the agents' status) or posts to a mailbox; none waits
/// on an agent's work. Every error is JSON with a message (``APIError``).
public struct StarlingServer: Service {
    public let live: LiveNetwork
    public let configuration: ServerConfiguration
    let metrics: PrometheusCollectorRegistry?
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void
    let hub: EventHub
    /// What each telescope is doing, learnt from the same events as the hub's.
    let activity: TelescopeActivityBoard
    /// `/api/plans` answers, forgotten when a plan changes.
    let planResponses: PlanResponseCache
    let authority: TokenAuthority
    /// Signs the archive's download links (``DownloadSigner``).
    let downloads = DownloadSigner()
    /// Observers' requests' state changes, for the event stream.
    let requestStates: RequestStateEvents
    /// The tools for AI agents served at `/mcp` (`nil`: `/mcp` answers 404).
    let tools: StarlingTools?

    /// - Parameters:
    ///   - metrics: the registry swift-metrics was bootstrapped with, served at `/metrics`
    ///     (`nil`: `/metrics` answers 404).
    ///   - tools: the tools for AI agents to serve at `/mcp` (the Model Context Protocol over
    ///     streamable HTTP), made over the same `live` network; `nil` serves none.
    ///   - onListening: told the port once the server listens (useful with port 0).
    public init(
        live: LiveNetwork, configuration: ServerConfiguration, metrics: PrometheusCollectorRegistry?, logger: Logger, tools: StarlingTools? = nil,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.tools = tools
        self.live = live
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.onListening = onListening
        hub = EventHub(network: live.network, clock: live.clock)
        activity = TelescopeActivityBoard()
        planResponses = PlanResponseCache()
        authority = TokenAuthority(store: live.store)
        requestStates = RequestStateEvents(live: live)
    }

    /// Serves until graceful shutdown.
    public func run() async throws {
        let events = live.events()
        let (hub, activity, planResponses, logger, requestStates) = (self.hub, self.activity, self.planResponses, self.logger, self.requestStates)
        let forwarding = Task {
            for await event in events {
                activity.record(event)
                planResponses.observe(event)
                hub.publish(event)
                if let change = await requestStates.observe(event) { hub.publish(change) }
            }
            hub.finish()
            // Said once the network's events have ended and every stream with them: how many
            // there were, so a client can check it received them all.
            logger.notice("Event stream ended", metadata: ["events.sent": "\(hub.lastID)"])
        }
        let onListening = self.onListening
        let application = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "starling"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        defer { forwarding.cancel() }
        try await application.run()
    }

    /// The router with every route of ``APIRoutes/table``, the error and token middleware.
    func makeRouter() -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: TokenAuthenticator(authority: authority))
        APIRoutes(server: self).register(on: router)
        return router
    }
}
