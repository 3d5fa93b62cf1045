import Foundation
public import StarlingCore

/// A sky map's credible region cut into small cells, with the host galaxies inside it, so that
/// what a set of fields adds is a sum: the ground on which follow-up fields are chosen.
///
/// Fields are chosen only inside the credible region the strategy names: every candidate's
/// centre lies in it. What a field adds counts wherever its footprint reaches, up to a wider
/// region (``reachLevel(for:)``: the 99 % region around the 90 % one), so a field on the
/// region's edge is credited with all it covers. (A map's floor, such as the 10⁻¹² per
/// steradian LVK maps put everywhere, is outside every region short of 100 %, so it can
/// never attract a field.)
///
/// Candidates for a field of view are **tiles** of a tessellation anchored on the map's peak
/// (the mean direction of its 10 % region; rows a field's height apart, fields a width apart along each row, so
/// neighbours abut without overlapping: survey telescopes tile a localisation this way),
/// fields **placed** on a finer grid (about half a field's side apart: for what the tiles
/// centred in the region leave of its edges, or of a narrow region), and,
/// when the catalog holds part of the host probability (``HostGalaxyPrior/completeness`` > 0),
/// **galaxy fields**, centred on groups of galaxies: galaxies that fit in one field together
/// are merged into one candidate centred on their weighted mean, so neighbouring galaxies are
/// never given overlapping fields.
///
/// ```swift
/// let model = CoverageModel(map: map, credibleLevel: 0.9, prior: prior, fieldsOfView: [camera])
/// let candidates = model.candidates(for: camera)
/// var tally = model.tally()
/// let gain = tally.gain(of: candidates[0])     // what it adds, 2-D and 3-D
/// tally.take(candidates[0])
/// ```
public struct CoverageModel: Sendable {
    /// The credible level fields are chosen within.
    public let level: Double
    /// The credible region at that level.
    public let region: CredibleRegion
    /// The host galaxies and the catalog's completeness, when the map has distance layers.
    public let prior: HostGalaxyPrior?
    /// The map.
    public let map: HEALPixSkyMap

    /// The cells: the pixels of the region and of a margin around it (the wider region at
    /// ``reachLevel``, so that a field on the region's edge is credited with all it covers),
    /// split to `cellOrder` where coarser; each with its pixel (order, nested index), centre
    /// and probability.
    let cellOrder: Int
    let cellPixelOrders: [Int8]
    let cellPixelIndices: [Int]
    let cellVectors: [UnitVector]
    let cellProbabilities: [Double]
    /// Where tessellations are anchored: the probability-weighted mean direction of the 10 %
    /// credible region (the peak of the map, found to better than a pixel).
    let anchor: EquatorialCoordinates
    /// The prior's galaxies the cells reach (indices into `prior.galaxies`), and those inside the region.
    let reachedGalaxies: [Int]
    let regionGalaxies: [Int]

    /// The most cells a model holds; finer cells are merged beyond it (large regions).
    public static let maximumCells = 400_000
    /// The most tile candidates per field of view; the grid is made coarser beyond it.
    public static let maximumTileCandidates = 20_000

    /// The credible level up to which a field's probability counts, for a region at `level`:
    /// ten times closer to 1 (0.99 for the 90 % region).
    public static func reachLevel(for level: Double) -> Double { 1 - (1 - level) / 10 }

    /// Builds the model.
    ///
    /// - Parameters:
    ///   - map: the sky map.
    ///   - credibleLevel: the region to choose fields in (0.9 for the 90 % region).
    ///   - prior: the host galaxies (3-D), or `nil` to choose by the map alone (2-D).
    ///   - fieldsOfView: the fields that will be placed: cells are at most a third of the
    ///     smallest's inner radius, so a field's share is right to a few per cent of its edge
    ///     (what is reported is measured exactly, with ``HEALPixSkyMap/coverage(of:prior:)``).
    public init(map: HEALPixSkyMap, credibleLevel: Double, prior: HostGalaxyPrior?, fieldsOfView: [FieldOfView]) {
        let level = min(max(credibleLevel, 0), 1)
        let region = map.credibleRegion(probability: level)
        self.map = map
        self.level = level
        self.region = region
        self.prior = prior
        let smallestInner = fieldsOfView.map(\.innerRadius).min() ?? Double.pi / 180
        var reach = map.credibleRegion(probability: Self.reachLevel(for: level)).pixels
        var order = HEALPixSkyMap.order(forResolution: smallestInner / 3)
        func cellCount(_ pixels: [HEALPixPixel], _ order: Int) -> Int {
            pixels.reduce(0) { $0 + ($1.order >= order ? 1 : 1 << (2 * (order - $1.order))) }
        }
        // A wide map: no margin first, then coarser cells.
        if cellCount(reach, order) > Self.maximumCells { reach = region.pixels }
        while order > 0, cellCount(reach, order) > Self.maximumCells { order -= 1 }
        cellOrder = order

        var orders: [Int8] = [], indices: [Int] = []
        var vectors: [UnitVector] = []
        var probabilities: [Double] = []
        for pixel in reach {
            guard let index = map.pixelIndex(containing: pixel.grid.centerVector(ofPixel: pixel.index)) else { continue }
            let probability = map.probabilities[index]
            if pixel.order >= order {
                orders.append(Int8(pixel.order))
                indices.append(pixel.index)
                vectors.append(map.vectors[index])
                probabilities.append(probability)
            } else {
                let levels = order - pixel.order
                let children = 1 << (2 * levels)
                let grid = HEALPixGrid(order: order)
                for child in 0..<children {
                    let childIndex = (pixel.index << (2 * levels)) + child
                    orders.append(Int8(order))
                    indices.append(childIndex)
                    vectors.append(grid.centerVector(ofPixel: childIndex))
                    probabilities.append(probability / Double(children))
                }
            }
        }
        var x = 0.0, y = 0.0, z = 0.0
        for pixel in map.credibleRegion(probability: 0.1).pixels {
            guard let index = map.pixelIndex(containing: pixel.grid.centerVector(ofPixel: pixel.index)) else { continue }
            x += map.probabilities[index] * map.vectors[index].x
            y += map.probabilities[index] * map.vectors[index].y
            z += map.probabilities[index] * map.vectors[index].z
        }
        let norm = (x * x + y * y + z * z).squareRoot()
        anchor = norm > 0 ? UnitVector(x: x / norm, y: y / norm, z: z / norm).coordinates : map.mostProbableDirection
        cellPixelOrders = orders
        cellPixelIndices = indices
        cellVectors = vectors
        cellProbabilities = probabilities
        let reachLevel = reach.count == region.pixels.count ? level : Self.reachLevel(for: level)
        reachedGalaxies = prior.map { prior in
            prior.galaxies.indices.filter { map.credibleLevel(at: prior.galaxies[$0].coordinates) <= reachLevel }
        } ?? []
        regionGalaxies = prior.map { prior in
            prior.galaxies.indices.filter { map.credibleLevel(at: prior.galaxies[$0].coordinates) <= level }
        } ?? []
    }

    /// The region's area, square degrees.
    public var areaSquareDegrees: Double { region.areaSquareDegrees }

    // MARK: Candidates

    /// Where a field of view may be placed: the tessellation's tiles centred inside the region
    /// and, when the catalog carries part of the host probability, galaxy fields (the fields
    /// placed on a finer grid are ``placedCandidates(for:)``). Each candidate knows the cells
    /// and galaxies its footprint holds.
    public func candidates(for fieldOfView: FieldOfView) -> [FieldCandidate] {
        var result: [FieldCandidate] = []
        let buckets = Buckets(model: self, fieldOfView: fieldOfView)
        // Tiles: the cells of a tessellation anchored on the localisation's centre that are
        // centred inside the region. The region is sampled on a HEALPix grid finer than
        // the tiles, and each sample names the tile it falls in.
        let tessellation = Tessellation(fieldOfView: fieldOfView, anchor: anchor)
        var sampleOrder = Self.tileOrder(for: fieldOfView)
        var tiles: Set<Tessellation.Tile> = []
        while true {
            tiles = []
            let grid = HEALPixGrid(order: sampleOrder)
            for pixel in region.pixels {
                if pixel.order >= sampleOrder {
                    tiles.insert(tessellation.tile(containing: grid.center(ofPixel: pixel.ancestor(atOrder: sampleOrder).index)))
                } else {
                    let levels = sampleOrder - pixel.order
                    for child in 0..<(1 << (2 * levels)) { tiles.insert(tessellation.tile(containing: grid.center(ofPixel: (pixel.index << (2 * levels)) + child))) }
                }
                if tiles.count > Self.maximumTileCandidates { break }
            }
            if tiles.count <= Self.maximumTileCandidates || sampleOrder == 0 { break }
            sampleOrder -= 1
        }
        for tile in tiles.sorted(by: { ($0.row, $0.column) < ($1.row, $1.column) }) {
            let centre = tessellation.centre(of: tile)
            let credible = map.credibleLevel(at: centre)
            guard credible <= level else { continue }
            if let candidate = candidate(at: UnitVector(centre), fieldOfView: fieldOfView, kind: .tile, credibleLevel: credible, buckets: buckets) {
                result.append(candidate)
            }
        }
        // Galaxy fields, when galaxies carry part of the host probability.
        if let prior, prior.completeness > 0 {
            let placedInner = fieldOfView.innerRadius
            var grouped = Set<Int>()
            for seed in regionGalaxies where !grouped.contains(seed) {
                // The galaxies that fit in a field centred on the seed.
                let seedVector = prior.galaxies[seed].vector
                let placed = fieldOfView.placed(at: seedVector)
                let members = regionGalaxies.filter { !grouped.contains($0) && placed.contains(prior.galaxies[$0].vector) }
                // Re-centre on their weighted mean when all of them still fit there and it is in the region.
                var centre = seedVector
                if members.count > 1 {
                    var x = 0.0, y = 0.0, z = 0.0
                    for member in members {
                        let galaxy = prior.galaxies[member]
                        x += galaxy.weight * galaxy.vector.x
                        y += galaxy.weight * galaxy.vector.y
                        z += galaxy.weight * galaxy.vector.z
                    }
                    let norm = (x * x + y * y + z * z).squareRoot()
                    if norm > 0 {
                        let mean = UnitVector(x: x / norm, y: y / norm, z: z / norm)
                        let moved = fieldOfView.placed(at: mean)
                        if members.allSatisfy({ moved.contains(prior.galaxies[$0].vector) }), map.credibleLevel(at: mean.coordinates) <= level,
                            mean.angle(to: seedVector) < placedInner
                        {
                            centre = mean
                        }
                    }
                }
                grouped.formUnion(members)
                let names = members.map { prior.galaxies[$0].name }
                if let candidate = candidate(
                    at: centre, fieldOfView: fieldOfView, kind: .galaxies(names), credibleLevel: map.credibleLevel(at: centre.coordinates),
                    buckets: buckets)
                {
                    result.append(candidate)
                }
            }
        }
        return result
    }

    /// Fields placed on a grid about half a field's side apart, centred inside the region: for
    /// what the tiles centred in the region leave of its edges, or of a narrow region. (Asked
    /// for only when the tiles run out: there are several times as many.)
    public func placedCandidates(for fieldOfView: FieldOfView) -> [FieldCandidate] {
        let buckets = Buckets(model: self, fieldOfView: fieldOfView)
        var sampleOrder = Self.tileOrder(for: fieldOfView)
        var samples: Set<Int> = []
        while true {
            samples = []
            for pixel in region.pixels {
                if pixel.order >= sampleOrder {
                    samples.insert(pixel.ancestor(atOrder: sampleOrder).index)
                } else {
                    let levels = sampleOrder - pixel.order
                    for child in 0..<(1 << (2 * levels)) { samples.insert((pixel.index << (2 * levels)) + child) }
                }
                if samples.count > Self.maximumTileCandidates { break }
            }
            if samples.count <= Self.maximumTileCandidates || sampleOrder == 0 { break }
            sampleOrder -= 1
        }
        let grid = HEALPixGrid(order: sampleOrder)
        var result: [FieldCandidate] = []
        for sample in samples.sorted() {
            let vector = grid.centerVector(ofPixel: sample)
            let credible = map.credibleLevel(at: vector.coordinates)
            guard credible <= level else { continue }
            if let candidate = candidate(at: vector, fieldOfView: fieldOfView, kind: .placed, credibleLevel: credible, buckets: buckets) { result.append(candidate) }
        }
        return result
    }

    /// The coarsest HEALPix order whose pixels are at most 0.55 × the field's smaller side
    /// across: the tile grid of a field of view.
    static func tileOrder(for fieldOfView: FieldOfView) -> Int {
        let side = 2 * fieldOfView.innerRadius
        for order in 0...HEALPixGrid.maximumOrder where HEALPixGrid(order: order).pixelAreaSteradians.squareRoot() <= 0.55 * side {
            return order
        }
        return HEALPixGrid.maximumOrder
    }

    /// The model's cells grouped by their pixel at an order near a field's size, so that a
    /// field placed anywhere looks at a few groups only.
    struct Buckets {
        let order: Int
        /// The occupied buckets' centres, and the run of `cells` each holds.
        let centres: [UnitVector]
        let runs: [Range<Int>]
        /// Cells sorted by bucket.
        let cells: [Int32]
        /// The bucket pixels' reach, radians.
        let reach: Double
        /// Each occupied bucket's position by its pixel, and for each the occupied buckets a
        /// field centred in it may reach into (itself included).
        let positions: [Int: Int]
        let neighbours: [[Int]]

        init(model: CoverageModel, fieldOfView: FieldOfView) {
            let order = min(model.cellOrder, HEALPixSkyMap.order(forResolution: max(fieldOfView.outerRadius, 1e-6)))
            // Sort (bucket, cell) pairs packed in one integer: the bucket above bit 24.
            var packed = model.cellPixelIndices.indices.map { cell in
                (model.cellPixelIndices[cell] >> (2 * (Int(model.cellPixelOrders[cell]) - order))) << 24 | cell
            }
            packed.sort()
            let grid = HEALPixGrid(order: order)
            var centres: [UnitVector] = [], runs: [Range<Int>] = []
            var start = 0
            while start < packed.count {
                let bucket = packed[start] >> 24
                var end = start + 1
                while end < packed.count, packed[end] >> 24 == bucket { end += 1 }
                centres.append(grid.centerVector(ofPixel: bucket))
                runs.append(start..<end)
                start = end
            }
            let reach = HEALPixGrid.maximumPixelRadius(order: order)
            var positions: [Int: Int] = [:]
            for (position, run) in runs.enumerated() { positions[packed[run.lowerBound] >> 24] = position }
            // A field centred in bucket b reaches a cell of bucket c only if their centres are
            // within the field's outer radius plus both buckets' reach.
            let cosNeighbour = cos(min(Double.pi, fieldOfView.outerRadius + 2 * reach))
            self.neighbours = centres.map { centre in centres.indices.filter { centres[$0].dot(centre) >= cosNeighbour } }
            self.order = order
            self.centres = centres
            self.runs = runs
            self.cells = packed.map { Int32($0 & 0xFF_FFFF) }
            self.reach = reach
            self.positions = positions
        }

        /// The buckets a field centred at a direction may reach into.
        func reachable(from centre: UnitVector, outer: Double) -> [Int] {
            if let position = positions[HEALPixGrid(order: order).pixel(of: centre)] { return neighbours[position] }
            let cosReach = cos(min(Double.pi, outer + reach))
            return centres.indices.filter { centres[$0].dot(centre) >= cosReach }
        }
    }

    /// A candidate with the cells and galaxies its footprint holds; `nil` when it holds none.
    func candidate(at centre: UnitVector, fieldOfView: FieldOfView, kind: FieldCandidate.Kind, credibleLevel: Double, buckets: Buckets) -> FieldCandidate? {
        let placed = fieldOfView.placed(at: centre)
        var cells: [Int32] = []
        for bucket in buckets.reachable(from: centre, outer: placed.outer) {
            for position in buckets.runs[bucket] where placed.contains(cellVectors[Int(buckets.cells[position])]) { cells.append(buckets.cells[position]) }
        }
        var galaxies: [Int32] = []
        if let prior {
            for index in reachedGalaxies where placed.contains(prior.galaxies[index].vector) { galaxies.append(Int32(index)) }
        }
        guard !cells.isEmpty || !galaxies.isEmpty else { return nil }
        return FieldCandidate(
            footprint: Footprint(center: centre.coordinates, fieldOfView: fieldOfView), kind: kind, credibleLevel: credibleLevel,
            cells: cells, galaxies: galaxies)
    }

    // MARK: Tallies

    /// A tally of what is covered so far, starting from nothing.
    public func tally() -> CoverageTally {
        CoverageTally(model: self)
    }
}

/// Where a field may be placed, and what it holds of the model's cells and galaxies.
public struct FieldCandidate: Sendable {
    /// How the centre was chosen.
    public enum Kind: Sendable, Hashable {
        /// A tile of the tessellation anchored on the most probable direction.
        case tile
        /// A field placed on the finer sampling grid (to reach a region's edges).
        case placed
        /// A group of catalog galaxies that fit in one field, heaviest first.
        case galaxies([String])
    }

    /// The field placed at the candidate's centre.
    public let footprint: Footprint
    public let kind: Kind
    /// The credible level at the centre (≤ the model's level).
    public let credibleLevel: Double
    let cells: [Int32]
    let galaxies: [Int32]

    /// The centre.
    public var center: EquatorialCoordinates { footprint.center }
}

/// What a set of fields has covered of a ``CoverageModel``, and what another would add.
public struct CoverageTally: Sendable {
    /// The most a new field should overlap those taken, as a share of its area: fields that
    /// overlap more are merged away (what they would add is better had by a field elsewhere).
    public static let defaultMaximumOverlap = 0.1

    /// What a field adds (or a set holds): inside the model's credible region.
    public struct Gain: Sendable, Hashable {
        /// The map's probability (2-D).
        public var probability: Double
        /// The share of the catalog's host weight (0 without a prior).
        public var galaxyShare: Double
        /// The 3-D probability (``HostGalaxyPrior/probability(galaxyShare:skyProbability:)``),
        /// the 2-D one without a prior: what fields are chosen by.
        public var objective: Double
    }

    private let probabilities: [Double]
    private let galaxyWeights: [Double]
    private let completeness: Double
    private let hasPrior: Bool
    private var cellCovered: [Bool]
    private var galaxyCovered: [Bool]
    /// What the fields taken so far hold.
    public private(set) var covered = Gain(probability: 0, galaxyShare: 0, objective: 0)

    init(model: CoverageModel) {
        probabilities = model.cellProbabilities
        galaxyWeights = model.prior?.galaxies.map(\.weight) ?? []
        completeness = model.prior?.completeness ?? 0
        hasPrior = model.prior != nil
        cellCovered = [Bool](repeating: false, count: model.cellProbabilities.count)
        galaxyCovered = [Bool](repeating: false, count: galaxyWeights.count)
    }

    /// What a candidate would add to the fields taken so far.
    public func gain(of candidate: FieldCandidate) -> Gain {
        var probability = 0.0
        for cell in candidate.cells where !cellCovered[Int(cell)] { probability += probabilities[Int(cell)] }
        var share = 0.0
        for galaxy in candidate.galaxies where !galaxyCovered[Int(galaxy)] { share += galaxyWeights[Int(galaxy)] }
        return Gain(probability: probability, galaxyShare: share, objective: objective(probability: probability, galaxyShare: share))
    }

    /// The share of a candidate's cells already covered: how much it overlaps the fields
    /// taken (of any field of view), 0…1.
    public func overlap(of candidate: FieldCandidate) -> Double {
        guard !candidate.cells.isEmpty else { return 0 }
        var covered = 0
        for cell in candidate.cells where cellCovered[Int(cell)] { covered += 1 }
        return Double(covered) / Double(candidate.cells.count)
    }

    /// Marks a candidate's cells and galaxies as covered.
    public mutating func take(_ candidate: FieldCandidate) {
        let gain = gain(of: candidate)
        for cell in candidate.cells { cellCovered[Int(cell)] = true }
        for galaxy in candidate.galaxies { galaxyCovered[Int(galaxy)] = true }
        covered.probability += gain.probability
        covered.galaxyShare += gain.galaxyShare
        covered.objective = objective(probability: covered.probability, galaxyShare: covered.galaxyShare)
    }

    private func objective(probability: Double, galaxyShare: Double) -> Double {
        hasPrior ? completeness * galaxyShare + (1 - completeness) * probability : probability
    }
}

/// A tessellation of the sky by one field of view, anchored on a direction: rows of constant
/// declination one field height apart (the anchor's on one of them), and along each row
/// fields one field width apart (width / cos δ in right ascension, the row closed around the
/// sky with equal steps), one of them at the anchor's right ascension. Neighbouring tiles abut;
/// near the poles, where rows are short, they overlap a little.
struct Tessellation {
    struct Tile: Hashable {
        let row: Int
        let column: Int
    }

    let anchorRA: Double
    let anchorDec: Double
    /// The row spacing and the field's width, radians.
    let height: Double
    let width: Double

    init(fieldOfView: FieldOfView, anchor: EquatorialCoordinates) {
        switch fieldOfView {
        case .rectangle(let width, let height):
            self.width = width.radians
            self.height = height.radians
        case .circle(let radius):
            // The largest square inside the circle.
            self.width = radius.radians * 2.0.squareRoot()
            self.height = radius.radians * 2.0.squareRoot()
        }
        anchorRA = anchor.rightAscension.radians
        anchorDec = anchor.declination.radians
    }

    /// The declination of a row, radians, and how many fields close it.
    func row(_ row: Int) -> (declination: Double, count: Int) {
        let declination = anchorDec + Double(row) * height
        let circumference = 2 * Double.pi * max(cos(declination), 1e-9)
        return (declination, max(1, Int((circumference / width).rounded(.up))))
    }

    /// The tile a direction falls in (its nearest row, then its nearest field along the row).
    func tile(containing direction: EquatorialCoordinates) -> Tile {
        let rowNumber = Int(((direction.declination.radians - anchorDec) / height).rounded())
        let (_, count) = row(rowNumber)
        var offset = (direction.rightAscension.radians - anchorRA).truncatingRemainder(dividingBy: 2 * Double.pi)
        if offset < 0 { offset += 2 * Double.pi }
        let column = Int((offset / (2 * Double.pi / Double(count))).rounded()) % count
        return Tile(row: rowNumber, column: column)
    }

    /// A tile's centre.
    func centre(of tile: Tile) -> EquatorialCoordinates {
        let (declination, count) = row(tile.row)
        let ra = (anchorRA + Double(tile.column) * 2 * Double.pi / Double(count)).truncatingRemainder(dividingBy: 2 * Double.pi)
        let clamped = min(max(declination, -Double.pi / 2), Double.pi / 2)
        // Right ascension within 0…2π and declination within ±90° by construction.
        guard let centre = try? EquatorialCoordinates(rightAscension: .radians(ra < 0 ? ra + 2 * Double.pi : ra), declination: .radians(clamped)) else {
            preconditionFailure("a tessellation tile's centre is a valid direction")
        }
        return centre
    }
}
