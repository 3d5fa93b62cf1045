import ArgumentParser
import Foundation
import Planning
import Sky
import StarlingCore

/// `--date`: which night, with one meaning in every command: the local date on which the
/// night begins at each site, as observers say "the night of the 23rd" (the night from the
/// evening of 2026-11-23 to the morning of the 24th, local time).
struct NightOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The local date the night begins on at each site (the night of the 23rd: 2026-11-23); default: tonight, the night in progress or next at each site (local noon to noon).",
            valueName: "YYYY-MM-DD"))
    var date: DateArgument?

    /// The night's local date at a site: `--date`, else the night containing `now` there
    /// (local noon to the next local noon, as the planner and reports count nights).
    func localDate(at site: Site, now: Date) -> CalendarDate {
        date?.date ?? SiteNight.localDate(containing: now, at: site)
    }
}

/// A site's night as every command prints it: its local date and its span in UTC, from
/// sunset to sunrise (or local noon to noon where the Sun does not set or rise).
struct NightSpan: Sendable {
    let site: SiteID
    let date: CalendarDate
    let start: Date
    let end: Date

    init(windows: NightWindows, site: SiteID) {
        self.site = site
        date = windows.localDate
        start = windows.sunset.date ?? windows.window.start
        end = windows.sunrise.date ?? windows.window.end
    }

    /// The span of a site's night.
    static func of(_ site: Site, date: CalendarDate) throws -> NightSpan {
        do throws(SkyError) {
            return NightSpan(windows: try NightWindows.compute(site: site, date: date), site: site.id)
        } catch {
            printError("cannot compute the night of \(date) at \(site.id): \(error)")
            throw ExitCode(1)
        }
    }

    /// `2026-11-23 18:41 – 2026-11-24 07:12 UTC`.
    var utcText: String { "\(Self.minute(start)) – \(Self.minute(end)) UTC" }

    /// `night of 2026-11-23 (2026-11-23 18:41 – 2026-11-24 07:12 UTC)`.
    var text: String { "night of \(date) (\(utcText))" }

    var startUTC: String { ISO8601.string(from: start, fractionalSeconds: false) }
    var endUTC: String { ISO8601.string(from: end, fractionalSeconds: false) }

    static func minute(_ date: Date) -> String {
        let text = ISO8601.string(from: date, fractionalSeconds: false)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5))
    }

    /// The span of several sites' nights of one date, from the first start to the last end.
    static func union(_ spans: [NightSpan]) -> (start: Date, end: Date)? {
        guard let start = spans.map(\.start).min(), let end = spans.map(\.end).max() else { return nil }
        return (start, end)
    }
}
