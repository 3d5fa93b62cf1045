import ArgumentParser
import Foundation
import Logging
import MCPTools
import Persistence
import Service
import StarlingCore

extension Starling {
    /// `starling mcp`: Starling's tools for AI agents on standard input and output.
    struct Mcp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mcp",
            abstract: "Serve Starling's tools to an AI assistant over the Model Context Protocol (stdio).",
            discussion: """
                An MCP-capable assistant starts this command and talks to it on standard input and output \
                (logs go to standard error). The tools answer from the configuration and the store: a target's \
                observability from a site on a night with the reasons, a night's plan (the stored one, or computed \
                as `starling plan` would), alerts and their follow-ups, a night's report, and frame reviews; \
                resources are the night reports written under --reports and the stored plans. Telescopes' live \
                state and submitting or cancelling observers' requests need the running network: point the \
                assistant at `starling serve`'s /mcp endpoint instead (docs/mcp.md). Writing tools need a token \
                with the right role: --token, else $STARLING_TOKEN, checked against the store's tokens \
                (`starling token create`).
                """)

        @OptionGroup var options: GlobalOptions

        @Option(
            help: StoreArgument.help("The store (default: $STARLING_STORE, else out/night/starling.sqlite, where `starling night` writes; without one, the tools answer from the configuration alone)"),
            transform: StoreArgument.parse)
        var db: StoreLocation?

        @Option(help: ArgumentHelp("Where night reports are written (the Reporter's folder: NIGHT/SCOPE/report.*).", valueName: "DIR"))
        var reports = "out/night/reports"

        @Option(help: ArgumentHelp("The survey catalog in catalogs/ a plan is computed from when none is stored.", valueName: "NAME"))
        var catalog = "nearby_galaxies"

        @Option(help: ArgumentHelp("An API token's secret, for the writing tools (default: $STARLING_TOKEN).", valueName: "TOKEN"))
        var token: String?

        @Option(help: "The least log level written to standard error.")
        var logLevel: LogLevel = .warning

        /// The environment variable holding the token's secret.
        static let tokenEnvironmentKey = "STARLING_TOKEN"

        func validate() throws {
            if case .sqlite(let path) = try StoreOptions.location(given: db), db != nil, !FileManager.default.fileExists(atPath: path) {
                throw ValidationError("--db \(path): no store there (run `starling night` or `starling serve`, or leave --db out)")
            }
        }

        func run() async throws {
            let level = logLevel.level
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "starling.mcp")
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            let proposals = try loadOrExit { () throws(ConfigErrors) in try layout.loadProposals() }
            guard layout.catalogNames.contains(catalog) else {
                throw ValidationError("--catalog: \(UnknownNameError(kind: "catalog", name: catalog, scope: "in \(layout.catalogsDirectory)", known: layout.catalogNames))")
            }
            let catalogs = try layout.catalogNames.map { name in (name: name, catalog: try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: name) }) }
            let store = try await openToolStore(logger: logger)
            let caller = try await resolveCaller(store: store)
            let context = ToolContext(
                network: network, store: store, reportsDirectory: reports, catalogs: catalogs,
                surveyCatalog: catalogs.first { $0.name == catalog }?.catalog, proposals: proposals, logger: logger)
            do {
                try await StarlingTools(context: context).serveStandardIO(caller: caller, logger: logger)
            } catch {
                printError("starling mcp: \(error)")
                throw ExitCode(1)
            }
        }

        /// The store the tools read; without one (the default store not made yet), an empty
        /// one in memory, said on standard error.
        private func openToolStore(logger: Logger) async throws -> any Store {
            let location = try StoreOptions.location(given: db)
            if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
                logger.notice("No store: the tools answer from the configuration alone", metadata: ["store": "\(path)"])
                do throws(StoreError) {
                    return try SQLiteStore.inMemory()
                } catch {
                    printError(error.description)
                    throw ExitCode(1)
                }
            }
            return try await openStore(location)
        }

        /// Who calls the writing tools: the token's name and role, or anonymous without one.
        private func resolveCaller(store: any Store) async throws -> ToolCaller {
            guard let secret = token ?? ProcessInfo.processInfo.environment[Self.tokenEnvironmentKey].flatMap({ $0.isEmpty ? nil : $0 }) else {
                return .anonymous
            }
            let origin = token != nil ? "--token" : "$\(Self.tokenEnvironmentKey)"
            let found: APIToken?
            do throws(StoreError) {
                found = try await TokenAuthority(store: store).authenticate(secret.trimmingWhitespace())
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
            guard let found else {
                throw ValidationError("\(origin): the token is unknown or revoked in this store (make one with `starling token create --store STORE`)")
            }
            return ToolCaller(name: found.name, role: found.role)
        }
    }
}
