public import StarlingCore

/// The air the light passes through, for refraction (ERFA's `eraRefco` model:
/// A·tan z + B·tan³ z, good above about 3° altitude, meaningless below −1°).
public struct Atmosphere: Sendable, Hashable {
    /// Pressure at the telescope, hPa. Zero turns refraction off.
    public var pressureHectopascals: Double
    public var temperatureCelsius: Double
    /// Relative humidity, 0…1.
    public var relativeHumidity: Double
    /// Effective wavelength, micrometres (0.55 for V).
    public var wavelengthMicrometers: Double

    public init(pressureHectopascals: Double, temperatureCelsius: Double, relativeHumidity: Double, wavelengthMicrometers: Double = 0.55) {
        self.pressureHectopascals = pressureHectopascals
        self.temperatureCelsius = temperatureCelsius
        self.relativeHumidity = relativeHumidity
        self.wavelengthMicrometers = wavelengthMicrometers
    }

    /// Throws unless the values are finite and in the ranges `eraRefco` is valid for.
    func validate() throws(SkyError) {
        guard pressureHectopascals.isFinite, temperatureCelsius.isFinite, relativeHumidity.isFinite, wavelengthMicrometers.isFinite else {
            throw SkyError(.notFinite, "pressure, temperature, humidity and wavelength must be finite numbers")
        }
        guard (0...1200).contains(pressureHectopascals) else {
            throw SkyError(.invalidArgument, "pressure \(pressureHectopascals) hPa is outside 0…1200 hPa")
        }
        guard (-150...200).contains(temperatureCelsius) else {
            throw SkyError(.invalidArgument, "temperature \(temperatureCelsius) °C is outside −150…200 °C")
        }
        guard (0...1).contains(relativeHumidity) else {
            throw SkyError(.invalidArgument, "relative humidity \(relativeHumidity) is outside 0…1")
        }
        guard wavelengthMicrometers > 0 else {
            throw SkyError(.invalidArgument, "wavelength \(wavelengthMicrometers) µm must be positive")
        }
    }

    /// No atmosphere: geometric (unrefracted) positions.
    public static let none = Atmosphere(pressureHectopascals: 0, temperatureCelsius: 0, relativeHumidity: 0)

    /// The typical atmosphere at a site: standard-atmosphere pressure at its elevation and
    /// the temperature and humidity of its climate.
    public static func typical(at site: Site) -> Atmosphere {
        Atmosphere(
            pressureHectopascals: SiteClimate.pressureHectopascals(atElevationMeters: site.location.elevationMeters),
            temperatureCelsius: site.climate.temperatureCelsius, relativeHumidity: site.climate.relativeHumidity)
    }
}
