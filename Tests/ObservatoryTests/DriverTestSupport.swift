import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where the tests find the shared real-world data.
enum DriverTestPaths {
    /// The package root (three levels up from this file).
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `../shared/data` beside the package (absent on a fresh clone).
    static let sharedData: String = URL(fileURLWithPath: packageRoot).deletingLastPathComponent()
        .appendingPathComponent("shared/data").path

    static let indiRecording = sharedData + "/device_protocols/indi"
    static let alpacaCaptures = sharedData + "/device_protocols/ascom_alpaca/captured"

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// The full path of an executable on PATH (or in /usr/bin, /usr/local/bin), if installed.
    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/usr/sbin"]
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A TCP port on loopback that nothing listens on now (the kernel's pick, released at once).
func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something accepts TCP connections on a loopback port.
func isListening(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return result == 0
}

/// A server process the test starts in its own process group, and kills with the whole group
/// (SIGKILL: the test runner's threads block SIGTERM, and children inherit the mask).
///
/// It ends with its test whatever happens: `stop()` in the test's `defer`; a ceiling after
/// which a watchdog kills the group (a hung or cancelled test); and the launcher's own
/// watchdog, which kills the group if the test runner dies.
///
/// `@unchecked Sendable`: `process` is set once in `start`, and `stop` only signals.
final class ServerProcess: @unchecked Sendable {
    /// How long a server may live at most.
    static let ceiling: Duration = .seconds(1800)

    let name: String
    let port: Int
    let logPath: String
    let home: String
    private var process: Process?

    /// Starts `executable arguments…` in a new session (its own process group) with HOME in a
    /// temporary folder, and waits until it listens on `port`.
    init(name: String, executable: String, arguments: [String], port: Int, startupTimeout: Duration = .seconds(300)) async throws {
        self.name = name
        self.port = port
        home = NSTemporaryDirectory() + "starling-\(name)-\(port)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        logPath = home + "/server.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let python = try #require(DriverTestPaths.executable(named: "python3"), "python3 starts the server in its own session")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        // See `launcher`.
        process.arguments = [
            "-c", Self.launcher,
            executable,
        ] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: home)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let group = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + Double(Self.ceiling.components.seconds)) { [weak self] in
            // Still ours while `self` holds it: stop() and deinit clear it once killed.
            if let self, self.pid == group { kill(-group, SIGKILL) }
        }
        let deadline = ContinuousClock.now + startupTimeout
        while ContinuousClock.now < deadline {
            if isListening(port: port) { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let output = self.log()
        stop()
        throw ServerStartError(message: "\(name) did not listen on port \(port); its log:\n\(output)")
    }

    /// Starts the server (argv[1…]) in a process group of its own, to be killed whole
    /// (indiserver forks one process per driver; Foundation's Process may have made the group
    /// already: setpgid(2) only if not), without the signal mask the test runner's thread
    /// would hand down, and with a watchdog in the group that kills the group if the test
    /// process dies without stopping it (a crash runs no `defer`).
    static let launcher = """
        import os, signal, sys, time
        if os.getpgid(0) != os.getpid(): os.setpgid(0, 0)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        owner = os.getppid()
        if os.fork() == 0:
            while True:
                time.sleep(1)
                try:
                    os.kill(owner, 0)
                except ProcessLookupError:
                    os.killpg(0, signal.SIGKILL)
        os.execvp(sys.argv[1], sys.argv[1:])
        """

    /// The server's process id (also its process group id).
    var pid: Int32 { process?.processIdentifier ?? 0 }

    /// Kills the server and every process in its group, waits for it to exit, and removes its
    /// temporary HOME (and log). Idempotent.
    func stop() {
        guard let process else { return }
        let group = process.processIdentifier
        if group > 0 { kill(-group, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
        try? FileManager.default.removeItem(atPath: home)
    }

    /// The server's log so far.
    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The pids of the server's children whose program (argv[0]) contains `text` (the
    /// launcher's watchdog, also a child, has the server's arguments but not its program).
    func children(matching text: String) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == self.pid else { return false }
            let command = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            let program = String(decoding: command.prefix { $0 != 0 }, as: UTF8.self)
            return program.contains(text)
        }
    }

    deinit { stop() }
}

struct ServerStartError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
