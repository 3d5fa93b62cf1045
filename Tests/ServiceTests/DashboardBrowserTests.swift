import Foundation
import Testing

/// The dashboard in a real headless browser (Chromium through Selenium), against a real
/// `starling serve` on the three-site scenario at 600× real time: live state that appears and
/// updates, an alert from the watched folder shown as a follow-up, a review by an observer that
/// the API then has, review disabled for a viewer, no console errors, and screenshots at laptop
/// and phone size kept in `.build/test-artifacts/dashboard/`.
@Suite(.serialized, .enabled(if: BrowserTools.missing == nil, Comment(rawValue: BrowserTools.missing ?? "")))
struct DashboardBrowserTests {
    // Ceilings only (the script's waits are for conditions): a busy machine runs the simulated
    // night far below 600x, and the check waits for a follow-up's first frame.
    @Test(.timeLimit(.minutes(60)))
    func liveStateFollowUpsAndReviewsWorkInTheBrowserWithNoConsoleErrors() async throws {
        let folder = try ServeTestPaths.temporaryDirectory("dashboard")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/starling.sqlite"
        let alerts = folder + "/alerts"
        try FileManager.default.createDirectory(atPath: alerts, withIntermediateDirectories: true)
        let observer = try ServeTestPaths.token(role: "observer", store: store)
        let viewer = try ServeTestPaths.token(role: "viewer", store: store)
        let artifacts = try BrowserTools.artifacts("dashboard")

        let serve = try ServeProcess([
            ServeEndToEndTests.scenario, "--port", "0", "--clock", "simulated", "--speed", "600", "--store", "sqlite:" + store, "--out", folder,
            "--alerts-folder", alerts, "--render-every", "4", "--log-level", "notice",
        ], ceilingSeconds: 3300)
        defer { serve.kill() }
        let base = try await serve.baseURL()

        let run = try await BrowserTools.run(
            "dashboard_check.py",
            ["--base", base, "--observer", observer, "--viewer", viewer, "--alerts-folder", alerts, "--alert", ServeEndToEndTests.burst, "--artifacts", artifacts],
            ceiling: .seconds(3000))
        let result = run.result
        print("Dashboard screenshots: \(artifacts)")
        #expect(run.status == 0, "the browser check failed: \(result["failed"] ?? "exit \(run.status)")\n\(run.tail)")
        #expect((result["console_errors"] as? [String])?.isEmpty == true, "console errors: \(result["console_errors"] ?? "none reported")")

        // The flag the browser made is in the API.
        let frameID = try #require(result["flagged_frame"] as? String, "no frame was flagged: \(run.tail)")
        let frame = try await APIClient(base: base, token: viewer).get("/api/frames/" + (frameID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? frameID))
        let review = try #require(frame.object["review"] as? [String: Any])
        #expect(review["decision"] as? String == "flagged")
        #expect(review["reviewer"] as? String == "observer-test")

        // Screenshots at both sizes, of the sizes asked for.
        let shots = (result["screenshots"] as? [[String: Any]]) ?? []
        for (name, width, height) in [("dashboard-laptop.png", 1366, 768), ("dashboard-phone.png", 780, 1688)] {
            let shot = try #require(shots.first { ($0["path"] as? String)?.hasSuffix("/" + name) == true }, "no \(name) in \(shots)")
            #expect(shot["width"] as? Int == width && shot["height"] as? Int == height, "\(name): \(shot)")
            #expect(FileManager.default.fileExists(atPath: artifacts + "/" + name))
        }
        for name in ["dashboard-laptop-full.png", "dashboard-phone-full.png", "dashboard-viewer-laptop.png"] {
            #expect(FileManager.default.fileExists(atPath: artifacts + "/" + name), "\(name) is missing")
        }
    }
}
