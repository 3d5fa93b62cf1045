import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// Truth tests: frames with known stars (fixed seeds), Poisson and read noise.
struct SourceDetectorTruthTests {
    struct Outcome {
        let completeness: Double
        let brightCount: Int
        let medianOffset: Double
        let spurious: Int
        let sources: Int
        let fwhm: Double?
    }

    /// Detects on a field and compares with its truth: completeness above 10σ, median
    /// position error for S/N ≥ 100, unmatched detections, and the summary's FWHM.
    static func evaluate(_ field: SyntheticStarField) -> Outcome {
        let analysis = FrameAnalysis(image: field.render(), options: .init(detection: .init(gain: field.gain)))
        let matches = match(stars: field.stars, sources: analysis.sources, radius: 1.5)
        let bright = matches.filter { field.signalToNoise(of: $0.star) >= 10 }
        let found = bright.filter { $0.source != nil }.count
        let offsets = matches.filter { field.signalToNoise(of: $0.star) >= 100 }.compactMap { pair -> Double? in
            guard let source = pair.source else { return nil }
            return hypot(source.x - pair.star.x, source.y - pair.star.y)
        }
        var matched = Set<Int>()
        for pair in matches { if let source = pair.source { matched.insert(analysis.sources.firstIndex(of: source) ?? -1) } }
        // A detection is spurious if no star at all lies within 3 px of it.
        let spurious = analysis.sources.filter { source in
            !field.stars.contains { hypot($0.x - source.x, $0.y - source.y) < 3 }
        }.count
        return Outcome(
            completeness: Double(found) / Double(max(bright.count, 1)), brightCount: bright.count, medianOffset: median(offsets),
            spurious: spurious, sources: analysis.sources.count, fwhm: analysis.summary.medianFWHMPixels)
    }

    @Test func gaussianStars() throws {
        let field = SyntheticStarField(width: 1024, height: 1024, starCount: 500, profile: .gaussian(fwhm: 3.5), minimumSeparation: 14, seed: 20_261_123)
        let outcome = Self.evaluate(field)
        #expect(outcome.brightCount > 300)
        #expect(outcome.completeness >= 0.99)
        #expect(outcome.medianOffset <= 0.05)
        #expect(Double(outcome.spurious) <= 0.01 * Double(outcome.sources))
        #expect(abs(try #require(outcome.fwhm) / 3.5 - 1) <= 0.03)
    }

    @Test(arguments: [2.5, 3.5, 4.765])
    func moffatStars(beta: Double) throws {
        let field = SyntheticStarField(
            width: 1024, height: 1024, starCount: 400, profile: .moffat(fwhm: 4.2, beta: beta), minimumSeparation: 20, seed: 77)
        let outcome = Self.evaluate(field)
        #expect(outcome.completeness >= 0.99)
        #expect(outcome.medianOffset <= 0.05)
        #expect(Double(outcome.spurious) <= 0.01 * Double(outcome.sources))
        #expect(abs(try #require(outcome.fwhm) / 4.2 - 1) <= 0.03, "β = \(beta)")
    }

    @Test func aGaussianMatchedFilterFindsTheSameStars() throws {
        let field = SyntheticStarField(width: 512, height: 512, starCount: 150, profile: .gaussian(fwhm: 3.5), minimumSeparation: 14, seed: 41)
        let options = FrameAnalysis.Options(detection: .init(filter: .gaussian(fwhm: 3.0), gain: field.gain))
        let sources = FrameAnalysis(image: field.render(), options: options).sources
        let bright = match(stars: field.stars, sources: sources, radius: 1.5).filter { field.signalToNoise(of: $0.star) >= 12 }
        #expect(bright.count > 80)
        #expect(bright.allSatisfy { $0.source != nil })
        let spurious = sources.filter { source in !field.stars.contains { hypot($0.x - source.x, $0.y - source.y) < 3 } }
        #expect(spurious.isEmpty)
    }

    @Test func pureNoiseGivesAlmostNoDetections() throws {
        // The Gaussian truth frame holds ~380 stars above 10σ on this area; on pure noise of
        // the same sky at most 1 % of that may be detected.
        let noise = SyntheticStarField(width: 1024, height: 1024, stars: [], seed: 31)
        let analysis = FrameAnalysis(image: noise.render())
        #expect(analysis.sources.count <= 3)
        #expect(abs(analysis.summary.backgroundLevel - (500 + 1000 / 1.5)) < 0.5)
        #expect(abs(analysis.summary.backgroundNoise - (1000 + 25).squareRoot() / 1.5) < 0.3)
    }

    @Test(arguments: [(2.0, 1.0), (2.5, 0.3), (3.0, 0.1)])
    func deblendsClosePairs(separationInFWHM: Double, fluxRatio: Double) throws {
        let fwhm = 3.0
        var stars: [SyntheticStarField.Star] = []
        var pairs: [(Double, Double, Double, Double)] = []
        for row in 0..<6 {
            for column in 0..<6 {
                let x = 40 + Double(column) * 60 + 0.3 * Double(row), y = 40 + Double(row) * 60 + 0.2 * Double(column)
                let dx = separationInFWHM * fwhm
                stars.append(.init(x: x, y: y, electrons: 200_000))
                stars.append(.init(x: x + dx, y: y, electrons: 200_000 * fluxRatio))
                pairs.append((x, y, x + dx, y))
            }
        }
        let field = SyntheticStarField(width: 400, height: 400, stars: stars, profile: .gaussian(fwhm: fwhm), seed: 8)
        let sources = FrameAnalysis(image: field.render()).sources
        var split = 0
        for (x1, y1, x2, y2) in pairs {
            let near1 = sources.contains { hypot($0.x - x1, $0.y - y1) < 1 }
            let near2 = sources.contains { hypot($0.x - x2, $0.y - y2) < 1 }
            if near1 && near2 { split += 1 }
        }
        #expect(split == pairs.count, "\(split) of \(pairs.count) pairs separated")
        #expect(sources.count == stars.count)
    }

    @Test func countsSaturatedPixelsAndFlagsTheirSources() throws {
        let stars = [SyntheticStarField.Star(x: 100.3, y: 120.7, electrons: 3_000_000), .init(x: 300.5, y: 200.2, electrons: 50_000)]
        let field = SyntheticStarField(width: 400, height: 300, stars: stars, profile: .gaussian(fwhm: 3), seed: 6)
        var image = field.render()
        let level: Float = 20_000
        let saturated = image.pixels.filter { $0 >= level }.count
        for index in image.pixels.indices { image.pixels[index] = min(image.pixels[index], level) }
        #expect(saturated > 5)
        let analysis = FrameAnalysis(image: image, options: .init(detection: .init(saturationLevel: Double(level))))
        #expect(analysis.summary.saturatedFraction == Double(saturated) / Double(image.count))
        let bright = try #require(analysis.sources.first { hypot($0.x - 100.3, $0.y - 120.7) < 1 })
        let faint = try #require(analysis.sources.first { hypot($0.x - 300.5, $0.y - 200.2) < 1 })
        #expect(bright.isSaturated && !faint.isSaturated)
        // A level other than the background's is counted by its own pass.
        var options = FrameAnalysis.Options(detection: .init(saturationLevel: 10_000))
        options.background.saturationLevel = 30_000
        let other = FrameAnalysis(image: image, options: options)
        #expect(other.summary.saturatedFraction == Double(image.pixels.filter { $0 >= 10_000 }.count) / Double(image.count))
    }

    @Test func backgroundFollowsAGradientAndIgnoresStars() throws {
        var field = SyntheticStarField(width: 512, height: 512, starCount: 150, seed: 12).render(noise: false)
        for y in 0..<512 { for x in 0..<512 { field[x, y] += Float(x) * 0.2 + Float(y) * 0.1 } }
        let background = BackgroundMap(image: field)
        // The map follows the plane to a few ADU between mesh centres (bilinear), ignoring stars.
        for (x, y) in [(100.0, 100.0), (256.0, 300.0), (400.0, 450.0)] {
            let truth = 500 + 1000 / 1.5 + x * 0.2 + y * 0.1
            #expect(abs(Double(background.level(atX: x, y: y)) - truth) < 2)
        }
    }

    @Test func sigmaClippingIgnoresOutliers() throws {
        var random = SplitMix64(seed: 5)
        var values = (0..<10_000).map { _ in Float(100 + 10 * random.nextGaussian()) }
        values += [Float](repeating: 5000, count: 300) + [.nan, .infinity]
        let stats = try #require(SigmaClippedStatistics(values))
        #expect(abs(stats.median - 100) < 0.5 && abs(stats.mean - 100) < 0.5)
        #expect(abs(stats.standardDeviation - 10) < 0.5)
        #expect(stats.count < 10_000 && stats.count > 9_800)
        #expect(SigmaClippedStatistics([Float.nan]) == nil)
    }
}
