import Foundation
import Logging
import Persistence
import PersistencePostgres
import PersistenceTesting
import StarlingCore
import Testing

/// `starling night`: killed mid-night and run again, it resumes from the store, losing and
/// repeating no observation, whether the store is a SQLite file or a PostgreSQL database.
struct NightCommandTests {
    static let scenario = StarlingCLI.packageRoot + "/Tests/OrchestrationTests/Fixtures/three-sites.yaml"

    @Test(arguments: StoreBackend.allCases)
    func killedMidNightItResumesFromTheStoreLosingAndRepeatingNoObservation(_ backend: StoreBackend) async throws {
        if let reason = backend.unavailableReason { try Test.cancel(Comment(rawValue: reason)) }
        let out = NSTemporaryDirectory() + "starling-night-resume-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        // SQLite: the default store, OUT/starling.sqlite; PostgreSQL: --db postgresql://…
        let location = backend == .sqlite ? StoreLocation.sqlite(path: out + "/starling.sqlite") : try await backend.freshLocation(in: out)
        let arguments = ["night", Self.scenario, "--out", out, "--render-every", "0"] + (backend == .sqlite ? [] : ["--db", location.description])

        // First run: the process kills itself (SIGKILL, as `kill -9` would) right after the
        // checkpoint at 50 % of the simulated span.
        let crashed = try await StarlingCLI.run(arguments, environment: ["STARLING_CRASH_AT_FRACTION": "0.5"])
        #expect(crashed.status == SIGKILL, "expected death by SIGKILL, got \(crashed.status): \(crashed.errors)")
        let store = try await location.open(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let night = DateInterval(start: try #require(ISO8601.date(from: "2026-11-23T12:00:00Z")), duration: 86_400)
        let before = try await store.observations(startedIn: night, site: nil)
        let run = try #require(try await store.run("night:three-sites:2026-11-23:7"))
        #expect(!run.isFinished)
        #expect(!before.isEmpty, "the first run stored nothing before it died")

        // Second run: the same command resumes and finishes.
        let resumed = try await StarlingCLI.run(arguments)
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(resumed.output.contains("Resumed from"))
        let after = try await store.observations(startedIn: night, site: nil)

        // Nothing stored before the kill is lost (a completed observation stays completed).
        let afterByID = Dictionary(uniqueKeysWithValues: after.map { ($0.id, $0) })
        for observation in before {
            let kept = try #require(afterByID[observation.id], "observation \(observation.id) was lost")
            if observation.outcome == .completed { #expect(kept.outcome == .completed) }
        }
        // No survey request (a target's visit tonight) is completed twice, and no frame is recorded twice.
        let completedSurvey = after.filter { $0.outcome == .completed && !$0.requestID.rawValue.hasPrefix("followup") && !$0.targetID.rawValue.contains("alert") }
        let repeated = Dictionary(grouping: completedSurvey, by: \.requestID).filter { $0.value.count > 1 }
        #expect(repeated.isEmpty, "completed twice: \(repeated.keys.map(\.rawValue))")
        let frameIDs = after.flatMap(\.frames).map(\.id)
        #expect(Set(frameIDs).count == frameIDs.count)
        #expect(after.count > before.count)
        // The Swift burst was decided once.
        let alerts = try await store.alerts(receivedIn: night)
        #expect(alerts.count == 1)
        #expect(try await store.run("night:three-sites:2026-11-23:7")?.isFinished == true)
    }
}
