import Foundation
import Sky
import StarlingCore

/// When the live network acts for the nights that begin on one local date: it plans the whole
/// array an hour before the first site's sunset, writes each site's report half an hour after
/// its sunrise, and the network's report after the last site's.
///
/// Sites span every time zone, so the nights of consecutive dates overlap in UTC: the next
/// date's plan is made while the westernmost sites still observe (a telescope keeps the
/// entries of the night it is in, see `WorkQueue.load`).
struct NightCycle: Sendable, Hashable {
    /// The local date the nights begin on.
    let date: CalendarDate
    /// When to plan the array for the date.
    let planAt: Date
    /// When each site's night is over and its report is due, earliest first.
    let siteReports: [SiteReport]
    /// When the network's report is due (after the last site's).
    let networkReportAt: Date

    struct SiteReport: Sendable, Hashable {
        let site: SiteID
        let at: Date
    }

    /// Lead before the first sunset at which the array is planned.
    static let planLeadSeconds: Double = 3600
    /// Delay after a site's sunrise before its report (the last frames are measured by then).
    static let reportDelaySeconds: Double = 1800

    /// The cycle of the nights beginning on `date` at the network's sites.
    ///
    /// - Throws: ``Sky/SkyError`` when the Sun cannot be computed.
    init(date: CalendarDate, network: ObservatoryNetwork) throws {
        self.date = date
        var firstSunset = Date.distantFuture
        var reports: [SiteReport] = []
        for site in network.sites where !site.telescopes.isEmpty {
            let windows = try NightWindows.compute(site: site, date: date)
            firstSunset = min(firstSunset, windows.sunset.date ?? windows.window.start)
            let dawn = windows.sunrise.date ?? windows.window.end
            reports.append(SiteReport(site: site.id, at: dawn.addingTimeInterval(Self.reportDelaySeconds)))
        }
        if firstSunset == .distantFuture { firstSunset = date.instant(hour: 12, in: .gmt) }
        planAt = firstSunset.addingTimeInterval(-Self.planLeadSeconds)
        siteReports = reports.sorted { ($0.at, $0.site) < ($1.at, $1.site) }
        networkReportAt = (siteReports.last?.at ?? planAt).addingTimeInterval(60)
    }

    /// The first date whose network report is still due at `now`: the oldest night the
    /// network may still be in (or about to begin).
    static func current(at now: Date, network: ObservatoryNetwork) throws -> NightCycle {
        // The earliest local date any site can be in is the UTC date minus one.
        var date = CalendarDate(now, in: .gmt).adding(days: -2)
        while true {
            let cycle = try NightCycle(date: date, network: network)
            if cycle.networkReportAt > now { return cycle }
            date = date.adding(days: 1)
        }
    }
}
