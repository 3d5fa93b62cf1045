import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// Where the tests find the shared real-world data, and scratch folders.
enum TestPaths {
    /// The package root (three levels up from this file).
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `../shared/data` beside the package, where real-world inputs live (absent on a fresh clone).
    static let sharedData: String = URL(fileURLWithPath: packageRoot).deletingLastPathComponent()
        .appendingPathComponent("shared/data").path

    /// The shared FITS files.
    static let sharedFITS = sharedData + "/fits"

    static var hasSharedFITS: Bool { FileManager.default.fileExists(atPath: sharedFITS + "/nomtam_m13.fits") }

    /// A file of the small fixtures shipped with the tests.
    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return url.path
    }
}

/// A temporary folder removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "starling-imaging-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Matches detected sources to true stars: for each star, the nearest source within `radius`.
func match(stars: [SyntheticStarField.Star], sources: [Source], radius: Double) -> [(star: SyntheticStarField.Star, source: Source?)] {
    let cell = radius
    var grid: [Int: [Int]] = [:]
    func key(_ x: Double, _ y: Double) -> Int { Int(y / cell) * 100_000 + Int(x / cell) }
    for (index, source) in sources.enumerated() { grid[key(source.x, source.y), default: []].append(index) }
    return stars.map { star in
        var best: Source?
        var bestDistance = radius * radius
        let cx = Int(star.x / cell), cy = Int(star.y / cell)
        for gy in (cy - 1)...(cy + 1) {
            for gx in (cx - 1)...(cx + 1) {
                for index in grid[gy * 100_000 + gx] ?? [] {
                    let dx = sources[index].x - star.x, dy = sources[index].y - star.y
                    let distance = dx * dx + dy * dy
                    if distance <= bestDistance {
                        bestDistance = distance
                        best = sources[index]
                    }
                }
            }
        }
        return (star, best)
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
