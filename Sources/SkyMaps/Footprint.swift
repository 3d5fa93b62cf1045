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
    /// pixel) down to 1/16 of the smallest footprint's inner radius, whose centres then decide.
    /// So overlapping footprints are counted once, and fields smaller than the map's pixels get
    /// their share. This is the one place Starling measures coverage: field selection, the
    /// coordinator's decisions and the reports all call it.
    ///
    /// - Parameters:
    ///   - footprints: the fields.
    ///   - prior: the catalog's host galaxies weighted by the map's distance layers, for the
    ///     3-D probability; `nil` for 2-D only.
    public func coverage(of footprints: [Footprint], prior: HostGalaxyPrior? = nil) -> SkyCoverage {
        guard !footprints.isEmpty else {
            return SkyCoverage(probability: 0, probabilityWithDistance: prior.map { _ in 0 }, areaSquareDegrees: 0)
        }
        let placed = footprints.map(\.placed)
        let smallestInner = placed.map(\.inner).min() ?? Double.pi
        let largestOuter = placed.map(\.outer).max() ?? 0
        let finest = Self.order(forResolution: smallestInner / 16)

        // Cells of a coarse grid, each with the footprints that may reach into it.
        let cellOrder = Self.order(forResolution: max(largestOuter, 1e-6))
        let cells = HEALPixGrid(order: cellOrder)
        var byCell: [Int: [Int]] = [:]
        for (index, field) in placed.enumerated() {
            let reach = Angle(radians: min(Double.pi, field.outer + 2 * cells.maximumPixelRadius))
            for cell in cells.pixels(inDiscAround: field.center.coordinates, radius: reach) { byCell[cell, default: []].append(index) }
        }
        let everyField = Array(placed.indices)
        var probability = 0.0
        var areaSteradians = 0.0
        for index in pixels.indices {
            let pixel = pixels[index]
            let nearby: [Int]
            if pixel.order >= cellOrder {
                guard let list = byCell[pixel.index >> (2 * (pixel.order - cellOrder))] else { continue }
                nearby = list
            } else {
                nearby = everyField
            }
            let share = Self.fraction(of: pixel, vector: vectors[index], in: placed, candidates: nearby, finestOrder: finest)
            guard share > 0 else { continue }
            probability += share * probabilities[index]
            areaSteradians += share * pixel.areaSteradians
        }
        var withDistance: Double?
        if let prior {
            let share = prior.galaxies.reduce(0.0) { sum, galaxy in
                placed.contains { $0.contains(galaxy.vector) } ? sum + galaxy.weight : sum
            }
            withDistance = prior.probability(galaxyShare: share, skyProbability: probability)
        }
        return SkyCoverage(probability: min(1, probability), probabilityWithDistance: withDistance, areaSquareDegrees: areaSteradians * squareDegreesPerSteradian)
    }

    /// The share of a pixel inside the union of some placed fields (those listed in
    /// `candidates`), refining pixels an edge crosses.
    static func fraction(of pixel: HEALPixPixel, vector: UnitVector, in fields: [PlacedField], candidates: [Int], finestOrder: Int) -> Double {
        let reach = pixel.grid.maximumPixelRadius
        var touching: [Int] = []
        for index in candidates {
            let field = fields[index]
            let cosine = vector.dot(field.center)
            // A cheap rejection first: beyond the outer radius plus the pixel's reach.
            if cosine < cos(min(Double.pi, field.outer + reach)) { continue }
            let distance = vector.angle(to: field.center)
            if distance + reach <= field.inner { return 1 }
            touching.append(index)
        }
        guard !touching.isEmpty else { return 0 }
        if pixel.order >= finestOrder || pixel.order >= HEALPixGrid.maximumOrder {
            return touching.contains { fields[$0].contains(vector) } ? 1 : 0
        }
        var share = 0.0
        for child in pixel.children {
            share += fraction(of: child, vector: child.grid.centerVector(ofPixel: child.index), in: fields, candidates: touching, finestOrder: finestOrder) / 4
        }
        return share
    }
}
