/// Mean, median and standard deviation of values after iterative sigma clipping, as
/// astropy's `sigma_clipped_stats` computes them: values further than `sigma` standard
/// deviations from the median are dropped and the statistics recomputed until nothing
/// changes or `maxIterations` is reached. NaN and infinite values are ignored.
public struct SigmaClippedStatistics: Sendable, Hashable, Codable {
    /// Mean of the kept values.
    public let mean: Double
    /// Median of the kept values.
    public let median: Double
    /// Population standard deviation of the kept values.
    public let standardDeviation: Double
    /// Number of values kept.
    public let count: Int

    /// Computes the clipped statistics.
    ///
    /// - Parameters:
    ///   - values: the values (e.g. `image.pixels`).
    ///   - sigma: the clipping threshold, in standard deviations (3 by default).
    ///   - maxIterations: the most clipping rounds (5 by default).
    /// - Returns: `nil` when there is no finite value.
    /// - Complexity: O(n log n) (one sort); the clipping rounds are O(log n) each.
    public init?(_ values: some Sequence<Float>, sigma: Double = 3, maxIterations: Int = 5) {
        var sorted = values.filter(\.isFinite)
        guard !sorted.isEmpty else { return nil }
        sorted.sort()
        // Prefix sums of x and x² (in Double) give the mean and variance of any range at once.
        var sums = [Double](repeating: 0, count: sorted.count + 1)
        var squares = [Double](repeating: 0, count: sorted.count + 1)
        for (index, value) in sorted.enumerated() {
            sums[index + 1] = sums[index] + Double(value)
            squares[index + 1] = squares[index] + Double(value) * Double(value)
        }
        var low = 0, high = sorted.count
        func stats(_ low: Int, _ high: Int) -> (mean: Double, median: Double, sd: Double) {
            let n = Double(high - low)
            let mean = (sums[high] - sums[low]) / n
            let variance = max(0, (squares[high] - squares[low]) / n - mean * mean)
            let middle = low + (high - low) / 2
            let median = (high - low) % 2 == 1 ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
            return (mean, median, variance.squareRoot())
        }
        var current = stats(low, high)
        for _ in 0..<max(0, maxIterations) {
            let lower = Float(current.median - sigma * current.sd), upper = Float(current.median + sigma * current.sd)
            let newLow = sorted.partitionIndex { $0 >= lower }
            let newHigh = sorted.partitionIndex { $0 > upper }
            if (newLow == low && newHigh == high) || newHigh <= newLow { break }
            low = newLow
            high = newHigh
            current = stats(low, high)
        }
        mean = current.mean
        median = current.median
        standardDeviation = current.sd
        count = high - low
    }
}

extension Array where Element == Float {
    /// The first index whose element satisfies a predicate that is false then true along the
    /// sorted array (binary search).
    func partitionIndex(where predicate: (Float) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
