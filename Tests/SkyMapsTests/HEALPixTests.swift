import Foundation
import StarlingCore
import Testing

@testable import SkyMaps

/// healpy's values (Fixtures/healpix_reference.json, made by make_healpix_reference.py).
struct HEALPixReference: Decodable {
    struct Point: Decodable {
        let ra: Double
        let dec: Double
        let values: [String: Double]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            var values: [String: Double] = [:]
            for key in container.allKeys { values[key.stringValue] = try container.decode(Double.self, forKey: key) }
            ra = values["ra"] ?? 0
            dec = values["dec"] ?? 0
            self.values = values
        }
    }
    struct Pixel: Decodable {
        let nside: Int, pixel: Int, nest_ra: Double, nest_dec: Double, ring_ra: Double, ring_dec: Double, nest2ring: Int, ring2nest: Int
    }
    struct Disc: Decodable { let nside: Int, ra: Double, dec: Double, radius: Double, nested_pixels: [Int] }
    struct Gaussian: Decodable {
        let nside: Int, sigma: Double, ra: Double, dec: Double, area50: Double, area90: Double, disc_3deg_centre: Double, disc_2deg_offset: Double
    }
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let points: [Point]
    let pixels: [Pixel]
    let discs: [Disc]
    let gaussian: Gaussian

    static let loaded: HEALPixReference = {
        do {
            return try JSONDecoder().decode(HEALPixReference.self, from: TestPaths.fixture("healpix_reference.json"))
        } catch {
            fatalError("Fixtures/healpix_reference.json: \(error)")
        }
    }()
}

func coordinates(_ ra: Double, _ dec: Double) -> EquatorialCoordinates {
    do { return try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec) } catch { fatalError("\(error)") }
}

struct HEALPixGridTests {
    @Test func directionsLandInHealpysPixelsAtEveryOrder() {
        for point in HEALPixReference.loaded.points {
            for nside in [1, 2, 16, 256, 4096, 1 << 20] {
                let grid = HEALPixGrid(nside: nside)!
                let direction = coordinates(point.ra, point.dec)
                #expect(grid.pixel(containing: direction, ordering: .nested) == Int(point.values["nest_\(nside)"]!), "nest nside \(nside) at \(point.ra), \(point.dec)")
                #expect(grid.pixel(containing: direction, ordering: .ring) == Int(point.values["ring_\(nside)"]!), "ring nside \(nside) at \(point.ra), \(point.dec)")
            }
        }
    }

    @Test func pixelCentresAndRenumberingMatchHealpy() {
        for reference in HEALPixReference.loaded.pixels {
            let grid = HEALPixGrid(nside: reference.nside)!
            let nested = grid.center(ofPixel: reference.pixel, ordering: .nested)
            let ring = grid.center(ofPixel: reference.pixel, ordering: .ring)
            #expect(nested.separation(from: coordinates(reference.nest_ra, reference.nest_dec)).arcseconds < 1e-6)
            #expect(ring.separation(from: coordinates(reference.ring_ra, reference.ring_dec)).arcseconds < 1e-6)
            #expect(grid.ringPixel(fromNested: reference.pixel) == reference.nest2ring)
            #expect(grid.nestedPixel(fromRing: reference.pixel) == reference.ring2nest)
        }
    }

    @Test func discQueriesMatchHealpy() {
        for disc in HEALPixReference.loaded.discs {
            let grid = HEALPixGrid(nside: disc.nside)!
            #expect(grid.pixels(inDiscAround: coordinates(disc.ra, disc.dec), radius: .degrees(disc.radius)) == disc.nested_pixels)
        }
    }

    @Test("every pixel's centre lies in that pixel, both orderings", arguments: [0, 1, 2, 3, 5])
    func centreRoundTripsExhaustively(order: Int) {
        let grid = HEALPixGrid(order: order)
        for pixel in 0..<grid.pixelCount {
            #expect(grid.pixel(containing: grid.center(ofPixel: pixel, ordering: .nested), ordering: .nested) == pixel)
            #expect(grid.pixel(containing: grid.center(ofPixel: pixel, ordering: .ring), ordering: .ring) == pixel)
            #expect(grid.nestedPixel(fromRing: grid.ringPixel(fromNested: pixel)) == pixel)
        }
    }

    @Test func uniqNumbersDecodeAndNest() throws {
        #expect(HEALPixPixel(uniq: 4) == HEALPixPixel(order: 0, index: 0))
        #expect(HEALPixPixel(uniq: 15) == HEALPixPixel(order: 0, index: 11))
        #expect(HEALPixPixel(uniq: 16) == HEALPixPixel(order: 1, index: 0))
        #expect(HEALPixPixel(uniq: 3) == nil)
        let deep = HEALPixPixel(order: 29, index: 12 << 58 - 1)
        #expect(HEALPixPixel(uniq: deep.uniq) == deep)
        #expect(deep.ancestor(atOrder: 0) == HEALPixPixel(order: 0, index: 11))
        #expect(HEALPixPixel(order: 3, index: 100).children.map(\.index) == [400, 401, 402, 403])
        #expect(abs(HEALPixGrid(order: 0).pixelAreaSquareDegrees - 41_252.96 / 12) < 0.01)
    }
}

/// A Gaussian blob (σ = 2°) at nside 256, built as the reference script builds it.
func gaussianMap(sigma: Double = 2, ra: Double = 120, dec: Double = -30, order: Int = 8) throws -> HEALPixSkyMap {
    let grid = HEALPixGrid(order: order)
    let centre = coordinates(ra, dec)
    let values = (0..<grid.pixelCount).map { pixel -> Double in
        let d = grid.center(ofPixel: pixel).separation(from: centre).degrees
        return exp(-d * d / (2 * sigma * sigma))
    }
    return try HEALPixSkyMap(flatProbabilities: values, ordering: .nested, source: "gaussian")
}

struct HEALPixSkyMapTests {
    let reference = HEALPixReference.loaded.gaussian

    @Test func credibleAreasMatchHealpyAndTheory() throws {
        let map = try gaussianMap()
        let pixelArea = HEALPixGrid(order: 8).pixelAreaSquareDegrees
        let fifty = map.credibleRegion(probability: 0.5)
        let ninety = map.credibleRegion(probability: 0.9)
        #expect(abs(fifty.areaSquareDegrees - reference.area50) <= pixelArea * 1.01)
        #expect(abs(ninety.areaSquareDegrees - reference.area90) <= pixelArea * 1.01)
        // A 2-D Gaussian's P-region has area 2πσ² ln(1/(1−P)).
        #expect(abs(ninety.areaSquareDegrees - 2 * Double.pi * 4 * log(10)) < 0.5)
        #expect(ninety.probability >= 0.9)
        #expect(map.mostProbableDirection.separation(from: coordinates(120, -30)).degrees < 0.25)
    }

    @Test func probabilityInCirclesMatchesHealpyAndTheory() throws {
        let map = try gaussianMap()
        let centre = map.probability(inCircleAround: coordinates(120, -30), radius: .degrees(3))
        #expect(abs(centre - reference.disc_3deg_centre) < 0.005)
        #expect(abs(centre - (1 - exp(-9.0 / 8))) < 0.005)
        let offset = map.probability(inCircleAround: coordinates(122, -29), radius: .degrees(2))
        #expect(abs(offset - reference.disc_2deg_offset) < 0.005)
        #expect(abs(map.probability(inCircleAround: coordinates(120, -30), radius: .degrees(180)) - 1) < 1e-9)
        #expect(map.probability(inCircleAround: coordinates(300, 60), radius: .degrees(5)) < 1e-12)
    }

    @Test func smallFieldsInsideCoarsePixelsGetTheirShare() throws {
        // One probability spread evenly over the sky at order 1 (pixels ~29° across).
        let map = try HEALPixSkyMap(flatProbabilities: [Double](repeating: 1, count: 48), ordering: .nested)
        let field = FieldOfView.circle(radius: .degrees(1))
        let expected = field.areaSquareDegrees / (4 * Double.pi * squareDegreesPerSteradian)
        let measured = map.probability(in: field, at: coordinates(10, 10))
        #expect(abs(measured - expected) / expected < 0.05)
    }

    @Test func squareFieldsHoldTheirArea() throws {
        let uniform = try HEALPixSkyMap(flatProbabilities: [Double](repeating: 1, count: 12 << 12), ordering: .ring)
        for (side, dec) in [(2.5, 0.0), (5.0, 60.0), (3.0, -89.0)] {
            let field = FieldOfView.square(side: .degrees(side))
            let expected = field.areaSquareDegrees / (4 * Double.pi * squareDegreesPerSteradian)
            let measured = uniform.probability(in: field, at: coordinates(200, dec))
            #expect(abs(measured - expected) / expected < 0.03, "side \(side) at dec \(dec)")
        }
    }

    @Test func multiOrderMapsAgreeWithTheirFlatOriginal() throws {
        let flat = try gaussianMap(order: 6)
        // Merge each group of four order-6 pixels into its order-5 parent where the map is faint.
        var pixels: [HEALPixPixel] = []
        var densities: [Double] = []
        let grid = HEALPixGrid(order: 6)
        for parent in 0..<HEALPixGrid(order: 5).pixelCount {
            let children = (0..<4).map { parent * 4 + $0 }
            let probability = children.map { flat.probabilityDensity(at: grid.center(ofPixel: $0)) * grid.pixelAreaSteradians }
            if probability.reduce(0, +) < 1e-4 {
                let coarse = HEALPixPixel(order: 5, index: parent)
                pixels.append(coarse)
                densities.append(probability.reduce(0, +) / coarse.areaSteradians)
            } else {
                for (child, p) in zip(children, probability) {
                    pixels.append(HEALPixPixel(order: 6, index: child))
                    densities.append(p / grid.pixelAreaSteradians)
                }
            }
        }
        let multi = try HEALPixSkyMap(pixels: pixels, probabilityDensities: densities)
        #expect(multi.pixels.count < flat.pixels.count)
        #expect(abs(multi.credibleRegion(probability: 0.9).areaSquareDegrees - flat.credibleRegion(probability: 0.9).areaSquareDegrees) < 1)
        let here = coordinates(121, -31)
        #expect(abs(multi.probability(inCircleAround: here, radius: .degrees(3)) - flat.probability(inCircleAround: here, radius: .degrees(3))) < 1e-3)
        #expect(multi.credibleLevel(at: coordinates(120, -30)) < 0.1)  // the peak pixel alone holds ~3 %
        #expect(multi.credibleLevel(at: coordinates(300, 60)) > 0.99)
    }

    @Test func invalidMapsAreRefused() throws {
        #expect(throws: SkyMapError.self) { try HEALPixSkyMap(flatProbabilities: [1, 2, 3], ordering: .nested) }
        #expect(throws: SkyMapError.self) { try HEALPixSkyMap(flatProbabilities: [Double](repeating: 0, count: 12), ordering: .nested) }
        #expect(throws: SkyMapError.self) { try HEALPixSkyMap(flatProbabilities: [-1] + [Double](repeating: 1, count: 11), ordering: .nested) }
        let overlapping = [HEALPixPixel(order: 0, index: 0), HEALPixPixel(order: 1, index: 2)]
        #expect(throws: SkyMapError.self) { try HEALPixSkyMap(pixels: overlapping, probabilityDensities: [1, 1]) }
        let galactic = SkyMapTable(header: ["COORDSYS": "G", "ORDERING": "NESTED"], columns: ["PROB": [Double](repeating: 1, count: 12)])
        let error = #expect(throws: SkyMapError.self) { try HEALPixSkyMap(table: galactic, source: "galactic.fits") }
        #expect(error?.code == .invalid)
    }

    @Test func tablesAreInterpretedByTheirHeader() throws {
        let ring = SkyMapTable(header: ["ORDERING": "RING", "NSIDE": "1"], columns: ["PROB": (0..<12).map { $0 == 4 ? 1 : 0 }])
        let map = try HEALPixSkyMap(table: ring, source: "ring")
        // Ring pixel 4 is nested pixel 4 at nside 1? No: ring 4 is the first equatorial pixel.
        let nested = HEALPixGrid(order: 0).nestedPixel(fromRing: 4)
        #expect(map.probabilityDensity(at: HEALPixGrid(order: 0).center(ofPixel: nested)) > 0)
        let multi = SkyMapTable(
            header: ["ORDERING": "NUNIQ", "DISTMEAN": "40.5"], columns: ["PROBDENSITY": [1, 1]], integerColumns: ["UNIQ": [4, 5]])
        let partial = try HEALPixSkyMap(table: multi, source: "moc")
        #expect(partial.pixels.count == 2)
        #expect(partial.distanceMeanMegaparsecs == 40.5)
        #expect(partial.probabilityDensity(at: HEALPixGrid(order: 0).center(ofPixel: 7)) == 0)
    }

    @Test func distanceLayersWeightGalaxies() throws {
        let grid = HEALPixGrid(order: 0)
        let ansatz = HEALPixSkyMap.DistanceAnsatz(mu: 100, sigma: 20, norm: 1e-4)
        let map = try HEALPixSkyMap(
            flatProbabilities: [Double](repeating: 1, count: 12), ordering: .nested, distances: [HEALPixSkyMap.DistanceAnsatz](repeating: ansatz, count: 12))
        let here = grid.center(ofPixel: 3)
        let density = 1 / (4 * Double.pi)
        let expected = density * 1e-4 * exp(-0.5 * 0.25) / ((2 * Double.pi).squareRoot() * 20)
        #expect(abs(map.probabilityDensityPerVolume(at: here, distanceMegaparsecs: 110) - expected) < 1e-15)
        #expect(map.probabilityDensityPerVolume(at: here, distanceMegaparsecs: 100) > map.probabilityDensityPerVolume(at: here, distanceMegaparsecs: 200))
        #expect(abs(map.distanceProbabilityDensity(at: here, distanceMegaparsecs: 110) - 1e-4 * 110 * 110 * exp(-0.5 * 0.25) / ((2 * Double.pi).squareRoot() * 20)) < 1e-12)
        let noDistance = try gaussianMap(order: 3)
        #expect(noDistance.distanceAnsatz(at: here) == nil)
        #expect(noDistance.probabilityDensityPerVolume(at: here, distanceMegaparsecs: 100) == 0)
    }

    @Test func tilesCoverTheMostProbabilityGreedily() throws {
        let map = try gaussianMap(order: 7)
        let field = FieldOfView.square(side: .degrees(2.5))
        let tiles = map.mostProbableTiles(fieldOfView: field, count: 10)
        #expect(tiles.count == 10)
        #expect(tiles[0].center.separation(from: coordinates(120, -30)).degrees < 1.5)
        #expect(zip(tiles, tiles.dropFirst()).allSatisfy { $0.probability >= $1.probability - 1e-12 })
        #expect(zip(tiles, tiles.dropFirst()).allSatisfy { $0.cumulativeProbability < $1.cumulativeProbability })
        // The first tile holds about what a 2.5° square at the peak holds.
        let peak = map.probability(in: field, at: tiles[0].center)
        #expect(abs(tiles[0].probability - peak) < 0.02)
        // Ten 6.25 deg² tiles cover most of a σ = 2° blob (its 90 % region is 58 deg²).
        #expect(try #require(tiles.last).cumulativeProbability > 0.75)
        #expect(map.mostProbableTiles(fieldOfView: field, count: 0).isEmpty)
    }
}
