import Foundation
import Testing

/// Starling's tools through the official Python `mcp` client from PyPI (`scripts/install-deps
/// --test`), as an AI assistant uses them: over streamable HTTP from a running `starling serve`
/// (simulated at 600×, fed a burst alert) and over stdio from `starling mcp` on the store it
/// left. `MCP/mcp_check.py` lists the tools, checks their schemas, calls every one (the client
/// validates each result against the tool's output schema), reads a resource, and writes with
/// a viewer's token; this test checks what it reports.
@Suite(.serialized, .enabled(if: MCPClient.missing == nil, "\(MCPClient.missing ?? "")"))
struct MCPClientTests {
    static let tools = [
        "alerts_and_follow_ups", "cancel_observation_request", "network_status", "night_plan", "night_report_summary", "observation_request_status",
        "review_frame", "submit_observation_request", "target_observability", "telescope_status",
    ]

    @Test(.timeLimit(.minutes(15)))
    func everyToolAnswersOverHTTPAndStdioWithinItsSchemaAndWritesNeedTheirRole() async throws {
        let folder = try ServeTestPaths.temporaryDirectory("mcp")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/starling.sqlite"
        let alerts = folder + "/alerts"
        try FileManager.default.createDirectory(atPath: alerts, withIntermediateDirectories: true)
        let viewer = try ServeTestPaths.token(role: "viewer", store: store)
        let observer = try ServeTestPaths.token(role: "observer", store: store)

        let serve = try ServeProcess([
            ServeEndToEndTests.scenario, "--port", "0", "--clock", "simulated", "--speed", "600", "--store", "sqlite:" + store, "--out", folder,
            "--alerts-folder", alerts, "--render-every", "1", "--log-level", "notice",
        ])
        defer { serve.kill() }
        let base = try await serve.baseURL()
        let events = try EventFollower(base: base, token: viewer)
        defer { events.stop() }
        // A night under way: a frame written, and a burst in the watched folder.
        let ended = try await events.wait(for: "observation.ended", timeout: .seconds(420)) { ($0["frame_ids"] as? [String])?.isEmpty == false }
        let frame = try #require(((ended["data"] as? [String: Any])?["frame_ids"] as? [String])?.first)
        let notice = try Data(contentsOf: URL(fileURLWithPath: ServeEndToEndTests.burst))
        try notice.write(to: URL(fileURLWithPath: alerts + "/.burst.xml.part"))
        try FileManager.default.moveItem(atPath: alerts + "/.burst.xml.part", toPath: alerts + "/burst.xml")
        // Stored once the watched folder takes it (whatever the coordinator then decides).
        let deadline = ContinuousClock.now + .seconds(120)
        while try await APIClient(base: base, token: viewer).get("/api/alerts?since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z").object["items"]
            .map({ ($0 as? [Any])?.isEmpty ?? true }) ?? true
        {
            guard ContinuousClock.now < deadline else { throw ServeTestError("the burst in the watched folder was not stored within 120 s") }
            try await Task.sleep(for: .milliseconds(200))
        }
        let night = try #require((try await APIClient(base: base, token: viewer).get("/api/sites/la-palma").object["night"] as? [String: Any])?["local_date"] as? String)

        // Over HTTP: the running network.
        let http = try await MCPClient.check(["http", base + "/mcp", "--token", observer, "--viewer-token", viewer, "--frame", frame, "--night", night])
        Self.expectEveryTool(http, transport: "http")
        #expect(http["network_live"] as? Bool == true)
        #expect((http["telescope_states"] as? [String])?.contains("none") == false, "every telescope has a live state over HTTP")
        #expect(http["draft_state"] as? String == "DRAFT")
        #expect(http["submitted_group"] is Int, "\(http["calls"] ?? "")")
        #expect(http["cancelled_state"] as? String == "CANCELED")
        #expect(MCPClient.call(http, "submit")?["is_error"] as? Bool == false)
        #expect(MCPClient.call(http, "cancel")?["is_error"] as? Bool == false)
        #expect(MCPClient.call(http, "review")?["is_error"] as? Bool == false, "an observer flags a frame")
        #expect((http["alerts_total"] as? Int ?? 0) >= 1)
        // Tonight's plans (the network's simulated night) are resources, and read as JSON.
        #expect((http["read_plan"] as? [String: Any])?["mime_type"] as? String == "application/json", "\(http["resources"] ?? "")")
        #expect(((http["read_plan"] as? [String: Any])?["length"] as? Int ?? 0) > 100)
        let anonymous = try #require(http["anonymous_review"] as? [String: Any])
        #expect(anonymous["refused"] != nil, "a caller without a token is refused by the endpoint: \(anonymous)")
        #expect(http["anonymous_http_status"] as? Int == 401)

        serve.signal(SIGTERM)
        #expect(try await serve.waitForExit() == 0)

        // Over stdio: the store and the reports it left, with the configuration.
        let stdio = try await MCPClient.check([
            "stdio", ServeTestPaths.executable, "--root", ServeTestPaths.packageRoot, "--db", store, "--reports", folder + "/reports", "--token", observer,
            "--viewer-token", viewer, "--frame", frame, "--night", night,
        ])
        Self.expectEveryTool(stdio, transport: "stdio")
        #expect(stdio["network_live"] as? Bool == false)
        #expect(stdio["plan_source"] as? String == "stored")
        #expect((stdio["plan_entries"] as? Int ?? 0) > 0)
        #expect((stdio["report_planned"] as? Int ?? 0) > 0)
        // What needs the running network says so.
        for call in ["submit", "submit_validate_only", "request_status", "cancel"] {
            let answer = MCPClient.call(stdio, call)
            #expect(answer?["is_error"] as? Bool == true && (answer?["text"] as? String)?.contains("needs-live-network") == true, "\(call): \(answer ?? [:])")
        }
        #expect(MCPClient.call(stdio, "review")?["is_error"] as? Bool == false, "reviews are stored without the network")
        #expect((stdio["anonymous_review"] as? [String: Any])?["is_error"] as? Bool == true)
        #expect(((stdio["anonymous_review"] as? [String: Any])?["text"] as? String)?.contains("forbidden") == true)
    }

    /// What holds on either transport: every tool listed with valid schemas, every answer within
    /// its schema, bad input refused with a reason, and a viewer refused a write.
    static func expectEveryTool(_ report: [String: Any], transport: String) {
        #expect(report["server"] as? String == "starling")
        #expect(report["tools"] as? [String] == tools, "\(transport)")
        #expect((report["schema_problems"] as? [String])?.isEmpty == true, "\(transport): \(report["schema_problems"] ?? "")")
        let calls = report["calls"] as? [String: [String: Any]] ?? [:]
        for (label, call) in calls {
            #expect(call["exception"] == nil, "\(transport) \(label): \(call)")
            if call["is_error"] as? Bool == false { #expect(call["valid"] as? Bool == true, "\(transport) \(label): \(call)") }
        }
        for label in ["observability", "observability_by_position", "plan", "network", "telescope", "alerts", "report"] {
            #expect(calls[label]?["is_error"] as? Bool == false, "\(transport) \(label): \(calls[label] ?? [:])")
        }
        for (label, code) in [
            ("observability_bad_site", "not-found"), ("observability_bad_type", "invalid-argument"), ("observability_unknown_argument", "invalid-argument"),
            ("observability_both_targets", "invalid-argument"), ("review_flag_without_note", "invalid-argument"), ("unknown_tool", "not-found"),
        ] {
            #expect(calls[label]?["is_error"] as? Bool == true && (calls[label]?["text"] as? String)?.hasPrefix(code) == true, "\(transport) \(label): \(calls[label] ?? [:])")
        }
        let observability = report["observability"] as? [String: Any] ?? [:]
        #expect(observability["transit"] is String && observability["observable"] as? Bool == true, "\(transport): \(observability)")
        #expect((observability["reasons"] as? [String])?.contains("darkness") == true)
        #expect((report["templates"] as? [String])?.contains("starling://plans/{night}/{telescope}") == true)
        #expect((report["bad_resource"] as? String)?.hasPrefix("refused") == true)
        let viewer = report["viewer"] as? [String: [String: Any]] ?? [:]
        #expect(viewer["submit"]?["is_error"] as? Bool == true && (viewer["submit"]?["text"] as? String)?.contains("forbidden") == true, "\(transport): \(viewer)")
        #expect(viewer["review"]?["is_error"] as? Bool == true && (viewer["review"]?["text"] as? String)?.contains("observer role") == true)
        #expect(viewer["read"]?["is_error"] as? Bool == false)
    }
}

/// The Python `mcp` client and the script that drives it (`Tests/ServiceTests/MCP/mcp_check.py`).
enum MCPClient {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("MCP/mcp_check.py").path

    /// Why the client cannot run here (what to install), or `nil`; the script's own check.
    static let missing: String? = {
        guard let python = BrowserTools.python else { return "python3 is not installed; run scripts/install-deps --test" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--signal=KILL", "60", python, script, "missing"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "python3 could not be started: \(error)" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let reason = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else { return "the MCP client check could not start (python3 exited \(process.terminationStatus))" }
        return reason.isEmpty ? nil : "the MCP client test needs what is " + reason
    }()

    /// Runs the check script to its end; returns the JSON object it printed last.
    static func check(_ arguments: [String]) async throws -> [String: Any] {
        let run = try await BrowserTools.run(script, arguments, ceiling: .seconds(300))
        guard run.status == 0, let line = run.lines.last(where: { $0.hasPrefix("{") }),
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw ServeTestError("mcp_check.py \(arguments.first ?? "") exited \(run.status): \(run.tail)") }
        return object
    }

    static func call(_ report: [String: Any], _ label: String) -> [String: Any]? {
        (report["calls"] as? [String: [String: Any]])?[label]
    }
}
