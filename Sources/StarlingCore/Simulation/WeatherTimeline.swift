public import Foundation

/// The weather at one site through a simulated night: what the sky really does (clouds,
/// seeing, wind, humidity, rain) and what the site's weather sensor reports.
///
/// Built from a scenario: explicit changes (``WeatherChange``) where the scenario gives them,
/// in force from their exact instant, otherwise drawn from the site's ``SiteClimate`` with a
/// seeded generator, so the same seed gives the same night. The climate model is a two-state
/// (clear/cloudy) Markov chain in ten-minute steps whose long-run clear fraction is the site's,
/// with clear spells of about three hours; seeing follows a log-normal AR(1) process around the
/// site's median with a one-hour correlation time.
public struct WeatherTimeline: Sendable {
    public let siteID: SiteID
    /// The span the timeline covers; outside it the nearest step is used.
    public let span: DateInterval
    /// Length of one step of the climate model.
    public static let stepSeconds: Double = 600

    /// The climate model's weather at each step, before the scenario's changes.
    private let steps: [WeatherSnapshot]
    /// The scenario's changes: from each instant on, the fields set so far (in time order).
    private let overrides: [(at: Date, fields: Overrides)]
    /// Intervals during which the sensor reports nothing.
    private let feedOutages: [DateInterval]
    /// Every instant at which the weather may change, in time order: the start of each
    /// step of the climate model inside the span, each scenario change, and the start and end
    /// of each loss of the sensor feed.
    public let changeInstants: [Date]

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
        for index in 0..<count {
            let time = span.start.addingTimeInterval(Double(index) * Self.stepSeconds)
            // Climate draws happen every step whatever the scenario overrides, so that an
            // override of one field leaves the random stream of the others unchanged.
            if index > 0 {
                isClear = random.nextUnit() < (isClear ? 1 - leaveClear : leaveCloudy)
                seeingLog = seeingCorrelation * seeingLog + (1 - seeingCorrelation * seeingCorrelation).squareRoot() * 0.25 * random.nextGaussian()
            }
            let cloudDraw = random.nextUnit()
            let windDraw = random.nextGaussian()
            let humidityDraw = random.nextGaussian()
            let model = scenario.defaultModel
            let cloud = model == .clear ? 0 : (isClear ? 0.2 * cloudDraw : 0.6 + 0.4 * cloudDraw)
            let seeing = Angle.arcseconds(climate.medianSeeing.arcseconds * (model == .clear ? 1 : exp(seeingLog)))
            let wind = max(0, 4 + 2.5 * windDraw)
            let humidity = min(0.99, max(0.05, climate.relativeHumidity + (isClear ? 0 : 0.2) + 0.08 * humidityDraw))
            steps.append(WeatherSnapshot(
                time: time, cloudFraction: cloud, windSpeedMetersPerSecond: wind, relativeHumidity: humidity, isRaining: false, seeing: seeing,
                temperatureCelsius: climate.temperatureCelsius))
        }
        // The scenario's changes, each in force from its own instant.
        var overrides: [(at: Date, fields: Overrides)] = []
        var fields = Overrides()
        var outages: [DateInterval] = []
        var outageStart: Date?
        for change in changes.sorted(by: { $0.at < $1.at }) {
            fields.apply(change)
            if let last = overrides.last, last.at == change.at { overrides[overrides.count - 1].fields = fields } else { overrides.append((change.at, fields)) }
            if let lost = change.feedLost {
                if lost, outageStart == nil { outageStart = change.at }
                if !lost, let start = outageStart { outages.append(DateInterval(start: start, end: max(start, change.at))); outageStart = nil }
            }
        }
        if let start = outageStart { outages.append(DateInterval(start: start, end: max(start, span.end))) }
        self.steps = steps
        self.overrides = overrides
        self.feedOutages = outages
        let stepStarts = (0..<count).dropFirst().map { span.start.addingTimeInterval(Double($0) * Self.stepSeconds) }
        changeInstants = Array(Set(stepStarts + overrides.map(\.at) + outages.flatMap { [$0.start, $0.end] })).sorted()
    }

    /// The true weather at an instant: the climate model's step that contains it, with the
    /// scenario's changes made up to that instant.
    public func conditions(at time: Date) -> WeatherSnapshot {
        let index = min(steps.count - 1, max(0, Int((time.timeIntervalSince(span.start) / Self.stepSeconds).rounded(.down))))
        let step = steps[index]
        let fields = overrides.last { $0.at <= time }?.fields ?? Overrides()
        return WeatherSnapshot(
            time: time, cloudFraction: fields.cloudFraction ?? step.cloudFraction, windSpeedMetersPerSecond: fields.wind ?? step.windSpeedMetersPerSecond,
            relativeHumidity: fields.humidity ?? step.relativeHumidity, isRaining: fields.isRaining ?? step.isRaining,
            seeing: fields.seeing ?? step.seeing, temperatureCelsius: step.temperatureCelsius)
    }

    /// What the site's weather sensor reports at an instant, or `nil` while its feed is lost.
    public func sensorReading(at time: Date) -> WeatherSnapshot? {
        if feedOutages.contains(where: { $0.start <= time && time < $0.end }) { return nil }
        return conditions(at: time)
    }

    /// The first instant after `time` at which the weather may change (see ``changeInstants``),
    /// or `nil` when it no longer changes: what a feed that reports the weather as it happens
    /// waits for.
    public func nextChange(after time: Date) -> Date? {
        changeInstants.first { $0 > time }
    }

    /// The instants at which the conditions change, for re-planning: each step start or
    /// scenario change where the cloud cover moves by more than `threshold` or the rain starts
    /// or stops.
    public func significantChanges(cloudThreshold threshold: Double = 0.3) -> [Date] {
        var result: [Date] = []
        var previous = conditions(at: span.start)
        for instant in changeInstants {
            let next = conditions(at: instant)
            let cloudJump = abs((next.cloudFraction ?? 0) - (previous.cloudFraction ?? 0)) > threshold
            if cloudJump || next.isRaining != previous.isRaining { result.append(instant) }
            previous = next
        }
        return result
    }

    /// Fields set by explicit scenario changes, which hold until changed again.
    private struct Overrides: Sendable {
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
