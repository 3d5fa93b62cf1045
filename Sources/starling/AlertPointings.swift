import ArgumentParser
import Foundation
import Persistence
import Reporting
import StarlingCore

extension Starling.Alert {
    struct Pointings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An event's follow-up pointings, planned and completed, as the GW Treasure Map takes them.",
            discussion: """
                Writes the JSON of Treasure Map's pointings API (graceid, pointings with ra, dec, band, \
                instrumentid, time, status planned or completed, depth in AB magnitudes and depth_unit) \
                from the store: planned pointings are the follow-up's open assignments, completed ones its \
                observations, one per band, with the deepest frame's measured limiting magnitude. Add \
                your api_token and post it to treasuremap.space. The same document is served at \
                /api/alerts/{id}/treasuremap.
                """)

        @OptionGroup var options: GlobalOptions
        @OptionGroup var store: StoreOptions

        @Argument(help: ArgumentHelp("The event, e.g. S261124ab (a superevent id), as the alert names it.", valueName: "EVENT"))
        var event: String

        @Option(help: ArgumentHelp("The network's Treasure Map instrument id, if registered.", valueName: "N"))
        var instrumentID: Int?

        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "FILE"))
        var output: String?

        func validate() throws {
            if let instrumentID, instrumentID <= 0 { throw ValidationError("--instrument-id \(instrumentID) should be the positive number Treasure Map registered the instrument under") }
        }

        func run() async throws {
            let store = try await openStore(try self.store.location)
            guard let pointings = try await TreasureMapPointings.load(event: event, from: store, instrumentID: instrumentID) else {
                printError("no notice of the event '\(event)' in \(try self.store.location) (see `starling report` for the night's alerts)")
                throw ExitCode(1)
            }
            let data = try pointings.encoded()
            if let output {
                try data.write(to: URL(fileURLWithPath: output), options: .atomic)
                print("\(pointings.pointings.count) pointing(s) of \(event) written to \(output)")
            } else {
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
