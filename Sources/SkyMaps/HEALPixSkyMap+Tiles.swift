public import StarlingCore

/// One pointing of a tiling of a sky map.
public struct SkyTile: Sendable, Hashable {
    /// Where to point the field's centre.
    public let center: EquatorialCoordinates
    /// The probability this tile adds, over the tiles before it (counted up to the wider
    /// region of ``CoverageModel/reachLevel(for:)``).
    public let probability: Double
    /// The probability covered by this tile and all before it.
    public let cumulativeProbability: Double
}

extension HEALPixSkyMap {
    /// The pointings of one field of view that cover the most probability, best first: for
    /// one telescope with no clock (the array's schedule is Coordination's `CoveragePlanner`).
    ///
    /// Greedy maximum coverage over a ``CoverageModel`` of the `credibleLevel` region: each
    /// round takes the tile centred inside the region that adds the most probability not yet
    /// covered (lazily: what a tile adds only falls as others are taken): first among the
    /// tessellation's tiles that overlap those taken by at most `maximumOverlap`; when none is
    /// left, among all candidates (fields placed to reach the region's edges).
    ///
    /// - Parameters:
    ///   - fieldOfView: the camera's field.
    ///   - count: the most tiles wanted (a tile adding nothing ends the list early).
    ///   - credibleLevel: the region to cover (0.99 by default).
    ///   - maximumOverlap: the most a tile may overlap those before it (share of its area).
    /// - Returns: up to `count` tiles; their ``SkyTile/cumulativeProbability`` rises.
    public func mostProbableTiles(
        fieldOfView: FieldOfView, count: Int, credibleLevel: Double = 0.99, maximumOverlap: Double = CoverageTally.defaultMaximumOverlap
    ) -> [SkyTile] {
        guard count > 0 else { return [] }
        let model = CoverageModel(map: self, credibleLevel: credibleLevel, prior: nil, fieldsOfView: [fieldOfView])
        let candidates = model.candidates(for: fieldOfView) + model.placedCandidates(for: fieldOfView)
        var tally = model.tally()
        var tiles: [SkyTile] = []
        // Tiles overlapping those taken by at most the limit first; then, for the region's last
        // slivers, any.
        for (limit, tier) in [(maximumOverlap, false), (1, true)] where tiles.count < count {
            var scores = candidates.map { tally.gain(of: $0).probability }
            // First the tessellation's tiles; then any candidate.
            var taken = candidates.map { candidate in
                if tier { return false }
                if case .placed = candidate.kind { return true }
                return false
            }
            while tiles.count < count {
                var best = -1
                while true {
                    best = -1
                    for index in scores.indices where !taken[index] && (best < 0 || scores[index] > scores[best]) { best = index }
                    guard best >= 0 else { break }
                    if tally.overlap(of: candidates[best]) > limit {
                        taken[best] = true
                        continue
                    }
                    let stale = scores[best]
                    scores[best] = tally.gain(of: candidates[best]).probability
                    if scores[best] >= stale - 1e-15 { break }
                }
                guard best >= 0, scores[best] > 0 else { break }
                taken[best] = true
                tally.take(candidates[best])
                tiles.append(SkyTile(center: candidates[best].center, probability: scores[best], cumulativeProbability: tally.covered.probability))
            }
        }
        return tiles
    }
}
