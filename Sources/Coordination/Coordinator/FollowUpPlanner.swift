public import Foundation
import Sky
import SkyMaps
public import StarlingCore

/// One telescope's part of a follow-up: a field, when, and why this telescope.
public struct PlannedFollowUp: Sendable, Hashable {
    public let field: FollowUpField
    public let telescopeID: TelescopeID
    public let siteID: SiteID
    /// When the first exposure can start (after preemption, slew and enclosure).
    public let start: Date
    /// When the last readout ends.
    public let end: Date
    /// The field's altitude and sec z airmass at `start`.
    public let altitude: Angle
    public let airmass: Double
    /// Why this telescope, with the runner-up.
    public let reason: String
    public let request: ObservationRequest
}

/// The deterministic choice of where and when to observe an alert's fields.
public struct FollowUpDecision: Sendable {
    public let fields: [FollowUpField]
    public let assignments: [PlannedFollowUp]
    /// Telescopes or sites that could not take part, with the reason.
    public let exclusions: [String]
    /// Fields no telescope can observe within the horizon, with the reason.
    public let unassigned: [(field: FollowUpField, reason: String)]
    /// What the fields cover of a sky map, as planned (``CoveragePlanner``); `nil` for other alerts.
    public var coverage: PlannedCoverage? = nil

    /// A one-line summary for the alert's record.
    public var summary: String {
        if assignments.isEmpty {
            return "no telescope can observe it in the next \(Int(FollowUpPlanner.horizonSeconds / 3600)) h"
                + (unassigned.first.map { ": \($0.reason)" } ?? "")
        }
        let telescopes = Set(assignments.map(\.telescopeID)).count
        let sites = Set(assignments.map(\.siteID)).count
        let first = assignments.map(\.start).min()!
        return "\(assignments.count) field(s) on \(telescopes) telescope(s) at \(sites) site(s); first start \(ISO8601.string(from: first, fractionalSeconds: false))"
            + (coverage.map { "; \($0.summary)" } ?? "")
    }
}

/// Chooses, for each field of an alert, the telescope that can start a good observation
/// soonest: the site dark (Sun at or below −12°), the field above the follow-up altitude
/// limit (20°, the mount's limit and the site's horizon mask, whichever is highest) for the
/// whole block, the Moon at least 10° away, the site's weather safe, the telescope
/// available (a survey exposure is interrupted at once; a follow-up in progress is not),
/// plus the slew and, if the enclosure is closed, the time to open it.
///
/// Fields are assigned most probable first; a telescope that takes a field is busy until
/// that block ends, then may take another. Ties go to the higher altitude, then to the
/// operator's preferred sites, then to the telescope id. The decision uses no randomness,
/// no clock and no model: the same inputs give the same decision.
public struct FollowUpPlanner: Sendable {
    /// How far ahead a start may be.
    public static let horizonSeconds: TimeInterval = 24 * 3600
    /// A preferred site wins if it can start within this of the earliest candidate.
    public static let preferenceSlackSeconds: TimeInterval = 900
    /// The Sun's altitude at or below which a site is dark enough for a follow-up (nautical), degrees.
    public static let darkSunAltitudeDegrees = -12.0
    /// The lowest altitude of a follow-up field (the mount's limit and the horizon mask may be higher), degrees.
    public static let minimumAltitudeDegrees = 20.0

    public let network: ObservatoryNetwork

    public init(network: ObservatoryNetwork) { self.network = network }

    /// The sky of every site a decision needs, built once per site and day (see ``SiteSkyCache``).
    public struct SkyCache: Sendable {
        var cache = SiteSkyCache()
        public init() {}
    }

    /// Decides where and when to observe fields.
    ///
    /// - Parameters:
    ///   - alert: the alert (kind and priority set the exposures).
    ///   - fields: the pointings, most probable first.
    ///   - now: the decision instant.
    ///   - statuses: the telescopes' current status; a telescope without one is taken as idle and closed.
    ///   - weather: each site's weather now; a site without an entry is taken as safe.
    ///   - policy: the operator's rule for this kind of alert.
    ///   - excluded: telescope–field pairs that already failed (for reassignment).
    public func decide(
        alert: Alert, fields: [FollowUpField], now: Date, statuses: [TelescopeID: TelescopeAvailability], weather: [SiteID: WeatherSafety],
        policy: SitePolicy?, excluded: Set<String> = [], sky: inout SkyCache
    ) -> FollowUpDecision {
        let eligible = eligibleSites(alert: alert, now: now, weather: weather, policy: policy, sky: &sky)
        let sites = eligible.sites
        var exclusions = eligible.exclusions
        var candidates: [Candidate] = []
        var siteCandidates: [[Int]] = Array(repeating: [], count: sites.count)
        var evaluated = Array(repeating: false, count: sites.count)
        func evaluate(_ siteIndex: Int) {
            guard !evaluated[siteIndex] else { return }
            evaluated[siteIndex] = true
            let entry = sites[siteIndex]
            let grid = Self.grid(fields: fields, site: entry.site, timeline: entry.timeline, now: now)
            for telescope in entry.site.telescopes {
                let status = statuses[telescope.id]
                    ?? TelescopeAvailability(telescopeID: telescope.id, siteID: entry.site.id, state: .closed, activity: .idle)
                if case .unavailable(let why) = status.activity {
                    exclusions.append("\(telescope.id): unavailable (\(why))")
                    continue
                }
                siteCandidates[siteIndex].append(candidates.count)
                candidates.append(Candidate(site: entry.site, telescope: telescope, grid: grid, status: status, ready: readyTime(status, telescope: telescope, now: now)))
            }
        }

        var assignments: [PlannedFollowUp] = []
        var unassigned: [(FollowUpField, String)] = []
        let preferred = policy?.preferred ?? []
        for (fieldIndex, field) in fields.enumerated() {
            var options: [(candidate: Int, start: Date, altitude: Double)] = []
            var earliest: Date?
            for siteIndex in sites.indices {
                // A preferred site may win by up to the slack, so look that much further.
                if let earliest, sites[siteIndex].darkFrom > earliest.addingTimeInterval(preferred.isEmpty ? 0 : Self.preferenceSlackSeconds) { break }
                evaluate(siteIndex)
                for index in siteCandidates[siteIndex] where !excluded.contains(Self.exclusionKey(candidates[index].telescope.id, field.id))
                    && field.footprint.map({ candidates[index].telescope.fieldOfView.holds($0) }) ?? true
                {
                    let candidate = candidates[index]
                    let exposures = FollowUpExposures.exposures(for: alert, telescope: candidate.telescope)
                    let block = FollowUpExposures.blockSeconds(exposures, telescope: candidate.telescope)
                    let slew = slewSeconds(from: candidate.status.pointing, to: field.center, mount: candidate.telescope.mount)
                    let ready = candidate.ready.addingTimeInterval(slew)
                    guard let (start, altitude) = earliestStart(
                        candidate, target: fieldIndex, notBefore: ready, blockSeconds: block, now: now)
                    else { continue }
                    options.append((index, start, altitude))
                    if earliest.map({ start < $0 }) ?? true { earliest = start }
                }
            }
            guard var best = options.min(by: { Self.better($0, $1, candidates) }) else {
                unassigned.append((field, "no telescope can observe it within \(Int(Self.horizonSeconds / 3600)) h (dark, ≥ 20° and clear of the Moon, at a site with safe weather)"))
                continue
            }
            // The operator's preferred sites win when nearly as early.
            for site in preferred {
                if let option = options.filter({ candidates[$0.candidate].site.id == site }).min(by: { Self.better($0, $1, candidates) }),
                    option.start.timeIntervalSince(best.start) <= Self.preferenceSlackSeconds
                {
                    best = option
                    break
                }
            }
            let chosen = candidates[best.candidate]
            let runnerUp = options.filter { $0.candidate != best.candidate }.min(by: { Self.better($0, $1, candidates) })
            let exposures = FollowUpExposures.exposures(for: alert, telescope: chosen.telescope)
            let end = best.start.addingTimeInterval(FollowUpExposures.blockSeconds(exposures, telescope: chosen.telescope))
            var reason = "earliest start \(best.start.hourMinuteSecond()) UTC at \(chosen.site.id): dark, altitude \(String(format: "%.1f", best.altitude))°, airmass \(String(format: "%.2f", Airmass.secantZenith(altitudeDegrees: best.altitude)))"
            if case .survey = chosen.status.activity { reason += ", interrupting a survey exposure" }
            if let runnerUp {
                reason += "; next best \(candidates[runnerUp.candidate].telescope.id) at \(runnerUp.start.hourMinuteSecond())"
            }
            let request = Self.request(alert: alert, field: field, exposures: exposures, now: now)
            assignments.append(PlannedFollowUp(
                field: field, telescopeID: chosen.telescope.id, siteID: chosen.site.id, start: best.start, end: end,
                altitude: .degrees(best.altitude), airmass: Airmass.secantZenith(altitudeDegrees: best.altitude), reason: reason,
                request: request))
            // The telescope is busy with this block, then pointed at the field.
            candidates[best.candidate].ready = end
            candidates[best.candidate].status.pointing = field.center
            candidates[best.candidate].status.activity = .followUp(until: end)
        }
        return FollowUpDecision(fields: fields, assignments: assignments, exclusions: exclusions, unassigned: unassigned)
    }

    static func exclusionKey(_ telescope: TelescopeID, _ field: String) -> String { "\(telescope)|\(field)" }

    /// The observation request of one field of an alert.
    static func request(alert: Alert, field: FollowUpField, exposures: [ExposureSpec], now: Date) -> ObservationRequest {
        let priority = FollowUpExposures.priority(for: alert)
        let target = Target(
            id: TargetID("\(alert.eventID)/\(field.id)"), name: "\(alert.eventID) \(field.label)", coordinates: field.center,
            kind: .transient, priority: priority)
        return ObservationRequest(
            id: RequestID("\(alert.id.rawValue)/\(field.id)"), target: target, exposures: exposures, constraints: .followUp,
            priority: priority, window: DateInterval(start: now, duration: horizonSeconds), kind: .followUp, alertID: alert.id)
    }

    /// The sites that can take part in an alert's follow-up, in the order they get dark, and
    /// why the others cannot (pinned or forbidden by the operator, weather unsafe or unknown,
    /// not dark within the horizon).
    func eligibleSites(
        alert: Alert, now: Date, weather: [SiteID: WeatherSafety], policy: SitePolicy?, sky: inout SkyCache
    ) -> (sites: [SiteEntry], exclusions: [String]) {
        var exclusions: [String] = []
        // Sites that can take part, in the order they get dark: a site dark only later than
        // the best start found so far cannot win, so most sites are never evaluated.
        var sites: [SiteEntry] = []
        for site in network.sites {
            if let pinned = policy?.pinned, !pinned.contains(site.id) {
                exclusions.append("\(site.id): not among the sites pinned for \(alert.kind.rawValue) alerts")
                continue
            }
            if policy?.forbidden.contains(site.id) == true {
                exclusions.append("\(site.id): forbidden for \(alert.kind.rawValue) alerts by operator policy")
                continue
            }
            switch weather[site.id] ?? .safe {
            case .unsafe(let reasons):
                exclusions.append("\(site.id): weather unsafe (\(reasons.joined(separator: ", ")))")
                continue
            case .unknown:
                exclusions.append("\(site.id): weather unknown")
                continue
            case .safe: break
            }
            let timeline: SkyTimeline
            do {
                timeline = try sky.cache.timeline(for: site, now: now)
            } catch {
                exclusions.append("\(site.id): sky unavailable (\(error))")
                continue
            }
            let firstIndex = max(0, Int((now.timeIntervalSince(timeline.instants[0]) / SiteSkyCache.stepSeconds).rounded(.down)))
            guard let dark = timeline.sky.indices.first(where: { $0 >= firstIndex && timeline.sky[$0].sunAltitudeDegrees <= Self.darkSunAltitudeDegrees }),
                timeline.instants[dark] <= now.addingTimeInterval(Self.horizonSeconds)
            else {
                exclusions.append("\(site.id): not dark within \(Int(Self.horizonSeconds / 3600)) h")
                continue
            }
            // The instant before the first dark sample may already be dark within its step.
            sites.append(SiteEntry(site: site, timeline: timeline, darkFrom: timeline.instants[max(firstIndex, dark - 1)]))
        }
        sites.sort { ($0.darkFrom, $0.site.id) < ($1.darkFrom, $1.site.id) }
        return (sites, exclusions)
    }


    // MARK: - Internals

    struct SiteEntry: Sendable {
        let site: Site
        let timeline: SkyTimeline
        /// About when the site is next dark (Sun ≤ −12°), to the timeline's step.
        let darkFrom: Date
    }

    struct Candidate: Sendable {
        let site: Site
        let telescope: Telescope
        let grid: VisibilityGrid
        var status: TelescopeAvailability
        var ready: Date
    }

    /// The fields' visibility grid at a site, computed only where ``earliestStart(_:target:notBefore:blockSeconds:now:)``
    /// can look: from now on, while the site is dark and a field is near or above the lowest
    /// follow-up altitude limit of the site's telescopes (elsewhere no block can start or end,
    /// whatever the grid holds).
    static func grid(fields: [FollowUpField], site: Site, timeline: SkyTimeline, now: Date) -> VisibilityGrid {
        let targets = fields.map(\.center)
        let count = timeline.instants.count
        let lowestLimit = site.telescopes.map { max(minimumAltitudeDegrees, $0.mount.minimumAltitude.degrees) }.min() ?? minimumAltitudeDegrees
        var screen = AltitudeScreen.isAbove(.degrees(lowestLimit - 0.1), targets: TargetDirections(targets), timeline: timeline)
        let first = max(0, Int((now.timeIntervalSince(timeline.instants[0]) / SiteSkyCache.stepSeconds).rounded(.down)))
        for instant in 0..<count where instant < first || timeline.sky[instant].sunAltitudeDegrees > darkSunAltitudeDegrees {
            for target in targets.indices { screen[target * count + instant] = false }
        }
        return VisibilityGrid(timeline: timeline, targets: targets, screen: screen, threads: 1)
    }

    /// Earlier start wins; then the higher altitude; then the telescope id (for determinism).
    static func better(_ a: (candidate: Int, start: Date, altitude: Double), _ b: (candidate: Int, start: Date, altitude: Double), _ candidates: [Candidate]) -> Bool {
        if a.start != b.start { return a.start < b.start }
        if a.altitude != b.altitude { return a.altitude > b.altitude }
        return candidates[a.candidate].telescope.id < candidates[b.candidate].telescope.id
    }

    /// When a telescope can start on something new: at once if idle or surveying; after its
    /// follow-up if busy; plus the time to open a closed enclosure.
    func readyTime(_ status: TelescopeAvailability, telescope: Telescope, now: Date) -> Date {
        var ready = now
        if case .followUp(let until) = status.activity, until > now { ready = until }
        if [.closed, .parked, .closing].contains(status.state) { ready = ready.addingTimeInterval(telescope.enclosure.openSeconds) }
        return ready
    }

    /// Slew plus settle from the current pointing (a 90° slew when unknown).
    func slewSeconds(from pointing: EquatorialCoordinates?, to target: EquatorialCoordinates, mount: MountModel) -> Double {
        let distance = pointing.map { $0.separation(from: target) } ?? .degrees(90)
        return mount.axisMoveSeconds(distance) + mount.settleSeconds
    }

    /// The first instant at or after `notBefore` when the whole block fits in good conditions.
    func earliestStart(_ candidate: Candidate, target: Int, notBefore: Date, blockSeconds: Double, now: Date) -> (Date, Double)? {
        let grid = candidate.grid
        let step = SiteSkyCache.stepSeconds
        guard let first = grid.instants.first else { return nil }
        let count = grid.instants.count
        let blockSteps = Int((blockSeconds / step).rounded(.up))
        let limitFloor = max(Self.minimumAltitudeDegrees, candidate.telescope.mount.minimumAltitude.degrees)
        let mask = candidate.site.horizonMask
        func margin(_ instant: Int) -> Double {
            let altitude = grid.altitudeDegrees(target: target, instant: instant)
            let limit = max(limitFloor, mask.minimumAltitudeDegrees(atAzimuthDegrees: grid.azimuthDegrees(target: target, instant: instant)))
            var value = min(altitude - limit, Self.darkSunAltitudeDegrees - grid.sky[instant].sunAltitudeDegrees)
            if grid.sky[instant].moonAltitudeDegrees > -1 {
                value = min(value, grid.moonSeparationDegrees(target: target, instant: instant) - 10)
            }
            return value
        }
        func fits(_ instant: Int) -> Bool {
            guard instant + blockSteps < count else { return false }
            return margin(instant) >= 0 && margin(instant + blockSteps) >= 0
        }
        let horizonEnd = now.addingTimeInterval(Self.horizonSeconds)
        var index = max(0, Int((notBefore.timeIntervalSince(first) / step).rounded(.down)))
        guard index < count else { return nil }
        if fits(index), index + 1 < count, fits(index + 1) {
            return (notBefore, grid.altitudeDegrees(target: target, instant: index))
        }
        index += 1
        while index + blockSteps < count, grid.instants[index] <= horizonEnd {
            if fits(index) {
                // Interpolate where the limiting margin crossed zero within the previous step.
                let before = margin(index - 1), after = margin(index)
                let fraction = before < 0 && after > before ? (-before) / (after - before) : 0
                let start = max(notBefore, grid.instants[index - 1].addingTimeInterval(fraction * step))
                return (start, grid.altitudeDegrees(target: target, instant: index))
            }
            index += 1
        }
        return nil
    }
}
