public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A program a test starts, which ends with its test whatever happens to the test.
///
/// Three things end it, whichever comes first:
/// - the test: ``stop()`` (call it in a `defer`), or the value going away;
/// - a **ceiling**: a watchdog kills it (SIGKILL) once `ceiling` has passed since it started,
///   so a test that hangs or is cancelled by its time limit leaves nothing running;
/// - a **sentinel**: a small shell loop beside it kills it if the test runner process itself
///   dies (a crash runs no `defer`), and ends by itself when the program ends.
///
/// Servers that fork helpers of their own (indiserver) need their whole process group killed:
/// `ObservatoryTests`' `ServerProcess` does that, with the same ceiling.
public final class ChildProcess: Sendable {
    /// The program's process id.
    public let pid: Int32
    /// The ceiling after which the watchdog kills it.
    public let ceiling: Duration
    private let exitStatus = ExitStatus()
    /// Kept so that Foundation goes on watching the program (a `Mutex` makes it `Sendable`).
    private let process: Mutex<Process>
    private let exited = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(1))

    /// Starts `executable arguments…`.
    ///
    /// - Parameters:
    ///   - ceiling: how long it may run at most; generous, because a busy machine is slow.
    ///   - output, error: where its standard output and error go (the null device by default).
    public init(
        _ executable: String, arguments: [String], ceiling: Duration = .seconds(1800), environment: [String: String]? = nil,
        directory: String? = nil, output: Any? = nil, error: Any? = nil, input: Any? = nil
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = error ?? FileHandle.nullDevice
        process.standardInput = input ?? FileHandle.nullDevice
        let status = exitStatus
        let continuation = exited.continuation
        process.terminationHandler = { finished in
            status.value.withLock { $0 = finished.terminationStatus }
            continuation.yield(finished.terminationStatus)
            continuation.finish()
        }
        try process.run()
        self.pid = process.processIdentifier
        self.process = Mutex(process)
        self.ceiling = ceiling
        startWatchdog()
        startSentinel()
    }

    /// Whether the program has exited.
    public var hasExited: Bool { exitStatus.value.withLock { $0 != nil } }

    /// Sends a signal to the program: SIGINT to ask it to stop, SIGKILL to crash it.
    public func signal(_ number: Int32) {
        guard !hasExited else { return }
        kill(pid, number)
    }

    /// Kills the program (SIGKILL) and waits until it has exited (at most a minute). Idempotent.
    public func stop() {
        if !hasExited { kill(pid, SIGKILL) }
        for _ in 0..<6000 where !hasExited { usleep(10_000) }
    }

    /// Waits for the program to exit and returns its status, without blocking a thread.
    public func exitCode() async -> Int32 {
        if let status = exitStatus.value.withLock({ $0 }) { return status }
        for await status in exited.stream { return status }
        return exitStatus.value.withLock { $0 } ?? -1
    }

    deinit {
        if !hasExited { kill(pid, SIGKILL) }
    }

    /// Kills the program when the ceiling passes, unless it has exited.
    private func startWatchdog() {
        let pid = pid
        let status = exitStatus
        let seconds = Double(ceiling.components.seconds) + Double(ceiling.components.attoseconds) * 1e-18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            // The Process reaps the child only after its handler ran, so the pid is still ours.
            if status.value.withLock({ $0 == nil }) { kill(pid, SIGKILL) }
        }
    }

    /// A shell loop that kills the program if this test runner dies first. It checks the
    /// program's start time, so it never kills a process that reused the pid.
    private func startSentinel() {
        let runner = getpid()
        let script = """
            start=$(cut -d' ' -f22 /proc/\(pid)/stat 2>/dev/null) || exit 0
            while [ "$(cut -d' ' -f22 /proc/\(pid)/stat 2>/dev/null)" = "$start" ]; do
              if ! kill -0 \(runner) 2>/dev/null; then kill -9 \(pid) 2>/dev/null; exit 0; fi
              sleep 1
            done
            """
        let sentinel = Process()
        sentinel.executableURL = URL(fileURLWithPath: "/bin/sh")
        sentinel.arguments = ["-c", script]
        sentinel.standardOutput = FileHandle.nullDevice
        sentinel.standardError = FileHandle.nullDevice
        sentinel.standardInput = FileHandle.nullDevice
        try? sentinel.run()  // without a sentinel the ceiling still ends the program
    }

    /// Runs a program to completion and returns its status and standard output (and error),
    /// killing it at the ceiling. Waits on a thread of its own, so no test's thread is blocked.
    public static func run(
        _ executable: String, arguments: [String], ceiling: Duration = .seconds(600), environment: [String: String]? = nil,
        directory: String? = nil
    ) async throws -> (status: Int32, output: Data, error: Data) {
        let output = Pipe(), error = Pipe()
        let child = try ChildProcess(
            executable, arguments: arguments, ceiling: ceiling, environment: environment, directory: directory, output: output, error: error)
        // Read both pipes to their end on threads of their own (a full pipe would block the program).
        async let out = Self.readToEnd(output.fileHandleForReading)
        async let err = Self.readToEnd(error.fileHandleForReading)
        let (outData, errData) = await (out, err)
        let status = await child.exitCode()
        return (status, outData, errData)
    }

    /// Runs a program whose output does not matter to completion, blocking the calling thread
    /// (for `.enabled(if:)` conditions, which cannot await); `nil` if it could not start or
    /// ran past the ceiling (it is killed then).
    public static func status(of executable: String, arguments: [String], ceiling: Duration = .seconds(120)) -> Int32? {
        guard let child = try? ChildProcess(executable, arguments: arguments, ceiling: ceiling) else { return nil }
        let deadline = ContinuousClock.now + ceiling
        while !child.hasExited, ContinuousClock.now < deadline { usleep(10_000) }
        guard child.hasExited else {
            child.stop()
            return nil
        }
        return child.exitStatus.value.withLock { $0 }
    }

    private static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }
}

/// The exit status, shared between the child's termination handler and its watchdog.
private final class ExitStatus: Sendable {
    let value = Mutex<Int32?>(nil)
}
