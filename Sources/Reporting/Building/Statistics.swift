import Foundation

/// Order statistics for the report's summaries.
enum Statistics {
    /// The median, or `nil` for no values (non-finite values are skipped).
    static func median(_ values: [Double]) -> Double? {
        percentile(values, 50)
    }

    /// The `p`th percentile (0…100) by linear interpolation between closest ranks, or `nil`
    /// for no finite values.
    static func percentile(_ values: [Double], _ p: Double) -> Double? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let rank = min(max(p, 0), 100) / 100 * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down)), upper = min(sorted.count - 1, lower + 1)
        let fraction = rank - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// The 5σ limit of an inverse-variance-weighted stack of background-limited frames with
    /// 5σ limits `mᵢ`: the limiting fluxes `Fᵢ = 10^(−0.4 mᵢ)` combine as `1/F² = Σ 1/Fᵢ²`,
    /// so `m = 1.25 log₁₀ Σ 10^(0.8 mᵢ)`. Computed relative to the deepest frame to stay finite.
    static func combinedLimitingMagnitude(_ magnitudes: [Double]) -> Double? {
        let finite = magnitudes.filter(\.isFinite)
        guard let deepest = finite.max() else { return nil }
        let sum = finite.reduce(0.0) { $0 + pow(10, 0.8 * ($1 - deepest)) }
        return deepest + 1.25 * log10(sum)
    }
}
