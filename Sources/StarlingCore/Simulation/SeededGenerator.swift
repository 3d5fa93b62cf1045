import Foundation

/// A fast, seedable random number generator (xoshiro256**, Blackman & Vigna 2018), so that a
/// simulated night with the same seed is the same night on every machine.
///
/// Seeds are expanded with SplitMix64 as the xoshiro authors recommend. Use
/// ``derived(_:)`` to give each site, telescope or frame its own independent stream.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator from a seed.
    public init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            return StableHash.splitMix64(mixer)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator for a named part of the simulation, independent of the others and of the
    /// order in which they are created: `SeededGenerator(seed: seed).derived("xinglong")`.
    public func derived(_ label: String) -> SeededGenerator {
        SeededGenerator(seed: state.0 ^ StableHash.fnv1a(label))
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 - count)) }

    /// A uniform double in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal deviate (Box–Muller).
    public mutating func nextGaussian() -> Double {
        var u1 = nextUnit()
        while u1 <= .leastNonzeroMagnitude { u1 = nextUnit() }
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// A Poisson deviate with the given mean (Knuth's method for small means, a normal
    /// approximation with continuity correction above 30).
    public mutating func nextPoisson(mean: Double) -> Double {
        guard mean > 0 else { return 0 }
        if mean > 30 { return max(0, (mean + mean.squareRoot() * nextGaussian()).rounded()) }
        let limit = exp(-mean)
        var product = nextUnit()
        var count = 0.0
        while product > limit {
            product *= nextUnit()
            count += 1
        }
        return count
    }
}

/// Hashes that are the same in every process (Swift's `Hasher` is seeded per process).
public enum StableHash {
    /// 64-bit FNV-1a of a string's UTF-8 bytes.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective mix of 64 bits in which
    /// every input bit affects every output bit. Add 0x9E3779B97F4A7C15 per step for the
    /// SplitMix64 sequence, or mix a counter or combined indices for a stateless stream.
    @inlinable @inline(__always)
    public static func splitMix64(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
