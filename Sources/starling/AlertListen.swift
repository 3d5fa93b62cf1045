import ArgumentParser
import Coordination
import Foundation
import SkyMaps
import Logging
import Orchestration
import Persistence
import StarlingCore

extension Starling.Alert {
    struct Listen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take in alerts from a VOEvent broker or a folder, store them, and decide their follow-up.",
            discussion: """
                Stores every notice in the store before acknowledging it, then the network \
                coordinator decides which telescopes should observe it and records the decision and its \
                assignments (`starling alert plan` shows the same reasoning for one file). No telescope \
                agents run here, so offers are recorded for operators and do not expire. Notices left \
                unprocessed by an earlier run are decided first. Stops cleanly on Ctrl-C.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp("Subscribe to a VOEvent broker (VOEvent Transport Protocol).", valueName: "HOST:PORT"))
        var vtp: String?

        @Option(help: ArgumentHelp("Watch a folder for notice files.", valueName: "DIR"))
        var folder: String?

        @Option(help: StoreArgument.help("The store to keep notices in, created if missing", default: "starling.sqlite"), transform: StoreArgument.parse)
        var db: StoreLocation = .sqlite(path: "starling.sqlite")

        @Flag(help: "Hand on test notices (role test) too.")
        var acceptTest = false

        @Option(help: ArgumentHelp("Our IVORN, sent to the broker in replies.", valueName: "IVORN"))
        var localIvorn = "ivo://starling/subscriber"

        func validate() throws {
            guard (vtp == nil) != (folder == nil) else { throw ValidationError("give exactly one of --vtp HOST:PORT or --folder DIR") }
            if let vtp {
                guard let (_, port) = Self.endpoint(vtp), (1...65_535).contains(port) else {
                    throw ValidationError("--vtp \(vtp): expected HOST:PORT, e.g. 127.0.0.1:8099")
                }
            }
            if let folder {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw ValidationError("--folder \(folder): no such folder")
                }
            }
        }

        func run() async throws {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .info
                return handler
            }
            let logger = Logger(label: "starling.alert.listen")
            let store = try await openStore(db)
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            let source: AlertListenerHost.Source
            if let vtp, let (host, port) = Self.endpoint(vtp) {
                source = .vtp(host: host, port: port, localIVORN: localIvorn)
            } else {
                source = .folder(folder ?? ".")
            }
            let host = AlertListenerHost(
                network: network, store: store, source: source, policy: IntakePolicy(acceptsTestNotices: acceptTest), logger: logger)
            do {
                try await host.runUntilTerminated(logger: logger)
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
        }

        /// `host:port` (or `[v6]:port`) split; `nil` when malformed.
        static func endpoint(_ text: String) -> (String, Int)? {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return host.isEmpty ? nil : (host, port)
        }
    }
}
