import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// Header values real cameras write that must not be taken at face value (issue 16, "FITS
/// and configuration"), each on a minimal header or frame.
struct HeaderValueTests {
    static func metadata(_ cards: [FITSCard]) -> FrameMetadata { FrameMetadata(header: FITSHeader(cards: cards)) }

    @Test func aSexagesimalRAIsHours() throws {
        // SAAO 1.0-m STE3 writes RA = ' 22:04:08'; read as degrees it would be 22.07°.
        let metadata = Self.metadata([FITSCard("RA", .string(" 22:04:08")), FITSCard("DEC", .string("-45:10:00"))])
        let pointing = try #require(metadata.pointing)
        #expect(abs(pointing.rightAscension.degrees - 331.033333) < 1e-6)
        #expect(abs(pointing.declination.degrees - -45.166667) < 1e-6)
        #expect(metadata.pointingSource?.keywords == "RA/DEC")
        #expect(metadata.pointingSource?.reading == "sexagesimal: RA in hours, DEC in degrees")
        #expect(metadata.problems.isEmpty)
    }

    @Test func numericRAIsDegreesAndObjectKeywordsAreNamed() throws {
        let degrees = Self.metadata([FITSCard("RA", .real(331.0333)), FITSCard("DEC", .real(-45.1667))])
        #expect(abs((degrees.pointing?.rightAscension.degrees ?? 0) - 331.0333) < 1e-9)
        #expect(degrees.pointingSource?.description == "RA/DEC (RA in degrees, DEC in degrees)")
        let object = Self.metadata([FITSCard("OBJCTRA", .string("22 04 08")), FITSCard("OBJCTDEC", .string("-45 10 00"))])
        #expect(abs((object.pointing?.rightAscension.degrees ?? 0) - 331.033333) < 1e-6)
        #expect(object.pointingSource?.keywords == "OBJCTRA/OBJCTDEC")
        let unitLetters = Self.metadata([FITSCard("RA", .string("22h04m08s")), FITSCard("DEC", .string("-45d10m00s"))])
        #expect(abs((unitLetters.pointing?.rightAscension.degrees ?? 0) - 331.033333) < 1e-6)
    }

    @Test func aNegativeOrZeroSaturationLevelIsIgnoredWithAProblem() {
        for level in [-1.0, 0.0] {
            let metadata = Self.metadata([FITSCard("SATURATE", .real(level))])
            #expect(metadata.saturationADU == nil)
            #expect(metadata.problems.contains { $0.hasPrefix("SATURATE: ") && $0.contains("is not a saturation level") })
        }
        #expect(Self.metadata([FITSCard("SATURATE", .real(60_000))]).saturationADU == 60_000)
    }

    /// With SATURATE = -1 taken as the level every pixel would count as saturated.
    @Test func aFrameWithSaturateMinusOneIsNotAllSaturated() throws {
        let image = SyntheticStarField(width: 96, height: 96, starCount: 6, seed: 3).render()
        var metadata = FrameMetadata(exposureSeconds: 30)
        metadata.saturationADU = -1
        let data = try FITSFrame(image: image, metadata: metadata).encoded(format: .float32)
        let frame = try FITSFrame(data: data)
        let summary = try FrameAnalysis(frame: frame).summary
        #expect(summary.saturatedFraction == 0)
        #expect(summary.saturationLevel == nil)
    }

    @Test func aNegativeExposureIsAProblemAndZeroIsKept() {
        let negative = Self.metadata([FITSCard("EXPTIME", .real(-5))])
        #expect(negative.exposureSeconds == nil)
        #expect(negative.problems == ["EXPTIME: -5 s is not an exposure time (must be 0 or more); ignored"])
        #expect(Self.metadata([FITSCard("EXPTIME", .real(0))]).exposureSeconds == 0)  // a bias
    }

    @Test func aZeroExposureGivesAPerFrameLimitWithANote() {
        let image = SyntheticStarField(width: 128, height: 128, starCount: 12, seed: 5).render()
        let zero = FrameAnalysis(image: image, exposureSeconds: 0, options: .init(zeroPoint: 25)).summary
        let oneSecond = FrameAnalysis(image: image, exposureSeconds: 1, options: .init(zeroPoint: 25)).summary
        #expect(zero.limitingMagnitude5Sigma == nil)
        #expect(zero.exposureSeconds == nil)
        #expect(zero.instrumentalLimitingMagnitude == oneSecond.instrumentalLimitingMagnitude)
        #expect(zero.notes == ["exposure time 0.0 s is not positive: the limiting magnitude is per frame, not per second, and not calibrated"])
        #expect(oneSecond.limitingMagnitude5Sigma != nil && oneSecond.notes.isEmpty)
    }

    @Test func framesOfNaNOrOverflowingValuesSayWhyNothingWasMeasured() {
        let nan = FrameAnalysis(image: FloatImage(width: 64, height: 64, repeating: .nan)).summary
        #expect(nan.notes == ["no pixel has a finite value (all NaN or infinite): nothing to measure"])
        #expect(nan.sourceCount == 0 && nan.limitingFlux5Sigma == nil)
        var pixels = SyntheticStarField(width: 64, height: 64, starCount: 4, seed: 9).render().pixels
        for index in stride(from: 0, to: pixels.count, by: 2) { pixels[index] = 3e38 }
        let huge = FrameAnalysis(image: FloatImage(width: 64, height: 64, pixels: pixels)).summary
        #expect(huge.notes.count == 1)
        #expect(huge.notes.first?.hasPrefix("the background cannot be measured") == true)
        #expect(huge.limitingFlux5Sigma.map(\.isFinite) ?? true)
    }
}
