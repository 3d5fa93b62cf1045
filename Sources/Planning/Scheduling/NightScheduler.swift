public import Foundation
public import Sky
public import StarlingCore

/// Plans one telescope's night: a timed list of observations that respects every
/// constraint and maximises total merit.
///
/// Two algorithms, chosen by ``Algorithm/automatic``:
///
/// - **Slot assignment** (the plain case: every block the same length, no overheads). The
///   night is cut into slots one block long; each (slot, request) pair has the request's merit
///   at the slot, or is forbidden when the block breaks a constraint. Filling slots with
///   distinct requests to maximise total merit is an assignment problem, solved exactly
///   (``Assignment``, the Hungarian method): the plan is optimal for the slotted problem.
/// - **Sequencing** (real overheads, blocks of several lengths): insertion by merit² per
///   second used, an exact slot assignment as a second seed when blocks are of one length,
///   then neighbour swaps and iterated local search (``SequencePlanner``).
///
/// A block is planned only where every constraint holds from the start of its lead-in
/// (slew, settle, filter change) to the end of its last readout: altitude, airmass, the
/// mount's lowest altitude, the horizon mask over the azimuths swept, Moon separation and
/// brightness, darkness and the request's window (Sky's `ObservingLimits`, the rule dispatch
/// checks), each kept ``Configuration/margins`` inside its limit.
///
/// ```swift
/// let night = try SiteNight(site: xinglong, localDate: date)
/// let scheduler = NightScheduler(site: xinglong, telescope: telescope)
/// let schedule = try scheduler.schedule(requests, night: night)
/// for entry in schedule.entries { print(entry.start, entry.request.target.name) }
/// ```
public struct NightScheduler: Sendable {
    /// Which algorithm plans the night.
    public enum Algorithm: String, Sendable, Hashable, Codable {
        /// Slot assignment for the plain case, sequencing otherwise.
        case automatic
        /// Exact slot assignment; overheads are folded into the slot length.
        case assignment
        /// Insertion, assignment seed and local search with exact overheads.
        case sequence
    }

    /// How the scheduler works.
    public struct Configuration: Sendable, Hashable {
        /// What an observation is worth.
        public var merit: MeritModel
        /// How far inside each limit plans stay.
        public var margins: ConstraintMargins
        /// Whether slews, settles, filter changes and readouts are counted.
        public var countsOverheads: Bool
        /// Which algorithm plans.
        public var algorithm: Algorithm
        /// Slot length for the assignment, seconds; `nil` for the longest block.
        public var slotSeconds: Double?
        /// Rounds of iterated local search per planned visit (sequencing).
        public var improvementRoundsPerVisit: Int
        /// Seed of the local search's random choices (plans are reproducible).
        public var seed: UInt64
        /// Whether sequencing also starts from the exact slot assignment (when blocks are of
        /// one length) and keeps the better of the two seeds.
        public var seedsWithAssignment: Bool

        public init(
            merit: MeritModel = .standard, margins: ConstraintMargins = ConstraintMargins(), countsOverheads: Bool = true,
            algorithm: Algorithm = .automatic, slotSeconds: Double? = nil, improvementRoundsPerVisit: Int = 10, seed: UInt64 = 1,
            seedsWithAssignment: Bool = true
        ) {
            self.seedsWithAssignment = seedsWithAssignment
            self.merit = merit
            self.margins = margins
            self.countsOverheads = countsOverheads
            self.algorithm = algorithm
            self.slotSeconds = slotSeconds
            self.improvementRoundsPerVisit = improvementRoundsPerVisit
            self.seed = seed
        }
    }

    /// Where the telescope is when the plan starts.
    public struct Origin: Sendable, Hashable {
        /// When the plan may start (UTC); `nil` for the start of the night.
        public var time: Date?
        /// Where the telescope points, or `nil` when parked.
        public var pointing: EquatorialCoordinates?
        /// The filter in the beam, if known.
        public var filter: Filter?

        public init(time: Date? = nil, pointing: EquatorialCoordinates? = nil, filter: Filter? = nil) {
            self.time = time
            self.pointing = pointing
            self.filter = filter
        }

        /// The start of the night, parked.
        public static let nightStart = Origin()
    }

    public let site: Site
    public let telescope: Telescope
    public let configuration: Configuration

    public init(site: Site, telescope: Telescope, configuration: Configuration = Configuration()) {
        self.site = site
        self.telescope = telescope
        self.configuration = configuration
    }

    /// The overheads this scheduler counts.
    public var overheads: Overheads { configuration.countsOverheads ? Overheads(telescope: telescope) : .none }

    /// Plans the night for some requests.
    ///
    /// - Parameters:
    ///   - requests: what could be observed; each at most once.
    ///   - night: the site's night (must be this scheduler's site).
    ///   - origin: when the plan starts and where the telescope is (re-planning from "now").
    ///   - forecast: the expected weather.
    ///   - lastVisits: the last completed visit of each target, for cadence.
    /// - Returns: the schedule; empty, with a note, when nothing can be observed.
    /// - Throws: ``PlanningError`` `.sky` when positions cannot be computed.
    public func schedule(
        _ requests: [ObservationRequest], night: SiteNight, origin: Origin = .nightStart, forecast: any WeatherForecast = ClearSkyForecast(),
        lastVisits: [TargetID: Date] = [:]
    ) throws(PlanningError) -> Schedule {
        precondition(night.site.id == site.id, "the night must be of the scheduler's site")
        guard night.instantCount >= 2 else { return Schedule.empty(note: "no nautical darkness at \(site.id) on the night of \(night.localDate)") }
        // Screen first (a dot product per target and instant): only targets that rise above the
        // lowest altitude any request allows get the full grid.
        let lowest = requests.map { ObservingLimits($0, telescope: telescope, site: site).lowestAltitudeDegrees }.min() ?? 0
        let flags = AltitudeScreen.isAbove(
            .degrees(lowest - 0.1), targets: TargetDirections(requests.map(\.target.coordinates)), timeline: night.timeline,
            threads: ProcessInfo.processInfo.activeProcessorCount)
        let count = night.instantCount
        let rising = requests.indices.filter { flags[($0 * count)..<(($0 + 1) * count)].contains(true) }
        // The full kernel runs only where a target is above that altitude or next to it.
        var screen: [Bool] = []
        screen.reserveCapacity(rising.count * count)
        for index in rising { screen.append(contentsOf: flags[(index * count)..<((index + 1) * count)]) }
        let grid = night.grid(
            for: rising.map { requests[$0].target.coordinates }, screen: screen, threads: ProcessInfo.processInfo.activeProcessorCount)
        var builder = CandidateBuilder(
            night: night, grid: grid, telescope: telescope, merit: configuration.merit, overheads: overheads,
            margins: configuration.margins, forecast: forecast)
        let candidates = rising.enumerated().compactMap { row, index in
            builder.candidate(for: requests[index], row: row, lastVisit: lastVisits[requests[index].target.id])
        }
        return schedule(candidates: candidates, grid: grid, night: night, origin: origin, filterCodes: builder.filterCodes)
    }

    /// When each request could run tonight: the intervals throughout which every constraint
    /// holds (with the margins, the last ``ConstraintMargins/lateStartSeconds`` kept free) and
    /// that are long enough for its block, as the schedulers see them. Empty for a request
    /// that cannot be observed.
    ///
    /// - Returns: for each request, its intervals (UTC), in time order.
    public func observableWindows(_ requests: [ObservationRequest], night: SiteNight, forecast: any WeatherForecast = ClearSkyForecast()) -> [[DateInterval]] {
        guard night.instantCount >= 2 else { return requests.map { _ in [] } }
        let grid = night.grid(for: requests.map(\.target.coordinates))
        var builder = CandidateBuilder(
            night: night, grid: grid, telescope: telescope, merit: configuration.merit, overheads: overheads, margins: configuration.margins,
            forecast: forecast)
        return requests.enumerated().map { row, request in
            guard let candidate = builder.candidate(for: request, row: row, lastVisit: nil) else { return [] }
            return candidate.intervals.map {
                DateInterval(start: night.instants[0].addingTimeInterval($0.lowerBound), end: night.instants[0].addingTimeInterval($0.upperBound))
            }
        }
    }

    /// Plans from candidates already built on a grid (the array planner's path).
    func schedule(candidates: [Candidate], grid: VisibilityGrid, night: SiteNight, origin: Origin, filterCodes: [String: Int]) -> Schedule {
        guard night.instantCount >= 2 else { return Schedule.empty(note: "no nautical darkness at \(site.id) on the night of \(night.localDate)") }
        let gridStart = night.instants[0]
        let startTime = max(0, origin.time.map { $0.timeIntervalSince(gridStart) } ?? 0)
        let horizon = Double(night.instantCount - 1) * night.stepSeconds
        guard !candidates.isEmpty else {
            return Schedule.empty(note: "no request is observable at \(site.id) in the rest of the night of \(night.localDate)")
        }
        let blockLengths = candidates.map(\.blockSeconds)
        let uniform = (blockLengths.max()! - blockLengths.min()!) <= 1e-6
        let algorithm: Algorithm
        switch configuration.algorithm {
        case .automatic: algorithm = (uniform && !overheads.isCounted) ? .assignment : .sequence
        case let chosen: algorithm = chosen
        }
        // The exact assignment sees every candidate; the heuristic a shortlist.
        let candidates = algorithm == .sequence ? Self.shortlist(candidates, from: startTime, to: horizon) : candidates
        let state = StartState(
            time: startTime,
            pointing: origin.pointing.map { ($0.rightAscension.degrees, $0.declination.degrees) },
            filter: origin.filter.flatMap { filterCodes[$0.name] })
        let planner = SequencePlanner(
            candidates: candidates, overheads: overheads, mountKind: telescope.mount.kind, grid: grid, step: night.stepSeconds, start: state,
            horizon: horizon)

        var route: Route
        var name: String
        if algorithm == .assignment {
            let slot = configuration.slotSeconds ?? blockLengths.max()!
            route = assignmentRoute(planner, slotSeconds: slot, leadIn: overheads.isCounted ? typicalTransition(planner) : 0)
            name = "exact slot assignment (Hungarian method), \(Int(slot)) s slots"
        } else {
            var scheduled = [Bool](repeating: false, count: candidates.count)
            var greedy = Route()
            planner.fill(&greedy, from: Array(candidates.indices), scheduled: &scheduled)
            route = greedy
            name = "insertion + local search"
            if uniform && configuration.seedsWithAssignment {
                // Second seed: the exact assignment on slots one block plus a typical transition long.
                let slot = blockLengths[0] + typicalTransition(planner, route: greedy)
                var seeded = assignmentRoute(planner, slotSeconds: slot, leadIn: typicalTransition(planner, route: greedy))
                var seededScheduled = [Bool](repeating: false, count: candidates.count)
                for index in seeded.order { seededScheduled[index] = true }
                planner.fill(&seeded, from: Array(candidates.indices), scheduled: &seededScheduled)
                if seeded.total > route.total {
                    route = seeded
                    scheduled = seededScheduled
                    name = "assignment seed + local search"
                }
            }
            planner.swapNeighbours(&route)
            planner.fill(&route, from: Array(candidates.indices), scheduled: &scheduled)
            planner.improve(
                &route, scheduled: &scheduled, rounds: configuration.improvementRoundsPerVisit * max(route.count, 1), seed: configuration.seed)
        }
        return makeSchedule(route: route, planner: planner, night: night, algorithm: name, candidateCount: candidates.count, startTime: startTime)
    }

    /// The candidates worth sequencing when there are many more than the night can hold: in
    /// every hour of the rest of the night, the 60 with the highest merit that can run a whole
    /// block in that hour (about five times the blocks an hour holds). Every hour keeps its
    /// choice, so the plan can still fill the night; the rest could only replace better ones.
    static func shortlist(_ candidates: [Candidate], from start: Double, to end: Double) -> [Candidate] {
        let perHour = 60
        let hours = max(1, Int(((end - start) / 3600).rounded(.up)))
        guard candidates.count > perHour * hours else { return candidates }
        let byMerit = candidates.indices.sorted { (candidates[$0].bestMerit, -$0) > (candidates[$1].bestMerit, -$1) }
        var kept = Set<Int>()
        for hour in 0..<hours {
            let lower = start + Double(hour) * 3600, upper = lower + 3600
            var taken = 0
            for index in byMerit
            where candidates[index].intervals.contains(where: { min($0.upperBound, upper) - max($0.lowerBound, lower) >= candidates[index].blockSeconds }) {
                kept.insert(index)
                taken += 1
                if taken == perHour { break }
            }
        }
        return kept.sorted().map { candidates[$0] }
    }

    /// A typical transition: the median of the route's, or of slews between candidates.
    private func typicalTransition(_ planner: SequencePlanner, route: Route? = nil) -> Double {
        guard overheads.isCounted else { return 0 }
        var samples: [Double] = route.map { Array($0.transitions.dropFirst()) } ?? []
        if samples.isEmpty {
            let count = planner.candidates.count
            for index in 0..<min(count, 64) {
                samples.append(planner.transition(from: index, to: (index * 7 + 3) % count, at: planner.start.time))
            }
        }
        samples.sort()
        return samples.isEmpty ? 0 : samples[samples.count / 2]
    }

    /// The exact assignment of candidates to slots, timed as a route (slots whose block no
    /// longer fits after real transitions are dropped).
    private func assignmentRoute(_ planner: SequencePlanner, slotSeconds: Double, leadIn: Double) -> Route {
        let slotCount = max(0, Int(((planner.horizon - planner.start.time) / slotSeconds).rounded(.down)))
        let candidates = planner.candidates
        // Columns: every candidate in the plain case (the result is then exact); with overheads
        // (a seed for local search) the best few per slot, which keeps the assignment fast.
        var columns = Array(candidates.indices)
        if overheads.isCounted, columns.count > 2 * slotCount {
            columns.sort { (candidates[$0].bestMerit, -$0) > (candidates[$1].bestMerit, -$1) }
            columns.removeSubrange((2 * slotCount)...)
        }
        // The allowed (slot, column) pairs and their weights, column by column (most pairs are
        // forbidden: a target is up for part of the night).
        var pairSlots: [Int] = [], pairWeights: [Double] = []
        var columnEnds = [Int](repeating: 0, count: columns.count)
        pairSlots.reserveCapacity(columns.count * slotCount / 2)
        pairWeights.reserveCapacity(columns.count * slotCount / 2)
        var slotFree = true  // whether every column's weight is the same in all its slots
        for (column, index) in columns.enumerated() {
            let candidate = candidates[index]
            let first = pairWeights.count
            var interval = 0
            for slot in 0..<slotCount {
                let begin = planner.start.time + Double(slot) * slotSeconds + leadIn
                guard begin + candidate.blockSeconds <= planner.start.time + Double(slot + 1) * slotSeconds + 1e-9 else { continue }
                // Intervals are in time order and slots move forward: skip those already past.
                while interval < candidate.intervals.count, candidate.intervals[interval].upperBound < begin + candidate.blockSeconds { interval += 1 }
                guard interval < candidate.intervals.count, candidate.intervals[interval].lowerBound <= begin - leadIn else { continue }
                let value = planner.value(index, start: begin)
                pairSlots.append(slot)
                pairWeights.append(value)
                slotFree = slotFree && abs(value - pairWeights[first]) <= 1e-12 * max(1, pairWeights[first])
            }
            columnEnds[column] = pairWeights.count
        }
        let assigned: [Int?]
        if slotFree {
            var values = [Double](repeating: 0, count: columns.count)
            var allowed = [[Int]](repeating: [], count: columns.count)
            for column in columns.indices {
                let first = column == 0 ? 0 : columnEnds[column - 1], end = columnEnds[column]
                guard end > first else { continue }
                values[column] = pairWeights[first]
                allowed[column] = Array(pairSlots[first..<end])
            }
            assigned = Assignment.maximumWeightTransversal(rows: slotCount, weights: values, allowedRows: allowed)
        } else {
            var weights = [Double?](repeating: nil, count: slotCount * columns.count)
            for column in columns.indices {
                for pair in (column == 0 ? 0 : columnEnds[column - 1])..<columnEnds[column] {
                    weights[pairSlots[pair] * columns.count + column] = pairWeights[pair]
                }
            }
            if columns.count < slotCount {
                // Fewer candidates than slots: candidates as rows keeps the Hungarian method small.
                let byColumn = Assignment.maximumWeight(rows: columns.count, columns: slotCount) { column, slot in weights[slot * columns.count + column] }
                var bySlot = [Int?](repeating: nil, count: slotCount)
                for (column, slot) in byColumn.enumerated() { if let slot { bySlot[slot] = column } }
                assigned = bySlot
            } else {
                assigned = Assignment.maximumWeight(rows: slotCount, columns: columns.count) { slot, column in weights[slot * columns.count + column] }
            }
        }
        let chosen = assigned.map { $0.map { columns[$0] } }
        if !overheads.isCounted {
            // The plain case: slots are the plan; no forward pass may move them.
            var route = Route()
            for (slot, index) in chosen.enumerated() {
                guard let index else { continue }
                let begin = planner.start.time + Double(slot) * slotSeconds
                route.order.append(index)
                route.starts.append(begin)
                route.ends.append(begin + candidates[index].blockSeconds)
                route.transitions.append(0)
                let value = planner.value(index, start: begin)
                route.values.append(value)
                route.total += value
            }
            return route
        }
        // Keep the assigned visits, in slot order, that still fit after real transitions.
        var route = Route()
        for index in chosen.compactMap({ $0 }) {
            if let longer = planner.timed(route.order + [index], reusing: route, prefix: route.count, suffixStart: route.count + 1, offset: 0) {
                route = longer
            }
        }
        return route
    }

    private func makeSchedule(route: Route, planner: SequencePlanner, night: SiteNight, algorithm: String, candidateCount: Int, startTime: Double) -> Schedule {
        let gridStart = night.instants[0]
        var entries: [PlannedObservation] = []
        for position in 0..<route.count {
            let index = route.order[position]
            let candidate = planner.candidates[index]
            let begin = route.starts[position], end = route.ends[position]
            let slotStart = begin - route.transitions[position]
            let readout = overheads.isCounted ? overheads.readoutSeconds : 0
            let altitudeStart = planner.horizontal(candidate.row, at: begin).altitude
            let altitudeEnd = planner.horizontal(candidate.row, at: max(begin, end - readout)).altitude
            let lowest = min(planner.horizontal(candidate.row, at: slotStart).altitude, planner.horizontal(candidate.row, at: end).altitude, altitudeStart, altitudeEnd)
            entries.append(PlannedObservation(
                request: candidate.request, start: gridStart.addingTimeInterval(slotStart), end: gridStart.addingTimeInterval(end),
                altitudeStart: .degrees(altitudeStart), altitudeEnd: .degrees(altitudeEnd), airmass: Airmass.secantZenith(altitudeDegrees: lowest),
                merit: route.values[position],
                reason: reason(candidate: candidate, value: route.values[position], altitude: max(altitudeStart, altitudeEnd), transition: route.transitions[position])))
        }
        let available = max(0, planner.horizon - startTime)
        let used = zip(route.starts, route.ends).reduce(0.0) { $0 + ($1.1 - $1.0) } + route.transitions.reduce(0, +)
        var notes: [String] = []
        if route.count == 0 { notes.append("no request fits the rest of the night at \(site.id)") }
        return Schedule(
            entries: entries, totalMerit: route.total, usedFraction: available > 0 ? min(1, used / available) : 0, algorithm: algorithm,
            candidateCount: candidateCount, notes: notes)
    }

    private func reason(candidate: Candidate, value: Double, altitude: Double, transition: Double) -> String {
        var parts = ["merit \(format(value, 2))", "priority \(format(candidate.request.priority, 1))", "altitude \(format(altitude, 0))°"]
        if candidate.request.kind == .followUp { parts.append("follow-up") }
        if transition > 0 { parts.append("\(format(transition, 0)) s to get there") }
        return parts.joined(separator: ", ")
    }
}

/// One telescope's planned night, before it becomes a ``NightPlan``.
public struct Schedule: Sendable {
    /// The planned observations, in time order, never overlapping.
    public let entries: [PlannedObservation]
    /// Sum of the entries' merit.
    public let totalMerit: Double
    /// Fraction of the usable night spent on blocks and the transitions into them, 0…1.
    public let usedFraction: Double
    /// Which algorithm made the plan.
    public let algorithm: String
    /// How many requests could be observed somewhere in the night.
    public let candidateCount: Int
    /// Notes for people (why the plan is empty, what was left out).
    public let notes: [String]

    public init(entries: [PlannedObservation], totalMerit: Double, usedFraction: Double, algorithm: String, candidateCount: Int, notes: [String]) {
        self.entries = entries
        self.totalMerit = totalMerit
        self.usedFraction = usedFraction
        self.algorithm = algorithm
        self.candidateCount = candidateCount
        self.notes = notes
    }

    static func empty(note: String) -> Schedule {
        Schedule(entries: [], totalMerit: 0, usedFraction: 0, algorithm: "none", candidateCount: 0, notes: [note])
    }
}

/// A number with a fixed count of decimals, for people.
func format(_ value: Double, _ decimals: Int) -> String {
    // Integer arithmetic: `String(format:)` costs microseconds, and plans format thousands.
    guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<max(0, decimals) { scale *= 10 }
    let scaled = Int64((abs(value) * scale).rounded())
    let sign = value < 0 && scaled != 0 ? "-" : ""
    guard decimals > 0 else { return sign + String(scaled) }
    let whole = scaled / Int64(scale), fraction = String(scaled % Int64(scale))
    return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
}
