import Foundation
import Persistence
import Planning
import StarlingCore

/// How far the store says a run got: a restarted simulation resumes at the latest instant the
/// store recorded anything, so it repeats nothing that was stored.
enum RecordedTime {
    /// The latest instant within `span` at which anything was stored: an observation's end
    /// (or the start of one in progress), a journal line, an alert, a plan.
    ///
    /// - Returns: at least `span.start`, at most `span.end`.
    static func latest(around span: DateInterval, in store: some Store, network: ObservatoryNetwork) async throws -> Date {
        let around = DateInterval(start: span.start.addingTimeInterval(-12 * 3600), end: span.end.addingTimeInterval(12 * 3600))
        var latest = span.start
        for observation in try await store.observations(startedIn: around, site: nil) { latest = max(latest, observation.ended) }
        if let last = try await store.journal(in: around, site: nil).last { latest = max(latest, last.time) }
        for alert in try await store.alerts(receivedIn: around) { latest = max(latest, alert.receivedAt) }
        for site in network.sites {
            for night in Set([span.start, span.end].map { SiteNight.localDate(containing: $0, at: site) }) {
                for plan in try await store.latestPlans(night: night, site: site.id) { latest = max(latest, plan.createdAt) }
            }
        }
        return min(latest, span.end)
    }
}
