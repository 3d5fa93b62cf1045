import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Paths and the `starling` binary the service tests run.
enum ServeTestPaths {
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// The built executable next to the test runner, which `swift build --build-tests` builds.
    static let executable: String = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        if directory.pathExtension == "xctest" { directory = directory.deletingLastPathComponent() }
        let beside = directory.appendingPathComponent("starling").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : packageRoot + "/.build/debug/starling"
    }()

    static func temporaryDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "starling-serve-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `starling` to completion and returns its standard output.
    static func starling(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ServeTestError("starling \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Makes a token with a role in a store; returns its secret (the last line printed).
    static func token(role: String, store: String) throws -> String {
        let output = try starling(["token", "create", "--role", role, "--name", "\(role)-test", "--store", "sqlite:" + store])
        guard let secret = output.split(separator: "\n").last.map(String.init), secret.hasPrefix("stl_") else {
            throw ServeTestError("token create printed no token: \(output)")
        }
        return secret
    }
}

struct ServeTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Lines a child process writes, collected by a thread of their own, and a way to wait for one.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    lines.withLock { $0.append(line) }
                }
            }
        }
    }

    var all: [String] { lines.withLock { $0 } }

    /// Waits (polling every 50 ms) until a line satisfies `match`, at most `timeout`.
    ///
    /// The lines are looked at once more after the deadline: a poll starved of its thread
    /// (both cores busy with other tests) can wake after the deadline with the line long there.
    func wait(timeout: Duration, for description: String, _ match: @escaping @Sendable (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = lines.withLock({ $0.first(where: match) }) { return line }
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServeTestError("no \(description) within \(timeout); last lines: \(all.suffix(8).joined(separator: " | "))")
    }
}

/// `starling serve` in a child process, with a watchdog: `timeout` ends it after a ceiling
/// even if the test runner dies, and ``kill()`` (which tests `defer`) ends it with its test.
final class ServeProcess: Sendable {
    let process: Process
    let output: LineCollector
    let errors: LineCollector
    private let address = Mutex<String?>(nil)

    init(_ arguments: [String], ceilingSeconds: Int = 900) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--signal=KILL", "\(ceilingSeconds)", ServeTestPaths.executable, "serve"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: ServeTestPaths.packageRoot)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        output = LineCollector(out.fileHandleForReading)
        errors = LineCollector(err.fileHandleForReading)
    }

    /// The base URL, once the server listens.
    func baseURL(timeout: Duration = .seconds(180)) async throws -> String {
        if let known = address.withLock({ $0 }) { return known }
        let line = try await output.wait(timeout: timeout, for: "'serving at' line") { $0.contains("serving at http://") }
        guard let range = line.range(of: "http://"), let end = line[range.lowerBound...].firstIndex(of: " ") else { throw ServeTestError("unexpected line: \(line)") }
        let url = String(line[range.lowerBound..<end]).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        address.withLock { $0 = url }
        return url
    }

    /// The pid of `starling serve` itself (the child of `timeout`).
    var servePID: Int32? {
        guard let children = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children", encoding: .utf8) else { return nil }
        return children.split(separator: " ").first.flatMap { Int32($0) }
    }

    /// Sends a signal to `starling serve`.
    func signal(_ number: Int32) {
        if let pid = servePID { Foundation.kill(pid, number) }
    }

    /// Waits for the process to exit; returns its status (`timeout` passes the child's on).
    func waitForExit(timeout: Duration = .seconds(180)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw ServeTestError("starling serve did not exit within \(timeout)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        return process.terminationStatus
    }

    /// Ends the process and its child at once (the test's watchdog).
    func kill() {
        signal(SIGKILL)
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

/// A small HTTP client for the tests (URLSession).
struct APIClient {
    let base: String
    let token: String?
    var timeoutSeconds: TimeInterval = 60

    struct Reply {
        let status: Int
        let body: Data
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { (json as? [String: Any]) ?? [:] }
        var array: [[String: Any]] { (json as? [[String: Any]]) ?? [] }
    }

    func request(_ method: String, _ path: String, body: Data? = nil, contentType: String = "application/json") async throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = timeoutSeconds
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    func get(_ path: String) async throws -> Reply { try await request("GET", path) }

    func post(_ path: String, json: [String: Any]) async throws -> Reply {
        try await request("POST", path, body: try JSONSerialization.data(withJSONObject: json))
    }
}

/// Follows `/api/events` with curl (a client no one here wrote) and collects the events.
final class EventFollower: Sendable {
    let process: Process
    let lines: LineCollector

    init(base: String, token: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        // From the first event the server kept (`Last-Event-ID: 0`): the network starts as the
        // process listens, so on a busy machine a plan can be made or restored before curl has
        // connected, and a follower starting from "now" would wait for it in vain.
        process.arguments = [
            "--signal=KILL", "900", "curl", "-sSN", "-H", "Authorization: Bearer \(token)", "-H", "Last-Event-ID: 0", base + "/api/events",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        lines = LineCollector(out.fileHandleForReading)
    }

    /// The `data:` JSON of every event of a type received so far.
    func events(_ type: String) -> [[String: Any]] {
        var result: [[String: Any]] = []
        var current: String?
        for line in lines.all {
            if line.hasPrefix("event: ") { current = String(line.dropFirst(7)) }
            if line.hasPrefix("data: "), current == type,
                let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
            {
                result.append(object)
            }
        }
        return result
    }

    /// Waits until an event of a type whose `data` satisfies `match` arrives.
    func wait(for type: String, timeout: Duration, _ match: @escaping @Sendable ([String: Any]) -> Bool = { _ in true }) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let event = events(type).first(where: { match(($0["data"] as? [String: Any]) ?? [:]) }) { return event }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServeTestError("no \(type) event within \(timeout); \(lines.all.count) lines so far")
    }

    func stop() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

/// A script (a client no one here wrote, driven from Python) run to its end in a child process,
/// and what it printed.
struct ScriptRun {
    let status: Int32
    let lines: [String]
    let errors: [String]

    /// The JSON object on the script's last line of output that holds one.
    var result: [String: Any] {
        guard let last = lines.last(where: { $0.hasPrefix("{") }),
            let object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        else { return [:] }
        return object
    }

    /// The end of the output, for a failure message.
    var tail: String { (lines.suffix(8) + errors.suffix(15)).joined(separator: "\n") }

    /// Runs `executable arguments` from the package root to its end under a watchdog.
    ///
    /// The script runs under `timeout`, which puts it in a process group of its own and kills
    /// the whole group at the ceiling; a cancelled test kills the group at once.
    static func run(_ executable: String, _ arguments: [String], ceiling: Duration) async throws -> ScriptRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--signal=KILL", "\(ceiling.components.seconds)", executable] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: ServeTestPaths.packageRoot)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let group = process.processIdentifier  // timeout leads its own process group
        let output = LineCollector(out.fileHandleForReading)
        let errors = LineCollector(err.fileHandleForReading)
        return try await withTaskCancellationHandler {
            while process.isRunning {
                try await Task.sleep(for: .milliseconds(200))
            }
            // Let the collectors take the last lines.
            try await Task.sleep(for: .milliseconds(200))
            return ScriptRun(status: process.terminationStatus, lines: output.all, errors: errors.all)
        } onCancel: {
            kill(-group, SIGKILL)
        }
    }
}
