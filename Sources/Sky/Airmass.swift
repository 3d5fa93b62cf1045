import Foundation
import StarlingCore

/// Airmass from altitude.
///
/// Starling's constraints use ``secantZenith(altitudeDegrees:)`` (sec z), as astroplan's
/// `AirmassConstraint` does; extinction and depth estimates use ``kastenYoung(altitudeDegrees:)``,
/// which stays finite and accurate to the horizon (Kasten & Young 1989, Applied Optics 28, 4735).
public enum Airmass {
    /// sec z of the unrefracted altitude; `.infinity` at or below the horizon.
    public static func secantZenith(altitudeDegrees altitude: Double) -> Double {
        altitude > 0 ? 1 / sin(altitude * .pi / 180) : .infinity
    }

    /// Kasten & Young (1989): 1 / (sin h + 0.50572 (h + 6.07995°)^−1.6364), h in degrees;
    /// `.infinity` at or below the horizon.
    public static func kastenYoung(altitudeDegrees altitude: Double) -> Double {
        guard altitude > 0 else { return .infinity }
        return 1 / (sin(altitude * .pi / 180) + 0.50572 * pow(altitude + 6.07995, -1.6364))
    }

    /// The altitude whose sec z equals `airmass` (≥ 1).
    public static func altitudeDegrees(forSecantAirmass airmass: Double) -> Double {
        asin(1 / max(1, airmass)) * 180 / .pi
    }
}
