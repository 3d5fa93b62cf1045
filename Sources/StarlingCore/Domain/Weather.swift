public import Foundation

/// One reading of a site's weather, as a sensor or the simulator reports it.
///
/// Fields a sensor does not measure are `nil`; rules treat unknown as unsafe only where
/// that field decides safety (rain, wind, humidity).
public struct WeatherSnapshot: Sendable, Hashable, Codable {
    /// When the reading was taken (UTC).
    public let time: Date
    /// Fraction of the sky covered by cloud, 0…1.
    public let cloudFraction: Double?
    /// Wind speed, metres per second.
    public let windSpeedMetersPerSecond: Double?
    /// Relative humidity, 0…1.
    public let relativeHumidity: Double?
    /// Whether rain (or snow) is detected.
    public let isRaining: Bool?
    /// Zenith seeing FWHM at 500 nm, where measured or modelled.
    public let seeing: Angle?
    /// Zenith sky brightness in V, mag/arcsec², where measured.
    public let skyBrightness: Double?
    /// Air temperature, °C.
    public let temperatureCelsius: Double?
    /// Whether the sensor itself (e.g. an INDI WEATHER_STATUS or an Alpaca SafetyMonitor) says safe.
    public let sensorSaysSafe: Bool?

    public init(
        time: Date, cloudFraction: Double? = nil, windSpeedMetersPerSecond: Double? = nil, relativeHumidity: Double? = nil,
        isRaining: Bool? = nil, seeing: Angle? = nil, skyBrightness: Double? = nil, temperatureCelsius: Double? = nil,
        sensorSaysSafe: Bool? = nil
    ) {
        self.time = time
        self.cloudFraction = cloudFraction.map { min(1, max(0, $0)) }
        self.windSpeedMetersPerSecond = windSpeedMetersPerSecond
        self.relativeHumidity = relativeHumidity.map { min(1, max(0, $0)) }
        self.isRaining = isRaining
        self.seeing = seeing
        self.skyBrightness = skyBrightness
        self.temperatureCelsius = temperatureCelsius
        self.sensorSaysSafe = sensorSaysSafe
    }
}

/// Limits beyond which weather is unsafe for an open enclosure.
public struct WeatherLimits: Sendable, Hashable, Codable {
    public var maximumWindSpeedMetersPerSecond: Double
    public var maximumRelativeHumidity: Double
    /// Cloud cover above which the enclosure closes (thick cloud often precedes rain).
    public var maximumCloudFraction: Double

    public init(maximumWindSpeedMetersPerSecond: Double = 15, maximumRelativeHumidity: Double = 0.9, maximumCloudFraction: Double = 0.95) {
        self.maximumWindSpeedMetersPerSecond = maximumWindSpeedMetersPerSecond
        self.maximumRelativeHumidity = maximumRelativeHumidity
        self.maximumCloudFraction = maximumCloudFraction
    }
}

/// Whether the weather allows an open enclosure: one fact, apart from the enclosure's own
/// state and the mount's park state.
public enum WeatherSafety: Sendable, Hashable, Codable {
    case safe
    /// Unsafe, with the readings that made it so.
    case unsafe([String])
    /// No reading recent enough to judge.
    case unknown(secondsSinceLastReading: Double?)

    /// Judges a reading against limits at an instant.
    ///
    /// - Parameters:
    ///   - snapshot: the latest reading, or `nil` if none ever arrived.
    ///   - limits: the thresholds.
    ///   - now: the current instant.
    ///   - graceSeconds: how old a reading may be before the weather counts as unknown.
    public static func assess(_ snapshot: WeatherSnapshot?, limits: WeatherLimits, at now: Date, graceSeconds: Double) -> WeatherSafety {
        guard let snapshot else { return .unknown(secondsSinceLastReading: nil) }
        let age = now.timeIntervalSince(snapshot.time)
        if age > graceSeconds { return .unknown(secondsSinceLastReading: age) }
        var reasons: [String] = []
        if snapshot.isRaining == true { reasons.append("rain detected") }
        if let wind = snapshot.windSpeedMetersPerSecond, wind > limits.maximumWindSpeedMetersPerSecond {
            reasons.append("wind \(formatFixed(wind, decimals: 1)) m/s above \(formatFixed(limits.maximumWindSpeedMetersPerSecond, decimals: 1)) m/s")
        }
        if let humidity = snapshot.relativeHumidity, humidity > limits.maximumRelativeHumidity {
            reasons.append("humidity \(Int((humidity * 100).rounded()))% above \(Int((limits.maximumRelativeHumidity * 100).rounded()))%")
        }
        if let cloud = snapshot.cloudFraction, cloud > limits.maximumCloudFraction {
            reasons.append("cloud cover \(Int((cloud * 100).rounded()))% above \(Int((limits.maximumCloudFraction * 100).rounded()))%")
        }
        if snapshot.sensorSaysSafe == false { reasons.append("weather sensor reports unsafe") }
        return reasons.isEmpty ? .safe : .unsafe(reasons)
    }

    public var isSafe: Bool { if case .safe = self { true } else { false } }
}
