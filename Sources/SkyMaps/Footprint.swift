import Foundation
public import StarlingCore

/// Where a camera's field lies on the sky in one pointing: its field of view placed at a
/// centre, oriented as the frames' world coordinates say (north up, east left).
///
/// ```swift
/// let footprint = Footprint(center: pointing, fieldOfView: telescope.fieldOfView)
/// let covered = map.coverage(of: [footprint])      // probability and area, counted once
/// ```
public struct Footprint: Sendable, Hashable, Codable {
    /// Where the field's centre points (ICRS).
    public let center: EquatorialCoordinates
    /// The camera's field.
    public let fieldOfView: FieldOfView

    /// Creates a footprint.
    public init(center: EquatorialCoordinates, fieldOfView: FieldOfView) {
        self.center = center
        self.fieldOfView = fieldOfView
    }

    /// The footprint's outline for drawing, ICRS: a rectangle's four corners (north-east
    /// first, then counter-clockwise as seen on the sky), or 32 points around a circle.
    public var outline: [EquatorialCoordinates] {
        let placed = placed
        switch fieldOfView {
        case .rectangle:
            return [(1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)].map { sx, sy in
                placed.direction(xi: -sx * placed.tanHalfWidth, eta: sy * placed.tanHalfHeight).coordinates
            }
        case .circle(let radius):
            return (0..<32).map { step in
                let angle = Double(step) / 32 * 2 * Double.pi
                let t = tan(radius.radians)
                return placed.direction(xi: t * sin(angle), eta: t * cos(angle)).coordinates
            }
        }
    }

    /// Whether a direction is inside the footprint.
    public func contains(_ direction: EquatorialCoordinates) -> Bool {
        placed.contains(UnitVector(direction))
    }

    /// The field placed at the centre, ready for containment tests.
    var placed: PlacedField { fieldOfView.placed(at: UnitVector(center)) }
}

/// The part of a sky map some footprints cover: each part of the sky counted once, however
/// many footprints hold it.
public struct SkyCoverage: Sendable, Hashable, Codable {
    /// The share of the map's probability inside the footprints (2-D), 0…1.
    public let probability: Double
    /// The share of the host probability inside the footprints, with the map's distance
    /// layers and a galaxy catalog (3-D; see ``HostGalaxyPrior``); `nil` without them.
    public let probabilityWithDistance: Double?
    /// The solid angle the footprints cover, square degrees (where the map has pixels: the
    /// whole sky for LVK, Fermi and IGWN maps).
    public let areaSquareDegrees: Double

    /// Creates a coverage.
    public init(probability: Double, probabilityWithDistance: Double?, areaSquareDegrees: Double) {
        self.probability = probability
        self.probabilityWithDistance = probabilityWithDistance
        self.areaSquareDegrees = areaSquareDegrees
    }

    /// Nothing covered.
    public static let none = SkyCoverage(probability: 0, probabilityWithDistance: nil, areaSquareDegrees: 0)
}

extension HEALPixSkyMap {
    /// The probability and area the union of footprints covers, and with a host-galaxy prior
    /// the 3-D probability.
    ///
    /// A pixel wholly inside a footprint counts fully and one outside all of them not at all;
    /// a pixel an edge crosses is split into its children (the density is uniform within a
    /// pixel) until they are a quarter of the smallest footprint's inner radius across. There a
    /// pixel only one footprint's edge crosses counts for the share of it on the inner side of
    /// that edge, taken as straight across the pixel (0.5 + the centre's signed distance to the
    /// edge over the pixel's width, within 0…1); one where several footprints meet is split on
    /// to an eighth of that radius, whose centres then decide. So overlapping footprints are
    /// counted once, and fields smaller than the map's pixels get their share. This is the one
    /// place Starling measures coverage: field selection, the coordinator's decisions and the
    /// reports all call it.
    ///
    /// - Parameters:
    ///   - footprints: the fields.
    ///   - prior: the catalog's host galaxies weighted by the map's distance layers, for the
    ///     3-D probability; `nil` for 2-D only.
    public func coverage(of footprints: [Footprint], prior: HostGalaxyPrior? = nil) -> SkyCoverage {
        measure(footprints, prior: prior, each: false).union
    }

    /// What each footprint covers on its own, and what their union covers, in one pass over
    /// the map (the same measure as ``coverage(of:prior:)``).
    public func coverages(of footprints: [Footprint], prior: HostGalaxyPrior? = nil) -> (union: SkyCoverage, each: [SkyCoverage]) {
        measure(footprints, prior: prior, each: true)
    }

    private func measure(_ footprints: [Footprint], prior: HostGalaxyPrior?, each: Bool) -> (union: SkyCoverage, each: [SkyCoverage]) {
        guard !footprints.isEmpty else {
            return (SkyCoverage(probability: 0, probabilityWithDistance: prior.map { _ in 0 }, areaSquareDegrees: 0), [])
        }
        let placed = footprints.map(\.placed)
        let smallestInner = placed.map(\.inner).min() ?? Double.pi
        let largestOuter = placed.map(\.outer).max() ?? 0
        let finest = Self.order(forResolution: smallestInner / 8)
        let edges = Self.order(forResolution: smallestInner / 4)

        // A cap around all the footprints: only the map's pixels that may reach into it are
        // looked at.
        var sum = UnitVector(x: 0, y: 0, z: 0)
        for field in placed { sum = UnitVector(x: sum.x + field.center.x, y: sum.y + field.center.y, z: sum.z + field.center.z) }
        let norm = sum.dot(sum).squareRoot()
        let capCentre = norm > 1e-9 ? UnitVector(x: sum.x / norm, y: sum.y / norm, z: sum.z / norm) : placed[0].center
        let capRadius = norm > 1e-9 ? (placed.map { capCentre.angle(to: $0.center) + $0.outer }.max() ?? Double.pi) : Double.pi
        let nearCap = capRadius < 1 ? pixelIndices(near: capCentre, radius: capRadius) : Array(pixels.indices)
        // With many footprints, cells of a coarse grid list the footprints that may reach into each.
        let everyField = Array(placed.indices)
        let cellOrder = Self.order(forResolution: max(largestOuter, 1e-6))
        var byCell: [Int: [Int]] = [:]
        let usesCells = placed.count > 4
        if usesCells {
            let cells = HEALPixGrid(order: cellOrder)
            for (index, field) in placed.enumerated() {
                let reach = Angle(radians: min(Double.pi, field.outer + 2 * HEALPixGrid.maximumPixelRadius(order: cellOrder)))
                for cell in cells.pixels(inDiscAround: field.center.coordinates, radius: reach) { byCell[cell, default: []].append(index) }
            }
        }
        let ownEdges = each ? placed.map { Self.order(forResolution: $0.inner / 4) } : []
        let ownFinest = each ? placed.map { Self.order(forResolution: $0.inner / 8) } : []
        var probability = 0.0, areaSteradians = 0.0
        var eachProbability = [Double](repeating: 0, count: each ? placed.count : 0)
        var eachArea = eachProbability
        for index in nearCap {
            let pixel = pixels[index]
            var nearby = everyField
            if usesCells, pixel.order >= cellOrder {
                guard let list = byCell[pixel.index >> (2 * (pixel.order - cellOrder))] else { continue }
                nearby = list
            }
            let share = Self.fraction(of: pixel, vector: vectors[index], in: placed, candidates: nearby, edgeOrder: edges, finestOrder: finest)
            guard share > 0 else { continue }
            probability += share * probabilities[index]
            areaSteradians += share * pixel.areaSteradians
            guard each else { continue }
            for field in nearby {
                // Each footprint at its own resolution, as it would be measured alone.
                let own = nearby.count == 1 && placed.count == 1 ? share
                    : Self.fraction(
                        of: pixel, vector: vectors[index], in: placed, candidates: [field], edgeOrder: ownEdges[field], finestOrder: ownFinest[field])
                eachProbability[field] += own * probabilities[index]
                eachArea[field] += own * pixel.areaSteradians
            }
        }
        var withDistance: Double?
        var eachWithDistance = [Double?](repeating: nil, count: eachProbability.count)
        if let prior {
            let cosCap = cos(min(Double.pi, capRadius))
            var share = 0.0
            var eachShare = [Double](repeating: 0, count: eachProbability.count)
            for galaxy in prior.galaxies where galaxy.vector.dot(capCentre) >= cosCap {
                var inside = false
                for (index, field) in placed.enumerated() where field.contains(galaxy.vector) {
                    inside = true
                    if each { eachShare[index] += galaxy.weight } else { break }
                }
                if inside { share += galaxy.weight }
            }
            withDistance = prior.probability(galaxyShare: share, skyProbability: probability)
            for index in eachShare.indices {
                eachWithDistance[index] = prior.probability(galaxyShare: eachShare[index], skyProbability: eachProbability[index])
            }
        }
        let union = SkyCoverage(
            probability: min(1, probability), probabilityWithDistance: withDistance, areaSquareDegrees: areaSteradians * squareDegreesPerSteradian)
        let eachCoverage = eachProbability.indices.map { index in
            SkyCoverage(
                probability: min(1, eachProbability[index]), probabilityWithDistance: eachWithDistance[index],
                areaSquareDegrees: eachArea[index] * squareDegreesPerSteradian)
        }
        return (union, eachCoverage)
    }

    /// The share of a pixel inside the union of some placed fields (those listed in
    /// `candidates`), refining pixels an edge crosses.
    static func fraction(
        of pixel: HEALPixPixel, vector: UnitVector, in fields: [PlacedField], candidates: [Int], edgeOrder: Int, finestOrder: Int
    ) -> Double {
        fraction(order: pixel.order, index: pixel.index, vector: vector, in: fields, candidates: candidates, edgeOrder: edgeOrder, finestOrder: finestOrder)
    }

    private static func fraction(
        order: Int, index: Int, vector: UnitVector, in fields: [PlacedField], candidates: [Int], edgeOrder: Int, finestOrder: Int
    ) -> Double {
        // One field (the usual case near a footprint's edge): no list to keep.
        if candidates.count == 1 {
            return fraction(order: order, index: index, vector: vector, in: fields[candidates[0]], edgeOrder: edgeOrder)
        }
        var touching: [Int] = []
        touching.reserveCapacity(candidates.count)
        for candidate in candidates {
            let field = fields[candidate]
            // Compared as cosines: wholly inside when the centre is within inner − reach,
            // untouched when it is beyond outer + reach.
            let cosine = vector.dot(field.center)
            if cosine >= field.cosWhollyInside[order] { return 1 }
            if cosine < field.cosWhollyOutside[order] { continue }
            touching.append(candidate)
        }
        if touching.count <= 1 {
            return touching.first.map { fraction(order: order, index: index, vector: vector, in: fields[$0], edgeOrder: edgeOrder) } ?? 0
        }
        if order >= finestOrder || order >= HEALPixGrid.maximumOrder {
            return touching.contains { fields[$0].contains(vector) } ? 1 : 0
        }
        let grid = HEALPixGrid(order: order + 1)
        var share = 0.0
        for child in (index * 4)..<(index * 4 + 4) {
            share += fraction(
                order: order + 1, index: child, vector: grid.centerVector(ofPixel: child), in: fields, candidates: touching, edgeOrder: edgeOrder,
                finestOrder: finestOrder) / 4
        }
        return share
    }

    /// The share of a pixel inside one placed field.
    private static func fraction(order: Int, index: Int, vector: UnitVector, in field: PlacedField, edgeOrder: Int) -> Double {
        let cosine = vector.dot(field.center)
        if cosine >= field.cosWhollyInside[order] { return 1 }
        if cosine < field.cosWhollyOutside[order] { return 0 }
        if order >= edgeOrder || order >= HEALPixGrid.maximumOrder {
            // The edge taken as straight across the pixel.
            return min(1, max(0, 0.5 + field.signedDistance(to: vector) / HEALPixGrid.pixelWidths[order]))
        }
        let grid = HEALPixGrid(order: order + 1)
        var share = 0.0
        for child in (index * 4)..<(index * 4 + 4) {
            share += fraction(order: order + 1, index: child, vector: grid.centerVector(ofPixel: child), in: field, edgeOrder: edgeOrder) / 4
        }
        return share
    }
}
