public import Foundation

/// The weather at one site through a simulated night: what the sky really does (clouds,
/// seeing, wind, humidity, rain) and what the site's weather sensor reports.
///
/// Built from a scenario: explicit changes (``WeatherChange``) where the scenario gives them,
/// otherwise drawn from the site's ``SiteClimate`` with a seeded generator, so the same seed
/// gives the same night. The climate model is a two-state (clear/cloudy) Markov chain in
/// ten-minute steps whose long-run clear fraction is the site's, with clear spells of about
/// three hours; seeing follows a log-normal AR(1) process around the site's median with a
/// one-hour correlation time.
public struct WeatherTimeline: Sendable {
    public let siteID: SiteID
    /// The span the timeline covers; outside it the nearest step is used.
    public let span: DateInterval
    /// Length of one step of the climate model.
    public static let stepSeconds: Double = 600

    private let steps: [WeatherSnapshot]
    /// Intervals during which the sensor reports nothing.
    private let feedOutages: [DateInterval]

    /// Builds the timeline of a site for a span.
    ///
    /// - Parameters:
    ///   - site: the site (its climate drives the random part).
    ///   - scenario: the scenario's weather section.
    ///   - span: the UTC span to cover (a night, or the scenario's start…end).
    ///   - seed: the scenario seed; each site derives its own stream from it.
    public init(site: Site, scenario: WeatherScenario, span: DateInterval, seed: UInt64) {
        self.siteID = site.id
        self.span = span
        var random = SeededGenerator(seed: seed).derived("weather:\(site.id)")
        let climate = site.climate
        let count = max(1, Int((span.duration / Self.stepSeconds).rounded(.up)) + 1)
        let changes = scenario.changes[site.id] ?? []

        // Markov chain with stationary clear fraction f and mean clear spell of 3 h:
        // p(clear→cloudy) = step / 3 h; p(cloudy→clear) = p(clear→cloudy) · f / (1 − f).
        let clearFraction = min(0.98, max(0.02, climate.clearFraction))
        let leaveClear = Self.stepSeconds / (3 * 3600)
        let leaveCloudy = min(1, leaveClear * clearFraction / (1 - clearFraction))
        let seeingCorrelation = exp(-Self.stepSeconds / 3600)
        var isClear = scenario.defaultModel == .clear || random.nextUnit() < clearFraction
        var seeingLog = 0.0
        var steps: [WeatherSnapshot] = []
        steps.reserveCapacity(count)
        var changeIndex = 0
        var overrides = Overrides()
        var outages: [DateInterval] = []
        var outageStart: Date?

        for index in 0..<count {
            let time = span.start.addingTimeInterval(Double(index) * Self.stepSeconds)
            // Climate draws happen every step whatever the overrides, so that an override of
            // one field leaves the random stream of the others unchanged.
            if index > 0 {
                isClear = random.nextUnit() < (isClear ? 1 - leaveClear : leaveCloudy)
                seeingLog = seeingCorrelation * seeingLog + (1 - seeingCorrelation * seeingCorrelation).squareRoot() * 0.25 * random.nextGaussian()
            }
            let cloudDraw = random.nextUnit()
            let windDraw = random.nextGaussian()
            let humidityDraw = random.nextGaussian()
            while changeIndex < changes.count, changes[changeIndex].at <= time {
                let change = changes[changeIndex]
                overrides.apply(change)
                if let lost = change.feedLost {
                    if lost, outageStart == nil { outageStart = change.at }
                    if !lost, let start = outageStart { outages.append(DateInterval(start: start, end: max(start, change.at))); outageStart = nil }
                }
                changeIndex += 1
            }
            let model = scenario.defaultModel
            let cloud = overrides.cloudFraction ?? (model == .clear ? 0 : (isClear ? 0.2 * cloudDraw : 0.6 + 0.4 * cloudDraw))
            let seeing = overrides.seeing ?? .arcseconds(climate.medianSeeing.arcseconds * (model == .clear ? 1 : exp(seeingLog)))
            let wind = overrides.wind ?? max(0, 4 + 2.5 * windDraw)
            let humidity = overrides.humidity ?? min(0.99, max(0.05, climate.relativeHumidity + (isClear ? 0 : 0.2) + 0.08 * humidityDraw))
            steps.append(WeatherSnapshot(
                time: time, cloudFraction: cloud, windSpeedMetersPerSecond: wind, relativeHumidity: humidity,
                isRaining: overrides.isRaining ?? false, seeing: seeing, temperatureCelsius: climate.temperatureCelsius))
        }
        if let start = outageStart { outages.append(DateInterval(start: start, end: max(start, span.end))) }
        self.steps = steps
        self.feedOutages = outages
    }

    /// The true weather at an instant (the step that contains it).
    public func conditions(at time: Date) -> WeatherSnapshot {
        let index = min(steps.count - 1, max(0, Int((time.timeIntervalSince(span.start) / Self.stepSeconds).rounded(.down))))
        let step = steps[index]
        return WeatherSnapshot(
            time: time, cloudFraction: step.cloudFraction, windSpeedMetersPerSecond: step.windSpeedMetersPerSecond,
            relativeHumidity: step.relativeHumidity, isRaining: step.isRaining, seeing: step.seeing,
            temperatureCelsius: step.temperatureCelsius)
    }

    /// What the site's weather sensor reports at an instant, or `nil` while its feed is lost.
    public func sensorReading(at time: Date) -> WeatherSnapshot? {
        if feedOutages.contains(where: { $0.start <= time && time < $0.end }) { return nil }
        return conditions(at: time)
    }

    /// The instants at which the conditions change, for re-planning: the start of every step
    /// whose cloud cover or rain differs from the previous step's by more than `threshold`.
    public func significantChanges(cloudThreshold threshold: Double = 0.3) -> [Date] {
        var result: [Date] = []
        for (previous, next) in zip(steps, steps.dropFirst()) {
            let cloudJump = abs((next.cloudFraction ?? 0) - (previous.cloudFraction ?? 0)) > threshold
            if cloudJump || next.isRaining != previous.isRaining { result.append(next.time) }
        }
        return result
    }

    /// Fields set by explicit scenario changes, which hold until changed again.
    private struct Overrides {
        var cloudFraction: Double?
        var seeing: Angle?
        var wind: Double?
        var humidity: Double?
        var isRaining: Bool?

        mutating func apply(_ change: WeatherChange) {
            if let value = change.cloudFraction { cloudFraction = value }
            if let value = change.seeing { seeing = value }
            if let value = change.windSpeedMetersPerSecond { wind = value }
            if let value = change.relativeHumidity { humidity = value }
            if let value = change.isRaining { isRaining = value }
        }
    }
}
