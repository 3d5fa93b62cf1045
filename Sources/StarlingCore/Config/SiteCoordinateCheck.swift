import Foundation

/// Checks of a site's coordinates as registries publish them, catching the errors real
/// tables contain: latitude and longitude swapped, 0…360° longitudes, elevations in feet,
/// deprecated time-zone names, and a time zone on the wrong side of the world.
///
/// ``SiteLoader`` applies these to every site file; tests apply them to third-party tables.
public enum SiteCoordinateCheck {
    /// One finding about a site's coordinates.
    public struct Issue: Sendable, Hashable, CustomStringConvertible {
        public let kind: Kind
        /// The field the finding is about: `latitude_deg`, `longitude_deg`, `elevation_m`, `timezone`.
        public let field: String
        /// What is wrong and what to do.
        public let message: String

        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case latitudeOutOfRange, longitudeOutOfRange, elevationOutOfRange
            /// The longitude is in 0…360° and was normalised (a notice, not an error).
            case longitudeNormalized
            case deprecatedTimeZone, unknownTimeZone
            /// The zone's reference city is in the other hemisphere.
            case timeZoneHemisphere
            /// The zone's UTC offset is far from longitude / 15°.
            case timeZoneOffset
            /// The position is far from every known site, but swapping latitude and longitude lands on one.
            case swappedCoordinates
        }

        /// Whether the finding makes the record unusable as it stands.
        public var isError: Bool { kind != .longitudeNormalized }

        public var description: String { message }
    }

    /// Checks one record.
    ///
    /// - Parameters:
    ///   - latitude: degrees as published.
    ///   - longitude: degrees as published (east positive; 0…360 accepted with a notice).
    ///   - elevationMeters: metres as published, if given.
    ///   - timeZone: the IANA name as published, if given.
    ///   - names: the tz database to check zone names against.
    /// - Returns: every finding, errors and notices; empty when the record is clean.
    public static func check(
        latitude: Double, longitude: Double, elevationMeters: Double?, timeZone: String?,
        names: TimeZoneNames = .system
    ) -> [Issue] {
        var issues: [Issue] = []
        let latitudeValid = (-90.0...90.0).contains(latitude)
        if !latitudeValid {
            let hint = (-90.0...90.0).contains(longitude) ? " (swapped with longitude_deg?)" : ""
            issues.append(Issue(kind: .latitudeOutOfRange, field: "latitude_deg", message: "latitude_deg \(format(latitude)) is outside -90...90\(hint)"))
        }
        if !(-180.0...360.0).contains(longitude) {
            issues.append(Issue(kind: .longitudeOutOfRange, field: "longitude_deg", message: "longitude_deg \(format(longitude)) is outside -180...360"))
        } else if longitude > 180 {
            issues.append(Issue(
                kind: .longitudeNormalized, field: "longitude_deg",
                message: "longitude_deg \(format(longitude)) is in 0...360; read as \(format(longitude - 360)) (east positive, -180...180)"))
        }
        if let elevation = elevationMeters, !GeodeticLocation.plausibleElevationMeters.contains(elevation) {
            let metres = elevation * 0.3048
            let hint = GeodeticLocation.plausibleElevationMeters.contains(metres) ? " (given in feet? \(format(elevation)) ft is \(Int(metres.rounded())) m)" : ""
            issues.append(Issue(kind: .elevationOutOfRange, field: "elevation_m", message: "elevation_m \(format(elevation)) is outside -500...6000 metres\(hint)"))
        }
        guard let timeZone else { return issues }
        switch names.verdict(for: timeZone) {
        case .unknown:
            issues.append(Issue(kind: .unknownTimeZone, field: "timezone", message: "timezone '\(timeZone)' is not an IANA time-zone name (e.g. Asia/Shanghai)"))
        case .alias(let canonical):
            issues.append(Issue(kind: .deprecatedTimeZone, field: "timezone", message: "timezone '\(timeZone)' is a deprecated alias; use '\(canonical)'"))
        case .canonical(let zone):
            guard latitudeValid, (-180.0...360.0).contains(longitude) else { break }
            issues += consistency(of: zone, name: timeZone, latitude: latitude, longitude: longitude, names: names)
        }
        return issues
    }

    /// Whether a zone fits a position: same hemisphere as the zone's reference city (when
    /// both are more than 10° from the equator), and a standard UTC offset within 4 h of
    /// longitude / 15° (China's single zone spans 3 h of longitude, so the margin is wide).
    static func consistency(of zone: TimeZone, name: String, latitude: Double, longitude: Double, names: TimeZoneNames) -> [Issue] {
        if let zoneLatitude = names.referenceLatitude(of: name), abs(zoneLatitude) > 10, abs(latitude) > 10,
            (zoneLatitude > 0) != (latitude > 0)
        {
            return [Issue(
                kind: .timeZoneHemisphere, field: "timezone",
                message: "timezone '\(name)' is in the \(zoneLatitude > 0 ? "northern" : "southern") hemisphere but latitude_deg \(format(latitude)) is not (wrong sign, or latitude and longitude swapped?)")]
        }
        let reference = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z
        let standardOffsetHours = (Double(zone.secondsFromGMT(for: reference)) - zone.daylightSavingTimeOffset(for: reference)) / 3600
        let east = longitude > 180 ? longitude - 360 : longitude
        let solarOffsetHours = east / 15
        if abs(standardOffsetHours - solarOffsetHours) > 4 {
            return [Issue(
                kind: .timeZoneOffset, field: "timezone",
                message: "timezone '\(name)' is UTC\(signed(standardOffsetHours)) but longitude_deg \(format(east)) is about UTC\(signed(solarOffsetHours)) (wrong sign, or latitude and longitude swapped?)")]
        }
        return []
    }

    /// Flags a position that is far from every known site while swapping latitude and
    /// longitude puts it on one: the error that range checks cannot see (e.g. lat 20.81,
    /// lon −32.38 for Sutherland at lat −32.38, lon 20.81).
    ///
    /// - Parameters:
    ///   - known: positions of sites known to be right.
    ///   - toleranceKilometers: how close counts as "on" a site.
    /// - Returns: the finding, or `nil` if the position is plausible or swapping does not help.
    public static func crossCheck(
        latitude: Double, longitude: Double, against known: [(name: String, location: GeodeticLocation)],
        toleranceKilometers: Double = 10
    ) -> Issue? {
        func nearest(_ lat: Double, _ lon: Double) -> (name: String, kilometers: Double)? {
            known.map { ($0.name, surfaceDistanceKilometers(lat, lon, $0.location.latitude.degrees, $0.location.longitude.degrees)) }
                .min { $0.1 < $1.1 }
        }
        if let direct = nearest(latitude, longitude), direct.kilometers <= toleranceKilometers { return nil }
        guard (-90.0...90.0).contains(longitude), let swapped = nearest(longitude, latitude), swapped.kilometers <= toleranceKilometers else {
            return nil
        }
        return Issue(
            kind: .swappedCoordinates, field: "latitude_deg",
            message: "latitude_deg \(format(latitude)), longitude_deg \(format(longitude)) is far from any known site, but swapped it is \(formatFixed(swapped.kilometers, decimals: 1)) km from \(swapped.name) (latitude and longitude swapped?)")
    }

    /// Great-circle distance on a sphere of the Earth's mean radius, kilometres.
    static func surfaceDistanceKilometers(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        angularSeparation(
            longitude1: lon1 * .pi / 180, latitude1: lat1 * .pi / 180, longitude2: lon2 * .pi / 180, latitude2: lat2 * .pi / 180
        ).radians * 6371.0
    }

    private static func format(_ value: Double) -> String { ConfigNode.format(value) }
    private static func signed(_ hours: Double) -> String { (hours >= 0 ? "+" : "") + formatFixed(hours, decimals: 1) }
}
