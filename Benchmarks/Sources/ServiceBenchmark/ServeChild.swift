import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The lines a child process writes to one of its pipes, collected on a thread of their own.
final class Lines: Sendable {
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

    /// The first line satisfying `match`, waiting for it at most `timeout`.
    func first(within timeout: Duration, _ match: (String) -> Bool) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = lines.withLock({ $0.first(where: match) }) { return line }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `starling serve` (the release build) in a child process.
final class ServeChild: Sendable {
    let process: Process
    let output: Lines
    let errors: Lines

    init(executable: String, arguments: [String], directory: String) throws {
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
    func port(within timeout: Duration) async throws -> Int {
        guard let line = await output.first(within: timeout, { $0.contains("serving at http://") }) else {
            throw BenchmarkFailure("starling serve printed no 'serving at' line within \(timeout); its log ends: \(errors.all.suffix(5).joined(separator: " | "))")
        }
        guard let range = line.range(of: "http://"), let colon = line[range.upperBound...].lastIndex(of: ":"),
            let port = Int(line[line.index(after: colon)...].prefix(while: \.isNumber))
        else { throw BenchmarkFailure("unexpected line: \(line)") }
        return port
    }

    /// Sends SIGTERM and waits for the process to exit; returns its status.
    func terminate(within timeout: Duration) async -> Int32? {
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
    var cpuSeconds: Double? { processCPUSeconds(process.processIdentifier) }
}

/// A GET with a bearer token, returning the status and body (URLSession).
func get(_ url: String, token: String) async throws -> (status: Int, body: Data) {
    guard let address = URL(string: url) else { throw BenchmarkFailure("not a URL: \(url)") }
    var request = URLRequest(url: address)
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    request.timeoutInterval = 30
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}
