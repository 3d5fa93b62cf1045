import Foundation
import StarlingCore
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

    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try Data(contentsOf: url)
    }
}
