import Foundation
import Logging
import Observatory
import Persistence
import StarlingCore
import Testing

@testable import Orchestration

/// A scenario whose alert file is poison (issue 16): the night does not crash at that alert's
/// time; the intake stores the file refused, with the reason, and the next alert is followed.
struct PoisonAlertNightTests {
    static let scenarioPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/poison-alert.yaml").path

    @Test func aPoisonAlertIsStoredRefusedAndTheNightGoesOn() async throws {
        let out = NSTemporaryDirectory() + "starling-poison-night-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let layout = ProjectLayout(root: NightRunTests.packageRoot)
        let network = try layout.loadNetwork()
        let scenario = try Scenario.load(path: Self.scenarioPath, context: Scenario.Context(network: network, catalogNames: layout.catalogNames))
        let configuration = NightRunConfiguration(
            scenario: scenario, network: network, catalog: try layout.loadCatalog(named: scenario.catalog),
            databasePath: out + "/starling.sqlite", outputDirectory: out, rendering: .none,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let result = try await NightHost(configuration: configuration).run()

        let store = try SQLiteStore(path: configuration.databasePath)
        let alerts = try await store.alerts(receivedIn: DateInterval(start: .distantPast, end: .distantFuture))
        let poison = try #require(alerts.first { $0.transport == "scenario:poison-alert.xml" })
        #expect(poison.status == .refused)
        #expect(poison.note.contains("is not valid UTF-8"))
        #expect(result.summary.followUps.contains { $0.state == "completed" }, "the burst after the poison is followed")
    }
}
