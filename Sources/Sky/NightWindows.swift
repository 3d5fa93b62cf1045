public import Foundation
public import StarlingCore

/// The times that shape one night at a site: sunset and sunrise, the three twilights, the
/// Moon's rise and set and brightness.
///
/// The night is the one that begins on a local calendar date in the site's own time zone:
/// times are searched from local noon of that date to local noon of the next. Altitudes are
/// of the Sun's centre, unrefracted: sunset and sunrise at −0.8333° (34′ of refraction plus
/// 16′ of semi-diameter), civil, nautical and astronomical twilight at −6°, −12°, −18°.
///
/// A level the Sun never crosses is a value, not an error: ``SunEvent/sunStaysAbove`` for a
/// midsummer night at high latitude that never gets astronomically dark, ``SunEvent/sunStaysBelow``
/// for polar night.
public struct NightWindows: Sendable {
    /// The local date the night begins on.
    public let localDate: CalendarDate
    /// The site's time zone, for showing local times.
    public let timeZone: TimeZone
    /// Local noon to the next local noon (UTC instants).
    public let window: DateInterval
    /// Sun at −0.8333°.
    public let sunset: SunEvent
    public let sunrise: SunEvent
    /// Dusk (evening) and dawn (morning) at each twilight level.
    public let civil: Twilights
    public let nautical: Twilights
    public let astronomical: Twilights
    /// The Moon's centre crossing −0.8333° (topocentric), if it rises or sets in the window.
    public let moonrise: Date?
    public let moonset: Date?
    /// Illuminated fraction of the Moon at local midnight, 0…1.
    public let moonIllumination: Double

    /// Dusk and dawn at one level.
    public struct Twilights: Sendable, Hashable {
        public let dusk: SunEvent
        public let dawn: SunEvent
    }

    /// Computes a site's night.
    /// - Throws: ``SkyError`` when ERFA cannot handle the dates.
    public static func compute(site: Site, date: CalendarDate, earthOrientation: Observer.EarthOrientationSource = .fixed(.none)) throws(SkyError) -> NightWindows {
        let observer = Observer(site: site, earthOrientation: earthOrientation)
        let noon = date.instant(hour: 12, in: site.timeZone)
        let nextNoon = date.adding(days: 1).instant(hour: 12, in: site.timeZone)
        let window = DateInterval(start: noon, end: nextNoon)
        let sunAltitude: (Date) throws(SkyError) -> Double = { date throws(SkyError) in try observer.frame(at: date).sun.horizontal.altitude.degrees }
        // One sampling of the Sun for the four levels.
        let levels: [Twilight] = [.sunset, .civil, .nautical, .astronomical]
        let results = try CrossingSearch.find(in: window, levels: levels.map(\.sunAltitude.degrees), sunAltitude)
        func twilights(_ level: Twilight) -> Twilights {
            let result = results[levels.firstIndex(of: level)!]
            let dusk = result.crossings.first { !$0.rising }
            let dawn = result.crossings.first { $0.rising && $0.date > (dusk?.date ?? window.start) }
            func event(_ crossing: CrossingSearch.Crossing?) -> SunEvent {
                if let crossing { return .at(crossing.date) }
                return result.minimum > level.sunAltitude.degrees ? .sunStaysAbove : .sunStaysBelow
            }
            return Twilights(dusk: event(dusk), dawn: event(dawn))
        }
        let horizon = twilights(.sunset)
        let moon = try CrossingSearch.find(in: window, level: -0.8333) { date throws(SkyError) in
            try observer.frame(at: date).moon.horizontal.altitude.degrees
        }
        let midnight = noon.addingTimeInterval(window.duration / 2)
        return NightWindows(
            localDate: date, timeZone: site.timeZone, window: window, sunset: horizon.dusk, sunrise: horizon.dawn,
            civil: twilights(.civil), nautical: twilights(.nautical), astronomical: twilights(.astronomical),
            moonrise: moon.crossings.first(where: \.rising)?.date, moonset: moon.crossings.first { !$0.rising }?.date,
            moonIllumination: try observer.frame(at: midnight).moonIllumination)
    }

    /// The twilights at a level.
    public func twilights(_ level: Twilight) -> Twilights {
        switch level {
        case .sunset: Twilights(dusk: sunset, dawn: sunrise)
        case .civil: civil
        case .nautical: nautical
        case .astronomical: astronomical
        }
    }

    /// The span during which the Sun is below a level: dusk to dawn, the whole window in
    /// polar night, `nil` when the Sun never gets that low.
    public func darkInterval(_ level: Twilight) -> DateInterval? {
        let pair = twilights(level)
        switch (pair.dusk, pair.dawn) {
        case (.sunStaysAbove, _), (_, .sunStaysAbove): return nil
        case (.sunStaysBelow, .sunStaysBelow): return window
        case (.at(let dusk), .at(let dawn)) where dawn > dusk: return DateInterval(start: dusk, end: dawn)
        case (.at(let dusk), _): return DateInterval(start: dusk, end: window.end)
        case (_, .at(let dawn)): return DateInterval(start: window.start, end: dawn)
        }
    }
}

/// When the Sun crosses a level during a night, or why it does not.
public enum SunEvent: Sendable, Hashable, CustomStringConvertible {
    case at(Date)
    /// The Sun stays above the level all night (e.g. no astronomical night in a northern summer).
    case sunStaysAbove
    /// The Sun stays below the level all day (polar night).
    case sunStaysBelow

    public var date: Date? { if case .at(let date) = self { date } else { nil } }

    public var description: String {
        switch self {
        case .at(let date): ISO8601.string(from: date, fractionalSeconds: false)
        case .sunStaysAbove: "none (the Sun stays above)"
        case .sunStaysBelow: "none (the Sun stays below)"
        }
    }
}

/// A target's rise, transit and set in an interval.
public struct TargetPassage: Sendable, Hashable {
    /// When it rises above the horizon altitude (the first time in the interval), if it does.
    public let rise: Date?
    /// When it crosses the meridian above the pole (hour angle 0), if it does in the interval.
    public let transit: Date?
    /// When it sets below the horizon altitude (the first time after `rise`, or in the interval).
    public let set: Date?
    /// The highest altitude in the interval.
    public let maximumAltitude: Angle
    /// Whether it stays above the horizon altitude throughout.
    public let isAlwaysUp: Bool
    /// Whether it stays below throughout.
    public let isNeverUp: Bool

    /// Computes a target's passage.
    ///
    /// - Parameters:
    ///   - horizon: the altitude that counts as rising and setting (0° geometric by default).
    public static func compute(
        target: EquatorialCoordinates, observer: Observer, interval: DateInterval, horizon: Angle = .zero
    ) throws(SkyError) -> TargetPassage {
        let geometric = observer.geometric
        let altitude = try CrossingSearch.find(in: interval, level: horizon.degrees) { date throws(SkyError) in
            try geometric.frame(at: date).horizontal(of: target).altitude.degrees
        }
        // Transit: the hour angle (−180…180°, increasing with time) passes upward through zero.
        // Its other jump, +180° → −180° at lower culmination, is downward, so every upward
        // crossing is a transit.
        let hourAngle = try CrossingSearch.find(in: interval, level: 0) { date throws(SkyError) in
            try geometric.frame(at: date).hourAngle(of: target).degrees
        }
        let transit = hourAngle.crossings.first(where: \.rising)
        let rise = altitude.crossings.first(where: \.rising)?.date
        let set = altitude.crossings.first { !$0.rising && $0.date > (rise ?? interval.start) }?.date
            ?? altitude.crossings.first { !$0.rising }?.date
        var maximum = altitude.maximum
        if let transit = transit?.date { maximum = max(maximum, try geometric.frame(at: transit).horizontal(of: target).altitude.degrees) }
        return TargetPassage(
            rise: rise, transit: transit?.date, set: set, maximumAltitude: .degrees(maximum),
            isAlwaysUp: altitude.crossings.isEmpty && altitude.minimum >= horizon.degrees,
            isNeverUp: altitude.crossings.isEmpty && altitude.maximum < horizon.degrees)
    }
}
