import Foundation
import Testing

@testable import StarlingCore

/// Where the tests find the repository and the shared real-world data.
enum TestPaths {
    /// The package root (three levels up from this file).
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let layout = ProjectLayout(root: packageRoot)

    /// `../shared/data` beside the package, where real-world inputs live (absent on a fresh clone).
    static let sharedData: String = URL(fileURLWithPath: packageRoot).deletingLastPathComponent()
        .appendingPathComponent("shared/data").path

    static var hasSharedData: Bool { FileManager.default.fileExists(atPath: sharedData + "/README.md") }

    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }
}

/// A temporary folder removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "starling-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

extension String {
    /// The text with the first line starting with `prefix` replaced by `replacement`.
    func replacingLine(startingWith prefix: String, with replacement: String) -> String {
        var lines = components(separatedBy: "\n")
        if let index = lines.firstIndex(where: { $0.hasPrefix(prefix) }) { lines[index] = replacement }
        return lines.joined(separator: "\n")
    }
}
