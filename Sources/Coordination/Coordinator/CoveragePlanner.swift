public import Foundation
import Sky
public import SkyMaps
public import StarlingCore

/// How the coordinator follows up an alert with a sky map.
public struct SkyMapStrategy: Sendable, Hashable, Codable {
    /// The credible region fields are chosen in: 0.9 for the 90 % region. Every field's centre
    /// lies in it and only probability inside it counts toward choosing a field.
    public var credibleLevel: Double
    /// The most fields one decision plans: a safeguard; planning normally ends when nothing
    /// left adds ``minimumGain``.
    public var maximumFields: Int
    /// A field that would add less than this (3-D probability with distance layers, 2-D
    /// without) is not worth a telescope's time.
    public var minimumGain: Double
    /// The most a field may overlap the fields already planned, as a share of its area:
    /// overlapping fields are merged away, so the plan tiles the region.
    public var maximumOverlap: Double

    /// Creates a strategy.
    ///
    /// - Precondition: `credibleLevel` and `maximumOverlap` in 0…1, `maximumFields` ≥ 0, `minimumGain` ≥ 0.
    public init(
        credibleLevel: Double = 0.9, maximumFields: Int = 300, minimumGain: Double = 1e-3,
        maximumOverlap: Double = CoverageTally.defaultMaximumOverlap
    ) {
        precondition((0...1).contains(credibleLevel) && (0...1).contains(maximumOverlap), "a credible level and an overlap are shares, 0…1")
        precondition(maximumFields >= 0 && minimumGain >= 0, "field counts and gains cannot be negative")
        self.credibleLevel = credibleLevel
        self.maximumFields = maximumFields
        self.minimumGain = minimumGain
        self.maximumOverlap = maximumOverlap
    }
}

/// What a sky-map decision covers, as planned.
public struct PlannedCoverage: Sendable, Hashable {
    /// The credible level the fields were chosen in, and that region's area (deg²).
    public let credibleLevel: Double
    public let regionAreaSquareDegrees: Double
    /// The union of the planned footprints: 2-D and 3-D probability, and area.
    public let coverage: SkyCoverage
    /// The galaxy catalog's completeness in the event's volume (`nil` without distance layers).
    public let catalogCompleteness: Double?

    /// In words, for the alert's record: "covering 87.1 % of the map (3-D 87.0 %) over 104
    /// deg², every centre inside the 90 % region (90.4 deg²)".
    public var summary: String {
        "covering \(CoveragePlanner.percent(coverage.probability)) of the map"
            + (coverage.probabilityWithDistance.map { " (3-D \(CoveragePlanner.percent($0)))" } ?? "")
            + String(format: " over %.0f deg², every centre inside the %.0f %% region (%.1f deg²)", coverage.areaSquareDegrees, credibleLevel * 100, regionAreaSquareDegrees)
            + (catalogCompleteness.map { String(format: "; galaxy catalog %.0f %% complete at the event's distance", $0 * 100) } ?? "")
    }
}

/// Chooses the fields of a sky-map alert and schedules them across the array so that the
/// covered probability grows fastest.
///
/// Fields come from a ``SkyMaps/CoverageModel`` of the strategy's credible region, for each
/// field of view in the array (every telescope's real field, north up): tiles, and galaxy
/// fields when the catalog holds part of the host probability (``SkyMaps/HostGalaxyPrior``).
/// Scheduling is greedy by probability per unit time: the telescope that is free first weighs
/// the tiles (and galaxy fields) that overlap the plan by at most the strategy's share (so the
/// plan tiles the region; fields placed on its edges, or overlapping more, only when none is
/// left) by what each adds (3-D with distance layers) per
/// second of its time: waiting for the field to rise, the lead-in (slew, settle, dome, filter) and the block. It takes the best if it
/// can start within one block's time, and is free again when that block ends; if the best must
/// rise first, it waits for it (another telescope may take it meanwhile); if it can observe
/// nothing within the horizon, it stops.
/// Planning ends when the strategy's field count is reached, nothing left adds the
/// strategy's minimum gain, or no telescope can observe more. Every field is accounted on the
/// map once: what an earlier field covered adds nothing to a later one.
///
/// "Can this telescope observe this field then" is ``FollowUpPlanner``'s: its sites (dark,
/// weather, operator policy), readiness, lead-ins (``StarlingCore/Overheads``) and earliest
/// starts by the telescope's `ObservingLimits` (Sky's one observing rule, kept the planner's
/// margins inside). The decision uses no randomness and no clock: the same inputs give the
/// same decision.
public struct CoveragePlanner: Sendable {
    public let planner: FollowUpPlanner
    public let strategy: SkyMapStrategy

    public init(planner: FollowUpPlanner, strategy: SkyMapStrategy = SkyMapStrategy()) {
        self.planner = planner
        self.strategy = strategy
    }

    /// Decides which fields of a sky map to observe, with which telescope and when.
    ///
    /// - Parameters:
    ///   - alert: the alert (kind and priority set the exposures).
    ///   - skyMap: its sky map.
    ///   - galaxies: a galaxy catalog for the 3-D probability (used when the map has distance layers).
    ///   - now: the decision instant.
    ///   - statuses: the telescopes' current status; a telescope without one is taken as idle and closed.
    ///   - weather: each site's weather now; a site without an entry is taken as safe.
    ///   - policy: the operator's rule for this kind of alert.
    /// - Returns: the decision: fields in the order they were chosen, with their assignments,
    ///   and the planned coverage.
    public func decide(
        alert: Alert, skyMap: HEALPixSkyMap, galaxies: [Target], now: Date, statuses: [TelescopeID: TelescopeAvailability],
        weather: [SiteID: WeatherSafety], policy: SitePolicy?, sky: inout FollowUpPlanner.SkyCache
    ) -> FollowUpDecision {
        let eligible = planner.eligibleSites(alert: alert, now: now, weather: weather, policy: policy, sky: &sky)
        var exclusions = eligible.exclusions
        // The telescopes that may take part, and their fields of view.
        var members: [Member] = []
        for (siteIndex, entry) in eligible.sites.enumerated() {
            for telescope in entry.site.telescopes {
                guard let status = FollowUpPlanner.availability(of: telescope.id, at: entry.site.id, in: statuses, excluding: &exclusions) else { continue }
                let exposures = FollowUpExposures.exposures(for: alert, telescope: telescope)
                members.append(Member(
                    site: siteIndex, telescope: telescope, limits: planner.limits(for: telescope, at: entry.site, terms: FollowUpPlanner.Terms(alert)), status: status,
                    ready: planner.readyTime(status, telescope: telescope, now: now), exposures: exposures,
                    blockSeconds: Overheads(telescope: telescope).blockSeconds(exposures)))
            }
        }
        let prior = HostGalaxyPrior(map: skyMap, catalog: galaxies)
        var fieldsOfView: [FieldOfView] = []
        for member in members where !fieldsOfView.contains(member.telescope.fieldOfView) { fieldsOfView.append(member.telescope.fieldOfView) }
        let model = CoverageModel(map: skyMap, credibleLevel: strategy.credibleLevel, prior: prior, fieldsOfView: fieldsOfView)
        // Each field of view's tiles (and galaxy fields); its placed fields are added when its
        // telescopes first run out of tiles.
        var candidates = fieldsOfView.map { model.candidates(for: $0) }
        var placedAdded = fieldsOfView.map { _ in false }
        let classOf = members.map { member in fieldsOfView.firstIndex(of: member.telescope.fieldOfView) ?? 0 }

        // A candidate's visibility from a site, built the first time a telescope there weighs
        // it, together with the next most valuable candidates not built yet (one grid of up to
        // `gridChunk` targets): most candidates are never weighed (the scan below stops at the
        // first that cannot win).
        var grids: [VisibilityGrid] = []
        var gridOf: [Int: (grid: Int, target: Int)] = [:]
        func observer(_ memberIndex: Int, candidate index: Int, upcoming: [Int]) -> (FollowUpPlanner.Candidate, target: Int) {
            let member = members[memberIndex]
            let entry = eligible.sites[member.site]
            let cls = classOf[memberIndex]
            func key(_ candidate: Int) -> Int { (member.site * fieldsOfView.count + cls) * Self.candidateKeyStride + candidate }
            if gridOf[key(index)] == nil {
                var chunk = [index]
                for other in upcoming where chunk.count < Self.gridChunk && other != index && gridOf[key(other)] == nil { chunk.append(other) }
                grids.append(planner.grid(targets: chunk.map { candidates[cls][$0].center }, site: entry.site, timeline: entry.timeline, now: now, terms: FollowUpPlanner.Terms(alert)))
                for (target, candidate) in chunk.enumerated() { gridOf[key(candidate)] = (grids.count - 1, target) }
            }
            let (grid, target) = gridOf[key(index)]!
            let candidate = FollowUpPlanner.Candidate(
                site: entry.site, telescope: member.telescope, timeline: entry.timeline, grid: grids[grid], limits: member.limits, status: member.status,
                ready: member.ready)
            return (candidate, target)
        }

        var tally = model.tally()
        // Each field of view's candidates by what they could add at most (what they added when
        // last weighed: it only falls as fields are taken), the most first.
        // Tiles of the tessellations (and galaxy fields) first; fields placed to reach the
        // region's edges, and fields overlapping the plan, only when none of those is left.
        var queues = candidates.map { list in
            CandidateQueue(list.indices.map { (tally.gain(of: list[$0]).objective, $0) }.filter { $0.0 >= strategy.minimumGain })
        }
        var overlapping = candidates.map { _ in CandidateQueue([]) }
        var chosen: [(member: Int, candidate: FieldCandidate, gain: CoverageTally.Gain, option: FollowUpPlanner.Option)] = []
        let horizonEnd = now.addingTimeInterval(FollowUpPlanner.horizonSeconds)
        while chosen.count < strategy.maximumFields {
            // The telescope free first; among those free within a minute of it, the widest field
            // first (so survey cameras tile the core before small fields break it up), then its id.
            let free = members.indices.filter { !members[$0].isDone }
            guard let first = free.map({ members[$0].ready }).min() else { break }
            guard let next = free.filter({ members[$0].ready <= first.addingTimeInterval(Self.readyTieSeconds) }).min(by: { a, b in
                let areaA = members[a].telescope.fieldOfView.areaSquareDegrees, areaB = members[b].telescope.fieldOfView.areaSquareDegrees
                return (-areaA, members[a].ready, members[a].telescope.id) < (-areaB, members[b].ready, members[b].telescope.id)
            }) else { break }
            let member = members[next]
            guard member.ready <= horizonEnd else {
                members[next].isDone = true
                continue
            }
            let cls = classOf[next]
            let slack = member.blockSeconds
            let latitudeDegrees = eligible.sites[member.site].site.location.latitude.degrees
            var best: (index: Int, rate: Double, option: FollowUpPlanner.Option, gain: CoverageTally.Gain)?
            /// Weighs the queue's candidates, most valuable first, until none left can beat the
            /// best so far; those overlapping the plan by more than `overlapLimit` move to `overlapping`.
            func weigh(_ queue: inout CandidateQueue, overlapLimit: Double, overlapping: inout CandidateQueue) {
                var setAside: [(bound: Double, index: Int)] = []
                while let (bound, index) = queue.first {
                    // What it adds over the shortest time a field can take bounds its rate.
                    if let best, bound / member.blockSeconds <= best.rate { break }
                    queue.removeFirst()
                    let gain = tally.gain(of: candidates[cls][index])
                    // Never worth it again: what it adds only falls.
                    guard gain.objective >= strategy.minimumGain else { continue }
                    guard tally.overlap(of: candidates[cls][index]) <= overlapLimit else {
                        overlapping.insert(gain.objective, index)
                        continue
                    }
                    setAside.append((gain.objective, index))
                    // A field that never climbs to the telescope's lowest altitude at this site's
                    // latitude (its altitude at transit, 90° − |φ − δ|, is below it) is not
                    // worth a visibility grid.
                    let declination = candidates[cls][index].center.declination.degrees
                    guard 90 - abs(latitudeDegrees - declination) >= member.limits.lowestAltitudeDegrees else { continue }
                    let (visible, target) = observer(next, candidate: index, upcoming: queue.upcoming(Self.gridChunk))
                    guard let option = planner.option(
                        visible, index: index, target: target, center: candidates[cls][index].center, exposures: member.exposures, now: now)
                    else { continue }
                    // Per second of the telescope's time: waiting for the field to rise, lead-in, block.
                    let rate = gain.objective / option.end.timeIntervalSince(member.ready)
                    if best.map({ rate > $0.rate }) ?? true { best = (index, rate, option, gain) }
                }
                // What was weighed and not taken goes back, ranked by what it adds now.
                for entry in setAside where entry.index != best?.index { queue.insert(entry.bound, entry.index) }
            }
            // Tiles first; only when none is left to observe, fields placed on the region's edges
            // or overlapping the plan more (a region's last slivers).
            weigh(&queues[cls], overlapLimit: strategy.maximumOverlap, overlapping: &overlapping[cls])
            if best == nil {
                if !placedAdded[cls] {
                    placedAdded[cls] = true
                    let placed = model.placedCandidates(for: fieldsOfView[cls])
                    for candidate in placed {
                        let gain = tally.gain(of: candidate).objective
                        if gain >= strategy.minimumGain { overlapping[cls].insert(gain, candidates[cls].count) }
                        candidates[cls].append(candidate)
                    }
                }
                var none = CandidateQueue([])
                weigh(&overlapping[cls], overlapLimit: 1, overlapping: &none)
            }
            // The best is taken if it can start within one block's time; if it must rise first,
            // the telescope waits for it (and another may take it meanwhile).
            if let waitFor = best, waitFor.option.slewStart.timeIntervalSince(member.ready) > slack {
                queues[cls].insert(waitFor.gain.objective, waitFor.index)
                members[next].ready = waitFor.option.slewStart
                continue
            }
            if let best {
                let candidate = candidates[cls][best.index]
                tally.take(candidate)
                chosen.append((next, candidate, best.gain, best.option))
                members[next].ready = best.option.end
                members[next].status.pointing = candidate.center
            } else {
                members[next].isDone = true
            }
        }

        // The decision: fields in the order chosen, each with its telescope.
        var fields: [FollowUpField] = []
        var assignments: [PlannedFollowUp] = []
        let measured = skyMap.coverages(of: chosen.map(\.candidate.footprint), prior: prior)
        for (number, pick) in chosen.enumerated() {
            let member = members[pick.member]
            let site = eligible.sites[member.site].site
            let standalone = measured.each[number]
            let label: String
            switch pick.candidate.kind {
            case .tile, .placed: label = "tile \(number + 1)"
            case .galaxies(let names): label = "galaxies " + names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " +\(names.count - 3)" : "")
            }
            let field = FollowUpField(
                id: "f\(number)", center: pick.candidate.center, probability: standalone.probability, label: label,
                footprint: pick.candidate.footprint.fieldOfView, probabilityWithDistance: standalone.probabilityWithDistance,
                credibleLevel: pick.candidate.credibleLevel)
            fields.append(field)
            let option = pick.option
            let added = Self.percent(pick.gain.probability) + (prior != nil ? " (3-D \(Self.percent(pick.gain.objective)))" : "")
            let reason = "adds \(added) of the map in \(Int(option.end.timeIntervalSince(option.start).rounded())) s from \(option.start.hourMinuteSecond()) UTC at \(site.id): "
                + "the most per second among the fields \(member.telescope.id) can start then; centre at credible level "
                + String(format: "%.2f", pick.candidate.credibleLevel) + ", altitude " + String(format: "%.1f", option.altitude) + "°, airmass "
                + String(format: "%.2f", Airmass.secantZenith(altitudeDegrees: option.altitude))
            assignments.append(PlannedFollowUp(
                field: field, telescopeID: member.telescope.id, siteID: site.id, slewStart: option.slewStart, start: option.start, end: option.end,
                altitude: .degrees(option.altitude), airmass: Airmass.secantZenith(altitudeDegrees: option.altitude), reason: reason,
                request: FollowUpPlanner.request(alert: alert, field: field, exposures: member.exposures, terms: FollowUpPlanner.Terms(alert), option: option, now: now)))
        }
        var unassigned: [(field: FollowUpField, reason: String)] = []
        if chosen.isEmpty {
            let region = FollowUpField(
                id: "region", center: skyMap.mostProbableDirection, probability: model.region.probability,
                label: "the \(Int((strategy.credibleLevel * 100).rounded())) % region")
            let why = members.isEmpty
                ? "no telescope can take part"
                : "no telescope can observe any part of the \(Int((strategy.credibleLevel * 100).rounded())) % region (\(String(format: "%.0f", model.areaSquareDegrees)) deg²) within \(Int(FollowUpPlanner.horizonSeconds / 3600)) h"
            unassigned.append((region, why))
        }
        let planned = PlannedCoverage(
            credibleLevel: strategy.credibleLevel, regionAreaSquareDegrees: model.areaSquareDegrees,
            coverage: measured.union, catalogCompleteness: prior?.completeness)
        return FollowUpDecision(fields: fields, assignments: assignments, exclusions: exclusions, unassigned: unassigned, coverage: planned)
    }

    /// A telescope taking part, as the schedule goes.
    private struct Member {
        let site: Int
        let telescope: Telescope
        /// The follow-up constraints on it at its site (``FollowUpPlanner/limits(for:at:terms:)``).
        let limits: ObservingLimits
        /// Its status as the schedule goes: the pointing is the last field taken.
        var status: TelescopeAvailability
        /// When it can start moving to its next field.
        var ready: Date
        let exposures: [ExposureSpec]
        /// The block a field takes once pointed (``StarlingCore/Overheads/blockSeconds(_:)``).
        let blockSeconds: Double
        var isDone = false
    }

    /// Keys candidates of one site and field of view (more candidates than a model makes).
    static let candidateKeyStride = 1 << 20
    /// Telescopes free within this of the first are taken widest field first, seconds.
    static let readyTieSeconds: TimeInterval = 60
    /// How many candidates' visibility is computed together (one vectorised grid).
    static let gridChunk = 8

    static func percent(_ probability: Double) -> String {
        String(format: probability >= 0.0995 ? "%.0f %%" : probability >= 0.00995 ? "%.1f %%" : "%.2f %%", probability * 100)
    }
}

/// Candidates of one field of view, the one that could add the most first (ties: the lower
/// index): a binary heap, since each telescope looks at only the first few.
struct CandidateQueue {
    private var heap: [(bound: Double, index: Int)] = []

    init(_ entries: [(Double, Int)]) {
        for (bound, index) in entries { insert(bound, index) }
    }

    private static func before(_ a: (bound: Double, index: Int), _ b: (bound: Double, index: Int)) -> Bool {
        a.bound > b.bound || (a.bound == b.bound && a.index < b.index)
    }

    /// The first candidate, if any.
    var first: (bound: Double, index: Int)? { heap.first }

    /// Some of the candidates near the front (for building their visibility together).
    func upcoming(_ count: Int) -> [Int] { heap.prefix(count).map(\.index) }

    mutating func insert(_ bound: Double, _ index: Int) {
        heap.append((bound, index))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeFirst() {
        guard !heap.isEmpty else { return }
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var first = parent
            if left < heap.count, Self.before(heap[left], heap[first]) { first = left }
            if right < heap.count, Self.before(heap[right], heap[first]) { first = right }
            guard first != parent else { return }
            heap.swapAt(parent, first)
            parent = first
        }
    }
}
