public import StarlingCore

/// One pointing of a tiling of a sky map.
public struct SkyTile: Sendable, Hashable {
    /// Where to point the field's centre.
    public let center: EquatorialCoordinates
    /// The probability this tile adds, over the tiles before it.
    public let probability: Double
    /// The probability covered by this tile and all before it.
    public let cumulativeProbability: Double
}

extension HEALPixSkyMap {
    /// The pointings of a field of view that cover the most probability, best first.
    ///
    /// Greedy maximum coverage: candidate centres are the pixel centres of the grid whose
    /// pixels fit inside the field; each round takes the candidate adding the most probability
    /// not yet covered. Map pixels coarser than a quarter of the field's radius are split, so
    /// that a coarse map is tiled at the field's scale; only the `credibleLevel` region is tiled.
    ///
    /// - Parameters:
    ///   - fieldOfView: the camera's field.
    ///   - count: the most tiles wanted (a tile adding no probability ends the list early).
    ///   - credibleLevel: the part of the map to cover (0.99 by default).
    /// - Returns: up to `count` tiles; their ``SkyTile/cumulativeProbability`` rises.
    public func mostProbableTiles(fieldOfView: FieldOfView, count: Int, credibleLevel: Double = 0.99) -> [SkyTile] {
        guard count > 0 else { return [] }
        let inner = fieldOfView.innerRadius
        let outer = fieldOfView.outerRadius
        let candidateOrder = Self.order(forResolution: inner)
        let detailOrder = max(candidateOrder, min(Self.order(forResolution: inner / 4), candidateOrder + 4))

        // Working pixels: the credible region, split to the detail order where coarser.
        var workVectors: [UnitVector] = []
        var workProbabilities: [Double] = []
        var workBuckets: [Int] = []
        let region = credibleRegion(probability: credibleLevel).pixels
        for pixel in region {
            guard let index = pixelIndex(containing: pixel.grid.centerVector(ofPixel: pixel.index)) else { continue }
            let probability = probabilities[index]
            if pixel.order >= detailOrder {
                workVectors.append(vectors[index])
                workProbabilities.append(probability)
                workBuckets.append(pixel.ancestor(atOrder: candidateOrder).index)
            } else {
                let levels = detailOrder - pixel.order
                let children = 1 << (2 * levels)
                let grid = HEALPixGrid(order: detailOrder)
                for child in 0..<children {
                    let childIndex = (pixel.index << (2 * levels)) + child
                    workVectors.append(grid.centerVector(ofPixel: childIndex))
                    workProbabilities.append(probability / Double(children))
                    workBuckets.append(childIndex >> (2 * (detailOrder - candidateOrder)))
                }
            }
        }
        guard !workVectors.isEmpty else { return [] }
        var bucketMembers: [Int: [Int]] = [:]
        for (index, bucket) in workBuckets.enumerated() { bucketMembers[bucket, default: []].append(index) }

        // Candidates: centres of candidate-grid pixels near any occupied bucket.
        let candidateGrid = HEALPixGrid(order: candidateOrder)
        let reach = Angle(radians: outer + candidateGrid.maximumPixelRadius)
        var candidateSet = Set<Int>()
        for bucket in bucketMembers.keys {
            for pixel in candidateGrid.pixels(inDiscAround: candidateGrid.center(ofPixel: bucket), radius: reach) {
                candidateSet.insert(pixel)
            }
        }
        let candidates = candidateSet.sorted()
        var covers: [[Int]] = []
        covers.reserveCapacity(candidates.count)
        for candidate in candidates {
            let centre = candidateGrid.centerVector(ofPixel: candidate)
            let placed = fieldOfView.placed(at: centre)
            var covered: [Int] = []
            for bucket in candidateGrid.pixels(inDiscAround: centre.coordinates, radius: reach) {
                for member in bucketMembers[bucket] ?? [] where placed.contains(workVectors[member]) { covered.append(member) }
            }
            covers.append(covered)
        }

        // Lazy greedy: scores only fall as pixels get covered.
        var remaining = workProbabilities
        var scores = covers.map { $0.reduce(0.0) { $0 + remaining[$1] } }
        var taken = [Bool](repeating: false, count: candidates.count)
        var tiles: [SkyTile] = []
        var total = 0.0
        while tiles.count < count {
            var best = -1
            while true {
                best = -1
                for index in scores.indices where !taken[index] && (best < 0 || scores[index] > scores[best]) { best = index }
                guard best >= 0 else { break }
                let fresh = covers[best].reduce(0.0) { $0 + remaining[$1] }
                let stale = scores[best]
                scores[best] = fresh
                if fresh >= stale - 1e-15 { break }
            }
            guard best >= 0, scores[best] > 0 else { break }
            taken[best] = true
            for member in covers[best] { remaining[member] = 0 }
            total += scores[best]
            tiles.append(SkyTile(center: candidateGrid.center(ofPixel: candidates[best]), probability: scores[best], cumulativeProbability: total))
        }
        return tiles
    }
}
