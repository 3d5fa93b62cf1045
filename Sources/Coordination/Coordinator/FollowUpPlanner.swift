public import Foundation
public import Sky
import SkyMaps
public import StarlingCore

/// One telescope's part of a follow-up: a field, when, and why this telescope.
public struct PlannedFollowUp: Sendable, Hashable {
    public let field: FollowUpField
    public let telescopeID: TelescopeID
    public let siteID: SiteID
    /// When the telescope may start moving to the field (after preemption, a follow-up in
    /// progress, or opening the enclosure; later when the field is not yet observable).
    public let slewStart: Date
    /// When the first exposure can start: the lead-in after ``slewStart``.
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
/// soonest: the field observable by the follow-up request's constraints
/// (``StarlingCore/ObservingConstraints/followUp``: nautical darkness, altitude ≥ 20° and
/// sec z ≤ 2.9, the mount's limit and the site's horizon mask, the Moon at least 10° away)
/// at both ends of the block, by Sky's `ObservingLimits` kept ``margins`` inside, the rule the
/// telescope checks exactly at dispatch; the site's weather safe; the telescope available (a
/// survey exposure is interrupted at once; a follow-up in progress is not), plus, if the
/// enclosure is closed, the time to open it, and the lead-in (slew, settle, dome, filter;
/// ``StarlingCore/Overheads``, the duration the telescope runs by).
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
    /// The constraints of every follow-up request.
    public static let constraints = ObservingConstraints.followUp

    public let network: ObservatoryNetwork
    /// How far inside the constraints a chosen start stays: the grid is interpolated over
    /// 5-minute steps, and the exact check comes later, at dispatch.
    public let margins: ConstraintMargins

    public init(network: ObservatoryNetwork, margins: ConstraintMargins = ConstraintMargins()) {
        self.network = network
        self.margins = margins
    }

    /// The sky of every site a decision needs, built once per site and day (see ``SiteSkyCache``).
    public struct SkyCache: Sendable {
        var cache = SiteSkyCache()
        public init() {}
    }

    /// A telescope's status as the coordinator last heard it (closed and idle when it has said
    /// nothing); `nil`, with the reason added to `exclusions`, when it cannot take part.
    static func availability(
        of telescopeID: TelescopeID, at siteID: SiteID, in statuses: [TelescopeID: TelescopeAvailability], excluding exclusions: inout [String]
    ) -> TelescopeAvailability? {
        let status = statuses[telescopeID] ?? TelescopeAvailability(telescopeID: telescopeID, siteID: siteID, state: .closed, activity: .idle)
        if case .unavailable(let why) = status.activity {
            exclusions.append("\(telescopeID): unavailable (\(why))")
            return nil
        }
        return status
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
        let terms = Terms(alert)
        let eligible = eligibleSites(alert: alert, constraints: terms.constraints, now: now, weather: weather, policy: policy, sky: &sky)
        let sites = eligible.sites
        var exclusions = eligible.exclusions
        var candidates: [Candidate] = []
        var siteCandidates: [[Int]] = Array(repeating: [], count: sites.count)
        var evaluated = Array(repeating: false, count: sites.count)
        func evaluate(_ siteIndex: Int) {
            guard !evaluated[siteIndex] else { return }
            evaluated[siteIndex] = true
            let entry = sites[siteIndex]
            let grid = grid(targets: fields.map(\.center), site: entry.site, timeline: entry.timeline, now: now, terms: terms)
            for telescope in entry.site.telescopes {
                guard let status = Self.availability(of: telescope.id, at: entry.site.id, in: statuses, excluding: &exclusions) else { continue }
                siteCandidates[siteIndex].append(candidates.count)
                candidates.append(Candidate(
                    site: entry.site, telescope: telescope, timeline: entry.timeline, grid: grid, limits: limits(for: telescope, at: entry.site, terms: terms),
                    status: status, ready: readyTime(status, telescope: telescope, now: now)))
            }
        }

        var assignments: [PlannedFollowUp] = []
        var unassigned: [(FollowUpField, String)] = []
        let preferred = policy?.preferred ?? []
        for (fieldIndex, field) in fields.enumerated() {
            var options: [Option] = []
            var earliest: Date?
            for siteIndex in sites.indices {
                // A preferred site may win by up to the slack, so look that much further.
                if let earliest, sites[siteIndex].darkFrom > earliest.addingTimeInterval(preferred.isEmpty ? 0 : Self.preferenceSlackSeconds) { break }
                evaluate(siteIndex)
                // A field with its own footprint (a sky map's) goes only to telescopes whose field holds it.
                for index in siteCandidates[siteIndex] where !excluded.contains(Self.exclusionKey(candidates[index].telescope.id, field.id))
                    && field.footprint.map({ candidates[index].telescope.fieldOfView.holds($0) }) ?? true
                {
                    guard let exposures = terms.exposures(for: alert, telescope: candidates[index].telescope),
                        let option = option(candidates[index], index: index, target: fieldIndex, center: field.center, exposures: exposures, now: now)
                    else { continue }
                    options.append(option)
                    if earliest.map({ option.start < $0 }) ?? true { earliest = option.start }
                }
            }
            guard var best = options.min(by: { Self.better($0, $1, candidates) }) else {
                unassigned.append((field, "no telescope can observe it within \(Int(Self.horizonSeconds / 3600)) h (\(terms.summary), at a site with safe weather)"))
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
            // The chosen option was found with these exposures.
            let exposures = terms.exposures(for: alert, telescope: chosen.telescope) ?? []
            let end = best.end
            var reason = "earliest start \(best.start.hourMinuteSecond()) UTC at \(chosen.site.id): dark, altitude \(String(format: "%.1f", best.altitude))°, airmass \(String(format: "%.2f", Airmass.secantZenith(altitudeDegrees: best.altitude)))"
            if case .survey = chosen.status.activity, terms.preempts { reason += ", interrupting a survey exposure" }
            if let runnerUp {
                reason += "; next best \(candidates[runnerUp.candidate].telescope.id) at \(runnerUp.start.hourMinuteSecond())"
            }
            let request = Self.request(alert: alert, field: field, exposures: exposures, terms: terms, option: best, now: now)
            assignments.append(PlannedFollowUp(
                field: field, telescopeID: chosen.telescope.id, siteID: chosen.site.id, slewStart: best.slewStart, start: best.start, end: end,
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

    /// The observation request of one field of an alert, observed as `option` plans.
    ///
    /// The window opens when the field was found observable (now, if it already was): the
    /// telescope holds there if it arrives earlier than planned, never exposing before.
    static func request(alert: Alert, field: FollowUpField, exposures: [ExposureSpec], terms: Terms, option: Option, now: Date) -> ObservationRequest {
        let priority = FollowUpExposures.priority(for: alert)
        // An observer's target keeps the name the observer gave it (its frames' OBJECT).
        let target = Target(
            id: TargetID("\(alert.eventID)/\(field.id)"), name: terms.requested?.targetName ?? "\(alert.eventID) \(field.label)",
            coordinates: field.center, kind: terms.requested == nil ? .transient : .field, priority: priority)
        let windowStart = max(now, min(option.observableFrom, option.start))
        var window = DateInterval(start: windowStart, end: max(windowStart, now.addingTimeInterval(horizonSeconds)))
        if let asked = terms.window {
            // An observer's window bounds the telescope's: it never exposes outside it.
            let end = min(window.end, asked.end)
            window = DateInterval(start: min(max(window.start, asked.start), end), end: end)
        }
        return ObservationRequest(
            id: RequestID("\(alert.id.rawValue)/\(field.id)"), target: target, exposures: exposures, constraints: terms.constraints,
            priority: priority, window: window, kind: terms.kind, alertID: alert.id)
    }

    /// What an alert's follow-up asks for: the follow-up defaults for its kind, or what an
    /// observer's request (``StarlingCore/RequestedObservation``) states.
    struct Terms: Sendable {
        let constraints: ObservingConstraints
        let window: DateInterval?
        let requested: RequestedObservation?

        init(_ alert: Alert) {
            requested = alert.requested
            constraints = alert.requested?.constraints ?? FollowUpPlanner.constraints
            window = alert.requested?.window
        }

        /// The exposures a telescope takes; `nil` when it cannot carry the request out (not of
        /// the class asked for, or without a filter asked for).
        func exposures(for alert: Alert, telescope: Telescope) -> [ExposureSpec]? {
            guard let requested else { return FollowUpExposures.exposures(for: alert, telescope: telescope) }
            return requested.fits(telescope) ? requested.exposures : nil
        }

        var kind: ObservationRequest.Kind { requested?.mode.requestKind ?? .followUp }

        /// Whether it interrupts a running survey exposure.
        var preempts: Bool { kind == .followUp }

        /// The constraints in words, for reasons.
        var summary: String {
            let c = constraints
            var text = "\(c.darkness.rawValue) darkness, altitude ≥ \(Int(c.minimumAltitude.degrees))° and sec z ≤ \(c.maximumAirmass), "
                + "≥ \(Int(c.minimumMoonSeparation.degrees))° from the Moon"
            if let requested {
                text += ", a \(requested.telescopeClass) telescope with \(Set(requested.exposures.map(\.filter.name)).sorted().joined(separator: ", "))"
            }
            if let window {
                text += ", within \(ISO8601.string(from: window.start, fractionalSeconds: false))–\(ISO8601.string(from: window.end, fractionalSeconds: false))"
            }
            return text
        }
    }

    /// The sites that can take part in an alert's follow-up, in the order they get dark, and
    /// why the others cannot (pinned or forbidden by the operator, weather unsafe or unknown,
    /// sky unavailable, not dark within the horizon).
    func eligibleSites(
        alert: Alert, constraints: ObservingConstraints = FollowUpPlanner.constraints, now: Date, weather: [SiteID: WeatherSafety],
        policy: SitePolicy?, sky: inout SkyCache
    ) -> (sites: [SiteEntry], exclusions: [String]) {
        var exclusions: [String] = []
        // The constraints without a telescope or a site: which sites get dark.
        let siteLimits = ObservingLimits(constraints).tightened(by: margins)
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
            let highestSun = siteLimits.highestSunAltitudeDegrees
            guard let dark = timeline.sky.indices.first(where: { $0 >= firstIndex && timeline.sky[$0].sunAltitudeDegrees <= highestSun }),
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
        let timeline: SkyTimeline
        let grid: VisibilityGrid
        /// The follow-up constraints on this telescope at its site, with the planner's margins.
        let limits: ObservingLimits
        var status: TelescopeAvailability
        var ready: Date
    }

    /// One telescope's possible observation of a field.
    struct Option: Sendable {
        let candidate: Int
        let slewStart: Date
        let start: Date
        /// From when the field was found observable (with the margins).
        let observableFrom: Date
        let end: Date
        let altitude: Double
    }

    /// The constraints on a telescope at its site, kept ``margins`` inside.
    func limits(for telescope: Telescope, at site: Site, terms: Terms) -> ObservingLimits {
        ObservingLimits(terms.constraints, window: terms.window, mount: telescope.mount, horizon: site.horizonMask).tightened(by: margins)
    }

    /// The targets' visibility grid at a site, computed only where ``earliestStart(_:target:notBefore:blockSeconds:now:)``
    /// can look: from now on, while the site is dark and a target is near or above the lowest
    /// altitude any of the site's telescopes allows (elsewhere no block can start or end,
    /// whatever the grid holds).
    func grid(targets: [EquatorialCoordinates], site: Site, timeline: SkyTimeline, now: Date, terms: Terms) -> VisibilityGrid {
        let count = timeline.instants.count
        let siteLimits = site.telescopes.map { limits(for: $0, at: site, terms: terms) }
        let lowestLimit = siteLimits.map(\.lowestAltitudeDegrees).min() ?? ObservingLimits(terms.constraints).lowestAltitudeDegrees
        let highestSun = siteLimits.first?.highestSunAltitudeDegrees ?? ObservingLimits(terms.constraints).highestSunAltitudeDegrees
        var screen = AltitudeScreen.isAbove(.degrees(lowestLimit - 0.1), targets: TargetDirections(targets), timeline: timeline)
        let first = max(0, Int((now.timeIntervalSince(timeline.instants[0]) / SiteSkyCache.stepSeconds).rounded(.down)))
        for instant in 0..<count where instant < first || timeline.sky[instant].sunAltitudeDegrees > highestSun {
            for target in targets.indices { screen[target * count + instant] = false }
        }
        return VisibilityGrid(timeline: timeline, targets: targets, screen: screen, threads: 1)
    }

    /// Earlier start wins; then the higher altitude; then the telescope id (for determinism).
    static func better(_ a: Option, _ b: Option, _ candidates: [Candidate]) -> Bool {
        if a.start != b.start { return a.start < b.start }
        if a.altitude != b.altitude { return a.altitude > b.altitude }
        return candidates[a.candidate].telescope.id < candidates[b.candidate].telescope.id
    }

    /// When a telescope can start moving to something new: at once if idle or surveying;
    /// after its follow-up if busy; plus the time to open a closed enclosure.
    func readyTime(_ status: TelescopeAvailability, telescope: Telescope, now: Date) -> Date {
        var ready = now
        if case .followUp(let until) = status.activity, until > now { ready = until }
        if [.closed, .parked, .closing].contains(status.state) { ready = ready.addingTimeInterval(telescope.enclosure.openSeconds) }
        return ready
    }

    /// The lead-in from the telescope's pointing to a field when it is ready (``StarlingCore/Overheads``,
    /// the telescope's own rule): a slew on the mount's axes and a dome turn from where it
    /// points (both as if from a parked mount when the pointing is unknown), and a filter
    /// change (the filter in the wheel is not known here).
    func leadInSeconds(_ candidate: Candidate, to field: EquatorialCoordinates, exposures: [ExposureSpec]) -> Double {
        let overheads = Overheads(telescope: candidate.telescope)
        let timeline = candidate.timeline
        let instant = min(timeline.instants.count - 1, max(0, Int((candidate.ready.timeIntervalSince(timeline.instants[0]) / SiteSkyCache.stepSeconds).rounded())))
        let to = MountPosition(equatorial: field, horizontal: timeline.horizontal(of: field, instant: instant))
        let from = candidate.status.pointing.map { MountPosition(equatorial: $0, horizontal: timeline.horizontal(of: $0, instant: instant)) }
        return overheads.leadInSeconds(from: from, to: to, changesFilter: candidate.telescope.filters.count > 1)
    }

    /// When a telescope can observe a field (target `target` of its grid): the lead-in from
    /// where it points once ready, then the earliest start by its limits; it starts moving so
    /// as to arrive as the field becomes observable when it is not yet. `nil` when it cannot
    /// within the horizon.
    func option(_ candidate: Candidate, index: Int, target: Int, center: EquatorialCoordinates, exposures: [ExposureSpec], now: Date) -> Option? {
        let block = Overheads(telescope: candidate.telescope).blockSeconds(exposures)
        let leadIn = leadInSeconds(candidate, to: center, exposures: exposures)
        let arrival = candidate.ready.addingTimeInterval(leadIn)
        guard let found = earliestStart(candidate, target: target, notBefore: arrival, blockSeconds: block, now: now) else { return nil }
        let slewStart = max(candidate.ready, found.start.addingTimeInterval(-leadIn))
        return Option(
            candidate: index, slewStart: slewStart, start: found.start, observableFrom: found.observableFrom, end: found.start.addingTimeInterval(block),
            altitude: found.altitude)
    }

    /// The first instant at or after `notBefore` when the whole block fits the telescope's
    /// limits (``Candidate/limits``), and from when the field is observable: the grid instant
    /// before `notBefore` when the field already was then, else where its clearance crossed
    /// zero, interpolated.
    func earliestStart(_ candidate: Candidate, target: Int, notBefore: Date, blockSeconds: Double, now: Date)
        -> (start: Date, observableFrom: Date, altitude: Double)?
    {
        let grid = candidate.grid
        let step = SiteSkyCache.stepSeconds
        guard let first = grid.instants.first else { return nil }
        let count = grid.instants.count
        // The end is checked as if the block started `lateStartSeconds` late.
        let blockSteps = Int(((blockSeconds + margins.lateStartSeconds) / step).rounded(.up))
        let limits = candidate.limits
        func clearance(_ instant: Int) -> Double { limits.clearanceDegrees(ConstraintSample(grid: grid, target: target, instant: instant)) }
        func fits(_ instant: Int) -> Bool {
            guard instant + blockSteps < count else { return false }
            // A request's window holds the whole block (the end checked a step late, as the altitude is).
            if let window = limits.window, grid.instants[instant + blockSteps] > window.end.addingTimeInterval(-limits.margins.windowSeconds) { return false }
            return clearance(instant) >= 0 && clearance(instant + blockSteps) >= 0
        }
        var notBefore = notBefore
        if let window = limits.window { notBefore = max(notBefore, window.start.addingTimeInterval(limits.margins.windowSeconds)) }
        let horizonEnd = now.addingTimeInterval(Self.horizonSeconds)
        var index = max(0, Int((notBefore.timeIntervalSince(first) / step).rounded(.down)))
        guard index < count else { return nil }
        if fits(index), index + 1 < count, fits(index + 1) {
            return (notBefore, grid.instants[index], grid.altitudeDegrees(target: target, instant: index))
        }
        index += 1
        while index + blockSteps < count, grid.instants[index] <= horizonEnd {
            if fits(index) {
                // Interpolate where the limiting clearance crossed zero within the previous step.
                let before = clearance(index - 1), after = clearance(index)
                let fraction = before < 0 && after > before ? (-before) / (after - before) : 0
                let crossing = grid.instants[index - 1].addingTimeInterval(fraction * step)
                return (max(notBefore, crossing), crossing, grid.altitudeDegrees(target: target, instant: index))
            }
            index += 1
        }
        return nil
    }
}
