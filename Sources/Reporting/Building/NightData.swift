import Foundation
import Persistence
import Sky
import StarlingCore

/// Everything read from the store for one report, filtered to the report's sites and each
/// site's own night, with the lookups the sections share.
struct NightData {
    /// The night and scope.
    let night: CalendarDate
    let scopeSite: SiteID?
    let generatedAt: Date
    /// The sites reported on, west to east, with their nights.
    let sites: [Site]
    let windows: [SiteID: NightWindows]
    /// The union of the sites' windows (local noon to next local noon).
    let interval: DateInterval

    let observations: [Observation]
    let frames: [(frame: FrameRecord, quality: FrameQuality?)]
    let journal: [JournalEntry]
    /// Every version of each telescope's plan for the night, oldest first.
    let planVersions: [TelescopeID: [NightPlan]]
    let alerts: [AlertRecord]
    let assignments: [Assignment]
    /// Every review in the store, oldest first (filtered to the night's subjects when used).
    let reviews: [Review]
    /// The last completed visit of each target before the night.
    let lastVisits: [TargetID: Date]
    /// Targets with a completed visit during the night at any site of the network (the
    /// survey is the network's, so a site report counts the other sites' visits too).
    let visitedTonight: Set<TargetID>

    /// Site of each observation's id, and of each telescope.
    let observationsByID: [ObservationID: Observation]
    let telescopeSites: [TelescopeID: SiteID]

    /// The site of a telescope: from the network, else from its observations.
    func site(of telescope: TelescopeID) -> SiteID? { telescopeSites[telescope] }

    /// The site of a frame: its observation's, else its telescope's.
    func site(of frame: FrameRecord) -> SiteID? {
        observationsByID[frame.observationID]?.siteID ?? telescopeSites[frame.telescopeID]
    }

    /// The window records at a site are taken from; the whole interval for a site outside the network.
    func window(of site: SiteID?) -> DateInterval {
        site.flatMap { windows[$0]?.window } ?? interval
    }

    /// Astronomical darkness at a site, if any.
    func dark(at site: SiteID) -> DateInterval? {
        windows[site]?.darkInterval(.astronomical)
    }

    /// The end of what can have happened: the report's time, or the end of the window.
    func observedUntil(_ site: SiteID?) -> Date {
        min(window(of: site).end, max(generatedAt, window(of: site).start))
    }
}

extension NightData {
    /// Reads a night from the store.
    static func load(
        store: any Store, network: ObservatoryNetwork, night: CalendarDate, site scopeSite: SiteID?, generatedAt: Date
    ) async throws(ReportingError) -> NightData {
        let sites: [Site]
        if let scopeSite {
            guard let site = network.site(scopeSite) else {
                let known = network.sites.map(\.id.rawValue).joined(separator: ", ")
                throw ReportingError(.unknownSite, "no site '\(scopeSite)' in the network (known: \(known))")
            }
            sites = [site]
        } else {
            sites = network.sites
        }
        var windows: [SiteID: NightWindows] = [:]
        for site in sites {
            do {
                windows[site.id] = try NightWindows.compute(site: site, date: night)
            } catch {
                throw ReportingError(error, while: "compute the night of \(night) at \(site.id)")
            }
        }
        let starts = windows.values.map(\.window.start), ends = windows.values.map(\.window.end)
        let interval: DateInterval
        if let start = starts.min(), let end = ends.max() {
            interval = DateInterval(start: start, end: end)
        } else {
            // A network with no sites: the UTC day of the date, noon to noon.
            let utc = TimeZone(identifier: "UTC") ?? .gmt
            interval = DateInterval(start: night.instant(hour: 12, in: utc), end: night.adding(days: 1).instant(hour: 12, in: utc))
        }

        var telescopeSites: [TelescopeID: SiteID] = [:]
        for site in network.sites {
            for telescope in site.telescopes { telescopeSites[telescope.id] = site.id }
        }
        let inScope = Set(sites.map(\.id))
        /// Whether a record at a site and instant belongs to this report.
        func belongs(site: SiteID?, at time: Date) -> Bool {
            guard let site else { return scopeSite == nil && interval.contains(time) }
            if let window = windows[site]?.window { return time >= window.start && time < window.end }
            // A site the network does not know: only in the network report.
            return scopeSite == nil && !inScope.contains(site) && interval.contains(time)
        }

        do {
            let observations = try await store.observations(startedIn: interval, site: scopeSite)
                .filter { belongs(site: $0.siteID, at: $0.started) }
            for observation in observations where telescopeSites[observation.telescopeID] == nil {
                telescopeSites[observation.telescopeID] = observation.siteID
            }
            var observationsByID: [ObservationID: Observation] = [:]
            for observation in observations { observationsByID[observation.id] = observation }
            let frames = try await store.frames(startedIn: interval, site: scopeSite).filter { pair in
                let site = observationsByID[pair.frame.observationID]?.siteID ?? telescopeSites[pair.frame.telescopeID]
                return belongs(site: site, at: pair.frame.started)
            }
            let journal = try await store.journal(in: interval, site: scopeSite).filter { entry in
                belongs(site: entry.siteID.map { SiteID($0) } ?? telescopeSites[TelescopeID(entry.subject)], at: entry.time)
            }
            var planVersions: [TelescopeID: [NightPlan]] = [:]
            for plan in try await store.latestPlans(night: night, site: scopeSite) {
                planVersions[plan.telescopeID] = try await store.plans(telescope: plan.telescopeID, night: night)
                if telescopeSites[plan.telescopeID] == nil { telescopeSites[plan.telescopeID] = plan.siteID }
            }
            let alerts = try await store.alerts(receivedIn: interval)
            let observedRequests = Set(observations.map(\.requestID))
            var assignments = try await store.assignments(alert: nil).filter { assignment in
                (interval.contains(assignment.plannedStart) || observedRequests.contains(assignment.request.id))
                    && (scopeSite == nil || assignment.siteID == scopeSite)
            }
            assignments.sort { ($0.plannedStart, $0.id) < ($1.plannedStart, $1.id) }
            // Every review, whenever made: reviews are few, and the time they were made (wall
            // clock) says nothing about which night (simulated or real) their subject is from.
            let reviews = try await store.reviews(madeIn: DateInterval(start: .distantPast, end: .distantFuture))
            let lastVisits = try await store.lastVisits(before: interval.start)
            let visitedTonight = Set(try await store.lastVisits(before: interval.end).filter { $0.value >= interval.start }.keys)
            return NightData(
                night: night, scopeSite: scopeSite, generatedAt: generatedAt, sites: sites, windows: windows, interval: interval,
                observations: observations, frames: frames, journal: journal, planVersions: planVersions, alerts: alerts,
                assignments: assignments, reviews: reviews, lastVisits: lastVisits, visitedTonight: visitedTonight,
                observationsByID: observationsByID, telescopeSites: telescopeSites)
        } catch {
            throw ReportingError(error, while: "read the night of \(night) from the store")
        }
    }

    /// The same data with frame qualities replaced (after measuring unmeasured frames).
    func replacingQualities(_ qualities: [FrameID: FrameQuality]) -> NightData {
        guard !qualities.isEmpty else { return self }
        return NightData(
            night: night, scopeSite: scopeSite, generatedAt: generatedAt, sites: sites, windows: windows, interval: interval,
            observations: observations, frames: frames.map { ($0.frame, qualities[$0.frame.id] ?? $0.quality) }, journal: journal,
            planVersions: planVersions, alerts: alerts, assignments: assignments, reviews: reviews, lastVisits: lastVisits,
            visitedTonight: visitedTonight, observationsByID: observationsByID, telescopeSites: telescopeSites)
    }
}
