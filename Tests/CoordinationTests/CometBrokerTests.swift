import Foundation
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif
import Logging
import Persistence
import StarlingCore
import StarlingTestSupport
import Testing

@testable import Coordination

/// Finds a program on the PATH.
func executable(named name: String) -> String? {
    for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let path = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// A Comet VOEvent broker (PyPI `comet`, run by `twistd`) on loopback ports, started and
/// stopped by the test that owns it.
final class CometBroker: @unchecked Sendable {
    // @unchecked Sendable: `process` is replaced only by start()/stop(), which the owning test
    // calls from one task.
    static let twistd = executable(named: "twistd")
    static let sendvo = executable(named: "comet-sendvo")
    static let python = executable(named: "python3")
    static var isInstalled: Bool {
        guard let twistd else { return false }
        return ChildProcess.status(of: twistd, arguments: ["comet", "--help"]) == 0 && sendvo != nil && python != nil
    }

    let folder: TemporaryDirectory
    let broadcastPort: Int
    let receivePort: Int
    private var process: ChildProcess?
    private(set) var runs = 0

    init() throws {
        folder = try TemporaryDirectory()
        broadcastPort = try ScriptedBroker().port
        receivePort = try ScriptedBroker().port
    }

    var logPath: String { folder.path + "/comet-\(runs).log" }

    /// Starts the broker and waits until its receiver accepts connections.
    func start() async throws {
        runs += 1
        // The test runner's threads block SIGTERM and a child inherits the mask (execve(2)),
        // so twistd would never hear it: start it through Python with the mask cleared.
        let process = try ChildProcess(
            try #require(Self.python),
            arguments: [
                "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                try #require(Self.twistd), "-n", "--pidfile", folder.path + "/twistd.pid", "--logfile", logPath, "comet",
                "--broadcast", "--broadcast-port=\(broadcastPort)", "--broadcast-test-interval=0",
                "--receive", "--receive-port=\(receivePort)", "--local-ivo=ivo://starling.test/comet",
                "--eventdb=\(folder.path)", "-v", "-v",
            ],
            directory: folder.path)
        self.process = process
        try await waitUntilListening("Comet's receiver") {
            (try? TCPConnection.connect(host: "127.0.0.1", port: receivePort, timeout: .seconds(1), readTimeout: .seconds(1))) != nil
        }
    }

    /// Stops the broker (SIGTERM) and waits for it to exit.
    func stop() async {
        guard let process else { return }
        self.process = nil
        process.signal(SIGTERM)
        _ = await process.exitCode()
    }

    /// Last resort when a test fails before stopping the broker: the child ends with it.
    deinit { process?.stop() }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Publishes a VOEvent through Comet's receiver with `comet-sendvo`; true when Comet accepted it.
    func publish(_ packet: Data, named name: String) async throws -> Bool {
        let file = folder.path + "/" + name
        try packet.write(to: URL(fileURLWithPath: file))
        let sent = try await ChildProcess.run(try #require(Self.sendvo), arguments: ["--host=127.0.0.1", "--port=\(receivePort)", "-f", file])
        return sent.status == 0
    }

    /// Waits until Comet's log has `count` lines containing `text`.
    /// Waits until Comet's log has a line containing one of `texts`; returns the first found.
    func waitForLog(anyOf texts: [String]) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            let lines = log().components(separatedBy: "\n")
            for line in lines { if let text = texts.first(where: { line.contains($0) }) { return text } }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func waitForLog(_ text: String, count: Int = 1) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            if log().components(separatedBy: "\n").filter({ $0.contains(text) }).count >= count { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Polls until a server accepts connections (at most ten minutes: a busy machine is slow).
    private func waitUntilListening(_ what: String, _ isListening: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(600)
        while !isListening() {
            guard ContinuousClock.now < deadline else {
                Issue.record("\(what) did not start listening; its log: \(log())")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// The subscriber against a real VOEvent broker: Comet receives notices from `comet-sendvo`
/// and broadcasts them to Starling, which stores and acknowledges them, and reconnects when
/// the broker restarts. `scripts/install-deps --test` installs Comet.
@Suite(.serialized, .enabled(if: CometBroker.isInstalled, "Comet is not installed (pip install comet, or scripts/install-deps --test): the VTP test against a real broker is skipped"))
struct CometBrokerTests {
    @Test(.timeLimit(.minutes(20)))
    func noticesArriveAreStoredAcknowledgedAndSurviveABrokerRestart() async throws {
        let broker = try CometBroker()
        try await broker.start()

        let harness = try IntakeHarness()
        try await harness.intake.start()
        let subscriber = VTPSubscriber(
            configuration: .init(host: "127.0.0.1", port: broker.broadcastPort, localIVORN: "ivo://starling.test/subscriber", initialBackoff: .milliseconds(200), maximumBackoff: .seconds(1)),
            clock: WallClock(), logger: Logger(label: "test.comet"))
        let task = Task { await subscriber.run(into: harness.intake) }
        defer { task.cancel() }
        var events = subscriber.events.makeAsyncIterator()
        func waitFor(_ wanted: VTPSubscriber.Event) async -> Bool {
            while let event = await events.next() { if event == wanted { return true } }
            return false
        }

        #expect(await waitFor(.answeredAuthenticate))
        let packet = try TestPaths.fixture("swift-bat-minimal.xml")
        #expect(try await broker.publish(packet, named: "first.xml"))
        let first = await harness.next(1)
        #expect(first.map(\.alert.id) == ["ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-001"])
        #expect(first.first?.transport == "vtp://127.0.0.1:\(broker.broadcastPort)")
        #expect(try await harness.store.alert("ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-001")?.status == .received)
        // Comet drops a subscriber that misses its 60 s liveness check; a test process stalled by
        // the rest of the suite on a busy machine can miss it before the ack goes out. Then the
        // subscriber reconnects by itself, and the next notice's ack is the one checked.
        let answer = try await broker.waitForLog(anyOf: ["Ack received", "Peer appears to be dead"])
        if answer == "Peer appears to be dead" {
            #expect(await waitFor(.answeredAuthenticate))
            let again = Data(String(decoding: packet, as: UTF8.self).replacingOccurrences(of: "999999-001", with: "999999-003").utf8)
            #expect(try await broker.publish(again, named: "again.xml"))
            #expect(await harness.next(1).map(\.alert.id) == ["ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-003"])
        }
        #expect(try await broker.waitForLog("Ack received"), "Comet saw no ack; its log: \(broker.log())")

        // The broker restarts; the subscriber reconnects by itself.
        await broker.stop()
        try await broker.start()
        #expect(await waitFor(.answeredAuthenticate))
        let second = Data(String(decoding: packet, as: UTF8.self).replacingOccurrences(of: "999999-001", with: "999999-002").utf8)
        #expect(try await broker.publish(second, named: "second.xml"))
        let next = await harness.next(1)
        #expect(next.map(\.alert.id) == ["ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-002"])
        #expect(try await broker.waitForLog("Ack received"), "Comet saw no ack after the restart; its log: \(broker.log())")
        task.cancel()
        await task.value
        await broker.stop()
    }
}
