public import Foundation
public import StarlingCore

/// A weather station on an INDI server (`Weather Simulator`, or any INDI weather driver).
///
/// `WEATHER_STATUS` (lights) gives the station's own verdict: `Ok` safe, `Busy` warning (still
/// safe), `Alert` unsafe, `Idle` unknown. `WEATHER_PARAMETERS` gives the readings:
/// `WEATHER_TEMPERATURE` (°C), `WEATHER_WIND_SPEED` (km/h, converted to m/s),
/// `WEATHER_RAIN_HOUR` (mm/h: raining when above 0), `WEATHER_HUMIDITY` (%) and
/// `WEATHER_CLOUD_COVER` (%) where the station has them.
///
/// The reading's time is when the client received it. Returns `nil` when the station has
/// never sent parameters (its feed is lost), so the agent's lost-weather rule applies.
public struct INDIWeather: WeatherDriver, INDIDeviceDriver {
    public static let deviceKind = DeviceKind.weather
    public let client: INDIClient
    public let device: String
    private let now: @Sendable () -> Date

    public init(client: INDIClient, device: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.device = device
        self.now = now
    }

    public func reading() async throws(DriverError) -> WeatherSnapshot? {
        try await client.connectDevice(device, kind: .weather)
        guard let parameters = await client.property("WEATHER_PARAMETERS", of: device) else { return nil }
        let status = await client.property("WEATHER_STATUS", of: device)
        return Self.snapshot(parameters: parameters, status: status, at: now())
    }

    /// The snapshot that `WEATHER_PARAMETERS` and `WEATHER_STATUS` describe.
    public static func snapshot(parameters: INDIVector, status: INDIVector?, at time: Date) -> WeatherSnapshot {
        var safe: Bool?
        if let status {
            let lights = status.elements.compactMap { if case .light(let state) = $0.value { state } else { nil } }
            if status.state == .alert || lights.contains(.alert) {
                safe = false
            } else if status.state == .ok || status.state == .busy {
                safe = true
            }
        }
        let rain = parameters.number("WEATHER_RAIN_HOUR") ?? parameters.number("WEATHER_RAIN_RATE")
        return WeatherSnapshot(
            time: time, cloudFraction: parameters.number("WEATHER_CLOUD_COVER").map { $0 / 100 },
            windSpeedMetersPerSecond: parameters.number("WEATHER_WIND_SPEED").map { $0 / 3.6 },
            relativeHumidity: parameters.number("WEATHER_HUMIDITY").map { $0 / 100 }, isRaining: rain.map { $0 > 0 },
            skyBrightness: parameters.number("WEATHER_SKY_QUALITY") ?? parameters.number("SKY_QUALITY"),
            temperatureCelsius: parameters.number("WEATHER_TEMPERATURE"), sensorSaysSafe: safe)
    }
}
