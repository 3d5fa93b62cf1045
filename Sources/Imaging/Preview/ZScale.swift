/// IRAF's `zscale` display limits: a stretch that shows the sky and faint sources and lets
/// bright stars saturate (IRAF `display`; the algorithm of astropy's `ZScaleInterval`).
///
/// About `sampleCount` pixels are taken on a regular grid and sorted; a straight line is
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
        let stride = max(1, Int((Double(image.count) / Double(max(sampleCount, 1))).squareRoot()))
        var samples: [Float] = []
        var y = 0
        while y < image.height {
            var x = 0
            while x < image.width {
                let value = image.pixels[y * image.width + x]
                if value.isFinite { samples.append(value) }
                x += stride
            }
            y += stride
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
        // Fit value = a + b·x with x the rank scaled to −1…1, rejecting outliers.
        let xs = (0..<count).map { count > 1 ? Double($0) * 2 / Double(count - 1) - 1 : 0 }
        var rejected = [Bool](repeating: false, count: count)
        var slope = 0.0, intercept = 0.0
        var kept = count
        for _ in 0..<5 {
            var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, n = 0.0
            for index in 0..<count where !rejected[index] {
                let xv = xs[index], yv = Double(samples[index])
                sx += xv
                sy += yv
                sxx += xv * xv
                sxy += xv * yv
                n += 1
            }
            let denominator = n * sxx - sx * sx
            guard n >= 2, denominator != 0 else { break }
            slope = (n * sxy - sx * sy) / denominator
            intercept = (sy - slope * sx) / n
            var squares = 0.0
            for index in 0..<count where !rejected[index] {
                let residual = Double(samples[index]) - (intercept + slope * xs[index])
                squares += residual * residual
            }
            let sigma = (squares / n).squareRoot()
            var flagged = rejected
            for index in 0..<count {
                let residual = Double(samples[index]) - (intercept + slope * xs[index])
                if abs(residual) > rejection * sigma {
                    for neighbour in max(0, index - grow)...min(count - 1, index + grow) { flagged[neighbour] = true }
                }
            }
            let newKept = flagged.reduce(0) { $0 + ($1 ? 0 : 1) }
            if newKept == kept || newKept < minimumKept {
                kept = newKept
                break
            }
            rejected = flagged
            kept = newKept
        }
        if kept < minimumKept || count < 2 {
            low = first
            high = last
        } else {
            // Slope per rank, then steepened by the contrast.
            let perRank = slope * 2 / Double(count - 1) / contrast
            low = Float(max(Double(first), median - Double(centre) * perRank))
            high = Float(min(Double(last), median + Double(count - 1 - centre) * perRank))
        }
    }

    /// Creates limits directly.
    public init(low: Float, high: Float) {
        self.low = low
        self.high = high
    }
}
