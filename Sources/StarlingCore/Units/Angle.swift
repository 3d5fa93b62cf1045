/// A plane angle, stored in radians, read and written in whichever unit the caller names.
///
/// ```swift
/// let latitude = Angle.degrees(40.393)
/// let ra = Angle.hours(14.5)          // 217.5°
/// print(Angle.arcseconds(3600).degrees) // 1.0
/// ```
/// `Angle` does not wrap by itself; use ``normalizedPositive`` (0..<360°) or
/// ``normalizedSigned`` (−180..<180°) where a convention is needed.
public struct Angle: Sendable, Hashable, Comparable, Codable {
    /// The angle in radians.
    public var radians: Double

    /// Creates an angle from radians.
    public init(radians: Double) { self.radians = radians }

    /// An angle of the given number of radians.
    public static func radians(_ value: Double) -> Angle { Angle(radians: value) }
    /// An angle of the given number of degrees.
    public static func degrees(_ value: Double) -> Angle { Angle(radians: value * .pi / 180) }
    /// An angle of the given number of hours of time (1 h = 15°).
    public static func hours(_ value: Double) -> Angle { .degrees(value * 15) }
    /// An angle of the given number of arcminutes.
    public static func arcminutes(_ value: Double) -> Angle { .degrees(value / 60) }
    /// An angle of the given number of arcseconds.
    public static func arcseconds(_ value: Double) -> Angle { .degrees(value / 3600) }

    /// The zero angle.
    public static let zero = Angle(radians: 0)

    /// The angle in degrees.
    public var degrees: Double { radians * 180 / .pi }
    /// The angle in hours of time (15° per hour).
    public var hours: Double { degrees / 15 }
    /// The angle in arcminutes.
    public var arcminutes: Double { degrees * 60 }
    /// The angle in arcseconds.
    public var arcseconds: Double { degrees * 3600 }

    /// The same direction expressed in 0..<360°.
    public var normalizedPositive: Angle {
        var value = radians.truncatingRemainder(dividingBy: 2 * .pi)
        if value < 0 { value += 2 * .pi }
        if value >= 2 * .pi { value = 0 }
        return Angle(radians: value)
    }

    /// The same direction expressed in −180..<180°.
    public var normalizedSigned: Angle {
        var value = normalizedPositive.radians
        if value >= .pi { value -= 2 * .pi }
        return Angle(radians: value)
    }

    /// Whether the value is finite (neither NaN nor infinite).
    public var isFinite: Bool { radians.isFinite }

    public static func < (lhs: Angle, rhs: Angle) -> Bool { lhs.radians < rhs.radians }
    public static func + (lhs: Angle, rhs: Angle) -> Angle { Angle(radians: lhs.radians + rhs.radians) }
    public static func - (lhs: Angle, rhs: Angle) -> Angle { Angle(radians: lhs.radians - rhs.radians) }
    public static prefix func - (angle: Angle) -> Angle { Angle(radians: -angle.radians) }
    public static func * (lhs: Angle, rhs: Double) -> Angle { Angle(radians: lhs.radians * rhs) }
    public static func * (lhs: Double, rhs: Angle) -> Angle { Angle(radians: lhs * rhs.radians) }
    public static func / (lhs: Angle, rhs: Double) -> Angle { Angle(radians: lhs.radians / rhs) }
    /// The magnitude of the angle.
    public var magnitude: Angle { Angle(radians: abs(radians)) }

    // Angles are written to JSON and YAML in degrees: the unit people read.
    public init(from decoder: any Decoder) throws {
        self = .degrees(try decoder.singleValueContainer().decode(Double.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(degrees)
    }
}

extension Angle: CustomStringConvertible {
    /// Degrees with four decimals and a degree sign, e.g. `40.3933°`.
    public var description: String { "\(formatFixed(degrees, decimals: 4))°" }
}

/// Formats a number with a fixed number of decimals without Foundation's locale machinery.
package func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (abs(value) * scale).rounded()
    let integerPart = (rounded / scale).rounded(.down)
    let fraction = Int((rounded - integerPart * scale).rounded())
    let sign = value < 0 && rounded != 0 ? "-" : ""
    guard decimals > 0 else { return "\(sign)\(Int(integerPart))" }
    var fractionText = String(fraction)
    while fractionText.count < decimals { fractionText = "0" + fractionText }
    return "\(sign)\(Int(integerPart)).\(fractionText)"
}
