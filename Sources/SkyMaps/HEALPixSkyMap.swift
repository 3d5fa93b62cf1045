import Foundation
public import StarlingCore

/// A gravitational-wave or gamma-ray localisation on a HEALPix grid: where on the sky the
/// source is likely to be and, for GW maps, how far away.
///
/// Flat maps (one resolution, a `PROB` column per pixel: Fermi GBM, LVK O3 BAYESTAR) and
/// multi-order maps (`UNIQ` with `PROBDENSITY` per steradian: LVK O4 and IGWN alerts) are held
/// the same way, as pixels of possibly different orders, each with its probability. GW maps
/// also carry the distance ansatz per pixel (`DISTMU`, `DISTSIGMA`, `DISTNORM`: Singer et al.
/// 2016, ApJL 829, L15), which ranks galaxies by ``probabilityDensityPerVolume(at:distanceMegaparsecs:)``.
///
/// ```swift
/// let map = try reader.readSkyMap(path: "bayestar.fits.gz")
/// let region = map.credibleRegion(probability: 0.9)          // smallest area holding 90 %
/// let p = map.probability(in: .square(side: .degrees(2.5)), at: position)
/// let tiles = map.mostProbableTiles(fieldOfView: .square(side: .degrees(2.5)), count: 8)
/// ```
///
/// Probabilities are normalised to sum to 1 on creation. All queries are pure functions of
/// the map; the type is a `Sendable` value and may be shared between tasks.
public struct HEALPixSkyMap: Sendable {
    /// The distance ansatz of one pixel: the conditional distance distribution is
    /// p(r | direction) = `norm` · r² · N(r; `mu`, `sigma`), r in Mpc.
    public struct DistanceAnsatz: Sendable, Hashable {
        /// Location parameter, Mpc (not the mean distance; +∞ where the map has no distance).
        public let mu: Double
        /// Scale parameter, Mpc.
        public let sigma: Double
        /// Normalisation, Mpc⁻².
        public let norm: Double
    }

    /// The map's pixels, ordered by their extent on the finest grid (nested order).
    public let pixels: [HEALPixPixel]
    /// Each pixel's probability (not density); they sum to 1.
    public let probabilities: [Double]
    /// Each pixel's distance ansatz, when the map has distance layers.
    public let distances: [DistanceAnsatz]?
    /// The posterior mean distance over the whole sky, Mpc (FITS `DISTMEAN`), when stated.
    public let distanceMeanMegaparsecs: Double?
    /// The posterior standard deviation of the distance, Mpc (FITS `DISTSTD`), when stated.
    public let distanceStandardDeviationMegaparsecs: Double?
    /// Where the map came from, for messages.
    public let source: String

    /// Pixel centres, index-aligned with ``pixels``.
    let vectors: [UnitVector]
    /// The largest centre-to-edge distance of any pixel of the map, radians.
    let largestPixelRadius: Double
    /// Start of each pixel's range of order-29 nested pixels, index-aligned, ascending.
    private let rangeStarts: [Int]
    /// Pixel indices by decreasing probability density, and the probability accumulated in that order.
    private let rankedIndices: [Int]
    private let cumulative: [Double]
    /// The rank (position in ``rankedIndices``) of each pixel index.
    private let rankOfIndex: [Int]

    // MARK: Creating

    /// A map from pixels of any orders and their probability densities (per steradian).
    ///
    /// - Throws: ``SkyMapError`` `.invalid` when the arrays differ in length, a density is
    ///   negative or not finite, the pixels overlap, or the map holds no probability.
    public init(
        pixels: [HEALPixPixel], probabilityDensities: [Double], distances: [DistanceAnsatz]? = nil,
        distanceMeanMegaparsecs: Double? = nil, distanceStandardDeviationMegaparsecs: Double? = nil, source: String = "sky map"
    ) throws(SkyMapError) {
        guard pixels.count == probabilityDensities.count else {
            throw SkyMapError(.invalid, source: source, "\(pixels.count) pixels but \(probabilityDensities.count) densities")
        }
        let probabilities = zip(pixels, probabilityDensities).map { $0.areaSteradians * $1 }
        try self.init(
            validating: pixels, probabilities: probabilities, distances: distances, distanceMean: distanceMeanMegaparsecs,
            distanceStandardDeviation: distanceStandardDeviationMegaparsecs, source: source)
    }

    /// A flat map: one probability per pixel of one grid, in nested or ring order.
    ///
    /// - Throws: ``SkyMapError`` `.invalid` when the number of values is not 12 · nside² for a
    ///   power-of-two nside, or as ``init(pixels:probabilityDensities:distances:distanceMeanMegaparsecs:distanceStandardDeviationMegaparsecs:source:)``.
    public init(
        flatProbabilities: [Double], ordering: HEALPixGrid.Ordering, distances: [DistanceAnsatz]? = nil,
        distanceMeanMegaparsecs: Double? = nil, distanceStandardDeviationMegaparsecs: Double? = nil, source: String = "sky map"
    ) throws(SkyMapError) {
        let nsideSquared = flatProbabilities.count / 12
        let nside = Int(Double(nsideSquared).squareRoot().rounded())
        guard flatProbabilities.count % 12 == 0, nside * nside == nsideSquared, let grid = HEALPixGrid(nside: nside) else {
            throw SkyMapError(.invalid, source: source, "\(flatProbabilities.count) pixels is not 12 · nside² for a power-of-two nside")
        }
        if let distances, distances.count != flatProbabilities.count {
            throw SkyMapError(.invalid, source: source, "\(distances.count) distance values for \(flatProbabilities.count) pixels")
        }
        var pixels = [HEALPixPixel]()
        var probabilities = [Double](repeating: 0, count: flatProbabilities.count)
        var nestedDistances: [DistanceAnsatz]? = distances.map { _ in [] }
        pixels.reserveCapacity(flatProbabilities.count)
        switch ordering {
        case .nested:
            for index in 0..<flatProbabilities.count { pixels.append(HEALPixPixel(order: grid.order, index: index)) }
            probabilities = flatProbabilities
            nestedDistances = distances
        case .ring:
            var ringOf = [Int](repeating: 0, count: flatProbabilities.count)
            for index in 0..<flatProbabilities.count {
                pixels.append(HEALPixPixel(order: grid.order, index: index))
                ringOf[index] = grid.ringPixel(fromNested: index)
                probabilities[index] = flatProbabilities[ringOf[index]]
            }
            if let distances { nestedDistances = ringOf.map { distances[$0] } }
        }
        try self.init(
            validating: pixels, probabilities: probabilities, distances: nestedDistances, distanceMean: distanceMeanMegaparsecs,
            distanceStandardDeviation: distanceStandardDeviationMegaparsecs, source: source)
    }

    private init(
        validating pixels: [HEALPixPixel], probabilities: [Double], distances: [DistanceAnsatz]?, distanceMean: Double?,
        distanceStandardDeviation: Double?, source: String
    ) throws(SkyMapError) {
        if let distances, distances.count != pixels.count {
            throw SkyMapError(.invalid, source: source, "\(distances.count) distance values for \(pixels.count) pixels")
        }
        var total = 0.0
        for (index, probability) in probabilities.enumerated() {
            guard probability.isFinite, probability >= 0 else {
                throw SkyMapError(.invalid, source: source, "pixel \(pixels[index]) has probability \(probability)")
            }
            total += probability
        }
        guard total > 0 else { throw SkyMapError(.invalid, source: source, "the map holds no probability") }

        // Order by position on the finest grid; adjacent ranges must not overlap.
        let shift = { (pixel: HEALPixPixel) in 2 * (HEALPixGrid.maximumOrder - pixel.order) }
        let order = pixels.indices.sorted { pixels[$0].index << shift(pixels[$0]) < pixels[$1].index << shift(pixels[$1]) }
        var sortedPixels = [HEALPixPixel]()
        var sortedProbabilities = [Double]()
        var starts = [Int]()
        sortedPixels.reserveCapacity(pixels.count)
        sortedProbabilities.reserveCapacity(pixels.count)
        starts.reserveCapacity(pixels.count)
        var previousEnd = 0
        for index in order {
            let pixel = pixels[index]
            let start = pixel.index << shift(pixel)
            guard start >= previousEnd else {
                throw SkyMapError(.invalid, source: source, "pixel \(pixel) overlaps another pixel of the map")
            }
            previousEnd = start + (1 << shift(pixel))
            sortedPixels.append(pixel)
            sortedProbabilities.append(probabilities[index] / total)
            starts.append(start)
        }
        self.pixels = sortedPixels
        self.probabilities = sortedProbabilities
        self.distances = distances.map { values in order.map { values[$0] } }
        self.rangeStarts = starts
        self.vectors = sortedPixels.map { $0.grid.centerVector(ofPixel: $0.index) }
        self.largestPixelRadius = HEALPixGrid(order: sortedPixels.map(\.order).min() ?? 0).maximumPixelRadius
        self.distanceMeanMegaparsecs = distanceMean
        self.distanceStandardDeviationMegaparsecs = distanceStandardDeviation
        self.source = source

        let densities = zip(sortedPixels, sortedProbabilities).map { $1 / $0.areaSteradians }
        let ranked = sortedPixels.indices.sorted { densities[$0] > densities[$1] || (densities[$0] == densities[$1] && $0 < $1) }
        var running = 0.0
        var rankOfIndex = [Int](repeating: 0, count: ranked.count)
        for (rank, index) in ranked.enumerated() { rankOfIndex[index] = rank }
        self.rankOfIndex = rankOfIndex
        self.rankedIndices = ranked
        self.cumulative = ranked.map { index in
            running += sortedProbabilities[index]
            return running
        }
    }

    // MARK: Looking up

    /// The index of the map's pixel containing a direction, or `nil` if the map does not cover it.
    func pixelIndex(containing direction: UnitVector) -> Int? {
        let finest = HEALPixGrid(order: HEALPixGrid.maximumOrder).pixel(of: direction)
        // The last range starting at or before `finest`.
        var low = 0
        var high = rangeStarts.count
        while low < high {
            let middle = (low + high) / 2
            if rangeStarts[middle] <= finest { low = middle + 1 } else { high = middle }
        }
        let index = low - 1
        guard index >= 0 else { return nil }
        let pixel = pixels[index]
        let span = 1 << (2 * (HEALPixGrid.maximumOrder - pixel.order))
        return finest < rangeStarts[index] + span ? index : nil
    }

    /// The indices of the map's pixels that may reach within `radius` of a direction: every
    /// pixel overlapping the cells of a grid about that size near it (ascending, each once).
    func pixelIndices(near centre: UnitVector, radius: Double) -> [Int] {
        let order = min(Self.order(forResolution: max(radius, 1e-9)), HEALPixGrid.maximumOrder)
        let grid = HEALPixGrid(order: order)
        let shift = 2 * (HEALPixGrid.maximumOrder - order)
        /// The first pixel whose range starts at or after `value` on the finest grid.
        func firstStarting(atOrAfter value: Int) -> Int {
            var low = 0, high = rangeStarts.count
            while low < high {
                let middle = (low + high) / 2
                if rangeStarts[middle] < value { low = middle + 1 } else { high = middle }
            }
            return low
        }
        var result: [Int] = []
        let reach = Angle(radians: min(Double.pi, radius + 2 * grid.maximumPixelRadius))
        for cell in grid.pixels(inDiscAround: centre.coordinates, radius: reach) {
            let start = cell << shift, end = (cell + 1) << shift
            var first = firstStarting(atOrAfter: start)
            // A coarser map pixel starting before the cell may contain it.
            if first > 0, first - 1 < pixels.count {
                let previous = first - 1
                if rangeStarts[previous] + (1 << (2 * (HEALPixGrid.maximumOrder - pixels[previous].order))) > start { first = previous }
            }
            var index = first
            while index < pixels.count, rangeStarts[index] < end {
                result.append(index)
                index += 1
            }
        }
        result.sort()
        var unique: [Int] = []
        unique.reserveCapacity(result.count)
        for index in result where unique.last != index { unique.append(index) }
        return unique
    }

    /// The probability per steradian at a direction (0 where the map has no pixel).
    public func probabilityDensity(at direction: EquatorialCoordinates) -> Double {
        guard let index = pixelIndex(containing: UnitVector(direction)) else { return 0 }
        return probabilities[index] / pixels[index].areaSteradians
    }

    /// The direction of the highest probability density (the centre of that pixel).
    public var mostProbableDirection: EquatorialCoordinates {
        vectors[rankedIndices[0]].coordinates
    }

    /// The smallest credible level that contains a direction: 0.3 means the direction is inside
    /// the 30 % credible region (ligo.skymap's "searched probability"); 1 where the map has no pixel.
    public func credibleLevel(at direction: EquatorialCoordinates) -> Double {
        guard let index = pixelIndex(containing: UnitVector(direction)) else { return 1 }
        return cumulative[rankOfIndex[index]]
    }

    // MARK: Credible regions

    /// The smallest set of pixels holding at least `probability` of the map (pixels taken in
    /// order of decreasing probability density until the sum reaches the level).
    ///
    /// - Parameter probability: the credible level, 0…1 (0.9 for the 90 % region).
    public func credibleRegion(probability level: Double) -> CredibleRegion {
        let target = min(max(level, 0), 1)
        var count = 0
        while count < cumulative.count, count == 0 || cumulative[count - 1] < target - 1e-12 { count += 1 }
        let chosen = rankedIndices.prefix(count)
        let area = chosen.reduce(0.0) { $0 + pixels[$1].areaSteradians }
        return CredibleRegion(
            level: target, probability: count > 0 ? cumulative[count - 1] : 0, pixels: chosen.map { pixels[$0] }.sorted(),
            areaSquareDegrees: area * squareDegreesPerSteradian)
    }

    // MARK: Probability in a field

    /// The probability inside a circle.
    public func probability(inCircleAround center: EquatorialCoordinates, radius: Angle) -> Double {
        probability(in: .circle(radius: radius), at: center)
    }

    /// The probability inside a field of view pointed at `center`: what
    /// ``coverage(of:prior:)`` gives for that one footprint (accurate to the map's
    /// resolution even when the field is smaller than its pixels).
    public func probability(in field: FieldOfView, at center: EquatorialCoordinates) -> Double {
        coverage(of: [Footprint(center: center, fieldOfView: field)]).probability
    }

    /// The coarsest order whose pixels are no larger than `resolution` radians.
    static func order(forResolution resolution: Double) -> Int {
        for order in 0...HEALPixGrid.maximumOrder where HEALPixGrid(order: order).maximumPixelRadius <= resolution {
            return order
        }
        return HEALPixGrid.maximumOrder
    }

    // MARK: Distance

    /// The distance ansatz of the pixel holding a direction, when the map has distance
    /// layers and a finite distance there.
    public func distanceAnsatz(at direction: EquatorialCoordinates) -> DistanceAnsatz? {
        guard let distances, let index = pixelIndex(containing: UnitVector(direction)) else { return nil }
        let ansatz = distances[index]
        guard ansatz.mu.isFinite, ansatz.sigma.isFinite, ansatz.sigma > 0, ansatz.norm > 0 else { return nil }
        return ansatz
    }

    /// The probability per unit volume (per steradian per Mpc³) at a direction and distance:
    /// dP/dV = ρ(n̂) · DISTNORM · N(r; DISTMU, DISTSIGMA) (Singer et al. 2016, eq. 2), the
    /// weight of a galaxy at that place. 0 where the map has no distance.
    public func probabilityDensityPerVolume(at direction: EquatorialCoordinates, distanceMegaparsecs r: Double) -> Double {
        guard let ansatz = distanceAnsatz(at: direction), r >= 0 else { return 0 }
        let density = probabilityDensity(at: direction)
        let z = (r - ansatz.mu) / ansatz.sigma
        return density * ansatz.norm * exp(-0.5 * z * z) / ((2 * Double.pi).squareRoot() * ansatz.sigma)
    }

    /// The conditional probability density of the distance along a direction, per Mpc:
    /// p(r | n̂) = DISTNORM · r² · N(r; DISTMU, DISTSIGMA).
    public func distanceProbabilityDensity(at direction: EquatorialCoordinates, distanceMegaparsecs r: Double) -> Double {
        guard let ansatz = distanceAnsatz(at: direction), r >= 0 else { return 0 }
        let z = (r - ansatz.mu) / ansatz.sigma
        return ansatz.norm * r * r * exp(-0.5 * z * z) / ((2 * Double.pi).squareRoot() * ansatz.sigma)
    }

}

/// The smallest region of a sky map holding a given probability.
public struct CredibleRegion: Sendable, Hashable {
    /// The level asked for (0.9 for the 90 % region).
    public let level: Double
    /// The probability the chosen pixels hold (≥ ``level``, by at most one pixel's worth).
    public let probability: Double
    /// The pixels, in NUNIQ order.
    public let pixels: [HEALPixPixel]
    /// The region's area, square degrees.
    public let areaSquareDegrees: Double
}
