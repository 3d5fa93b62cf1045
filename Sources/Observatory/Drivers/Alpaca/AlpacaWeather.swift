public import Foundation
public import StarlingCore

/// Weather from an Alpaca server: an ObservingConditions device for readings and a
/// SafetyMonitor for the verdict, either of which may be absent.
///
/// ObservingConditions members (ASCOM units): `cloudcover` (%), `humidity` (%), `windspeed`
/// (m/s), `rainrate` (mm/h: raining when above 0), `temperature` (°C), `starfwhm` (″),
/// `skyquality` (mag/arcsec²); a member the device does not implement (0x400) is left out.
/// SafetyMonitor: `issafe` → ``WeatherSnapshot/sensorSaysSafe``.
public struct AlpacaWeather: WeatherDriver {
    let conditions: AlpacaDevice?
    let safety: AlpacaDevice?
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - observingConditions: the ObservingConditions device number, or `nil`.
    ///   - safetyMonitor: the SafetyMonitor device number, or `nil`.
    public init(client: AlpacaClient, observingConditions: Int?, safetyMonitor: Int?, now: @escaping @Sendable () -> Date = { Date() }) {
        conditions = observingConditions.map { AlpacaDevice(client: client, type: .observingconditions, number: $0, kind: .weather) }
        safety = safetyMonitor.map { AlpacaDevice(client: client, type: .safetymonitor, number: $0, kind: .weather) }
        self.now = now
    }

    public func connect() async throws(DriverError) {
        try await conditions?.connect()
        try await safety?.connect()
    }

    public func disconnect() async {
        await conditions?.disconnect()
        await safety?.disconnect()
    }

    public func reading() async throws(DriverError) -> WeatherSnapshot? {
        guard conditions != nil || safety != nil else { return nil }
        var cloud: Double?, humidity: Double?, wind: Double?, rain: Double?, temperature: Double?, fwhm: Double?, sky: Double?
        if let conditions {
            cloud = try await conditions.optionalDouble("cloudcover")
            humidity = try await conditions.optionalDouble("humidity")
            wind = try await conditions.optionalDouble("windspeed")
            rain = try await conditions.optionalDouble("rainrate")
            temperature = try await conditions.optionalDouble("temperature")
            fwhm = try await conditions.optionalDouble("starfwhm")
            sky = try await conditions.optionalDouble("skyquality")
        }
        let safe = try await safety?.get("issafe").bool
        return WeatherSnapshot(
            time: now(), cloudFraction: cloud.map { $0 / 100 }, windSpeedMetersPerSecond: wind, relativeHumidity: humidity.map { $0 / 100 },
            isRaining: rain.map { $0 > 0 }, seeing: fwhm.map { .arcseconds($0) }, skyBrightness: sky, temperatureCelsius: temperature,
            sensorSaysSafe: safe)
    }
}
