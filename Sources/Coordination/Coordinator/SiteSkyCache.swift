import Foundation
import Sky
import StarlingCore

/// The sky at each site for the next day, in 5-minute steps, built once and reused for
/// every alert: per alert and site only the target-dependent kernel runs (microseconds).
///
/// A site's timeline is built on first use and rebuilt when `now` has moved more than
/// ``refreshSeconds`` past its start, so it always covers at least the next 24 hours.
struct SiteSkyCache {
    static let stepSeconds: TimeInterval = 300
    static let spanSeconds: TimeInterval = 26 * 3600
    static let refreshSeconds: TimeInterval = 2 * 3600

    private var timelines: [SiteID: SkyTimeline] = [:]

    /// The timeline of a site covering `now` onwards.
    mutating func timeline(for site: Site, now: Date) throws(SkyError) -> SkyTimeline {
        if let cached = timelines[site.id], let first = cached.instants.first, now >= first,
            now.timeIntervalSince(first) <= Self.refreshSeconds
        {
            return cached
        }
        // Start on a step boundary so timelines built at different moments share instants.
        let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / Self.stepSeconds).rounded(.down) * Self.stepSeconds)
        let instants = SkyTimeline.instants(covering: DateInterval(start: start, duration: Self.spanSeconds), step: Self.stepSeconds)
        let timeline = try SkyTimeline(observer: Observer(site: site), instants: instants)
        timelines[site.id] = timeline
        return timeline
    }
}
