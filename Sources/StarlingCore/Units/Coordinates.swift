import Foundation

/// A direction on the sky in the ICRS: right ascension and declination.
///
/// The initialiser rejects declinations outside −90…90° and non-finite values, so an
/// impossible position cannot exist; right ascension is normalised to 0..<360°.
public struct EquatorialCoordinates: Sendable, Hashable, Codable {
    /// Right ascension, 0..<360° (ICRS).
    public let rightAscension: Angle
    /// Declination, −90…90° (ICRS).
    public let declination: Angle

    /// Creates coordinates, or throws when the declination is out of range or a value is not finite.
    public init(rightAscension: Angle, declination: Angle) throws(CoordinateError) {
        guard rightAscension.isFinite, declination.isFinite else { throw .notFinite }
        guard (-90.0...90.0).contains(declination.degrees) else {
            throw .declinationOutOfRange(declination.degrees)
        }
        self.rightAscension = rightAscension.normalizedPositive
        self.declination = declination
    }

    /// Creates coordinates from degrees, or throws as ``init(rightAscension:declination:)``.
    public init(rightAscensionDegrees: Double, declinationDegrees: Double) throws(CoordinateError) {
        try self.init(rightAscension: .degrees(rightAscensionDegrees), declination: .degrees(declinationDegrees))
    }

    /// The great-circle separation from another direction (Vincenty's formula, stable at all angles).
    public func separation(from other: EquatorialCoordinates) -> Angle {
        angularSeparation(
            longitude1: rightAscension.radians, latitude1: declination.radians,
            longitude2: other.rightAscension.radians, latitude2: other.declination.radians)
    }

    /// The point a `fraction` (0...1) of the way along the great circle to `other`
    /// (spherical linear interpolation): where a slewing mount points mid-slew.
    public func interpolated(to other: EquatorialCoordinates, fraction: Double) -> EquatorialCoordinates {
        let a = unitVector, b = other.unitVector
        let dot = max(-1, min(1, a.x * b.x + a.y * b.y + a.z * b.z))
        let omega = acos(dot)
        guard omega > 1e-12 else { return fraction < 0.5 ? self : other }
        let wa = sin((1 - fraction) * omega) / sin(omega), wb = sin(fraction * omega) / sin(omega)
        let x = wa * a.x + wb * b.x, y = wa * a.y + wb * b.y, z = wa * a.z + wb * b.z
        let declination = atan2(z, (x * x + y * y).squareRoot())
        // Both angles come from atan2 of finite values, so the initialiser cannot fail.
        return (try? EquatorialCoordinates(rightAscension: .radians(atan2(y, x)), declination: .radians(declination))) ?? other
    }

    /// The direction as a unit vector (x towards RA 0, z towards the north pole).
    package var unitVector: SIMD3<Double> {
        let cosDec = cos(declination.radians)
        return SIMD3(cosDec * cos(rightAscension.radians), cosDec * sin(rightAscension.radians), sin(declination.radians))
    }

    private enum CodingKeys: String, CodingKey {
        case rightAscension = "ra_deg"
        case declination = "dec_deg"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let ra = try container.decode(Double.self, forKey: .rightAscension)
        let dec = try container.decode(Double.self, forKey: .declination)
        do {
            try self.init(rightAscensionDegrees: ra, declinationDegrees: dec)
        } catch {
            throw DecodingError.dataCorruptedError(
                forKey: .declination, in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rightAscension.degrees, forKey: .rightAscension)
        try container.encode(declination.degrees, forKey: .declination)
    }
}

extension EquatorialCoordinates: CustomStringConvertible {
    /// `RA 14:29:56.00 Dec -62:41:05.0`.
    public var description: String {
        "RA \(Sexagesimal.format(rightAscension, unit: .hours, secondsDecimals: 2)) Dec \(Sexagesimal.format(declination, unit: .degrees))"
    }
}

/// A direction in a site's horizontal frame.
public struct HorizontalCoordinates: Sendable, Hashable, Codable {
    /// Altitude above the horizon, −90…90°.
    public var altitude: Angle
    /// Azimuth, 0..<360°, north 0°, east 90°.
    public var azimuth: Angle

    /// Creates horizontal coordinates; the azimuth is normalised to 0..<360°.
    public init(altitude: Angle, azimuth: Angle) {
        self.altitude = altitude
        self.azimuth = azimuth.normalizedPositive
    }

    /// The great-circle separation from another horizontal direction.
    public func separation(from other: HorizontalCoordinates) -> Angle {
        angularSeparation(
            longitude1: azimuth.radians, latitude1: altitude.radians,
            longitude2: other.azimuth.radians, latitude2: other.altitude.radians)
    }
}

/// Why a coordinate could not be made.
public enum CoordinateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The declination in degrees is outside −90…90.
    case declinationOutOfRange(Double)
    /// A value is NaN or infinite.
    case notFinite

    public var description: String {
        switch self {
        case .declinationOutOfRange(let value):
            "declination \(formatFixed(value, decimals: 4)) is outside -90...90 degrees"
        case .notFinite:
            "coordinates must be finite numbers"
        }
    }
}

/// Great-circle distance between two points on the unit sphere (Vincenty 1975), in radians.
package func angularSeparation(longitude1: Double, latitude1: Double, longitude2: Double, latitude2: Double) -> Angle {
    let deltaLongitude = longitude2 - longitude1
    let sinDelta = sin(deltaLongitude), cosDelta = cos(deltaLongitude)
    let sin1 = sin(latitude1), cos1 = cos(latitude1)
    let sin2 = sin(latitude2), cos2 = cos(latitude2)
    let numerator1 = cos2 * sinDelta
    let numerator2 = cos1 * sin2 - sin1 * cos2 * cosDelta
    let denominator = sin1 * sin2 + cos1 * cos2 * cosDelta
    return .radians(atan2((numerator1 * numerator1 + numerator2 * numerator2).squareRoot(), denominator))
}
