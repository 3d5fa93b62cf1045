import Foundation

/// Folders the tests write into.
enum TestOutput {
    /// The package root (three levels up from this file).
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A folder kept after the run for people to look at (reports, screenshots), under the
    /// build directory so it is never committed: `.build/test-output/reporting/<name>`,
    /// emptied first.
    static func keptFolder(_ name: String) throws -> String {
        let path = packageRoot + "/.build/test-output/reporting/" + name
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A temporary folder removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "starling-reporting-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
