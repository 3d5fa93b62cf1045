import Foundation
import Logging
import Persistence
import PersistencePostgres
import PersistenceTesting
import StarlingCore
import Testing

/// `starling token` and `starling serve` over a PostgreSQL store, as separate processes sharing
/// it: a token made by one command opens the service another runs, a revocation written by a
/// third is refused by the running service, and what the network did is in the database.
@Suite(.serialized)
struct ServeOverPostgreSQLTests {
    @Test(.timeLimit(.minutes(10)))
    func tokensAndTheServiceShareAPostgreSQLStore() async throws {
        if let reason = StoreBackend.postgreSQL.unavailableReason { try Test.cancel(Comment(rawValue: reason)) }
        let folder = try ServeTestPaths.temporaryDirectory("postgresql")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let location = try await StoreBackend.postgreSQL.freshLocation(in: folder)
        let store = location.description

        let made = try ServeTestPaths.starling(["token", "create", "--role", "viewer", "--name", "viewer-pg", "--store", store])
        let secret = try #require(made.split(separator: "\n").last.map(String.init))
        #expect(secret.hasPrefix("stl_"))
        let listed = try JSONSerialization.jsonObject(with: Data(try ServeTestPaths.starling(["token", "list", "--store", store, "--json"]).utf8))
        let tokens = try #require(listed as? [[String: Any]])
        #expect(tokens.map { $0["name"] as? String } == ["viewer-pg"])
        let tokenID = try #require(tokens.first?["id"] as? String)

        let serve = try ServeProcess([
            ServeEndToEndTests.scenario, "--port", "0", "--clock", "simulated", "--speed", "600", "--store", store, "--out", folder,
            "--render-every", "0", "--log-level", "notice",
        ])
        defer { serve.kill() }
        let base = try await serve.baseURL()
        #expect(try await APIClient(base: base, token: nil).get("/api/network").status == 401)
        let network = try await APIClient(base: base, token: secret).get("/api/network")
        #expect(network.status == 200)
        #expect((network.object["sites"] as? [[String: Any]])?.count == 3)

        // Revoked by another process, the token is refused by the running service within seconds.
        _ = try ServeTestPaths.starling(["token", "revoke", tokenID, "--store", store])
        let deadline = ContinuousClock.now + .seconds(60)
        var status = 200
        while ContinuousClock.now < deadline {
            status = try await APIClient(base: base, token: secret).get("/api/network").status
            if status == 401 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(status == 401, "a revoked token was still accepted after a minute")

        serve.signal(SIGTERM)
        #expect(try await serve.waitForExit() == 0, "\(serve.errors.all.suffix(10))")

        // The network's story is in the database: every telescope ended parked or closed.
        let reader = try await location.open(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let journal = try await reader.journal(in: DateInterval(start: .distantPast, end: .distantFuture), site: nil)
        var last: [String: TelescopeState] = [:]
        for entry in journal { if let change = entry.telescopeStateChange { last[entry.subject] = change.to } }
        #expect(!last.isEmpty)
        for (telescope, state) in last { #expect(state == .parked || state == .closed, "\(telescope) was left \(state)") }
    }
}
