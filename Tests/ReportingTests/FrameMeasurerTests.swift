import Foundation
import StarlingCore
import Testing

@testable import Imaging
@testable import Reporting

/// Measuring one frame: from pixels, against reference stars, and when the file is bad.
struct FrameMeasurerTests {
    static let center = try! EquatorialCoordinates(rightAscensionDegrees: 150.0, declinationDegrees: 2.2)
    static let telescope = SimulatedNight.telescope("test-1m-a")

    /// Writes a frame whose stars are dimmed by `transparency`, and returns it with reference
    /// stars for its 25 brightest stars at their cloud-free magnitudes (zero point 25).
    func writeFrame(to path: String, transparency: Double, zeroPointInHeader: Bool = true, fwhm: Double = 3.0) throws -> (FrameRecord, [ReferenceStar]) {
        let base = SyntheticStarField(width: 400, height: 400, starCount: 100, fluxRange: 3_000...300_000, minimumSeparation: 14, seed: 11)
        let stars = base.stars.map { SyntheticStarField.Star(x: $0.x, y: $0.y, electrons: $0.electrons * transparency) }
        let field = SyntheticStarField(width: 400, height: 400, stars: stars, profile: .gaussian(fwhm: fwhm), skyElectrons: 1000, seed: 12)
        let start = Date(timeIntervalSince1970: 1_795_469_400)
        let metadata = FrameMetadata(
            observationStart: start, exposureSeconds: 60, imageType: "LIGHT", object: "field", filter: "r", pointing: Self.center,
            airmass: 1.2, gain: 1.5, saturationADU: 65_535, zeroPoint: zeroPointInHeader ? 25 : nil)
        let frame = FITSFrame(
            image: field.render(), metadata: metadata,
            projection: TangentPlaneProjection(center: Self.center, pixelScale: .arcseconds(0.93), width: 400, height: 400))
        try frame.write(to: path)
        let wcs = try #require(try frame.worldCoordinates())
        let references = try base.stars.sorted { $0.electrons > $1.electrons }.prefix(25).map { star in
            ReferenceStar(
                coordinates: try #require(wcs.pixelToWorld(x: star.x, y: star.y)), magnitude: 25 - 2.5 * log10(star.electrons / 1.5 / 60), band: .r)
        }
        let record = FrameRecord(
            id: "f-1", observationID: "o-1", telescopeID: Self.telescope.id, path: path, imageType: .light, filter: Filter("r"),
            exposureSeconds: 60, started: start, pointing: Self.center, airmass: 1.2)
        return (record, references)
    }

    @Test(arguments: [1.0, 0.7, 0.35])
    func transparencyIsTheFluxOfReferenceStarsAgainstTheCloudFreeZeroPoint(transparency: Double) throws {
        let folder = try TemporaryDirectory()
        let (record, references) = try writeFrame(to: folder.path + "/frame.fits", transparency: transparency)
        let measurement = FrameMeasurer(references: ReferenceCatalog(stars: references)).measure(record, at: record.started)
        let quality = measurement.quality
        #expect(quality.status == .measured && quality.source == .pixels)
        #expect(measurement.expectedZeroPointSource == .header && measurement.expectedZeroPoint == 25)
        #expect(measurement.referenceStarsUsed >= 15)
        let measured = try #require(quality.transparency)
        #expect(abs(measured - transparency) < 0.03, "measured \(measured) for \(transparency)")
        // The depth follows the measured zero point: clouds make the frame shallower.
        #expect(abs((quality.zeroPoint ?? 0) - (25 + 2.5 * log10(transparency))) < 0.04)
        #expect(abs((quality.fwhmArcseconds ?? 0) - 3.0 * 0.93) < 0.15)
    }

    @Test func withoutReferenceStarsTheHeaderZeroPointGivesTheDepthAndNoTransparency() throws {
        let folder = try TemporaryDirectory()
        let (record, _) = try writeFrame(to: folder.path + "/frame.fits", transparency: 1)
        let measurement = FrameMeasurer().measure(record, at: record.started)
        #expect(measurement.quality.transparency == nil)
        #expect(measurement.quality.zeroPoint == 25)
        #expect(measurement.measuredZeroPoint == nil && measurement.referenceStarsUsed == 0)
        #expect(measurement.quality.limitingMagnitude.map { $0 > 20 && $0 < 25 } == true)
    }

    @Test func withoutMAGZPTTheTelescopeModelGivesTheExpectedZeroPoint() throws {
        let folder = try TemporaryDirectory()
        let (record, references) = try writeFrame(to: folder.path + "/frame.fits", transparency: 1, zeroPointInHeader: false)
        let network = ObservatoryNetwork(sites: [Site(
            id: "test", name: "Test", location: try GeodeticLocation(latitude: .degrees(20), longitude: .degrees(0), elevationMeters: 1000),
            timeZone: .gmt, telescopes: [Self.telescope])])
        let measurement = FrameMeasurer(network: network, references: ReferenceCatalog(stars: references)).measure(record, at: record.started)
        // 2.5 log10(1.09e10 photons/s/m² × π/4 m² × 0.6 / 1.5 e⁻/ADU) − 0.10 × 1.2 = 24.84.
        let expected = 2.5 * log10(1.09e10 * Double.pi / 4 * 0.6 / 1.5) - 0.10 * 1.2
        #expect(measurement.expectedZeroPointSource == .telescopeModel)
        #expect(abs((measurement.expectedZeroPoint ?? 0) - expected) < 1e-9)
        // The stars were made with a zero point of 25, so the "clear" frame reads 0.16 mag brighter than the model.
        let transparency = try #require(measurement.quality.transparency)
        #expect(abs(transparency - pow(10, -0.4 * (expected - 25))) < 0.03)
    }

    @Test func aMissingFileIsRecordedAsMissing() {
        let record = FrameRecord(
            id: "gone", observationID: "o", telescopeID: "t", path: "/nonexistent/frame.fits", imageType: .light, filter: Filter("r"),
            exposureSeconds: 60, started: Date(timeIntervalSince1970: 0), pointing: nil, airmass: nil)
        let quality = FrameMeasurer().measure(record, at: Date(timeIntervalSince1970: 100)).quality
        #expect(quality.status == .missing)
        #expect(quality.fwhmPixels == nil && quality.measuredAt == Date(timeIntervalSince1970: 100))
    }

    @Test(arguments: ["garbage", "truncated", "empty"])
    func anUnreadableFileIsRecordedAsCorruptWithTheReason(kind: String) throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/frame.fits"
        switch kind {
        case "garbage": try Data("this is not a FITS file at all".utf8).write(to: URL(fileURLWithPath: path))
        case "truncated":
            _ = try writeFrame(to: path, transparency: 1)
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            try handle.truncate(atOffset: 5000)
            try handle.close()
        default: try Data().write(to: URL(fileURLWithPath: path))
        }
        let record = FrameRecord(
            id: "bad", observationID: "o", telescopeID: "t", path: path, imageType: .light, filter: Filter("r"), exposureSeconds: 60,
            started: Date(timeIntervalSince1970: 0), pointing: nil, airmass: nil)
        let quality = FrameMeasurer().measure(record, at: Date(timeIntervalSince1970: 0)).quality
        guard case .corrupt(let reason) = quality.status else {
            Issue.record("a \(kind) file measured as \(quality.status)")
            return
        }
        #expect(reason.contains(path))
    }

    @Test func referenceCatalogFindsStarsByRegionAndBand() throws {
        let stars = try [(10.0, 0.0, PhotometricBand.r), (10.2, 0.1, .r), (10.2, 0.1, .g), (200.0, -60.0, .r), (359.9, 0.0, .r)].map {
            ReferenceStar(coordinates: try EquatorialCoordinates(rightAscensionDegrees: $0.0, declinationDegrees: $0.1), magnitude: 15, band: $0.2)
        }
        let catalog = ReferenceCatalog(stars: stars)
        let center = try EquatorialCoordinates(rightAscensionDegrees: 10.1, declinationDegrees: 0.05)
        #expect(catalog.stars(within: .degrees(0.5), of: center, band: .r).count == 2)
        #expect(catalog.stars(within: .degrees(0.5), of: center, band: .g).count == 1)
        // Across RA 0h.
        let wrap = try EquatorialCoordinates(rightAscensionDegrees: 0.05, declinationDegrees: 0)
        #expect(catalog.stars(within: .degrees(0.5), of: wrap, band: .r).count == 1)
    }
}
