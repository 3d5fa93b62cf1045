import Foundation

/// A small OpenAI-compatible chat-completions server for tests
/// (`Tests/PlanningTests/Fixtures/model_server.py`): the response shapes real servers use and
/// the ways answers go wrong, chosen by the first path component of the base URL.
///
/// Started once per test process. It exits when its standard input closes, which happens
/// when this process ends, however it ends.
/// It is a ``ChildProcess``: it also ends at its ceiling.
/// `@unchecked Sendable`: the process and pipe are set once in `init` and never touched again.
public final class ModelServer: @unchecked Sendable {
    public let port: Int
    private let process: ChildProcess
    /// Its standard input: the server exits when the test runner (which holds the write end) dies.
    private let lifeline = Pipe()

    public static var pythonAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3") || ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") } == true }

    private static let instance = Result { try ModelServer() }

    /// The server's script, beside the planning tests that first used it.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PlanningTests/Fixtures/model_server.py").path

    public static func shared() throws -> ModelServer { try instance.get() }

    private init() throws {
        let output = Pipe()
        let process = try ChildProcess(
            "/usr/bin/env", arguments: ["python3", Self.script], output: output, input: lifeline)
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.stop()
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
        self.process = process
    }
}
