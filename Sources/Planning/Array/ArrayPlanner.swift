public import Foundation
import Sky
public import StarlingCore
import Synchronization

/// Plans every telescope at every site for one night of the array.
///
/// Rules:
/// - **Which night.** For a UTC date, each site plans the night whose mean solar midnight falls on
///   that date (``SiteNight/localDate(forUTCDate:at:)``): consecutive UTC dates plan every
///   night of every site exactly once. A scenario that speaks of local dates asks for
///   ``NightSelection/localDate(_:)`` instead.
/// - **One due visit per target per night** across the whole array, unless the
///   ``SurveyPolicy/visitsPerNight`` asks for more (extra due visits go to other sites).
///   Targets already observed tonight can be excluded.
/// - **Spare visits** (``SurveyPolicy/SpareVisits``) when the due visits leave a site's
///   telescopes room: once every target has its due visits, targets are handed out again, by
///   the same rule, for a later visit in another filter at a merit below any due visit's (to
///   other sites first, then to a site that already has the target), up to
///   ``SurveyPolicy/maximumVisitsPerNight``. Sites that share a band of longitude share its
///   sky; without spare visits all but the best of them stand open and idle.
/// - **Best site.** Every site scores each catalog target: its merit at its best moment
///   tonight, where the dark hours bring it nearest the meridian (altitude, Moon, the site's
///   expected weather, priority, cadence). Targets are handed out best score first, each to
///   the site where it scores highest among those that still have room in the hour of the
///   night in which the target is best there: first up to what that site's telescopes can
///   observe in that hour (so every site gets its share of every hour), then, for the targets
///   nobody got, up to ``Configuration/poolFactor`` times that (reserves for the schedulers).
///   A target up at several sites therefore goes where it is best, unless that site already
///   has better targets than it can use then.
/// - **Coverage over the cadence.** Cadence is part of merit: targets overdue rise, targets
///   never observed rank as twice overdue, so night after night the plans sweep the catalog.
/// - **Per site**, telescopes are planned one after another from the site's pool (a target a
///   telescope takes leaves the pool); sites are planned in parallel.
///
/// Speed: the scores come from the spherical triangle at one moment per target and site;
/// only each site's pool gets the fine ``VisibilityGrid`` the schedulers use.
public struct ArrayPlanner: Sendable {
    /// How the array planner works.
    public struct Configuration: Sendable, Hashable {
        /// The scheduler each telescope uses (by default with 3 rounds of local search per
        /// visit instead of 10: the array plans 60 telescopes in a second or two, and a re-plan
        /// must take milliseconds).
        public var scheduler: NightScheduler.Configuration
        /// How catalog targets become requests.
        public var survey: SurveyPolicy
        /// Spacing of the fine grid, seconds.
        public var stepSeconds: Double
        /// Candidates per site, as a multiple of the visits its telescopes can make in a night.
        public var poolFactor: Double
        /// How many sites are prepared at once.
        public var threads: Int

        public init(
            scheduler: NightScheduler.Configuration = NightScheduler.Configuration(improvementRoundsPerVisit: 3), survey: SurveyPolicy = SurveyPolicy(),
            stepSeconds: Double = 300, poolFactor: Double = 2.5, threads: Int = ProcessInfo.processInfo.activeProcessorCount
        ) {
            self.scheduler = scheduler
            self.survey = survey
            self.stepSeconds = stepSeconds
            self.poolFactor = poolFactor
            self.threads = max(1, threads)
        }
    }

    /// Which night each site plans.
    public enum NightSelection: Sendable, Hashable {
        /// The night whose solar midnight falls on this UTC date, at each site.
        case utcDate(CalendarDate)
        /// The night that begins on this local date, at each site.
        case localDate(CalendarDate)

        /// The local date the night begins on at a site.
        public func localDate(at site: Site) -> CalendarDate {
            switch self {
            case .utcDate(let date): SiteNight.localDate(forUTCDate: date, at: site)
            case .localDate(let date): date
            }
        }
    }

    public let network: ObservatoryNetwork
    public let configuration: Configuration

    public init(network: ObservatoryNetwork, configuration: Configuration = Configuration()) {
        self.network = network
        self.configuration = configuration
    }

    /// Plans the array.
    ///
    /// - Parameters:
    ///   - selection: which night (a UTC date, or a local date at every site).
    ///   - catalog: the survey's targets.
    ///   - lastVisits: each target's last completed visit (for cadence).
    ///   - forecasts: expected weather per site; a site without one uses its climate.
    ///   - telescopes: plan only these telescopes (`nil` for all).
    ///   - excluding: targets not to plan tonight (already observed).
    /// - Returns: a plan per telescope with the prepared sites, for re-planning.
    /// - Throws: ``PlanningError`` `.sky` when positions cannot be computed, `.unknownTelescope`.
    public func plan(
        _ selection: NightSelection, catalog: [Target], lastVisits: [TargetID: Date] = [:], forecasts: [SiteID: any WeatherForecast] = [:],
        telescopes: Set<TelescopeID>? = nil, excluding: Set<TargetID> = []
    ) throws(PlanningError) -> ArrayPlan {
        if let telescopes {
            for id in telescopes where network.locate(id) == nil {
                throw PlanningError(.unknownTelescope, "no telescope '\(id)' in the network (see `starling sites`)")
            }
        }
        let sites = network.sites.compactMap { site -> (Site, [Telescope])? in
            let chosen = site.telescopes.filter { telescopes?.contains($0.id) ?? true }
            return chosen.isEmpty ? nil : (site, chosen)
        }
        let targets = catalog.filter { !excluding.contains($0.id) }

        // 1. Each site's night and its scores for every target.
        let scored: [Result<SiteScores, PlanningError>] = concurrentMap(sites) { site, chosen in
            Result { () throws(PlanningError) -> SiteScores in
                let night = try SiteNight(site: site, localDate: selection.localDate(at: site), stepSeconds: configuration.stepSeconds)
                return score(night: night, telescopes: chosen, targets: targets, lastVisits: lastVisits,
                    forecast: forecasts[site.id] ?? ClimateForecast(climate: site.climate))
            }
        }
        var siteScores: [SiteScores] = []
        for result in scored {
            switch result {
            case .success(let scores): siteScores.append(scores)
            case .failure(let error): throw error
            }
        }

        // 2. Hand visits out, best score first, to the best site with room.
        let pools = allocate(siteScores, targetCount: targets.count)

        // 3. Per site: the fine grid of its pool, then its telescopes one after another.
        let planned: [(plans: [TelescopePlan], prepared: PreparedSite?)] = concurrentMap(Array(zip(siteScores, pools))) { scores, pool in
            planSite(scores: scores, pool: pool.map { (targets[$0.target], $0.visit) }, lastVisits: lastVisits,
                forecast: forecasts[scores.night.site.id] ?? ClimateForecast(climate: scores.night.site.climate))
        }
        return ArrayPlan(plans: planned.flatMap(\.plans), sites: Dictionary(uniqueKeysWithValues: planned.compactMap(\.prepared).map { ($0.night.site.id, $0) }))
    }

    /// Re-plans one telescope from an instant, on a site prepared by ``plan(_:catalog:lastVisits:forecasts:telescopes:excluding:)``.
    ///
    /// - Parameters:
    ///   - telescope: the telescope (at the prepared site).
    ///   - prepared: the site's prepared night and candidate pool.
    ///   - origin: when to start and where the telescope is.
    ///   - excluding: requests not to plan (done tonight, or planned on other telescopes).
    ///   - lastVisits: each target's last completed visit.
    ///   - forecast: the expected weather.
    ///   - adjustments: factors on targets' merit (a reasoning model's ranking); 1 when absent.
    /// - Throws: ``PlanningError`` `.unknownTelescope` when the telescope is not at the site.
    public func replan(
        telescope id: TelescopeID, prepared: PreparedSite, origin: NightScheduler.Origin, excluding: Set<RequestID>,
        lastVisits: [TargetID: Date], forecast: any WeatherForecast, adjustments: [TargetID: Double] = [:]
    ) throws(PlanningError) -> Schedule {
        let site = prepared.night.site
        guard let telescope = site.telescope(id) else {
            throw PlanningError(.unknownTelescope, "telescope '\(id)' is not at \(site.id)")
        }
        let scheduler = NightScheduler(site: site, telescope: telescope, configuration: configuration.scheduler)
        var builder = CandidateBuilder(
            night: prepared.night, grid: prepared.grid, telescope: telescope, merit: configuration.scheduler.merit,
            overheads: scheduler.overheads, margins: configuration.scheduler.margins, forecast: forecast)
        let startOffset = origin.time.map { prepared.night.instants.isEmpty ? 0 : $0.timeIntervalSince(prepared.night.instants[0]) } ?? 0
        var candidates: [Candidate] = []
        for visit in prepared.visits {
            let target = prepared.targets[visit.row]
            let request = configuration.survey.request(for: target, on: telescope, night: prepared.night.localDate, visit: visit.visit)
            guard !excluding.contains(request.id),
                let candidate = builder.candidate(for: request, row: visit.row, lastVisit: lastVisits[target.id], notBefore: startOffset)
            else { continue }
            let weight = configuration.survey.meritWeight(visit: visit.visit) * (adjustments[target.id] ?? 1)
            candidates.append(weight == 1 ? candidate : candidate.scaled(by: weight))
        }
        return scheduler.schedule(candidates: candidates, grid: prepared.grid, night: prepared.night, origin: origin, filterCodes: builder.filterCodes)
    }

    // MARK: Steps

    /// A target's score at a site and the hours of the night it may fill there.
    struct Score: Sendable {
        /// Index in the catalog.
        let target: Int
        /// Best merit tonight.
        let score: Double
        /// The hour of the night (from the start of darkness) it is best in.
        let hour: Int
        /// The hours of the night in which it stands above the lowest altitude, `hour` among them.
        let hours: ClosedRange<Int>
    }

    /// A site's night, its telescopes and the score of each target there.
    struct SiteScores: Sendable {
        let night: SiteNight
        let telescopes: [Telescope]
        /// Only targets observable at the site.
        let scores: [Score]
        /// How many survey visits the site's telescopes can make in each hour of the night.
        let capacity: [Int]
    }

    private func score(
        night: SiteNight, telescopes: [Telescope], targets: [Target], lastVisits: [TargetID: Date], forecast: any WeatherForecast
    ) -> SiteScores {
        let survey = configuration.survey
        guard night.instantCount >= 2, let dark = night.darkness(survey.constraints.darkness) else {
            return SiteScores(night: night, telescopes: telescopes, scores: [], capacity: [])
        }
        // Each target's best moment tonight: the hour angle nearest the meridian that the dark
        // hours reach (sidereal time runs 15.041°/h from its value at dusk). Altitude and azimuth
        // there from the spherical triangle; Moon and weather from the nearest grid instant.
        // Precession since J2000 (< 0.4°) does not matter for a score.
        let duskIndex = night.instants.firstIndex { $0 >= dark.start } ?? 0
        let siderealAtDusk = night.frames[duskIndex].localSiderealTime.degrees
            - night.instants[duskIndex].timeIntervalSince(dark.start) / 3600 * Self.siderealDegreesPerHour
        let sweep = dark.duration / 3600 * Self.siderealDegreesPerHour
        let latitude = night.site.location.latitude.radians
        let sinLatitude = sin(latitude), cosLatitude = cos(latitude)
        // A score only: the survey's limits at the site without a mount (the schedulers check
        // each telescope's exact limits on the fine grid).
        let limits = ObservingLimits(survey.constraints, horizon: night.site.horizonMask)
        let minimumAltitude = limits.lowestAltitudeDegrees
        let minimumSeparation = limits.smallestMoonSeparationDegrees
        let merit = configuration.scheduler.merit
        let conditions = night.instants.map { forecast.expectedConditions(at: $0) }
        var scores: [Score] = []
        let lastHour = Int(dark.duration / 3600)
        let sinMinimumAltitude = sin(minimumAltitude * .pi / 180)
        for (index, target) in targets.enumerated() {
            var hourAngle = (siderealAtDusk - target.coordinates.rightAscension.degrees).truncatingRemainder(dividingBy: 360)
            if hourAngle > 180 { hourAngle -= 360 } else if hourAngle < -180 { hourAngle += 360 }
            // The hour angle nearest 0 in [h, h + sweep] (mod 360).
            var best = hourAngle
            if hourAngle <= 0 && hourAngle + sweep >= 0 {
                best = 0
            } else if hourAngle < 0 {
                best = hourAngle + sweep
            } else if hourAngle + sweep >= 360 {
                best = 0
            } else if hourAngle + sweep > 180, 360 - (hourAngle + sweep) < hourAngle {
                best = hourAngle + sweep - 360
            }
            let declination = target.coordinates.declination.radians, h = best * .pi / 180
            let sinAltitude = sinLatitude * sin(declination) + cosLatitude * cos(declination) * cos(h)
            let altitude = asin(max(-1, min(1, sinAltitude))) * 180 / .pi
            guard altitude >= minimumAltitude else { continue }
            let azimuth = atan2(-cos(declination) * sin(h), sin(declination) * cosLatitude - cos(declination) * sinLatitude * cos(h)) * 180 / .pi
            var elapsed = best - hourAngle
            if elapsed < 0 { elapsed += 360 }
            let when = dark.start.addingTimeInterval(elapsed / Self.siderealDegreesPerHour * 3600)
            let instant = min(night.instantCount - 1, max(0, Int((when.timeIntervalSince(night.instants[0]) / night.stepSeconds).rounded())))
            let sky = night.sky[instant]
            let separation = horizontalSeparationDegrees(altitude, azimuth, sky.moonAltitudeDegrees, sky.moonAzimuthDegrees)
            guard separation >= minimumSeparation else { continue }
            let value = merit.priorityWeight(target.priority)
                * merit.cadenceFactor(cadenceNights: target.cadenceNights, lastVisit: lastVisits[target.id], at: dark.start)
                * merit.airmassFactor(altitudeDegrees: altitude)
                * merit.skyFactor(moonAltitudeDegrees: sky.moonAltitudeDegrees, moonIllumination: sky.moonIllumination, moonSeparationDegrees: separation)
                * merit.weatherFactor(conditions[instant], altitudeDegrees: altitude)
            guard value > 0 else { continue }
            // The hours it stands above the lowest altitude: |hour angle| up to H, where
            // cos H = (sin a − sin φ sin δ) / (cos φ cos δ), around its best moment.
            let bestHour = elapsed / Self.siderealDegreesPerHour
            let cosH = (sinMinimumAltitude - sinLatitude * sin(declination)) / (cosLatitude * cos(declination))
            let halfArc = cosH <= -1 ? 180 : acos(min(1, cosH)) * 180 / .pi
            let from = max(0, bestHour + (-halfArc - best) / Self.siderealDegreesPerHour)
            let until = min(dark.duration / 3600, bestHour + (halfArc - best) / Self.siderealDegreesPerHour)
            let hour = min(lastHour, Int(bestHour))
            let hours = min(hour, Int(from))...max(hour, min(lastHour, Int(until)))
            scores.append(Score(target: index, score: value, hour: hour, hours: hours))
        }
        let visitSeconds = survey.exposureSeconds * Double(survey.exposuresPerVisit) + 30
        // Visits per hour of the night, the last hour in proportion to what is left of it.
        let hours = Int(dark.duration / 3600) + 1
        let capacity = (0..<hours).map { hour in
            Int((Double(telescopes.count) * min(3600, dark.duration - Double(hour) * 3600) / visitSeconds).rounded(.up))
        }
        return SiteScores(night: night, telescopes: telescopes, scores: scores, capacity: capacity)
    }

    /// Sidereal degrees per hour of UTC.
    static let siderealDegreesPerHour = 15.041_068_64

    /// Hands visits to sites, best (target, site) score first, and by the hours of the night in
    /// which the target is up at that site (the hour it is best in if that has room, else the
    /// nearest that has): first up to the visits each site's telescopes can make in that hour,
    /// so every site gets its share of every hour; then the targets nobody got, up to
    /// ``Configuration/poolFactor`` times that, as reserves for the schedulers.
    ///
    /// Not only the hour it is best in: in November the nearby galaxies crowd the evening and
    /// the morning (the Virgo cluster rises after midnight) and few cross the meridian at
    /// midnight (the Milky Way hides them), so hours at the best moment alone would leave the
    /// middle of the night empty while a target up then waits for a crowded dawn.
    ///
    /// In stages: the due visits, each target to at most `visitsPerNight` distinct sites; then
    /// the spare visits where hours still have room, to sites without the target, then to
    /// sites with it, every site's share before anyone's reserves. Visits are numbered in the
    /// order they are handed out.
    private func allocate(_ sites: [SiteScores], targetCount: Int) -> [[(target: Int, visit: Int)]] {
        var pairs: [(score: Double, target: Int, site: Int, hours: [Int])] = []
        for (site, scores) in sites.enumerated() {
            for entry in scores.scores {
                // Nearest the best hour first (earlier first on a tie).
                let hours = entry.hours.sorted { (abs($0 - entry.hour), $0) < (abs($1 - entry.hour), $1) }
                pairs.append((entry.score, entry.target, site, hours))
            }
        }
        // Deterministic order: score, then target, then site.
        pairs.sort { ($0.score, -$0.target, -$0.site) > ($1.score, -$1.target, -$1.site) }
        var pools = [[(target: Int, visit: Int)]](repeating: [], count: sites.count)
        var filled = sites.map { [Int](repeating: 0, count: $0.capacity.count) }
        var visits = [Int](repeating: 0, count: targetCount)
        var booked = Set<Int>()  // target × site count + site
        // Reserves grow in steps, so that no site's reserve takes what another site's share lacks.
        let steps = max(1, Int(((configuration.poolFactor - 1) / 0.5).rounded(.up)))
        let factors = [1.0] + (1...steps).map { 1 + (configuration.poolFactor - 1) * Double($0) / Double(steps) }
        let survey = configuration.survey
        // Due visits, shares then reserves; then spare visits, every site's share (at sites
        // without the target, then at sites with it) before anyone's reserves, and reserves of
        // spare visits only up to half a share: they fill time, and every visit pooled is a
        // candidate each re-plan of the site weighs again.
        let spareFactors = factors.filter { $0 <= 1.5 }
        let stages: [(visits: Int, factor: Double, atBookedSites: Bool)] =
            factors.map { (survey.visitsPerNight, $0, false) }
            + spareFactors.flatMap { factor in [false, true].map { (survey.maximumVisitsPerNight, factor, $0) } }
        for stage in stages {
            for pair in pairs where visits[pair.target] < stage.visits {
                let capacity = sites[pair.site].capacity
                let room = pair.hours.first { filled[pair.site][$0] < Int((Double(capacity[$0]) * stage.factor).rounded(.up)) }
                guard let hour = room, booked.insert(pair.target * sites.count + pair.site).inserted || stage.atBookedSites else { continue }
                visits[pair.target] += 1
                pools[pair.site].append((pair.target, visits[pair.target]))
                filled[pair.site][hour] += 1
            }
        }
        return pools
    }

    private func planSite(
        scores: SiteScores, pool: [(target: Target, visit: Int)], lastVisits: [TargetID: Date], forecast: any WeatherForecast
    ) -> (plans: [TelescopePlan], prepared: PreparedSite?) {
        let night = scores.night
        guard night.instantCount >= 2 else {
            let note = "no nautical darkness at \(night.site.id) on the night of \(night.localDate)"
            return (scores.telescopes.map { TelescopePlan(site: night.site, telescope: $0, night: night.localDate, schedule: .empty(note: note)) }, nil)
        }
        // One grid row per target, however many of its visits the site has.
        var targets: [Target] = []
        var rows: [TargetID: Int] = [:]
        var visits: [PreparedSite.Visit] = []
        for (target, visit) in pool {
            let row = rows[target.id] ?? targets.count
            if row == targets.count {
                rows[target.id] = row
                targets.append(target)
            }
            visits.append(PreparedSite.Visit(row: row, visit: visit))
        }
        let grid = night.grid(for: targets.map(\.coordinates))
        let prepared = PreparedSite(night: night, targets: targets, visits: visits, grid: grid)
        let survey = configuration.survey
        var taken = Set<RequestID>()
        var plans: [TelescopePlan] = []
        // Telescopes of one design share candidates (same filters, block length and limits).
        struct Design: Hashable {
            let filters: [String]
            let minimumAltitudeDegrees: Double
            let readoutSeconds: Double
            let countsOverheads: Bool
        }
        var cache: [Design: (candidates: [Candidate], codes: [String: Int])] = [:]
        for telescope in scores.telescopes {
            let scheduler = NightScheduler(site: night.site, telescope: telescope, configuration: configuration.scheduler)
            let overheads = scheduler.overheads
            let key = Design(
                filters: telescope.filters.map(\.name), minimumAltitudeDegrees: telescope.mount.minimumAltitude.degrees,
                readoutSeconds: overheads.readoutSeconds, countsOverheads: overheads.isCounted)
            if cache[key] == nil {
                var builder = CandidateBuilder(
                    night: night, grid: grid, telescope: telescope, merit: configuration.scheduler.merit, overheads: scheduler.overheads,
                    margins: configuration.scheduler.margins, forecast: forecast)
                let candidates = visits.compactMap { visit -> Candidate? in
                    let target = targets[visit.row]
                    let request = survey.request(for: target, on: telescope, night: night.localDate, visit: visit.visit)
                    let weight = survey.meritWeight(visit: visit.visit)
                    return builder.candidate(for: request, row: visit.row, lastVisit: lastVisits[target.id]).map { weight == 1 ? $0 : $0.scaled(by: weight) }
                }
                cache[key] = (candidates, builder.filterCodes)
            }
            let shared = cache[key]!
            let available = shared.candidates.filter { !taken.contains($0.request.id) }
            let schedule = scheduler.schedule(candidates: available, grid: grid, night: night, origin: .nightStart, filterCodes: shared.codes)
            for entry in schedule.entries { taken.insert(entry.request.id) }
            plans.append(TelescopePlan(site: night.site, telescope: telescope, night: night.localDate, schedule: schedule))
        }
        return (plans, prepared)
    }

    /// Maps over items on up to ``Configuration/threads`` threads, keeping the order.
    private func concurrentMap<Item: Sendable, Output: Sendable>(_ items: [Item], _ transform: @Sendable (Item) -> Output) -> [Output] {
        let results = Mutex<[Int: Output]>([:])
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(configuration.threads, max(1, items.count))) { _ in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < items.count else { return }
                let output = transform(items[index])
                results.withLock { $0[index] = output }
            }
        }
        return results.withLock { outputs in items.indices.map { outputs[$0]! } }
    }
}

/// One telescope's planned night in an ``ArrayPlan``.
public struct TelescopePlan: Sendable {
    public let site: Site
    public let telescope: Telescope
    /// The local date the night begins on.
    public let night: CalendarDate
    public let schedule: Schedule
}

/// A site's night prepared for planning and re-planning: its grid instants, candidate pool
/// and their fine visibility grid.
public struct PreparedSite: Sendable {
    /// One visit of a target in the pool.
    struct Visit: Sendable, Hashable {
        /// The target's row in ``targets`` and the grid.
        let row: Int
        /// Which visit of the target tonight (1 for the first).
        let visit: Int
    }

    public let night: SiteNight
    /// The targets of the site's candidate pool, in grid-row order (each once).
    public let targets: [Target]
    /// The visits the pool holds, due and spare.
    let visits: [Visit]
    let grid: VisibilityGrid
}

/// Every telescope's plan for a night of the array.
public struct ArrayPlan: Sendable {
    /// One plan per telescope, sites west to east.
    public let plans: [TelescopePlan]
    /// The prepared sites, for re-planning during the night.
    public let sites: [SiteID: PreparedSite]
}
