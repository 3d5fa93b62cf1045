import Foundation

/// The registry of known observatories that site positions are checked against: the Minor
/// Planet Center's observatory codes, converted to WGS84 geodetic positions in
/// `sites/registry/mpc_observatory_codes.csv` (derived by `scripts/derive-observatory-codes`;
/// see `sites/README.md`).
///
/// ```swift
/// let registry = try KnownObservatories.load(path: "sites/registry/mpc_observatory_codes.csv")
/// let (station, kilometers) = registry.nearest(latitude: 28.758, longitude: -17.88)!
/// print(station.code, station.name, kilometers)  // 950 La Palma 0.3
/// ```
public struct KnownObservatories: Sendable {
    /// One station of the registry.
    public struct Station: Sendable, Hashable {
        /// The MPC observatory code, e.g. `950`, `F65`.
        public let code: String
        /// The station's name as the MPC gives it.
        public let name: String
        /// Geodetic latitude, degrees, north positive.
        public let latitudeDegrees: Double
        /// Geodetic longitude, degrees, east positive, −180…180.
        public let longitudeDegrees: Double
        /// Height above the WGS84 ellipsoid, metres.
        public let elevationMeters: Double
        /// How precisely the MPC's constants fix the position, metres (3 m for six decimals,
        /// 32 m for five, 319 m for four, 3.2 km for three).
        public let precisionMeters: Double

        public init(code: String, name: String, latitudeDegrees: Double, longitudeDegrees: Double, elevationMeters: Double, precisionMeters: Double) {
            self.code = code
            self.name = name
            self.latitudeDegrees = latitudeDegrees
            self.longitudeDegrees = longitudeDegrees
            self.elevationMeters = elevationMeters
            self.precisionMeters = precisionMeters
        }

        /// `La Palma (MPC 950)`.
        public var label: String { "\(name) (MPC \(code))" }
    }

    /// The stations, in the file's order.
    public let stations: [Station]

    public init(stations: [Station]) { self.stations = stations }

    /// Where the registry lives, relative to the `sites/` folder.
    public static let relativePath = "registry/mpc_observatory_codes.csv"

    /// Loads a registry file (`code,name,latitude_deg,longitude_deg,elevation_m,precision_m`).
    ///
    /// - Throws: ``ConfigErrors`` naming the line of every unreadable row.
    public static func load(path: String) throws(ConfigErrors) -> KnownObservatories {
        let table = try CSVTable(text: try readText(path), file: path)
        try table.requireColumns(["code", "name", "latitude_deg", "longitude_deg", "elevation_m", "precision_m"])
        var stations: [Station] = []
        var errors: [ConfigError] = []
        for row in table.rows {
            guard let code = row["code"], let name = row["name"],
                let latitude = row["latitude_deg"].flatMap(Double.init), (-90...90).contains(latitude),
                let longitude = row["longitude_deg"].flatMap(Double.init), (-180...180).contains(longitude),
                let elevation = row["elevation_m"].flatMap(Double.init), elevation.isFinite,
                let precision = row["precision_m"].flatMap(Double.init), precision >= 0
            else {
                errors.append(ConfigError(.wrongType, file: path, line: row.line, "not a registry row: code,name,latitude_deg,longitude_deg,elevation_m,precision_m"))
                continue
            }
            stations.append(Station(
                code: code, name: name, latitudeDegrees: latitude, longitudeDegrees: longitude, elevationMeters: elevation,
                precisionMeters: precision))
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return KnownObservatories(stations: stations)
    }

    /// The registry beside a `sites/` folder, or `nil` when that folder has none.
    public static func load(sitesDirectory: String) throws(ConfigErrors) -> KnownObservatories? {
        let path = sitesDirectory + "/" + relativePath
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try load(path: path)
    }

    /// The station nearest a position, and its great-circle distance in kilometres; `nil`
    /// for an empty registry.
    public func nearest(latitude: Double, longitude: Double) -> (station: Station, kilometers: Double)? {
        var best: (station: Station, kilometers: Double)?
        for station in stations {
            let kilometers = SiteCoordinateCheck.surfaceDistanceKilometers(latitude, longitude, station.latitudeDegrees, station.longitudeDegrees)
            if best == nil || kilometers < best!.kilometers { best = (station, kilometers) }
        }
        return best
    }
}
