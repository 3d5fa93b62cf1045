import Foundation
import StarlingCore

/// Fast, seeded detector noise for every pixel of a frame, the same whatever the number of
/// threads: each pixel's random numbers come from a hash of (seed, pixel index), not from a
/// stream, so bands of rows can be drawn on any core in any order.
///
/// - Uniforms: the SplitMix64 finaliser (Steele, Lea & Flood 2014) of `seed + index · φ`.
/// - Normals: a 4096-entry table of the normal quantile function, interpolated linearly with
///   20 further bits, rescaled to unit variance (tails cut at ±3.5σ, which a frame of 16 M
///   pixels would reach ~8,000 times: fewer spurious 5σ peaks, no other visible difference).
/// - Photon noise: Poisson by inversion below a mean of 20 e⁻, the normal approximation above
///   (its skewness, 1/√20, no longer matters after read noise is added).
struct PixelNoise: Sendable {
    let seed: UInt64

    /// The SplitMix64 output for a counter.
    @inline(__always)
    func bits(_ counter: UInt64) -> UInt64 {
        StableHash.splitMix64(seed &+ counter &* 0x9E37_79B9_7F4A_7C15)
    }

    /// A standard normal deviate from 32 random bits.
    @inline(__always)
    static func normal(_ bits32: UInt32, table: UnsafeBufferPointer<Float>) -> Float {
        let index = Int(bits32 >> 20)  // 0..<4096
        let fraction = Float(bits32 & 0xF_FFFF) * (1 / Float(0x10_0000))
        let low = table[index]
        return low + (table[index + 1] - low) * fraction
    }

    /// A Poisson deviate by inversion (for small means), from a uniform in [0, 1).
    @inline(__always)
    static func poisson(mean: Float, uniform: Float) -> Float {
        var probability = exp(-mean)
        var cumulative = probability
        var count: Float = 0
        while uniform > cumulative && count < 200 {
            count += 1
            probability *= mean / count
            cumulative += probability
        }
        return count
    }

    /// The interpolation nodes: the normal quantile at (i + ½)/4096 for i = 0…4095 and one more
    /// node repeating the last, rescaled so the interpolated distribution has unit variance.
    static let quantileTable: [Float] = {
        let count = 4096
        var nodes = (0..<count).map { quantile((Double($0) + 0.5) / Double(count)) }
        nodes.append(nodes[count - 1])
        // Variance of the piecewise-linear distribution: the mean over segments of (a² + ab + b²)/3.
        var variance = 0.0
        for i in 0..<count { variance += (nodes[i] * nodes[i] + nodes[i] * nodes[i + 1] + nodes[i + 1] * nodes[i + 1]) / 3 }
        variance /= Double(count)
        let scale = 1 / variance.squareRoot()
        return nodes.map { Float($0 * scale) }
    }()

    /// The standard normal quantile by bisection on erfc (only to build the table).
    static func quantile(_ p: Double) -> Double {
        var low = -10.0, high = 10.0
        for _ in 0..<80 {
            let middle = (low + high) / 2
            if 0.5 * erfc(-middle / 2.0.squareRoot()) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}
