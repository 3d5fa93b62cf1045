import Foundation
import StarlingCore
import Testing

@testable import SkyMaps

/// healpy/astropy's values for the real maps (Fixtures/skymap_reference.json, made by make_skymap_reference.py).
struct SkyMapReferenceValues: Decodable {
    struct Map: Decodable {
        let nside: Int
        let peak_ra: Double, peak_dec: Double
        let area50: Double, area90: Double
        let disc_2deg_at_peak: Double, disc_5deg_at_peak: Double
        let distmean: Double?, diststd: Double?
        let peak_dp_dv_at_distmean: Double?
        let peak_distmu: Double?
        let pixels: Int?
    }

    let GW190425: Map
    let GRB180116A_GBM: Map
    let MS260605l: Map

    static func load() throws -> SkyMapReferenceValues {
        try JSONDecoder().decode(SkyMapReferenceValues.self, from: TestPaths.fixture("skymap_reference.json"))
    }
}

/// The real sky maps of `../shared/data`, read through the Imaging module's FITS tables and
/// compared with healpy.
@Suite(.enabled(if: TestPaths.exists(TestPaths.sharedData + "/fits/skymaps"), "../shared/data/fits/skymaps is absent (fresh clone)"))
struct RealSkyMapTests {
    static let folder = TestPaths.sharedData + "/fits/skymaps"

    /// Compares a map with its reference: areas to a pixel, the peak to a pixel, discs to 2 %.
    func check(_ map: HEALPixSkyMap, against reference: SkyMapReferenceValues.Map, finestPixelArea: Double) {
        let peak = coordinates(reference.peak_ra, reference.peak_dec)
        #expect(map.mostProbableDirection.separation(from: peak).degrees < 2 * finestPixelArea.squareRoot())
        #expect(abs(map.credibleRegion(probability: 0.5).areaSquareDegrees - reference.area50) <= finestPixelArea * 1.01)
        #expect(abs(map.credibleRegion(probability: 0.9).areaSquareDegrees - reference.area90) <= finestPixelArea * 1.01)
        let two = map.probability(inCircleAround: peak, radius: .degrees(2))
        let five = map.probability(inCircleAround: peak, radius: .degrees(5))
        #expect(abs(two - reference.disc_2deg_at_peak) <= 0.02 * reference.disc_2deg_at_peak + 1e-4, "2° disc \(two) vs \(reference.disc_2deg_at_peak)")
        #expect(abs(five - reference.disc_5deg_at_peak) <= 0.02 * reference.disc_5deg_at_peak + 1e-4, "5° disc \(five) vs \(reference.disc_5deg_at_peak)")
    }

    @Test func gw190425BayestarMapWithDistance() throws {
        let reference = try SkyMapReferenceValues.load().GW190425
        let map = try FITSSkyMapReader().readSkyMap(path: Self.folder + "/GW190425_bayestar_nside256.fits.gz")
        #expect(map.pixels.count == 12 * 256 * 256)
        check(map, against: reference, finestPixelArea: HEALPixGrid(order: 8).pixelAreaSquareDegrees)
        #expect(map.distanceMeanMegaparsecs == reference.distmean)
        #expect(map.distanceStandardDeviationMegaparsecs == reference.diststd)
        let peak = coordinates(reference.peak_ra, reference.peak_dec)
        #expect(map.distanceAnsatz(at: peak)?.mu == reference.peak_distmu)
        let weight = map.probabilityDensityPerVolume(at: peak, distanceMegaparsecs: try #require(reference.distmean))
        #expect(abs(weight / (try #require(reference.peak_dp_dv_at_distmean)) - 1) < 1e-6)
    }

    @Test func fermiGBMMapOfGRB180116A() throws {
        let reference = try SkyMapReferenceValues.load().GRB180116A_GBM
        let map = try FITSSkyMapReader().readSkyMap(path: Self.folder + "/glg_healpix_all_bn180116026.fit")
        #expect(map.pixels.count == 12 * 128 * 128)
        #expect(map.distances == nil)
        check(map, against: reference, finestPixelArea: HEALPixGrid(order: 7).pixelAreaSquareDegrees)
        // The GBM notices of this burst put it at 212.77°, +27.05° (final): inside the 50 % region.
        #expect(map.credibleLevel(at: coordinates(212.77, 27.05)) < 0.5)
    }

    @Test(.enabled(if: TestPaths.exists(TestPaths.alerts("gcn_kafka_json/real")), "../shared/data/alerts/gcn_kafka_json/real is absent (fresh clone)"))
    func igwnAlertsEmbeddedMultiOrderMap() throws {
        let reference = try SkyMapReferenceValues.load().MS260605l
        // The notice's base64 map, taken out with Foundation (reading notices is Coordination's job).
        let raw = try Data(contentsOf: URL(fileURLWithPath: TestPaths.alerts("gcn_kafka_json/real/igwn_gwalert_MS260605l_preliminary.json")))
        let notice = try #require(try JSONSerialization.jsonObject(with: raw) as? [String: Any])
        let event = try #require(notice["event"] as? [String: Any])
        let text = try #require(event["skymap"] as? String)
        let bytes = try #require(Data(base64Encoded: text))
        let map = try FITSSkyMapReader().readSkyMap(fitsData: bytes, name: "MS260605l")
        #expect(map.pixels.count == reference.pixels)
        check(map, against: reference, finestPixelArea: HEALPixGrid(order: 11).pixelAreaSquareDegrees)
        #expect(map.distanceMeanMegaparsecs == reference.distmean)
        let peak = coordinates(reference.peak_ra, reference.peak_dec)
        let weight = map.probabilityDensityPerVolume(at: peak, distanceMegaparsecs: try #require(reference.distmean))
        #expect(abs(weight / (try #require(reference.peak_dp_dv_at_distmean)) - 1) < 1e-6)
        // Three 2.5° square fields cover nearly all the elongated 7.8 deg² 90 % region (healpy-free check:
        // the first tile holds what a field at the peak holds, within the candidate grid's step).
        let field = FieldOfView.square(side: .degrees(2.5))
        let tiles = map.mostProbableTiles(fieldOfView: field, count: 3)
        #expect(tiles.count == 3)
        let covered = try #require(tiles.last).cumulativeProbability
        #expect(covered > 0.88, "three tiles cover \(covered)")  // tiles overlapping little first: 0.899
        #expect(abs(tiles[0].probability - map.probability(in: field, at: map.mostProbableDirection)) < 0.05)
    }

    @Test func notFITSIsUnreadable() {
        let error = #expect(throws: SkyMapError.self) { try FITSSkyMapReader().readSkyMap(fitsData: Data("not fits".utf8), name: "bytes") }
        #expect(error?.code == .unreadable)
    }
}
