import Foundation

/// Timing of a piece of work: the best and median of several runs, in seconds.
public struct Timing: Sendable {
    public let best: Double
    public let median: Double
    public let runs: Int

    /// Runs `body` `repeats` times (after one warm-up run) and records wall time.
    public static func measure(repeats: Int = 5, warmUp: Bool = true, _ body: () throws -> Void) rethrows -> Timing {
        if warmUp { try body() }
        var samples: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<max(1, repeats) {
            let elapsed = try clock.measure { try body() }
            samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        samples.sort()
        return Timing(best: samples[0], median: samples[samples.count / 2], runs: samples.count)
    }

    /// Async variant of ``measure(repeats:warmUp:_:)``.
    public static func measure(repeats: Int = 5, warmUp: Bool = true, _ body: () async throws -> Void) async rethrows -> Timing {
        if warmUp { try await body() }
        var samples: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<max(1, repeats) {
            let start = clock.now
            try await body()
            let elapsed = clock.now - start
            samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        samples.sort()
        return Timing(best: samples[0], median: samples[samples.count / 2], runs: samples.count)
    }
}

/// Runs a peer tool (a Python script in `Benchmarks/peers/`, or any command) and returns
/// what it printed on standard output as JSON.
public enum Peer {
    public enum Failure: Error, CustomStringConvertible {
        case notFound(String)
        case failed(command: String, status: Int32, stderr: String)
        case badOutput(command: String, output: String)

        public var description: String {
            switch self {
            case .notFound(let what): "peer tool not available: \(what)"
            case .failed(let command, let status, let stderr): "\(command) exited with \(status): \(stderr.suffix(2000))"
            case .badOutput(let command, let output): "\(command) did not print JSON: \(output.prefix(500))"
            }
        }
    }

    /// The folder holding the peer scripts.
    public static var peersDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("peers").path
    }

    /// Runs `python3 peers/<script> <arguments>` and decodes its JSON output.
    public static func python(_ script: String, _ arguments: [String]) throws -> [String: Any] {
        try run("/usr/bin/env", ["python3", peersDirectory + "/" + script] + arguments)
    }

    /// Runs a command and decodes its standard output as a JSON object.
    public static func run(_ executable: String, _ arguments: [String]) throws -> [String: Any] {
        let text = try output(executable, arguments)
        guard let data = text.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw Failure.badOutput(command: ([executable] + arguments).joined(separator: " "), output: text) }
        return object
    }

    /// Runs a command (in `directory`, else this process's folder) and returns its standard output.
    public static func output(_ executable: String, _ arguments: [String], directory: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { throw Failure.notFound(executable) }
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        let errData = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure.failed(
                command: ([executable] + arguments).joined(separator: " "), status: process.terminationStatus,
                stderr: String(decoding: errData, as: UTF8.self))
        }
        return String(decoding: outData, as: UTF8.self)
    }
}

/// A table of benchmark results, printed at the end of a benchmark run.
public struct BenchmarkReport {
    public struct Row {
        public let name: String
        public let starlingSeconds: Double
        public let peerName: String
        public let peerSeconds: Double?
        /// The ratio the issue asks for (peer / Starling), if any.
        public let targetRatio: Double?
        public let note: String
    }

    public let title: String
    public private(set) var rows: [Row] = []
    public private(set) var notes: [String] = []

    public init(title: String) { self.title = title }

    public mutating func add(
        _ name: String, starling: Double, peer peerName: String, peerSeconds: Double?, target: Double? = nil, note: String = ""
    ) {
        rows.append(Row(name: name, starlingSeconds: starling, peerName: peerName, peerSeconds: peerSeconds, targetRatio: target, note: note))
    }

    public mutating func note(_ line: String) { notes.append(line) }

    /// Prints the table: each row with both times, the speed-up, and whether the target is met.
    public func print() {
        Swift.print("\n== \(title) ==")
        for row in rows {
            var line = "\(row.name): Starling \(Self.format(row.starlingSeconds))"
            if let peer = row.peerSeconds {
                let ratio = peer / row.starlingSeconds
                line += ", \(row.peerName) \(Self.format(peer)), ratio \(String(format: "%.1f", ratio))x"
                if let target = row.targetRatio { line += ratio >= target ? " (target ≥ \(Int(target))x: met)" : " (target ≥ \(Int(target))x: NOT met)" }
            } else {
                line += ", \(row.peerName): not run"
            }
            if !row.note.isEmpty { line += " — \(row.note)" }
            Swift.print(line)
        }
        for note in notes { Swift.print("  \(note)") }
    }

    /// Seconds in a readable unit.
    public static func format(_ seconds: Double) -> String {
        if seconds >= 1 { return String(format: "%.2f s", seconds) }
        if seconds >= 1e-3 { return String(format: "%.2f ms", seconds * 1e3) }
        if seconds >= 1e-6 { return String(format: "%.2f µs", seconds * 1e6) }
        return String(format: "%.1f ns", seconds * 1e9)
    }
}
