import Foundation
import Testing

/// Where the tests find the shared real-world data and their fixtures.
enum TestPaths {
    /// The package root (three levels up from this file).
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `../shared/data` beside the package (absent on a fresh clone).
    static let sharedData: String = URL(fileURLWithPath: packageRoot).deletingLastPathComponent()
        .appendingPathComponent("shared/data").path

    /// `../shared/data/alerts/SUBFOLDER`.
    static func alerts(_ subfolder: String) -> String { sharedData + "/alerts/" + subfolder }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Every file under a folder with one of the extensions, sorted, as paths relative to it.
    static func files(in folder: String, extensions: Set<String>, suffix: String = "") -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        return enumerator.compactMap { $0 as? String }
            .filter { extensions.contains(URL(fileURLWithPath: $0).pathExtension) && $0.hasSuffix(suffix) }
            .sorted()
    }

    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try Data(contentsOf: url)
    }
}

/// A temporary folder removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "starling-coordination-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
