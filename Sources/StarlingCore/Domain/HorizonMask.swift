/// The lowest altitude a telescope may point at, as a function of azimuth: trees,
/// mountains, a neighbouring dome.
///
/// Points are `(azimuth, altitude)` pairs; between points the limit is interpolated
/// linearly in azimuth, wrapping through north. A mask with no points is flat at 0°.
public struct HorizonMask: Sendable, Hashable, Codable {
    /// One vertex of the mask.
    public struct Point: Sendable, Hashable, Codable {
        /// Azimuth, 0..<360°, north 0°, east 90°.
        public let azimuth: Angle
        /// The lowest usable altitude at that azimuth, 0…90°.
        public let altitude: Angle

        public init(azimuth: Angle, altitude: Angle) {
            self.azimuth = azimuth.normalizedPositive
            self.altitude = altitude
        }
    }

    /// The vertices, sorted by azimuth.
    public let points: [Point]

    /// A flat horizon at the given altitude.
    public static func flat(_ altitude: Angle = .zero) -> HorizonMask {
        HorizonMask(points: [Point(azimuth: .zero, altitude: altitude)])
    }

    /// Creates a mask from vertices in any order.
    public init(points: [Point]) {
        self.points = points.sorted { $0.azimuth < $1.azimuth }
    }

    /// The lowest usable altitude in the given direction.
    public func minimumAltitude(atAzimuth azimuth: Angle) -> Angle {
        .degrees(minimumAltitudeDegrees(atAzimuthDegrees: azimuth.normalizedPositive.degrees))
    }

    /// The lowest usable altitude in degrees at an azimuth in degrees (0..<360); for hot loops.
    public func minimumAltitudeDegrees(atAzimuthDegrees azimuth: Double) -> Double {
        guard let first = points.first else { return 0 }
        guard points.count > 1 else { return first.altitude.degrees }
        let last = points[points.count - 1]
        // Find the bracketing vertices, wrapping through north.
        var lower = last, upper = first
        var lowerAzimuth = last.azimuth.degrees - 360, upperAzimuth = first.azimuth.degrees
        if azimuth >= first.azimuth.degrees && azimuth < last.azimuth.degrees {
            var index = 1
            while points[index].azimuth.degrees <= azimuth { index += 1 }
            lower = points[index - 1]; upper = points[index]
            lowerAzimuth = lower.azimuth.degrees; upperAzimuth = upper.azimuth.degrees
        } else if azimuth >= last.azimuth.degrees {
            lowerAzimuth = last.azimuth.degrees
            upperAzimuth = first.azimuth.degrees + 360
        }
        let span = upperAzimuth - lowerAzimuth
        guard span > 0 else { return lower.altitude.degrees }
        var position = azimuth
        if position < lowerAzimuth { position += 360 }
        let fraction = (position - lowerAzimuth) / span
        return lower.altitude.degrees + fraction * (upper.altitude.degrees - lower.altitude.degrees)
    }

    /// The highest altitude anywhere on the mask: a target above it is clear in every direction.
    public var highestAltitude: Angle { points.map(\.altitude).max() ?? .zero }
}
