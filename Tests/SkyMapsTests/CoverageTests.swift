import Foundation
import StarlingCore
import Testing

@testable import SkyMaps

/// A Gaussian localisation (σ in degrees) on a multi-order grid with LVK's 10⁻¹² sr⁻¹ floor
/// everywhere, optionally with the same distance ansatz in every pixel: the shape of the
/// default scenario's map.
func flooredGaussianMap(
    sigma: Double = 2.5, ra: Double = 118, dec: Double = -28, order: Int = 7, distance: HEALPixSkyMap.DistanceAnsatz? = nil
) throws -> HEALPixSkyMap {
    let grid = HEALPixGrid(order: order)
    let centre = coordinates(ra, dec)
    let densities = (0..<grid.pixelCount).map { pixel -> Double in
        let d = grid.center(ofPixel: pixel).separation(from: centre).degrees
        return exp(-0.5 * d * d / (sigma * sigma)) + 1e-12
    }
    let pixels = (0..<grid.pixelCount).map { HEALPixPixel(order: order, index: $0) }
    return try HEALPixSkyMap(
        pixels: pixels, probabilityDensities: densities, distances: distance.map { [HEALPixSkyMap.DistanceAnsatz](repeating: $0, count: grid.pixelCount) })
}

/// A galaxy of the catalog with a B magnitude.
func galaxy(_ name: String, _ ra: Double, _ dec: Double, distance: Double, magnitude: Double) -> Target {
    Target(
        id: TargetID(name.lowercased().replacingOccurrences(of: " ", with: "-")), name: name, coordinates: coordinates(ra, dec), kind: .galaxy,
        magnitude: magnitude, magnitudeBand: .johnsonB, distanceMegaparsecs: distance, priority: 5)
}

struct FootprintCoverageTests {
    @Test func aFootprintHoldsWhatTheMapSaysIsInIt() throws {
        let map = try flooredGaussianMap()
        let field = FieldOfView.rectangle(width: .degrees(1.17), height: .degrees(1.18))
        for (ra, dec) in [(118.0, -28.0), (119.5, -27.0), (114.0, -31.0)] {
            let alone = map.coverage(of: [Footprint(center: coordinates(ra, dec), fieldOfView: field)])
            #expect(abs(alone.probability - map.probability(in: field, at: coordinates(ra, dec))) < 1e-12)
            #expect(abs(alone.areaSquareDegrees - field.areaSquareDegrees) / field.areaSquareDegrees < 0.02)
        }
        // A 2-D Gaussian: a disc of radius r around the peak holds 1 − exp(−r²/2σ²).
        let disc = map.coverage(of: [Footprint(center: coordinates(118, -28), fieldOfView: .circle(radius: .degrees(2.5)))])
        #expect(abs(disc.probability - (1 - exp(-0.5))) < 0.01)
    }

    @Test func overlappingFootprintsAreCountedOnce() throws {
        let map = try flooredGaussianMap()
        let field = FieldOfView.square(side: .degrees(2))
        let a = Footprint(center: coordinates(118, -28), fieldOfView: field)
        let b = Footprint(center: coordinates(119.13, -28), fieldOfView: field)  // overlapping a by about half
        // Where one field's edge crosses a pixel its straight-edge share counts; where several
        // meet, finer pixels' centres decide: the same footprint twice agrees to 0.5 %.
        let alone = map.coverage(of: [a]), twice = map.coverage(of: [a, a])
        #expect(abs(twice.probability - alone.probability) < 0.005 * alone.probability)
        #expect(abs(twice.areaSquareDegrees - alone.areaSquareDegrees) < 0.005 * alone.areaSquareDegrees)
        let both = map.coverage(of: [a, b])
        let sum = alone.probability + map.coverage(of: [b]).probability
        #expect(both.probability < sum - 0.03)
        #expect(both.probability > max(alone.probability, map.coverage(of: [b]).probability))
        // Disjoint footprints add.
        let far = Footprint(center: coordinates(118, -24), fieldOfView: field)
        let disjoint = map.coverage(of: [a, far])
        #expect(abs(disjoint.probability - (alone.probability + map.coverage(of: [far]).probability)) < 1e-12)
        // Two tiles that share an edge: their union is the rectangle they make together.
        let left = Footprint(center: coordinates(118, -28), fieldOfView: .rectangle(width: .degrees(1), height: .degrees(1)))
        let right = Footprint(center: coordinates(118 + 1 / cos(28 * Double.pi / 180), -28), fieldOfView: .rectangle(width: .degrees(1), height: .degrees(1)))
        let pair = map.coverage(of: [left, right])
        let sumOfTwo = map.coverage(of: [left]).probability + map.coverage(of: [right]).probability
        #expect(abs(pair.probability - sumOfTwo) < 0.01 * sumOfTwo)
    }

    @Test func rectanglesAreTheFramesFootprint() throws {
        // A uniform map: the covered share is the footprint's solid angle.
        let uniform = try HEALPixSkyMap(flatProbabilities: [Double](repeating: 1, count: 12 << 12), ordering: .nested)
        let field = FieldOfView.rectangle(width: .degrees(3), height: .degrees(1))
        let covered = uniform.coverage(of: [Footprint(center: coordinates(40, 10), fieldOfView: field)])
        #expect(abs(covered.areaSquareDegrees - field.areaSquareDegrees) / field.areaSquareDegrees < 0.02)
        #expect(abs(field.areaSquareDegrees - 3.0) < 0.01)  // small fields: about width × height
        let footprint = Footprint(center: coordinates(40, 10), fieldOfView: field)
        #expect(footprint.contains(coordinates(41.4, 10)))       // within 1.5° east–west
        #expect(!footprint.contains(coordinates(40, 10.6)))      // beyond 0.5° north
        #expect(footprint.outline.count == 4)
        // The corners lie at ξ = ±width/2, η = ±height/2 in the tangent plane.
        let corner = footprint.outline[0]
        #expect(abs(corner.declination.degrees - 10.5) < 0.03 && corner.rightAscension.degrees < 40)
        #expect(FieldOfView.rectangle(width: .degrees(1.2), height: .degrees(1.2)).holds(.square(side: .degrees(0.44))))
        #expect(!FieldOfView.square(side: .degrees(0.44)).holds(.rectangle(width: .degrees(1.17), height: .degrees(1.18))))
    }

    @Test func nothingCoveredIsNothing() throws {
        let map = try flooredGaussianMap(distance: .init(mu: 40, sigma: 8, norm: 1 / (40.0 * 40 + 64)))
        let prior = try #require(HostGalaxyPrior(map: map, catalog: []))
        let none = map.coverage(of: [], prior: prior)
        #expect(none.probability == 0 && none.areaSquareDegrees == 0 && none.probabilityWithDistance == 0)
    }
}

struct CoverageModelTests {
    @Test func everyCandidateIsCentredInsideTheCredibleRegion() throws {
        let map = try flooredGaussianMap()
        for level in [0.5, 0.9] {
            let model = CoverageModel(map: map, credibleLevel: level, prior: nil, fieldsOfView: [.square(side: .degrees(1.17))])
            let candidates = model.candidates(for: .square(side: .degrees(1.17)))
            #expect(!candidates.isEmpty)
            // A Gaussian's P region is the disc of radius σ √(2 ln(1/(1−P))).
            let radius = 2.5 * (2 * log(1 / (1 - level))).squareRoot()
            for candidate in candidates {
                #expect(map.credibleLevel(at: candidate.center) <= level)
                #expect(candidate.center.separation(from: coordinates(118, -28)).degrees < radius + 0.5)
            }
        }
    }

    @Test func theMapsFloorCannotPullFieldsOutside() throws {
        // However many fields are asked for, none goes beyond the region: once it is covered,
        // nothing is left to gain, where the old galaxy ranking kept every galaxy with density > 0.
        let map = try flooredGaussianMap(sigma: 1)
        let field = FieldOfView.square(side: .degrees(1.17))
        let tiles = map.mostProbableTiles(fieldOfView: field, count: 500, credibleLevel: 0.9)
        let region = map.credibleRegion(probability: 0.9)
        #expect(tiles.count < 4 * Int(region.areaSquareDegrees / field.areaSquareDegrees) + 10)
        #expect(tiles.allSatisfy { map.credibleLevel(at: $0.center) <= 0.9 })
        // Covered: the region and what the fields on its edge hold beyond it, nothing more.
        let last = try #require(tiles.last).cumulativeProbability
        #expect(last >= region.probability - 1e-9)
        #expect(last <= map.credibleRegion(probability: CoverageModel.reachLevel(for: 0.9)).probability + 1e-9)
        // Far galaxies, where only the floor is, carry no weight toward a choice.
        let distance = HEALPixSkyMap.DistanceAnsatz(mu: 40, sigma: 8, norm: 1 / (40.0 * 40 + 64))
        let withDistance = try flooredGaussianMap(sigma: 1, distance: distance)
        let prior = try #require(HostGalaxyPrior(map: withDistance, catalog: [galaxy("Far Away", 300, 40, distance: 40, magnitude: 5)]))
        let model = CoverageModel(map: withDistance, credibleLevel: 0.9, prior: prior, fieldsOfView: [.square(side: .degrees(1.17))])
        let candidates = model.candidates(for: .square(side: .degrees(1.17)))
        #expect(candidates.allSatisfy { withDistance.credibleLevel(at: $0.center) <= 0.9 })
        #expect(!candidates.contains { if case .galaxies = $0.kind { true } else { false } })
    }

    @Test func gainsAddUpToTheCoverageOfTheChosenFields() throws {
        let map = try flooredGaussianMap()
        let field = FieldOfView.rectangle(width: .degrees(1.17), height: .degrees(1.18))
        let model = CoverageModel(map: map, credibleLevel: 0.9, prior: nil, fieldsOfView: [field])
        let candidates = model.candidates(for: field)
        var tally = model.tally()
        var gained = 0.0
        var chosen: [Footprint] = []
        // Take every fifth candidate: overlapping ones, so the tally must not count twice.
        for candidate in stride(from: 0, to: candidates.count, by: 5).map({ candidates[$0] }) {
            gained += tally.gain(of: candidate).probability
            tally.take(candidate)
            chosen.append(candidate.footprint)
        }
        #expect(abs(gained - tally.covered.probability) < 1e-12)
        // The tally counts what the fields hold up to the 99 % region, on cells a quarter of a
        // field's inner radius across; the map's coverage counts all of each footprint exactly.
        let covered = map.coverage(of: chosen)
        #expect(abs(tally.covered.probability - covered.probability) < 0.01)
        #expect(tally.covered.probability <= map.credibleRegion(probability: CoverageModel.reachLevel(for: 0.9)).probability + 1e-9)
    }

    @Test func galaxiesThatShareAFieldAreMergedIntoOne() throws {
        let distance = HEALPixSkyMap.DistanceAnsatz(mu: 40, sigma: 8, norm: 1 / (40.0 * 40 + 64))
        let map = try flooredGaussianMap(distance: distance)
        // Two bright galaxies 0.3° apart near the peak, a third 3° away.
        let catalog = [
            galaxy("NGC A", 118.0, -28.0, distance: 40, magnitude: 9), galaxy("NGC B", 118.3, -28.1, distance: 40, magnitude: 9.5),
            galaxy("NGC C", 121.0, -29.0, distance: 40, magnitude: 9),
        ]
        let prior = try #require(HostGalaxyPrior(map: map, catalog: catalog))
        let field = FieldOfView.square(side: .degrees(1.17))
        let model = CoverageModel(map: map, credibleLevel: 0.9, prior: prior, fieldsOfView: [field])
        let galaxyFields = model.candidates(for: field).filter { if case .galaxies = $0.kind { true } else { false } }
        #expect(galaxyFields.count == 2)
        let merged = try #require(galaxyFields.first { if case .galaxies(let names) = $0.kind { names.count == 2 } else { false } })
        #expect(merged.footprint.contains(coordinates(118.0, -28.0)) && merged.footprint.contains(coordinates(118.3, -28.1)))
        // Centred between the two, nearer the brighter.
        #expect(merged.center.separation(from: coordinates(118.0, -28.0)).degrees < merged.center.separation(from: coordinates(118.3, -28.1)).degrees)
        #expect(merged.center.separation(from: coordinates(118.0, -28.0)).degrees > 0.01)
    }
}

extension CoverageModelTests {
    @Test func tilesOfOneFieldOfViewBarelyOverlap() throws {
        // Overlapping fields are merged away: each of the first tiles adds at least 90 % of its
        // own area (the tessellation's neighbours abut), until the region's edges are reached.
        let map = try flooredGaussianMap()
        let field = FieldOfView.rectangle(width: .degrees(1.17), height: .degrees(1.18))
        let tiles = map.mostProbableTiles(fieldOfView: field, count: 30, credibleLevel: 0.9)
        #expect(tiles.count == 30)
        var taken: [Footprint] = []
        for tile in tiles {
            let before = map.coverage(of: taken).areaSquareDegrees
            taken.append(Footprint(center: tile.center, fieldOfView: field))
            let added = map.coverage(of: taken).areaSquareDegrees - before
            #expect(added >= 0.9 * field.areaSquareDegrees * 0.99, "tile \(taken.count) adds \(added) deg²")
        }
        // So 30 tiles hold nearly what the best 30 × 1.376 deg² of the map hold: for a Gaussian,
        // the disc of that area, 1 − exp(−A / 2πσ²) = 65 % (issue 17: the old fields held 0.46 %).
        let area = 30 * field.areaSquareDegrees
        let best = 1 - exp(-area / (2 * Double.pi * 2.5 * 2.5))
        #expect(map.coverage(of: taken).probability > 0.97 * best)
    }
}

struct HostGalaxyPriorTests {
    static let ansatz = HEALPixSkyMap.DistanceAnsatz(mu: 40, sigma: 5, norm: 1 / (40.0 * 40 + 25))

    @Test func completenessComparesTheCatalogsLuminosityWithTheUniverses() throws {
        let map = try flooredGaussianMap(distance: Self.ansatz)
        let one = galaxy("NGC A", 118, -28, distance: 40, magnitude: 12)
        let prior = try #require(HostGalaxyPrior(map: map, catalog: [one]))
        let luminosity = pow(10, -0.4 * (12 - 5 * log10(40e5) - 5.48))
        let expected = luminosity * map.probabilityDensityPerVolume(at: one.coordinates, distanceMegaparsecs: 40) / 1.98e8
        #expect(abs(prior.completeness - expected) / expected < 1e-12)
        #expect(prior.galaxies.count == 1 && prior.galaxies[0].weight == 1)
        #expect(HostGalaxyPrior(map: try flooredGaussianMap(), catalog: [one]) == nil)  // no distance layers
        // Galaxies without a B magnitude or a distance carry no weight.
        var unmeasured = [one]
        unmeasured.append(Target(id: "x", name: "X", coordinates: coordinates(118, -28), kind: .galaxy, distanceMegaparsecs: 40, priority: 5))
        #expect(try #require(HostGalaxyPrior(map: map, catalog: unmeasured)).galaxies.count == 1)
    }

    @Test func threeDimensionalWeightingPrefersGalaxiesAtTheMapsDistance() throws {
        let map = try flooredGaussianMap(distance: Self.ansatz)
        // Equally bright (absolute magnitude −21) and equally placed on the 2-D map, one at the
        // map's 40 Mpc, one at 90 Mpc.
        let near = galaxy("Near", 117.0, -28.0, distance: 40, magnitude: -21 + 5 * log10(40e5))
        let far = galaxy("Far", 119.0, -28.0, distance: 90, magnitude: -21 + 5 * log10(90e5))
        let prior = try #require(HostGalaxyPrior(map: map, catalog: [near, far]))
        #expect(prior.galaxies.first?.name == "Near")
        #expect(prior.galaxies[0].weight > 0.99)
        let field = FieldOfView.square(side: .degrees(0.5))
        let footprints = [near, far].map { Footprint(center: $0.coordinates, fieldOfView: field) }
        let atNear = map.coverage(of: [footprints[0]], prior: prior), atFar = map.coverage(of: [footprints[1]], prior: prior)
        #expect(abs(atNear.probability - atFar.probability) < 1e-3)  // the same on the 2-D map
        #expect(try #require(atNear.probabilityWithDistance) > (try #require(atFar.probabilityWithDistance)))
        // Chosen by the 3-D probability, the first field is the near galaxy's.
        let model = CoverageModel(map: map, credibleLevel: 0.9, prior: prior, fieldsOfView: [field])
        let candidates = model.candidates(for: field)
        let tally = model.tally()
        let best = try #require(candidates.max { tally.gain(of: $0).objective < tally.gain(of: $1).objective })
        #expect(best.footprint.contains(near.coordinates))
        #expect(!best.footprint.contains(far.coordinates))
    }

    @Test func withoutAnyCatalogGalaxyThreeDimensionalIsTwoDimensional() throws {
        let map = try flooredGaussianMap(distance: Self.ansatz)
        let prior = try #require(HostGalaxyPrior(map: map, catalog: []))
        #expect(prior.completeness == 0)
        let footprint = Footprint(center: coordinates(118, -28), fieldOfView: .square(side: .degrees(1.17)))
        let covered = map.coverage(of: [footprint], prior: prior)
        #expect(covered.probabilityWithDistance == covered.probability)
    }
}

struct CredibleContourTests {
    @Test func contoursFollowTheRegionsEdge() throws {
        let map = try flooredGaussianMap(order: 8)
        let contours = map.credibleContours(levels: [0.5, 0.9], center: coordinates(118, -28), halfWidth: .degrees(8))
        #expect(contours.map(\.level) == [0.5, 0.9])
        for contour in contours {
            let radius = 2.5 * (2 * log(1 / (1 - contour.level))).squareRoot()
            #expect(contour.segments.count > 40)
            for (start, _) in contour.segments {
                #expect(abs(start.separation(from: coordinates(118, -28)).degrees - radius) < 0.35)
            }
        }
        #expect(abs(map.credibleRegionRadius(probability: 0.9).degrees - 2.5 * (2 * log(10.0)).squareRoot()) < 0.6)
    }
}
