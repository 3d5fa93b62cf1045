import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// Truth tests: frames with known stars, generated with fixed seeds.
struct SourceDetectorTruthTests {
    static let gaussian = SyntheticStarField(
        width: 1024, height: 1024, starCount: 500, profile: .gaussian(fwhm: 3.5), minimumSeparation: 14, seed: 20_261_123)

    @Test func findsStarsAboveTenSigmaAndMeasuresThem() throws {
        let field = Self.gaussian
        let analysis = FrameAnalysis(image: field.render(), options: .init(detection: .init(gain: field.gain)))
        let matches = match(stars: field.stars, sources: analysis.sources, radius: 1.5)
        let bright = matches.filter { field.signalToNoise(of: $0.star) >= 10 }
        let found = bright.filter { $0.source != nil }
        let completeness = Double(found.count) / Double(bright.count)
        let precise = matches.filter { field.signalToNoise(of: $0.star) >= 100 }.compactMap { pair -> Double? in
            guard let source = pair.source else { return nil }
            return ((source.x - pair.star.x) * (source.x - pair.star.x) + (source.y - pair.star.y) * (source.y - pair.star.y)).squareRoot()
        }
        let matchedSources = Set(matches.compactMap { $0.source.map { "\($0.x),\($0.y)" } })
        let spurious = analysis.sources.filter { !matchedSources.contains("\($0.x),\($0.y)") }.count
        let fwhm = try #require(analysis.summary.medianFWHMPixels)
        print("truth gaussian: stars≥10σ \(bright.count) found \(found.count) (\(completeness)); median offset S/N≥100 \(median(precise)) px over \(precise.count); spurious \(spurious)/\(analysis.sources.count); FWHM \(fwhm) vs 3.5 (n=\(analysis.summary.fwhmSampleSize))")
        #expect(completeness >= 0.99)
        #expect(median(precise) <= 0.05)
        #expect(Double(spurious) <= 0.01 * Double(analysis.sources.count))
        #expect(abs(fwhm / 3.5 - 1) <= 0.03)
    }
}
