import Foundation
import Testing

/// Starling's observability tool against starwhisper-observability-calc's (PyPI: the MCP
/// observability server of the seed's authors) on the same targets, sites and night, each asked
/// through its own MCP server (`MCP/starwhisper_compare.py` says how starwhisper is pinned to the
/// night and given the positions, since it reads its clock and SIMBAD itself): rise, transit
/// and set agree within a minute and altitudes within 0.1°, both being geometric with a 0°
/// horizon. The script's report also shows where the two differ by design (starwhisper's
/// Moon separation, its "observable" in daylight); docs/mcp.md gives the figures.
@Suite(.serialized, .enabled(if: StarwhisperComparison.missing == nil, "\(StarwhisperComparison.missing ?? "")"))
struct StarwhisperComparisonTests {
    @Test(.timeLimit(.minutes(5)))
    func riseTransitSetAndAltitudeAgreeWithStarwhisperWithinAMinuteAndATenthOfADegree() async throws {
        let run = try await BrowserTools.run(
            StarwhisperComparison.script, [ServeTestPaths.executable, "--root", ServeTestPaths.packageRoot, "--json"], ceiling: .seconds(240))
        let line = try #require(run.lines.last(where: { $0.hasPrefix("{") }), "no report: \(run.tail)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(run.status == 0, "\(report["failures"] ?? run.tail)")
        #expect((report["rows"] as? [Any])?.count == 10)
        #expect(report["starwhisper_tools"] as? [String] == ["calculate_observability"])
        let seconds = try #require(report["max_time_delta_s"] as? Double)
        let degrees = try #require(report["max_altitude_delta_deg"] as? Double)
        #expect(seconds <= 60 && degrees <= 0.1, "rise/transit/set within \(seconds) s, altitude within \(degrees)°")
        for row in report["rows"] as? [[String: Any]] ?? [] {
            #expect((row["starling_moon_separation_error_deg"] as? Double ?? 1) <= 0.01, "\(row)")
        }
    }
}

enum StarwhisperComparison {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("MCP/starwhisper_compare.py").path

    /// Why the comparison cannot run here (what to install), or `nil`; the script's own check.
    static let missing: String? = {
        guard let python = BrowserTools.python else { return "python3 is not installed; run scripts/install-deps --test" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--signal=KILL", "120", python, script, "--missing"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "python3 could not be started: \(error)" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let reason = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else { return "the starwhisper comparison could not start (python3 exited \(process.terminationStatus))" }
        return reason.isEmpty ? nil : "the starwhisper comparison needs what is " + reason
    }()
}
