import Foundation
import Persistence
import StarlingCore
import Testing

/// `starling serve` as a user runs it: a real process on a simulation clock at 600× real time,
/// followed over its event stream by curl, driven over HTTP with tokens of different roles,
/// fed an alert through its watched folder, and stopped with SIGTERM.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "curl is not installed"))
struct ServeEndToEndTests {
    static let scenario = ServeTestPaths.fixtures + "/three-sites-live.yaml"
    static let burst = ServeTestPaths.packageRoot + "/simulations/alerts/swift-bat-grb-1300001.xml"

    @Test(.timeLimit(.minutes(10)))
    func aFollowUpIsAssignedAndObservedLiveReviewsNeedTheirRoleAndSIGTERMClosesEveryTelescope() async throws {
        let folder = try ServeTestPaths.temporaryDirectory("e2e")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/starling.sqlite"
        let alerts = folder + "/alerts"
        try FileManager.default.createDirectory(atPath: alerts, withIntermediateDirectories: true)
        let viewer = try ServeTestPaths.token(role: "viewer", store: store)
        let observer = try ServeTestPaths.token(role: "observer", store: store)

        let serve = try ServeProcess([
            Self.scenario, "--port", "0", "--clock", "simulated", "--speed", "600", "--store", "sqlite:" + store, "--out", folder,
            "--alerts-folder", alerts, "--render-every", "1", "--log-level", "notice",
        ])
        defer { serve.kill() }
        let base = try await serve.baseURL()
        let events = try EventFollower(base: base, token: viewer)
        defer { events.stop() }
        let asViewer = APIClient(base: base, token: viewer)
        let asObserver = APIClient(base: base, token: observer)

        // Status: open to a viewer, closed to a stranger.
        #expect(try await APIClient(base: base, token: nil).get("/api/telescopes").status == 401)
        let network = try await asViewer.get("/api/network")
        #expect(network.status == 200)
        #expect((network.object["sites"] as? [[String: Any]])?.count == 3)
        #expect(network.object["clock"] as? String == "simulated")
        let telescopes = try await asViewer.get("/api/telescopes")
        #expect(telescopes.array.count > 5)

        // La Palma opens for its plan; then the burst arrives in the watched folder.
        _ = try await events.wait(for: "telescope.state", timeout: .seconds(240)) { ($0["to"] as? String) == "idle" && ($0["site_id"] as? String) == "la-palma" }
        let notice = try Data(contentsOf: URL(fileURLWithPath: Self.burst))
        try notice.write(to: URL(fileURLWithPath: alerts + "/.burst.xml.part"))
        try FileManager.default.moveItem(atPath: alerts + "/.burst.xml.part", toPath: alerts + "/burst.xml")

        let made = try await events.wait(for: "assignment.made", timeout: .seconds(240))
        let assignment = try #require(made["data"] as? [String: Any])
        // Observed by the telescope it went to, or by the next one if that one refused it.
        let ended = try await events.wait(for: "observation.ended", timeout: .seconds(420)) { observation in
            let assigned = Set(events.events("assignment.made").compactMap { ($0["data"] as? [String: Any])?["request_id"] as? String })
            return assigned.contains(observation["request_id"] as? String ?? "") && (observation["outcome"] as? String) == "completed"
        }
        let observation = try #require(ended["data"] as? [String: Any])
        #expect(observation["outcome"] as? String == "completed", "\(observation)")
        let frameIDs = try #require(observation["frame_ids"] as? [String])
        #expect(!frameIDs.isEmpty)

        // The follow-up's assignment is completed in the API too.
        let alertID = try #require(assignment["alert_id"] as? String)
        let alert = try await asViewer.get("/api/alerts/" + (alertID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? alertID))
        #expect(alert.status == 200)

        // A frame of it: an observer may flag it, a viewer may not.
        let frameID = frameIDs[0]
        let review: [String: Any] = ["frame_id": frameID, "decision": "flagged", "note": "satellite trail across the burst"]
        let refused = try await asViewer.post("/api/reviews", json: review)
        #expect(refused.status == 403)
        #expect(((refused.object["error"] as? [String: Any])?["code"] as? String) == "forbidden")
        let flagged = try await asObserver.post("/api/reviews", json: review)
        #expect(flagged.status == 201, "\(String(decoding: flagged.body, as: UTF8.self))")
        #expect(flagged.object["reviewer"] as? String == "observer-test")
        let frame = try await asViewer.get("/api/frames/" + frameID)
        #expect(((frame.object["review"] as? [String: Any])?["decision"] as? String) == "flagged")

        // SIGTERM: every open enclosure closes and parks, then the process exits cleanly.
        serve.signal(SIGTERM)
        #expect(try await serve.waitForExit() == 0, "\(serve.errors.all.suffix(10))")
        #expect(serve.errors.all.contains { $0.contains("Network stopped") })
        let journal = try await SQLiteStore(path: store).journal(in: DateInterval(start: .distantPast, end: .distantFuture), site: nil)
        var last: [String: TelescopeState] = [:]
        for entry in journal { if let change = entry.telescopeStateChange { last[entry.subject] = change.to } }
        #expect(!last.isEmpty)
        for (telescope, state) in last { #expect(state == .parked || state == .closed, "\(telescope) was left \(state)") }
    }
}

/// `starling serve` killed with SIGKILL in the middle of a simulated night and started again
/// over the same store: it picks up where the store says it was, loses no stored observation,
/// repeats none, and leaves no enclosure open when it is stopped.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "curl is not installed"))
struct ServeRestartTests {
    @Test(.timeLimit(.minutes(10)))
    func killedWithSIGKILLAndRestartedItLosesAndRepeatsNothing() async throws {
        let folder = try ServeTestPaths.temporaryDirectory("restart")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/starling.sqlite"
        let viewer = try ServeTestPaths.token(role: "viewer", store: store)
        let arguments = [
            ServeEndToEndTests.scenario, "--port", "0", "--clock", "simulated", "--speed", "600", "--store", "sqlite:" + store, "--out", folder,
            "--render-every", "0", "--log-level", "notice",
        ]
        let night = DateInterval(start: try #require(ISO8601.date(from: "2026-11-23T12:00:00Z")), duration: 86_400)

        // First life: run until a few observations have ended, then die without warning.
        let first = try ServeProcess(arguments)
        defer { first.kill() }
        let events = try EventFollower(base: try await first.baseURL(), token: viewer)
        defer { events.stop() }
        for _ in 0..<6 { _ = try await events.wait(for: "observation.ended", timeout: .seconds(300)) { _ in true } }
        while events.events("observation.ended").count < 6 { try await Task.sleep(for: .milliseconds(50)) }
        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        events.stop()
        let before = try await SQLiteStore(path: store).observations(startedIn: night, site: nil)
        #expect(!before.isEmpty)

        // Second life over the same store: it goes on, then is stopped cleanly.
        let second = try ServeProcess(arguments)
        defer { second.kill() }
        let again = try EventFollower(base: try await second.baseURL(), token: viewer)
        defer { again.stop() }
        _ = try await again.wait(for: "plan.restored", timeout: .seconds(240))
        for _ in 0..<1 { _ = try await again.wait(for: "observation.ended", timeout: .seconds(300)) { ($0["outcome"] as? String) == "completed" } }
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0, "\(second.errors.all.suffix(10))")

        let after = try await SQLiteStore(path: store).observations(startedIn: night, site: nil)
        let afterByID = Dictionary(uniqueKeysWithValues: after.map { ($0.id, $0) })
        for observation in before {
            let kept = try #require(afterByID[observation.id], "observation \(observation.id) was lost")
            if observation.outcome == .completed { #expect(kept.outcome == .completed) }
        }
        // No request completed twice, and no two observations overlap on a telescope.
        let completed = after.filter { $0.outcome == .completed }
        let repeated = Dictionary(grouping: completed, by: \.requestID).filter { $0.value.count > 1 }
        #expect(repeated.isEmpty, "completed twice: \(repeated.keys.map(\.rawValue))")
        for (_, observations) in Dictionary(grouping: after.filter { $0.ended > $0.started }, by: \.telescopeID) {
            let sorted = observations.sorted { $0.started < $1.started }
            for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                #expect(later.started >= earlier.ended, "\(earlier.id) and \(later.id) overlap")
            }
        }
        // Whatever was running at the kill is recorded as interrupted, not left unanswered.
        let interrupted = after.filter { $0.outcome.reason?.code == .interrupted }
        #expect(interrupted.allSatisfy { $0.started <= (before.map(\.ended).max() ?? .distantFuture) })
        // Stopped cleanly: every telescope's last state is parked or closed.
        let journal = try await SQLiteStore(path: store).journal(in: DateInterval(start: .distantPast, end: .distantFuture), site: nil)
        var last: [String: TelescopeState] = [:]
        for entry in journal { if let change = entry.telescopeStateChange { last[entry.subject] = change.to } }
        for (telescope, state) in last { #expect(state == .parked || state == .closed, "\(telescope) was left \(state)") }
    }
}
