public import Foundation
public import Sky
public import StarlingCore

/// One site's night, prepared for planning: when it is dark, and the sky (Sun, Moon, the
/// apparent frame) on an even grid of instants through it.
///
/// The night is the one that begins on ``localDate`` in the site's time zone (the
/// convention of ``NightWindows``). Darkness is found the way ``NightWindows`` finds it (the
/// Sun's unrefracted centre at −12° and −18°), sampling every 30 minutes from local noon to
/// the next local noon and bracketing each crossing to 1 s by regula falsi; this is an order of magnitude
/// cheaper than ``NightWindows/compute(site:date:earthOrientation:)``, which also finds
/// sunset, civil twilight and the Moon's rise and set that the planner does not need.
///
/// The grid covers nautical darkness (the loosest darkness the planner plans in; survey
/// requests ask for astronomical darkness, follow-ups for nautical) at ``stepSeconds``.
///
/// ```swift
/// let night = try SiteNight(site: xinglong, localDate: CalendarDate("2026-11-23")!)
/// night.darkness(.astronomical)   // dusk…dawn at −18°
/// ```
public struct SiteNight: Sendable {
    /// The site.
    public let site: Site
    /// The local date the night begins on.
    public let localDate: CalendarDate
    /// Nautical and astronomical darkness, `nil` when the Sun never gets that low.
    public let nautical: DateInterval?
    public let astronomical: DateInterval?
    /// Seconds between grid instants.
    public let stepSeconds: Double
    /// The grid instants (UTC): from nautical dusk in steps of ``stepSeconds``, the last at or
    /// after nautical dawn. Empty when the Sun never reaches −12°.
    public let instants: [Date]
    /// The Sun and Moon at each grid instant.
    public var sky: [SkyConditions] { timeline.sky }
    /// The apparent frame at each grid instant.
    let frames: [ObservingFrame]
    /// The frames' target-independent part, reused by every grid on this night.
    let timeline: SkyTimeline
    /// The observer (geometric: the grid and constraints use unrefracted altitudes).
    public let observer: Observer

    /// Prepares a site's night.
    ///
    /// - Parameters:
    ///   - site: the site.
    ///   - localDate: the local date the night begins on.
    ///   - stepSeconds: spacing of the grid instants (default 300 s).
    /// - Throws: ``PlanningError`` `.sky` when ERFA cannot handle the dates.
    public init(site: Site, localDate: CalendarDate, stepSeconds: Double = 300) throws(PlanningError) {
        precondition(stepSeconds >= 10, "the grid step must be at least 10 s")
        self.site = site
        self.localDate = localDate
        self.stepSeconds = stepSeconds
        let observer = Observer(site: site)
        self.observer = observer
        let noon = localDate.instant(hour: 12, in: site.timeZone)
        let nextNoon = localDate.adding(days: 1).instant(hour: 12, in: site.timeZone)
        do {
            let window = DateInterval(start: noon, end: nextNoon)
            let darkness = try Self.darkIntervals(observer: observer, window: window, levels: [Twilight.nautical, .astronomical])
            nautical = darkness[0]
            astronomical = darkness[1]
            var frames: [ObservingFrame] = []
            if let span = nautical {
                let count = Int((span.duration / stepSeconds).rounded(.up)) + 1
                frames.reserveCapacity(count)
                for index in 0..<count { frames.append(try observer.frame(at: span.start.addingTimeInterval(Double(index) * stepSeconds))) }
            }
            self.frames = frames
        } catch {
            throw PlanningError.sky(error, while: "preparing the night of \(localDate) at \(site.id)")
        }
        instants = frames.map(\.date)
        timeline = SkyTimeline(frames: frames)
    }

    /// The night of a site that belongs to a UTC date: the one whose mean solar midnight
    /// falls on that date. At east longitude λ, mean solar midnight is at 00:00 UTC − λ / 15° h,
    /// taken modulo 24 h into the date.
    ///
    /// Every night of every site belongs to exactly one UTC date, so planning consecutive UTC
    /// dates plans every night once. For Xinglong (117.6° E, midnight at 16:10 UTC) the night of
    /// UTC date D begins on local date D; for Hawaii (156° W, 10:24 UTC), Chile (70° W, 04:40
    /// UTC) and La Palma (17.9° W, 01:12 UTC), on local date D − 1.
    /// The local date of the night (local noon to the next local noon, the convention of
    /// ``NightWindows``) that contains an instant at a site.
    public static func localDate(containing time: Date, at site: Site) -> CalendarDate {
        CalendarDate(time.addingTimeInterval(-12 * 3600), in: site.timeZone)
    }

    /// The night an observer at a site means by "tonight" at an instant: the one in progress
    /// (before its sunrise), else the one that begins next. The API's site documents and the
    /// agents' status tools both show this night.
    ///
    /// - Throws: ``Sky/SkyError`` when ERFA cannot handle the dates.
    public static func windows(currentOrNextAt site: Site, now: Date) throws(SkyError) -> NightWindows {
        let windows = try NightWindows.compute(site: site, date: localDate(containing: now, at: site))
        if let sunrise = windows.sunrise.date, sunrise < now {
            return try NightWindows.compute(site: site, date: windows.localDate.adding(days: 1))
        }
        return windows
    }

    public static func localDate(forUTCDate date: CalendarDate, at site: Site) -> CalendarDate {
        let utc = TimeZone(identifier: "UTC")!
        var hours = (-site.location.longitude.degrees / 15).truncatingRemainder(dividingBy: 24)
        if hours < 0 { hours += 24 }
        let solarMidnight = date.instant(hour: 0, in: utc).addingTimeInterval(hours * 3600)
        // The afternoon before it (12 hours earlier) is on the local date the night begins.
        return CalendarDate(solarMidnight.addingTimeInterval(-12 * 3600), in: site.timeZone)
    }

    /// The dark interval at a twilight level: nautical or astronomical darkness, clipped to
    /// the nautical span for looser levels (the planner never plans in civil twilight).
    public func darkness(_ level: Twilight) -> DateInterval? {
        switch level {
        case .astronomical: astronomical
        case .nautical, .civil, .sunset: nautical
        }
    }

    /// The visibility grid of some targets on this night's instants (the Sun and Moon reused).
    func grid(for targets: [EquatorialCoordinates], threads: Int = 1) -> VisibilityGrid {
        VisibilityGrid(timeline: timeline, targets: targets, threads: threads)
    }

    /// The grid computed only near the instants `screen` flags (see
    /// `VisibilityGrid.init(timeline:targets:screen:threads:)`): for planners that never look
    /// below the screened altitude.
    func grid(for targets: [EquatorialCoordinates], screen: [Bool], threads: Int = 1) -> VisibilityGrid {
        VisibilityGrid(timeline: timeline, targets: targets, screen: screen, threads: threads)
    }

    /// How many grid instants.
    public var instantCount: Int { instants.count }

    /// The grid's start (nautical dusk), or `nil` when there is no nautical darkness.
    public var start: Date? { instants.first }

    /// Seconds since the grid's start, for an instant.
    func offset(_ date: Date) -> Double { date.timeIntervalSince(instants[0]) }

    /// Finds when the Sun's geometric centre is below each level, from 30-minute samples and
    /// each crossing bracketed to 1 s by regula falsi.
    private static func darkIntervals(observer: Observer, window: DateInterval, levels: [Twilight]) throws(SkyError) -> [DateInterval?] {
        let step = 1800.0
        let count = Int((window.duration / step).rounded(.up)) + 1
        var times: [Date] = [], altitudes: [Double] = []
        for index in 0..<count {
            let time = index == count - 1 ? window.end : window.start.addingTimeInterval(Double(index) * step)
            times.append(time)
            altitudes.append(try observer.frame(at: time).sun.horizontal.altitude.degrees)
        }
        var result: [DateInterval?] = []
        for level in levels {
            let limit = level.sunAltitude.degrees
            var dusks: [Date] = [], dawns: [Date] = []
            for index in 0..<(count - 1) {
                let below0 = altitudes[index] < limit, below1 = altitudes[index + 1] < limit
                guard below0 != below1 else { continue }
                // Regula falsi with the Illinois modification (Dowell & Jarratt 1971): the Sun's
                // altitude is smooth, so a few evaluations bracket the crossing to 1 s.
                var low = times[index], high = times[index + 1]
                var lowValue = altitudes[index] - limit, highValue = altitudes[index + 1] - limit
                var side = 0
                while high.timeIntervalSince(low) > 1 {
                    let span = high.timeIntervalSince(low)
                    let fraction = min(0.99, max(0.01, lowValue / (lowValue - highValue)))
                    var probe = low.addingTimeInterval(span * fraction)
                    // Keep the probe off the ends so that the bracket always shrinks.
                    if probe.timeIntervalSince(low) < 0.5 { probe = low.addingTimeInterval(0.5) }
                    if high.timeIntervalSince(probe) < 0.5 { probe = high.addingTimeInterval(-0.5) }
                    let value = try observer.frame(at: probe).sun.horizontal.altitude.degrees - limit
                    if (value < 0) == (lowValue < 0) {
                        low = probe; lowValue = value
                        if side == -1 { highValue /= 2 }
                        side = -1
                    } else {
                        high = probe; highValue = value
                        if side == 1 { lowValue /= 2 }
                        side = 1
                    }
                }
                // Keep the side that is surely dark: the later bound at dusk, the earlier at dawn.
                if below1 { dusks.append(high) } else { dawns.append(low) }
            }
            let dusk = dusks.first
            let dawn = dawns.first { $0 > (dusk ?? window.start) }
            let darkAllDay = altitudes.allSatisfy { $0 < limit }
            switch (dusk, dawn) {
            case (let dusk?, let dawn?) where dawn > dusk: result.append(DateInterval(start: dusk, end: dawn))
            case (let dusk?, _): result.append(DateInterval(start: dusk, end: window.end))
            case (nil, let dawn?): result.append(DateInterval(start: window.start, end: dawn))
            case (nil, nil): result.append(darkAllDay ? window : nil)
            }
        }
        return result
    }
}
