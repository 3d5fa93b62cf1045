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
            /// The position is far from every known site, but flipping a sign (and perhaps
            /// swapping) lands on one.
            case misplacedCoordinates
            /// Beside a known observatory, the elevation matches its height in kilometres or feet.
            case elevationUnit
            /// No known observatory is near (a notice naming the nearest, not an error).
            case remoteFromKnownSites
        }

        /// Whether the finding makes the record unusable as it stands.
        public var isError: Bool { kind != .longitudeNormalized && kind != .remoteFromKnownSites }

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
        let stations = known.map {
            KnownObservatories.Station(
                code: "", name: $0.name, latitudeDegrees: $0.location.latitude.degrees, longitudeDegrees: $0.location.longitude.degrees,
                elevationMeters: $0.location.elevationMeters, precisionMeters: 0)
        }
        let placement = placement(latitude: latitude, longitude: longitude, in: KnownObservatories(stations: stations), toleranceKilometers: toleranceKilometers)
        guard case .corrected(let correction, _, _, _) = placement, correction == .swapped else { return nil }
        return issues(for: placement, latitude: latitude, longitude: longitude, elevationMeters: nil, named: \.name).first
    }

    /// Checks a position and elevation against the registry of known observatories: catches
    /// latitude and longitude swapped or a sign flipped when the corrected position lands on a
    /// known observatory and the given one on none, and an elevation in kilometres or feet
    /// beside a known observatory; notes a position far from every known observatory, naming
    /// the nearest.
    ///
    /// - Parameters:
    ///   - latitude: degrees, as published.
    ///   - longitude: degrees, east positive, as published (0…360 accepted).
    ///   - elevationMeters: as published, if given.
    ///   - registry: the known observatories (``KnownObservatories``).
    ///   - toleranceKilometers: how close to a known observatory counts as "at" it.
    /// - Returns: the findings; errors (``Issue/isError``) and at most one notice.
    public static func check(
        latitude: Double, longitude: Double, elevationMeters: Double?, against registry: KnownObservatories,
        toleranceKilometers: Double = 10
    ) -> [Issue] {
        guard (-90.0...90.0).contains(latitude), (-180.0...360.0).contains(longitude) else { return [] }
        let placement = placement(latitude: latitude, longitude: longitude, in: registry, toleranceKilometers: toleranceKilometers)
        return issues(for: placement, latitude: latitude, longitude: longitude, elevationMeters: elevationMeters, named: \.label)
    }

    /// A change that may turn a mistyped position into the intended one.
    public enum Correction: String, Sendable, CaseIterable {
        case swapped = "latitude and longitude swapped"
        case longitudeSign = "the longitude's sign flipped"
        case latitudeSign = "the latitude's sign flipped"
        case bothSigns = "both signs flipped"
        case swappedAndLongitudeSign = "latitude and longitude swapped and the longitude's sign flipped"
        case swappedAndLatitudeSign = "latitude and longitude swapped and the latitude's sign flipped"
        case swappedAndBothSigns = "latitude and longitude swapped and both signs flipped"

        /// The corrected (latitude, longitude), or `nil` when the correction gives no position.
        func apply(latitude: Double, longitude: Double) -> (Double, Double)? {
            let (lat, lon): (Double, Double)
            switch self {
            case .swapped: (lat, lon) = (longitude, latitude)
            case .longitudeSign: (lat, lon) = (latitude, -longitude)
            case .latitudeSign: (lat, lon) = (-latitude, longitude)
            case .bothSigns: (lat, lon) = (-latitude, -longitude)
            case .swappedAndLongitudeSign: (lat, lon) = (longitude, -latitude)
            case .swappedAndLatitudeSign: (lat, lon) = (-longitude, latitude)
            case .swappedAndBothSigns: (lat, lon) = (-longitude, -latitude)
            }
            guard (-90.0...90.0).contains(lat), (-180.0...180.0).contains(lon) else { return nil }
            return (lat, lon)
        }

        var field: String {
            switch self {
            case .longitudeSign: "longitude_deg"
            default: "latitude_deg"
            }
        }
    }

    /// Where a position stands against a registry.
    enum Placement {
        /// Within the tolerance of a known observatory.
        case at(KnownObservatories.Station, kilometers: Double)
        /// Far from every known observatory, but corrected it is at one.
        case corrected(Correction, KnownObservatories.Station, kilometers: Double, nearest: (KnownObservatories.Station, Double))
        /// Far from every known observatory, and no correction helps.
        case remote(nearest: KnownObservatories.Station, kilometers: Double)
        /// The registry is empty.
        case unknown
    }

    static func placement(latitude: Double, longitude: Double, in registry: KnownObservatories, toleranceKilometers: Double) -> Placement {
        let east = longitude > 180 ? longitude - 360 : longitude
        guard let direct = registry.nearest(latitude: latitude, longitude: east) else { return .unknown }
        if direct.kilometers <= toleranceKilometers { return .at(direct.station, kilometers: direct.kilometers) }
        for correction in Correction.allCases {
            // A correction that barely moves the position (latitude close to longitude, a sign
            // flipped near the equator) cannot be told from a site a little off a known one.
            guard let (lat, lon) = correction.apply(latitude: latitude, longitude: east),
                surfaceDistanceKilometers(latitude, east, lat, lon) > 4 * toleranceKilometers,
                let found = registry.nearest(latitude: lat, longitude: lon), found.kilometers <= toleranceKilometers
            else { continue }
            return .corrected(correction, found.station, kilometers: found.kilometers, nearest: direct)
        }
        return .remote(nearest: direct.station, kilometers: direct.kilometers)
    }

    /// An elevation beside a known observatory this close is compared with its height.
    static let elevationComparisonKilometers = 3.0

    private static func issues(
        for placement: Placement, latitude: Double, longitude: Double, elevationMeters: Double?,
        named name: KeyPath<KnownObservatories.Station, String>
    ) -> [Issue] {
        let position = "latitude_deg \(format(latitude)), longitude_deg \(format(longitude))"
        switch placement {
        case .unknown:
            return []
        case .remote(let nearest, let kilometers):
            return [Issue(
                kind: .remoteFromKnownSites, field: "latitude_deg",
                message: "\(position) is \(kilometersText(kilometers)) from the nearest known observatory, \(nearest[keyPath: name]); check the position if the site is meant to be there")]
        case .corrected(let correction, let station, let kilometers, let nearest):
            let kind: Issue.Kind = correction == .swapped ? .swappedCoordinates : .misplacedCoordinates
            let east = longitude > 180 ? longitude - 360 : longitude
            let fixed = correction.apply(latitude: latitude, longitude: east).map { "latitude_deg \(format($0.0)), longitude_deg \(format($0.1))" } ?? ""
            return [Issue(
                kind: kind, field: correction.field,
                message: "\(position) is \(kilometersText(nearest.1)) from the nearest known observatory (\(nearest.0[keyPath: name])), but with \(correction.rawValue) it is \(kilometersText(kilometers)) from \(station[keyPath: name]): did you mean \(fixed)?")]
        case .at(let station, let kilometers):
            guard let elevation = elevationMeters, kilometers <= elevationComparisonKilometers, station.precisionMeters <= 50 else { return [] }
            let margin = 150 + station.precisionMeters
            guard abs(elevation - station.elevationMeters) > 500 else { return [] }
            let known = "\(station[keyPath: name]), \(kilometersText(kilometers)) away, is at \(Int(station.elevationMeters.rounded())) m"
            if abs(elevation * 1000 - station.elevationMeters) <= margin {
                return [Issue(
                    kind: .elevationUnit, field: "elevation_m",
                    message: "elevation_m \(format(elevation)) looks like kilometres: \(known) (write \(format((elevation * 1000).rounded())))")]
            }
            if abs(elevation * 0.3048 - station.elevationMeters) <= margin {
                return [Issue(
                    kind: .elevationUnit, field: "elevation_m",
                    message: "elevation_m \(format(elevation)) looks like feet: \(known) (write \(format((elevation * 0.3048).rounded())))")]
            }
            return []
        }
    }

    private static func kilometersText(_ kilometers: Double) -> String {
        kilometers < 10 ? "\(formatFixed(kilometers, decimals: 1)) km" : "\(Int(kilometers.rounded())) km"
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
