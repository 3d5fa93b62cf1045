import Foundation
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

    /// Runs a command line and waits for it on a thread of its own, so that waiting never
    /// blocks one of the few threads every async test shares.
    static func run(_ arguments: [String], in directory: String = packageRoot, environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try runBlocking(arguments, in: directory, environment: environment) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], in directory: String, environment: [String: String]) throws -> Result {
        let process = Process()
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self), errors: String(decoding: errData, as: UTF8.self))
    }

    static func json(_ arguments: [String]) async throws -> Any {
        let result = try await run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.errors)")
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8))
    }
}
