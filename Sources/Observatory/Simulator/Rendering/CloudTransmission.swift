import Foundation

/// How much light clouds let through, as a function of the cloud cover along the line of sight.
///
/// Starling's convention (the weather model gives only a cover fraction, not an optical
/// depth): the extinction grows as the square of the cover,
/// `A(c) = 4 c²` magnitudes, `T(c) = 10^(−0.4 A)`. Scattered thin cloud costs little (a clear
/// spell of the weather model, c ≤ 0.2, loses at most 0.16 mag, like thin cirrus), half cover
/// costs 1 mag, and overcast 4 mag (2.5 % transmitted, as thick stratus does). The renderer and
/// ``SimulatedFrameRenderer/model(_:)`` both use this law, so measured and modelled
/// transparencies agree. Clouds dim the sky background above them by the same factor.
public enum CloudTransmission {
    /// Extinction at full cover, magnitudes.
    public static let overcastExtinctionMagnitudes = 4.0

    /// The extinction by clouds, magnitudes.
    /// - Parameter cloudFraction: cover along the line of sight, 0…1 (clamped).
    public static func extinctionMagnitudes(cloudFraction: Double) -> Double {
        let cover = min(1, max(0, cloudFraction))
        return overcastExtinctionMagnitudes * cover * cover
    }

    /// The fraction of the light that passes the clouds, 0…1.
    /// - Parameter cloudFraction: cover along the line of sight, 0…1 (clamped).
    public static func transmission(cloudFraction: Double) -> Double {
        pow(10, -0.4 * extinctionMagnitudes(cloudFraction: cloudFraction))
    }
}
