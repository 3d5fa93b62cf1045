/// IRAF's `zscale` display limits: a stretch that shows the sky and faint sources and lets
/// bright stars saturate (IRAF `display`; the algorithm of astropy's `ZScaleInterval`).
///
/// Up to `sampleCount` pixels are taken at a regular stride and sorted; a straight line is
/// fitted to value against rank, rejecting outliers beyond `rejection` standard deviations
/// (and their neighbours) for up to five rounds. The limits are the median ± the line's slope
/// divided by `contrast`, times half the sample, clamped to the sample's range. When too many
/// points are rejected, the limits are the sample's minimum and maximum.
public struct ZScale: Sendable, Hashable {
    /// The value shown black.
    public let low: Float
    /// The value shown white.
    public let high: Float

    /// Computes the limits for an image.
    ///
    /// - Parameters:
    ///   - image: the image; NaN pixels are skipped.
    ///   - sampleCount: about how many pixels to sample (1000, as IRAF's `nsample`).
    ///   - contrast: the slope divisor (0.25, IRAF's default).
    ///   - rejection: the rejection threshold in standard deviations (2.5).
    public init(image: FloatImage, sampleCount: Int = 1000, contrast: Double = 0.25, rejection: Double = 2.5) {
        // Every stride-th pixel of the image read row by row, as astropy's ZScaleInterval
        // samples (IRAF samples along lines; the difference is below a percent on real frames).
        let stride = max(1, image.count / max(sampleCount, 1))
        var samples: [Float] = []
        samples.reserveCapacity(sampleCount)
        var index = 0
        while index < image.count && samples.count < sampleCount {
            let value = image.pixels[index]
            if value.isFinite { samples.append(value) }
            index += stride
        }
        samples.sort()
        guard let first = samples.first, let last = samples.last else {
            low = 0
            high = 1
            return
        }
        let count = samples.count
        let centre = (count - 1) / 2
        let median = count % 2 == 1 ? Double(samples[centre]) : (Double(samples[centre]) + Double(samples[centre + 1])) / 2
        let minimumKept = max(5, Int(Double(count) * 0.5))
        let grow = max(1, Int(Double(count) * 0.01))
        // Fit value = a + b·rank by least squares over the kept points; flag points whose
        // residual exceeds `rejection` standard deviations, and `grow` neighbours around each.
        var rejected = [Bool](repeating: false, count: count)
        var slope = 0.0
        var kept = count, previousKept = count + 1
        for _ in 0..<5 {
            if kept >= previousKept || kept < minimumKept { break }
            var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, n = 0.0
            for index in 0..<count where !rejected[index] {
                let x = Double(index), y = Double(samples[index])
                sx += x
                sy += y
                sxx += x * x
                sxy += x * y
                n += 1
            }
            let denominator = n * sxx - sx * sx
            guard n >= 2, denominator != 0 else { break }
            slope = (n * sxy - sx * sy) / denominator
            let intercept = (sy - slope * sx) / n
            var sum = 0.0, squares = 0.0
            for index in 0..<count where !rejected[index] {
                let residual = Double(samples[index]) - (intercept + slope * Double(index))
                sum += residual
                squares += residual * residual
            }
            let mean = sum / n
            let threshold = rejection * max(0, squares / n - mean * mean).squareRoot()
            var flagged = rejected
            for index in 0..<count {
                let residual = Double(samples[index]) - (intercept + slope * Double(index))
                if residual < -threshold || residual > threshold { flagged[index] = true }
            }
            // Grow each flag over a window of `grow` points (a box convolution).
            var grown = flagged
            let before = (grow - 1) / 2, after = grow - 1 - before
            for index in 0..<count where flagged[index] {
                for neighbour in max(0, index - before)...min(count - 1, index + after) { grown[neighbour] = true }
            }
            rejected = grown
            previousKept = kept
            kept = grown.reduce(0) { $0 + ($1 ? 0 : 1) }
        }
        if kept < minimumKept || count < 2 {
            low = first
            high = last
        } else {
            let perRank = slope / contrast
            low = Float(max(Double(first), median - Double(centre - 1) * perRank))
            high = Float(min(Double(last), median + Double(count - centre) * perRank))
        }
    }

    /// Creates limits directly.
    public init(low: Float, high: Float) {
        self.low = low
        self.high = high
    }
}
