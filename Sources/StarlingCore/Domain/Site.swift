public import Foundation

/// An observatory: where it is, its local time, what blocks its view, where its weather
/// comes from, and the telescopes it hosts.
///
/// Loaded from `sites/<id>.yaml` by ``SiteLoader``; the initialiser is what validation
/// ultimately calls, so a `Site` that exists is consistent.
public struct Site: Sendable, Hashable, Codable, Identifiable {
    public let id: SiteID
    /// Human-readable name, e.g. "Xinglong Observatory (NAOC)".
    public let name: String
    /// Geodetic position of the site.
    public let location: GeodeticLocation
    /// The site's IANA time zone (canonical name, e.g. `Asia/Shanghai`).
    public let timeZone: TimeZone
    /// The lowest usable altitude by azimuth.
    public let horizonMask: HorizonMask
    /// Where the site's weather comes from.
    public let weatherSource: WeatherSource
    /// The site's typical conditions, used by forecasts and the simulator.
    public let climate: SiteClimate
    /// The telescopes at this site.
    public let telescopes: [Telescope]
    /// Where the coordinates come from (cited in `sites/README.md`).
    public let source: String

    public init(
        id: SiteID, name: String, location: GeodeticLocation, timeZone: TimeZone,
        horizonMask: HorizonMask = .flat(), weatherSource: WeatherSource = .simulated,
        climate: SiteClimate = SiteClimate(), telescopes: [Telescope], source: String = ""
    ) {
        self.id = id
        self.name = name
        self.location = location
        self.timeZone = timeZone
        self.horizonMask = horizonMask
        self.weatherSource = weatherSource
        self.climate = climate
        self.telescopes = telescopes
        self.source = source
    }

    /// The telescope with the given identifier, if it is at this site.
    public func telescope(_ id: TelescopeID) -> Telescope? { telescopes.first { $0.id == id } }
}

/// Where a site's weather readings come from.
public enum WeatherSource: Sendable, Hashable, Codable {
    /// The simulator's weather model (driven by the scenario).
    case simulated
    /// An INDI weather device, e.g. `Weather Simulator` or a Boltwood driver.
    case indi(device: String)
    /// An ASCOM Alpaca ObservingConditions/SafetyMonitor device number.
    case alpaca(deviceNumber: Int)
}

/// A site's typical conditions: what forecasts fall back to and what the simulator draws from.
public struct SiteClimate: Sendable, Hashable, Codable {
    /// Fraction of night hours that are clear (0…1).
    public var clearFraction: Double
    /// Median zenith seeing (FWHM at 500 nm).
    public var medianSeeing: Angle
    /// Zenith V-band sky brightness on a dark night, mag/arcsec².
    public var darkSkyBrightness: Double
    /// Typical night-time temperature, °C (for refraction).
    public var temperatureCelsius: Double
    /// Typical relative humidity, 0…1 (for refraction).
    public var relativeHumidity: Double

    public init(
        clearFraction: Double = 0.7, medianSeeing: Angle = .arcseconds(1.2), darkSkyBrightness: Double = 21.5,
        temperatureCelsius: Double = 10, relativeHumidity: Double = 0.4
    ) {
        self.clearFraction = clearFraction
        self.medianSeeing = medianSeeing
        self.darkSkyBrightness = darkSkyBrightness
        self.temperatureCelsius = temperatureCelsius
        self.relativeHumidity = relativeHumidity
    }

    /// Standard-atmosphere pressure at a height, hPa (barometric formula, scale height 8.4 km).
    public static func pressureHectopascals(atElevationMeters elevation: Double) -> Double {
        1013.25 * exp(-elevation / 8434.5)
    }
}
