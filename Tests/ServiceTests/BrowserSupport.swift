import Foundation
import Testing

/// The headless browser the browser tests drive: Debian's `chromium` and `chromium-driver`
/// and Selenium from PyPI (`scripts/install-deps --test`), through the Python scripts in
/// `Tests/ServiceTests/Browser/` (`browser.py` is the harness; `screenshot.py` photographs any
/// page, e.g. a night report, at laptop and phone size).
enum BrowserTools {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Browser").path
    /// The `python3` first on `PATH`, the one `scripts/install-deps` installs Selenium for
    /// (`command -v python3`), else the system's.
    static let python =
        ProcessInfo.processInfo.environment["PATH"].flatMap { path in
            path.split(separator: ":").map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        } ?? ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why a browser test cannot run here (a sentence naming what to install), or `nil`.
    static let missing: String? = {
        guard let python else { return "python3 is not installed; run scripts/install-deps --test" }
        // browser.py's own check, so the two never disagree on what is needed.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = [
            "--signal=KILL", "60", python, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import browser; print(browser.missing_tools() or '')",
            scripts,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "python3 could not be started: \(error)" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let reason = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else { return "the browser harness could not check its tools (python3 exited \(process.terminationStatus))" }
        return reason.isEmpty ? nil : "the browser test needs what is " + reason
    }()

    /// Where a test keeps its screenshots: `.build/test-artifacts/<name>/` in the package
    /// (git-ignored with `.build`), emptied first so every file in it is from this run.
    static func artifacts(_ name: String) throws -> String {
        let path = ServeTestPaths.packageRoot + "/.build/test-artifacts/" + name
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// What a browser script printed, and how it ended.
    typealias Run = ScriptRun

    /// Runs a script of `Browser/` (or any script, by its absolute path) to its end under a watchdog (``ScriptRun/run(_:_:ceiling:)``:
    /// `timeout` kills the whole process group, the script, chromedriver and Chromium, at the
    /// ceiling; a cancelled or failed test kills the group at once).
    static func run(_ script: String, _ arguments: [String], ceiling: Duration) async throws -> Run {
        guard let python else { throw ServeTestError("python3 is not installed") }
        return try await ScriptRun.run(python, ["-u", script.hasPrefix("/") ? script : scripts + "/" + script] + arguments, ceiling: ceiling)
    }
}
