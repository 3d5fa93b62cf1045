import Foundation
import Logging
import Observatory
import Persistence
import Reporting
import StarlingCore
import Testing

@testable import Orchestration

/// A short scenario through all four agents: three sites for two hours, a Swift burst, rain.
struct NightRunTests {
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let scenarioPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/three-sites.yaml").path

    static func configuration(out: String, rendering: RenderingPolicy) throws -> NightRunConfiguration {
        let layout = ProjectLayout(root: packageRoot)
        let network = try layout.loadNetwork()
        let scenario = try Scenario.load(path: scenarioPath, context: Scenario.Context(network: network, catalogNames: layout.catalogNames))
        return NightRunConfiguration(
            scenario: scenario, network: network, catalog: try layout.loadCatalog(named: scenario.catalog),
            databasePath: out + "/starling.sqlite", outputDirectory: out, rendering: rendering,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test func threeSitesForTwoHoursThroughAllFourAgents() async throws {
        let out = NSTemporaryDirectory() + "starling-night-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let configuration = try Self.configuration(out: out, rendering: .sample(everyNth: 10))
        let result = try await NightHost(configuration: configuration).run()
        let store = try SQLiteStore(path: configuration.databasePath)
        let span = try NightHost(configuration: configuration).span()
        let observations = try await store.observations(startedIn: span, site: nil)

        // Frames written: modelled ones in the store, rendered ones as FITS files on disk.
        let frames = observations.flatMap(\.frames)
        #expect(frames.count > 40)
        let files = frames.filter { !$0.path.hasPrefix("modelled:") }
        #expect(!files.isEmpty)
        #expect(files.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })

        // The Swift burst (RA 12.4°, Dec +31.2°, 21:30:40 UTC) is observed at La Palma, where it
        // is near the zenith, within minutes.
        let followUp = try #require(result.summary.followUps.first { $0.state == "completed" })
        #expect(followUp.site == "la-palma")
        #expect((followUp.secondsFromAlertToFirstFrame ?? .infinity) < 300)
        #expect(followUp.frames >= 3)

        // Rain at Xinglong from 20:50: the roof is closed within the deadline of the weather
        // model's 10-minute step and stays closed; nothing there starts after it.
        let rain = try #require(ISO8601.date(from: "2026-11-23T20:50:00Z"))
        let journal = try await store.journal(in: span, site: "xinglong")
        let closes = journal.compactMap { entry -> Date? in
            guard let change = entry.telescopeStateChange, change.to == .parked, entry.time > rain else { return nil }
            return entry.time
        }
        #expect(!closes.isEmpty)
        #expect(closes.allSatisfy { $0.timeIntervalSince(rain) < 600 + 120 })
        let xinglongAfterRain = observations.filter { $0.siteID == "xinglong" && $0.started > rain.addingTimeInterval(600 + 120) }
        #expect(xinglongAfterRain.allSatisfy { $0.outcome != .completed })
        #expect(!journal.contains { $0.telescopeStateChange?.to == .opening && $0.time > rain })

        // La Palma observes all along; Siding Spring is in daylight and never opens.
        #expect(observations.contains { $0.siteID == "la-palma" && $0.outcome == .completed })
        #expect(!observations.contains { $0.siteID == "siding-spring" && $0.outcome == .completed })

        // The reports: the network's and each site's, in HTML, Markdown and JSON.
        #expect(result.reports.count == 4)
        for report in result.reports {
            #expect(FileManager.default.fileExists(atPath: report.html))
            #expect(FileManager.default.fileExists(atPath: report.json))
        }
        let html = try String(contentsOfFile: result.reports[0].html, encoding: .utf8)
        #expect(html.contains("Swift"))
        #expect(result.summary.sites.map(\.site).sorted() == ["la-palma", "siding-spring", "xinglong"])
    }

    @Test func theSameSeedGivesTheSameNight() async throws {
        var runs: [[String]] = []
        for _ in 0..<2 {
            let out = NSTemporaryDirectory() + "starling-night-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let configuration = try Self.configuration(out: out, rendering: .none)
            _ = try await NightHost(configuration: configuration).run()
            let store = try SQLiteStore(path: configuration.databasePath)
            let observations = try await store.observations(startedIn: try NightHost(configuration: configuration).span(), site: nil)
            runs.append(observations.map { "\($0.id) \($0.targetID) \($0.outcome.name) \($0.frames.count) \($0.ended.timeIntervalSince1970)" }.sorted())
        }
        #expect(runs[0] == runs[1])
        #expect(!runs[0].isEmpty)
    }
}
