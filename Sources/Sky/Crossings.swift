import Foundation

/// Finds where a smooth function of time crosses a level: sample, then bisect each bracket.
enum CrossingSearch {
    struct Crossing {
        let date: Date
        /// True when the function goes from below the level to above it.
        let rising: Bool
    }

    struct Result {
        let crossings: [Crossing]
        let minimum: Double
        let maximum: Double
    }

    /// - Parameters:
    ///   - interval: where to look.
    ///   - step: sampling step, seconds; short enough that no two crossings fall within one step.
    ///   - tolerance: bisection stops when the bracket is shorter than this, seconds.
    static func find(
        in interval: DateInterval, step: TimeInterval = 600, tolerance: TimeInterval = 0.5, level: Double,
        _ value: (Date) throws(SkyError) -> Double
    ) throws(SkyError) -> Result {
        try find(in: interval, step: step, tolerance: tolerance, levels: [level], value)[0]
    }

    /// Like ``find(in:step:tolerance:level:_:)`` for several levels, sampling the function
    /// once (the samples are the costly part; bisection adds a few evaluations per crossing).
    static func find(
        in interval: DateInterval, step: TimeInterval = 600, tolerance: TimeInterval = 0.5, levels: [Double],
        _ value: (Date) throws(SkyError) -> Double
    ) throws(SkyError) -> [Result] {
        let count = max(2, Int((interval.duration / step).rounded(.up)) + 1)
        var times: [Date] = [], values: [Double] = []
        for index in 0..<count {
            let time = index == count - 1 ? interval.end : interval.start.addingTimeInterval(Double(index) * step)
            times.append(time)
            values.append(try value(time))
        }
        var results: [Result] = []
        for level in levels {
            var crossings: [Crossing] = []
            for index in 0..<(count - 1) {
                let a = values[index] - level, b = values[index + 1] - level
                guard (a < 0) != (b < 0) else { continue }
                var low = times[index], high = times[index + 1], lowValue = a
                while high.timeIntervalSince(low) > tolerance {
                    let middle = low.addingTimeInterval(high.timeIntervalSince(low) / 2)
                    let middleValue = try value(middle) - level
                    if (middleValue < 0) == (lowValue < 0) { low = middle; lowValue = middleValue } else { high = middle }
                }
                crossings.append(Crossing(date: low.addingTimeInterval(high.timeIntervalSince(low) / 2), rising: a < 0))
            }
            results.append(Result(crossings: crossings, minimum: values.min()!, maximum: values.max()!))
        }
        return results
    }
}
