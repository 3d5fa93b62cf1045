import Foundation

/// A linear axis: a value range mapped onto a pixel span, with round tick values.
struct Axis {
    /// The values at the two ends of the span.
    let low: Double
    let high: Double
    /// The pixel positions of `low` and `high` (for a y axis, `low` is usually the larger pixel).
    let start: Double
    let end: Double

    /// The pixel position of a value.
    func position(_ value: Double) -> Double {
        guard high != low else { return (start + end) / 2 }
        return start + (value - low) / (high - low) * (end - start)
    }

    /// Round tick values inside the range: steps of 1, 2 or 5 × 10ⁿ, about `count` of them.
    func ticks(about count: Int = 5) -> [Double] {
        let span = abs(high - low)
        guard span > 0, span.isFinite else { return [low] }
        let step = Self.niceStep(span / Double(max(count, 1)))
        let lower = min(low, high), upper = max(low, high)
        var value = (lower / step).rounded(.up) * step
        var ticks: [Double] = []
        while value <= upper + step * 1e-9 {
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return ticks
    }

    /// The decimals that show the ticks' step.
    func tickDecimals(about count: Int = 5) -> Int {
        let span = abs(high - low)
        guard span > 0, span.isFinite else { return 0 }
        let step = Self.niceStep(span / Double(max(count, 1)))
        return max(0, Int((-log10(step)).rounded(.up)))
    }

    /// The 1, 2 or 5 × 10ⁿ nearest `raw` (Heckbert, "Nice numbers for graph labels",
    /// Graphics Gems, 1990: rounding thresholds 1.5, 3 and 7).
    static func niceStep(_ raw: Double) -> Double {
        let exponent = (log10(raw)).rounded(.down)
        let base = pow(10, exponent)
        let fraction = raw / base
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return nice * base
    }

    /// A value range for data: the 1st to 99th percentile (so a few wild values do not
    /// flatten the rest), widened to include `including`, padded by 8 % each side; a fixed
    /// width around a single value.
    static func range(of values: [Double], including: [Double] = [], minimumSpan: Double = 0) -> (low: Double, high: Double) {
        let finite = values.filter(\.isFinite)
        guard var low = Statistics.percentile(finite, finite.count > 50 ? 1 : 0),
            var high = Statistics.percentile(finite, finite.count > 50 ? 99 : 100)
        else {
            let fallback = including.first ?? 0
            return (fallback - 1, fallback + 1)
        }
        for value in including where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        if high - low < minimumSpan {
            let middle = (low + high) / 2
            low = middle - minimumSpan / 2
            high = middle + minimumSpan / 2
        }
        if high == low {
            let width = max(abs(low) * 0.1, 0.5)
            return (low - width, high + width)
        }
        let pad = (high - low) * 0.08
        return (low - pad, high + pad)
    }
}

/// A time axis in UTC with ticks on whole minutes or hours.
struct TimeAxis {
    let interval: DateInterval
    let start: Double
    let end: Double

    func position(_ date: Date) -> Double {
        guard interval.duration > 0 else { return start }
        return start + date.timeIntervalSince(interval.start) / interval.duration * (end - start)
    }

    /// Tick instants on round UTC times: a step from 10 minutes to 6 hours giving at most `maximum` ticks.
    func ticks(maximum: Int = 9) -> [Date] {
        let steps: [TimeInterval] = [600, 900, 1800, 3600, 7200, 10800, 21600]
        let step = steps.first { interval.duration / $0 <= Double(maximum) } ?? 43_200
        var tick = (interval.start.timeIntervalSince1970 / step).rounded(.up) * step
        var ticks: [Date] = []
        while tick <= interval.end.timeIntervalSince1970 {
            ticks.append(Date(timeIntervalSince1970: tick))
            tick += step
        }
        return ticks
    }
}
