import ArgumentParser
import Coordination
import Foundation
import Logging
import MCPTools
import Metrics
import Observatory
import Orchestration
import Persistence
import Prometheus
import Service
import StarlingCore

extension Starling {
    /// `starling serve`: the live network with its HTTP API and dashboard.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the live network: every telescope, the planner, the coordinator with its alert intake, the Reporter, and the HTTP API and dashboard.",
            discussion: """
                Every telescope's agent runs over the driver its configuration names (simulator, INDI, \
                Alpaca); each site plans an hour before its first dusk, observes, closes at dawn and writes \
                its report. Alerts come in through --alerts-folder, --vtp and the API. The dashboard is at \
                http://HOST:PORT/, the API's document at /openapi.json, live events at /api/events. \
                With --clock simulated the simulated telescopes run on a simulation clock at --speed times \
                real time (a night in minutes), starting at the scenario's night, or now. AI assistants reach \
                Starling's tools at /mcp (the Model Context Protocol over HTTP; docs/mcp.md). SIGTERM or Ctrl-C \
                closes and parks every telescope before the process exits; run it again over the same \
                --store and it picks up where it stopped. Make API tokens with `starling token create`.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("A scenario: the sites, weather, faults and alerts of a simulated run.", valueName: "SCENARIO.yaml"))
        var scenario: String?

        @Option(help: "The address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "The port (0 picks a free one; the URL is printed either way).")
        var port = 8080

        @Option(help: StoreArgument.help("The store", default: StoreLocation.serveDefault.description), transform: StoreArgument.parse)
        var store: StoreLocation = .serveDefault

        @Option(help: ArgumentHelp("Where frames and reports go.", valueName: "DIR"))
        var out = "out/serve"

        @Option(help: "wall: the real network; simulated: simulated telescopes on a simulation clock at --speed.")
        var clock: ClockKind = .wall

        @Option(help: "With --clock simulated: simulated seconds per real second.")
        var speed: Double = 60

        @Option(help: ArgumentHelp("Watch this folder for alert notice files.", valueName: "DIR"))
        var alertsFolder: String?

        @Option(help: ArgumentHelp("Subscribe to this VOEvent broker.", valueName: "HOST:PORT"))
        var vtp: String?

        @Option(help: "token: reading needs a viewer token; open: anyone may read (writing always needs a token).")
        var readAccess: ReadAccess = .token

        @Option(help: ArgumentHelp("Render pixels for one survey frame in N per simulated telescope, and every follow-up or requested frame (0: model every frame).", valueName: "N"))
        var renderEvery = 250

        @Option(help: "The survey catalog in catalogs/.")
        var catalog = "nearby_galaxies"

        @Option(help: "The least log level written to standard error.")
        var logLevel: LogLevel = .info

        enum ClockKind: String, ExpressibleByArgument, CaseIterable {
            case wall, simulated
        }

        func validate() throws {
            guard (0...65_535).contains(port) else { throw ValidationError("--port \(port) is not a port number (0…65535)") }
            guard speed.isFinite, speed > 0 else { throw ValidationError("--speed must be a positive number of simulated seconds per real second") }
            if clock == .wall, speed != 60 { throw ValidationError("--speed goes with --clock simulated") }
            guard renderEvery >= 0 else { throw ValidationError("--render-every must be 0 or more") }
            if let vtp, Alert.Listen.endpoint(vtp) == nil { throw ValidationError("--vtp \(vtp): expected HOST:PORT, e.g. 127.0.0.1:8099") }
            if let alertsFolder {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: alertsFolder, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw ValidationError("--alerts-folder \(alertsFolder): no such folder")
                }
            }
        }

        func run() async throws {
            let level = logLevel.level
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let logger = Logger(label: "starling.serve")

            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            var loadedScenario: Scenario?
            if let scenario {
                loadedScenario = try loadOrExit { () throws(ConfigErrors) in
                    try Scenario.load(path: scenario, context: Scenario.Context(network: network, catalogNames: layout.catalogNames))
                }
            }
            let catalogName = loadedScenario?.catalog ?? catalog
            let targets = try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: catalogName) }
            let proposals = try loadOrExit { () throws(ConfigErrors) in try layout.loadProposals() }
            var vtpConfiguration: VTPSubscriber.Configuration?
            if let vtp, let (host, port) = Alert.Listen.endpoint(vtp) { vtpConfiguration = .init(host: host, port: port) }
            let configuration = NetworkHostConfiguration(
                network: network, catalog: targets, scenario: loadedScenario, store: store, outputDirectory: out,
                clock: clock == .wall ? .wall : .simulated(speed: speed), alertFolder: alertsFolder, vtp: vtpConfiguration,
                rendering: RenderingPolicy(renderingOneIn: renderEvery), proposals: proposals, logger: logger)
            let networkHost: NetworkHost
            do {
                networkHost = try await NetworkHost(configuration: configuration)
            } catch {
                printError("starling serve: \(error)")
                throw ExitCode(1)
            }
            let host = self.host
            let json = options.json
            // The tools for AI agents at /mcp, over the same running network; targets are looked up in every catalog.
            let catalogs = try layout.catalogNames.map { name in
                (name: name, catalog: name == catalogName ? targets : try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: name) })
            }
            let tools = StarlingTools(context: ToolContext(live: networkHost.live, catalogs: catalogs, surveyCatalog: targets, logger: logger))
            let server = StarlingServer(
                live: networkHost.live, configuration: ServerConfiguration(host: host, port: port, readAccess: readAccess), metrics: registry,
                logger: logger, tools: tools
            ) { port in
                // The one line a script waits for: where the network can be reached.
                let url = "http://\(host):\(port)/"
                let line = json ? #"{"serving": "\#(url)", "openapi": "\#(url)openapi.json", "events": "\#(url)api/events"}"# : "Starling is serving at \(url) (API document at /openapi.json)"
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            do {
                // Listed first, stopped last: on SIGTERM the network closes its telescopes before the server goes.
                try await Termination.run([server, networkHost], logger: logger)
            } catch {
                printError("starling serve: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

/// swift-log's levels as a typed option.
enum LogLevel: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level { Logger.Level(rawValue: rawValue)! }
}
