/// A place on the WGS84 ellipsoid: geodetic latitude, east-positive longitude, height.
public struct GeodeticLocation: Sendable, Hashable, Codable {
    /// Geodetic latitude, −90…90°, north positive.
    public let latitude: Angle
    /// Longitude, −180..<180°, east positive (normalised on creation).
    public let longitude: Angle
    /// Height above the WGS84 ellipsoid in metres.
    public let elevationMeters: Double

    /// The highest and lowest heights accepted: the Dead Sea shore to above Chajnantor.
    public static let plausibleElevationMeters: ClosedRange<Double> = -500...6000

    /// Creates a location, or throws when a value is impossible.
    ///
    /// A longitude given in 0..<360° (as some registries write it) is normalised to −180..<180°.
    public init(latitude: Angle, longitude: Angle, elevationMeters: Double) throws(LocationError) {
        guard latitude.isFinite, longitude.isFinite, elevationMeters.isFinite else { throw .notFinite }
        guard (-90.0...90.0).contains(latitude.degrees) else { throw .latitudeOutOfRange(latitude.degrees) }
        guard (-180.0...360.0).contains(longitude.degrees) else { throw .longitudeOutOfRange(longitude.degrees) }
        guard Self.plausibleElevationMeters.contains(elevationMeters) else {
            throw .elevationImplausible(elevationMeters)
        }
        self.latitude = latitude
        self.longitude = longitude.normalizedSigned
        self.elevationMeters = elevationMeters
    }
}

/// Why a ``GeodeticLocation`` could not be made.
public enum LocationError: Error, Sendable, Equatable, CustomStringConvertible {
    case latitudeOutOfRange(Double)
    case longitudeOutOfRange(Double)
    case elevationImplausible(Double)
    case notFinite

    public var description: String {
        switch self {
        case .latitudeOutOfRange(let value):
            "latitude \(value) is outside -90...90"
        case .longitudeOutOfRange(let value):
            "longitude \(value) is outside -180...360"
        case .elevationImplausible(let value):
            "elevation \(value) m is outside \(Int(GeodeticLocation.plausibleElevationMeters.lowerBound))...\(Int(GeodeticLocation.plausibleElevationMeters.upperBound)) m"
        case .notFinite:
            "latitude, longitude and elevation must be finite numbers"
        }
    }
}
