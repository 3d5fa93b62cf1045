import Foundation
import StarlingTestSupport
import Testing

/// Runs the `starling` binary built beside the test bundle, from the repository root.
enum StarlingCLI {
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The built executable: next to the test runner (`.build/<triple>/debug/`), which
    /// `swift build --build-tests` builds along with the tests.
    static let executable: String = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        // The runner may be inside a `.xctest` bundle directory.
        if directory.pathExtension == "xctest" { directory = directory.deletingLastPathComponent() }
        let beside = directory.appendingPathComponent("starling").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : packageRoot + "/.build/debug/starling"
    }()

    struct Result {
        let status: Int32
        let output: String
        let errors: String
    }

    /// Runs a command line and waits for it without blocking a test's thread; the command is
    /// killed if it runs past `ceiling` (generous: a busy machine is slow, a hung one is not).
    static func run(
        _ arguments: [String], in directory: String = packageRoot, environment: [String: String] = [:], ceiling: Duration = .seconds(900)
    ) async throws -> Result {
        let merged = environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let (status, output, errors) = try await ChildProcess.run(
            executable, arguments: arguments, ceiling: ceiling, environment: merged, directory: directory)
        return Result(status: status, output: String(decoding: output, as: UTF8.self), errors: String(decoding: errors, as: UTF8.self))
    }

    /// Starts `starling` with arguments, as a child that ends with its test (``ChildProcess``).
    static func start(_ arguments: [String], errors: Pipe? = nil, ceiling: Duration = .seconds(1800)) throws -> ChildProcess {
        try ChildProcess(executable, arguments: arguments, ceiling: ceiling, error: errors)
    }

    static func json(_ arguments: [String]) async throws -> Any {
        let result = try await run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.errors)")
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8))
    }
}
