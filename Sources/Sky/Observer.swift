public import Foundation
internal import CERFA
public import StarlingCore

/// A place on Earth from which to look at the sky: the site's position, how the Earth is
/// oriented, and the air in between.
///
/// ```swift
/// let observer = Observer(site: site)                       // geometric (no refraction)
/// let altitude = try observer.horizontal(of: target, at: date).altitude
/// let refracted = Observer(site: site, atmosphere: .typical(at: site))
/// ```
public struct Observer: Sendable {
    public let location: GeodeticLocation
    public let atmosphere: Atmosphere
    /// Where UT1 − UTC and polar motion come from.
    public let earthOrientation: EarthOrientationSource

    /// How an observer learns the Earth's orientation.
    public enum EarthOrientationSource: Sendable {
        /// The same values at every instant (default: zero).
        case fixed(EarthOrientation)
        /// Interpolated from an IERS table; its nearest row outside it.
        case table(IERSTable)

        func orientation(at date: Date) -> EarthOrientation {
            switch self {
            case .fixed(let value): value
            case .table(let table): table.orientation(at: date) ?? table.nearestOrientation(to: date)
            }
        }
    }

    public init(location: GeodeticLocation, atmosphere: Atmosphere = .none, earthOrientation: EarthOrientationSource = .fixed(.none)) {
        self.location = location
        self.atmosphere = atmosphere
        self.earthOrientation = earthOrientation
    }

    /// An observer at a site.
    public init(site: Site, atmosphere: Atmosphere = .none, earthOrientation: EarthOrientationSource = .fixed(.none)) {
        self.init(location: site.location, atmosphere: atmosphere, earthOrientation: earthOrientation)
    }

    /// The same observer without refraction (for twilight, which is defined on geometric altitudes).
    public var geometric: Observer {
        Observer(location: location, atmosphere: .none, earthOrientation: earthOrientation)
    }

    /// The sky at an instant.
    /// - Throws: ``SkyError`` when ERFA cannot handle the instant.
    public func frame(at date: Date) throws(SkyError) -> ObservingFrame {
        try ObservingFrame(date: date, location: location, orientation: earthOrientation.orientation(at: date), atmosphere: atmosphere)
    }

    /// The apparent altitude and azimuth of a target at an instant.
    public func horizontal(of target: EquatorialCoordinates, at date: Date) throws(SkyError) -> HorizontalCoordinates {
        try frame(at: date).horizontal(of: target)
    }

    /// The geometric altitude of the Sun's centre at an instant.
    public func sunAltitude(at date: Date) throws(SkyError) -> Angle {
        try geometric.frame(at: date).sun.horizontal.altitude
    }
}

/// Galactic coordinates (IAU 1958 system as realised in the ICRS, `eraIcrs2g`).
public enum GalacticCoordinates {
    /// Galactic longitude and latitude of an ICRS position.
    public static func of(_ position: EquatorialCoordinates) -> (longitude: Angle, latitude: Angle) {
        var l = 0.0, b = 0.0
        eraIcrs2g(position.rightAscension.radians, position.declination.radians, &l, &b)
        return (.radians(l), .radians(b))
    }
}
