import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The lines a child process writes to one of its pipes, collected on a thread of their own.
public final class Lines: Sendable {
    private let lines = Mutex<[String]>([])

    public init(_ handle: FileHandle) {
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

    public var all: [String] { lines.withLock { $0 } }

    /// The first line satisfying `match`, waiting for it at most `timeout`.
    public func first(within timeout: Duration, _ match: (String) -> Bool) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = lines.withLock({ $0.first(where: match) }) { return line }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}

public struct BenchmarkFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// `starling serve` (the release build) in a child process.
public final class ServeChild: Sendable {
    public let process: Process
    public let output: Lines
    public let errors: Lines

    public init(executable: String, arguments: [String], directory: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        output = Lines(out.fileHandleForReading)
        errors = Lines(err.fileHandleForReading)
    }

    /// The port it listens on, from the line it prints once listening.
    public func port(within timeout: Duration) async throws -> Int {
        guard let line = await output.first(within: timeout, { $0.contains("serving at http://") }) else {
            throw BenchmarkFailure("starling serve printed no 'serving at' line within \(timeout); its log ends: \(errors.all.suffix(5).joined(separator: " | "))")
        }
        guard let range = line.range(of: "http://"), let colon = line[range.upperBound...].lastIndex(of: ":"),
            let port = Int(line[line.index(after: colon)...].prefix(while: \.isNumber))
        else { throw BenchmarkFailure("unexpected line: \(line)") }
        return port
    }

    /// Sends SIGTERM and waits for the process to exit; returns its status.
    public func terminate(within timeout: Duration) async -> Int32? {
        process.terminate()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return process.terminationStatus
    }

    /// The child's CPU time so far (user + system, every thread), in seconds.
    public var cpuSeconds: Double? { processCPUSeconds(process.processIdentifier) }
}

/// A GET with a bearer token, returning the status and body (URLSession).
public func get(_ url: String, token: String) async throws -> (status: Int, body: Data) {
    guard let address = URL(string: url) else { throw BenchmarkFailure("not a URL: \(url)") }
    var request = URLRequest(url: address)
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    request.timeoutInterval = 30
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

/// The fields of /proc/PID/stat after the command name (proc(5): state is the first of them).
public func statFields(_ pid: Int32) -> [Substring]? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ")
}

/// A process's CPU time so far (user + system), in seconds.
public func processCPUSeconds(_ pid: Int32) -> Double? {
    // utime and stime are fields 14 and 15 of the line, 12th and 13th after the name.
    guard let fields = statFields(pid), fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
