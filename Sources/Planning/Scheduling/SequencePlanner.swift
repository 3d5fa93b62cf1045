import Foundation
import Sky
import StarlingCore

/// Where a telescope points and which filter it has when a plan starts.
struct StartState: Sendable {
    /// Seconds from the grid start at which the plan may begin.
    let time: Double
    /// ICRS pointing, degrees, or `nil` when parked (the first move then counts as a 90° slew).
    let pointing: (rightAscension: Double, declination: Double)?
    /// The filter in the beam (a candidate filter code), or `nil` when unknown.
    let filter: Int?
}

/// The time-ordered visits of one telescope: an order of candidates and the times the
/// forward pass gives them (each visit starts as early as the previous one's end, the
/// transition and its target's constraints allow).
struct Route: Sendable {
    var order: [Int] = []
    /// Exposure start and block end of each visit, seconds from the grid start.
    var starts: [Double] = []
    var ends: [Double] = []
    /// The transition (slew, settle, filter change) that leads into each visit, seconds.
    var transitions: [Double] = []
    /// Merit of each visit.
    var values: [Double] = []
    var total: Double = 0
    /// How late each visit's start may move without breaking it or any later visit.
    var maxShift: [Double] = []

    var count: Int { order.count }
}

/// Plans one telescope's night as a sequence with real overheads: a greedy construction
/// (and, when blocks are of one length, an exact slot assignment as a second seed), then
/// local search.
///
/// The problem is an orienteering problem with time windows and sequence-dependent setup
/// times. The construction inserts, one at a time, the candidate with the best
/// merit² / time-consumed ratio at its cheapest feasible position (the insertion heuristic of
/// Vansteenwegen et al. 2009, *Computers & Operations Research* 36, 3281, with their
/// wait/max-shift bookkeeping for O(1) feasibility checks), re-evaluating lazily. Local
/// search then swaps neighbours (a restricted 2-opt on slew order) and runs their iterated
/// local search (``improve(_:scheduled:rounds:seed:refillPoolSize:)``). Every route is
/// re-timed by the exact forward pass, so a plan never holds a visit that does not fit.
struct SequencePlanner {
    let candidates: [Candidate]
    let overheads: Overheads
    let mountKind: MountModel.Kind
    let grid: VisibilityGrid
    let step: Double
    let start: StartState
    /// The end of the usable night, seconds from the grid start.
    let horizon: Double

    // Flat copies of the fields the inner loops read, so that they touch no reference-counted
    // storage (copying a `Candidate` retains its arrays and its request).
    private let blocks: [Double]
    private let rightAscensions: [Double]
    private let declinations: [Double]
    private let firstFilters: [Int]
    private let lastFilters: [Int]
    private let rows: [Int]
    /// Candidate i's intervals are `lowers[offsets[i]..<offsets[i + 1]]` and the same of `uppers`.
    private let offsets: [Int]
    private let lowers: [Double]
    private let uppers: [Double]
    /// Candidate i's merit at instant k is `merits[i * instantCount + k]`.
    private let merits: [Double]
    private let instantCount: Int

    init(
        candidates: [Candidate], overheads: Overheads, mountKind: MountModel.Kind, grid: VisibilityGrid, step: Double, start: StartState,
        horizon: Double
    ) {
        self.candidates = candidates
        self.overheads = overheads
        self.mountKind = mountKind
        self.grid = grid
        self.step = step
        self.start = start
        self.horizon = horizon
        blocks = candidates.map(\.blockSeconds)
        rightAscensions = candidates.map(\.rightAscensionDegrees)
        declinations = candidates.map(\.declinationDegrees)
        firstFilters = candidates.map(\.firstFilter)
        lastFilters = candidates.map(\.lastFilter)
        rows = candidates.map(\.row)
        var offsets = [0], lowers: [Double] = [], uppers: [Double] = [], merits: [Double] = []
        let instantCount = candidates.first?.merit.count ?? 0
        merits.reserveCapacity(candidates.count * instantCount)
        for candidate in candidates {
            for interval in candidate.intervals {
                lowers.append(interval.lowerBound)
                uppers.append(interval.upperBound)
            }
            offsets.append(lowers.count)
            merits.append(contentsOf: candidate.merit)
        }
        self.offsets = offsets
        self.lowers = lowers
        self.uppers = uppers
        self.merits = merits
        self.instantCount = instantCount
    }

    // MARK: Geometry and value

    /// Seconds from the end of `from` (or the start state) to the exposure start of `to`: the
    /// lead-in of ``Overheads``, the rule dispatch times observations by.
    func transition(from: Int?, to: Int, at time: Double) -> Double {
        guard overheads.isCounted else { return 0 }
        let changesFilter: Bool
        let slew: Double
        var dome = 0.0
        if let from {
            changesFilter = lastFilters[from] != firstFilters[to]
            switch mountKind {
            case .equatorial:
                // Hour angle = LST − RA: the hour-angle move is the RA difference, at any instant.
                slew = overheads.slewSeconds(
                    firstAxisDegrees: rightAscensions[from] - rightAscensions[to], secondAxisDegrees: declinations[from] - declinations[to])
                if overheads.countsDome {
                    let (_, z0) = horizontal(rows[from], at: time), (_, z1) = horizontal(rows[to], at: time)
                    dome = overheads.domeSeconds(fromAzimuthDegrees: z0, toAzimuthDegrees: z1)
                }
            case .altAzimuth:
                let (a0, z0) = horizontal(rows[from], at: time), (a1, z1) = horizontal(rows[to], at: time)
                slew = overheads.slewSeconds(firstAxisDegrees: z1 - z0, secondAxisDegrees: a1 - a0)
                dome = overheads.domeSeconds(fromAzimuthDegrees: z0, toAzimuthDegrees: z1)
            }
        } else {
            changesFilter = start.filter.map { $0 != firstFilters[to] } ?? true
            if let pointing = start.pointing {
                slew = overheads.slewSeconds(
                    firstAxisDegrees: pointing.rightAscension - rightAscensions[to], secondAxisDegrees: pointing.declination - declinations[to])
            } else {
                slew = overheads.slewSeconds(firstAxisDegrees: Overheads.unknownPointingSlewDegrees, secondAxisDegrees: 0)
            }
            // Where the dome stands is not known here: a turn as long as the slew.
            dome = overheads.domeSeconds(fromAzimuthDegrees: 0, toAzimuthDegrees: Overheads.unknownPointingSlewDegrees)
        }
        return overheads.leadInSeconds(slewSeconds: slew, domeSeconds: dome, changesFilter: changesFilter)
    }

    /// Interpolated altitude and azimuth of a grid row at a time, degrees.
    func horizontal(_ row: Int, at time: Double) -> (altitude: Double, azimuth: Double) {
        let count = grid.instants.count
        let position = min(Double(count - 1), max(0, time / step))
        let k = min(count - 2, Int(position)), fraction = position - Double(k)
        let a = grid.altitudeDegrees(target: row, instant: k) * (1 - fraction) + grid.altitudeDegrees(target: row, instant: k + 1) * fraction
        let z0 = grid.azimuthDegrees(target: row, instant: k)
        var dz = grid.azimuthDegrees(target: row, instant: k + 1) - z0
        if dz > 180 { dz -= 360 } else if dz < -180 { dz += 360 }
        var z = z0 + dz * fraction
        if z < 0 { z += 360 } else if z >= 360 { z -= 360 }
        return (a, z)
    }

    /// The merit of a visit whose exposures start at `start`: the grid merit interpolated to
    /// the middle of the block.
    func value(_ index: Int, start: Double) -> Double {
        let middle = start + blocks[index] / 2
        let position = min(Double(instantCount - 1), max(0, middle / step))
        let k = min(instantCount - 2, Int(position)), fraction = position - Double(k)
        let base = index * instantCount
        let a = merits[base + k], b = merits[base + k + 1]
        // A grid instant just outside the observable span has merit 0; use the other one.
        if a == 0 { return b }
        if b == 0 { return a }
        return a * (1 - fraction) + b * fraction
    }

    /// The earliest exposure start at or after `arrival` such that the lead-in transition and
    /// the block both lie in one of the candidate's intervals.
    @inline(__always)
    func earliestStart(_ index: Int, arrival: Double, leadIn: Double) -> Double? {
        let block = blocks[index]
        for interval in offsets[index]..<offsets[index + 1] {
            let start = max(lowers[interval] + leadIn, arrival)
            if start + block <= min(uppers[interval], horizon) { return start }
        }
        return nil
    }

    /// The end of the interval that holds a start, less the block: the latest the start may slip.
    private func latestStart(_ index: Int, sameIntervalAs start: Double) -> Double {
        for interval in offsets[index]..<offsets[index + 1] where lowers[interval] <= start && start <= uppers[interval] {
            return min(uppers[interval], horizon) - blocks[index]
        }
        return start
    }

    /// The first and last instants at which a candidate is observable.
    private func span(_ index: Int) -> (first: Double, last: Double) { (lowers[offsets[index]], uppers[offsets[index + 1] - 1]) }

    // MARK: Forward pass

    /// Times a route that differs from `base` only locally: its first `prefix` visits are
    /// `base`'s (their times are copied), and from `suffixStart` on, visit `p` is `base`'s visit
    /// `p + offset`. The forward pass stops as soon as a suffix visit starts when it did in
    /// `base`: everything after it is then `base`'s again.
    func timed(_ order: [Int], reusing base: Route?, prefix: Int, suffixStart: Int, offset: Int) -> Route? {
        var route = Route()
        route.order = order
        route.starts.reserveCapacity(order.count)
        route.ends.reserveCapacity(order.count)
        route.transitions.reserveCapacity(order.count)
        route.values.reserveCapacity(order.count)
        var time = start.time
        var previous: Int?
        var position = 0
        if let base, prefix > 0 {
            route.starts.append(contentsOf: base.starts[0..<prefix])
            route.ends.append(contentsOf: base.ends[0..<prefix])
            route.transitions.append(contentsOf: base.transitions[0..<prefix])
            route.values.append(contentsOf: base.values[0..<prefix])
            route.total = base.values[0..<prefix].reduce(0, +)
            time = base.ends[prefix - 1]
            previous = order[prefix - 1]
            position = prefix
        }
        while position < order.count {
            let index = order[position]
            let lead = transition(from: previous, to: index, at: time)
            guard let begin = earliestStart(index, arrival: time + lead, leadIn: lead) else { return nil }
            if let base, position >= suffixStart, begin == base.starts[position + offset] {
                // From here on the route is base's, shifted by `offset` positions.
                let rest = (position + offset)..<base.count
                route.starts.append(contentsOf: base.starts[rest])
                route.ends.append(contentsOf: base.ends[rest])
                route.transitions.append(lead)
                route.transitions.append(contentsOf: base.transitions[(position + offset + 1)..<base.count])
                route.values.append(contentsOf: base.values[rest])
                route.total += base.values[rest].reduce(0, +)
                break
            }
            let end = begin + blocks[index]
            let value = value(index, start: begin)
            route.starts.append(begin)
            route.ends.append(end)
            route.transitions.append(lead)
            route.values.append(value)
            route.total += value
            time = end
            previous = index
            position += 1
        }
        computeShifts(&route)
        return route
    }

    /// Backward pass: how far each start may slip (to the end of its interval, and without
    /// pushing a later visit out of its own).
    private func computeShifts(_ route: inout Route) {
        let count = route.count
        route.maxShift = [Double](repeating: 0, count: count)
        var slack = Double.infinity
        for position in stride(from: count - 1, through: 0, by: -1) {
            let index = route.order[position]
            let own = latestStart(index, sameIntervalAs: route.starts[position]) - route.starts[position]
            let shift = max(0, min(own, slack))
            route.maxShift[position] = shift
            if position > 0 {
                let wait = route.starts[position] - route.transitions[position] - route.ends[position - 1]
                slack = max(0, wait) + shift
            }
        }
    }

    // MARK: Insertion

    /// The cheapest feasible position for a candidate: (position, merit² / time consumed).
    /// - Parameter positions: the positions to try; `nil` for every position in the
    ///   candidate's observable span.
    func bestInsertion(of index: Int, into route: Route, positions: ClosedRange<Int>? = nil) -> (position: Int, ratio: Double)? {
        let (first, last) = span(index)
        let block = blocks[index]
        // Positions whose preceding visit ends inside the candidate's night.
        let earliestEnd = first - 600
        let latestEnd = last - block
        var low = 0, high = route.count
        while low < high {
            let middle = (low + high) / 2
            if route.ends[middle] < earliestEnd { low = middle + 1 } else { high = middle }
        }
        var best: (position: Int, ratio: Double)?
        var position = max(low, positions?.lowerBound ?? 0)
        let lastPosition = min(route.count, positions?.upperBound ?? route.count)
        while position <= lastPosition {
            let previousEnd = position == 0 ? start.time : route.ends[position - 1]
            if previousEnd > latestEnd { break }
            let previous = position == 0 ? nil : route.order[position - 1]
            let lead = transition(from: previous, to: index, at: previousEnd)
            if let begin = earliestStart(index, arrival: previousEnd + lead, leadIn: lead) {
                let end = begin + block
                var consumed = end - previousEnd
                var feasible = true
                if position < route.count {
                    let next = route.order[position]
                    let leadNext = transition(from: index, to: next, at: end)
                    let arrivalNext = end + leadNext
                    let shift = arrivalNext - route.starts[position]
                    if shift > route.maxShift[position] + 1e-9 {
                        feasible = false
                    } else {
                        consumed = arrivalNext - (route.starts[position] - route.transitions[position])
                    }
                    // The next visit may also need to wait for its lead-in within its interval.
                    if feasible, earliestStart(next, arrival: arrivalNext, leadIn: leadNext).map({ $0 - route.starts[position] > route.maxShift[position] + 1e-9 }) ?? true {
                        feasible = false
                    }
                }
                if feasible {
                    let value = value(index, start: begin)
                    let ratio = value * value / max(consumed, 1)
                    if best == nil || ratio > best!.ratio { best = (position, ratio) }
                }
            }
            position += 1
        }
        return best
    }

    /// Inserts candidates from `pool` while any fits, best ratio first (lazy re-evaluation).
    ///
    /// - Parameter near: when given, only positions within this range of the route (as it was
    ///   when the fill began, widened by one per insertion) are tried: the local refill of
    ///   iterated local search.
    func fill(_ route: inout Route, from pool: [Int], scheduled: inout [Bool], near: ClosedRange<Int>? = nil) {
        var window = near
        var ratios: [(index: Int, ratio: Double)] = []
        ratios.reserveCapacity(pool.count)
        for index in pool where !scheduled[index] {
            if let insertion = bestInsertion(of: index, into: route, positions: window) { ratios.append((index, insertion.ratio)) }
        }
        while !ratios.isEmpty {
            // The best stale ratio; re-evaluate it, and insert if it is still the best.
            var bestSlot = 0
            for slot in 1..<ratios.count where ratios[slot].ratio > ratios[bestSlot].ratio { bestSlot = slot }
            let index = ratios[bestSlot].index
            guard let insertion = bestInsertion(of: index, into: route, positions: window) else {
                ratios.swapAt(bestSlot, ratios.count - 1)
                ratios.removeLast()
                continue
            }
            var runnerUp = -Double.infinity
            for slot in ratios.indices where slot != bestSlot { runnerUp = max(runnerUp, ratios[slot].ratio) }
            if insertion.ratio + 1e-12 < runnerUp {
                ratios[bestSlot].ratio = insertion.ratio
                continue
            }
            var order = route.order
            order.insert(index, at: insertion.position)
            ratios.swapAt(bestSlot, ratios.count - 1)
            ratios.removeLast()
            if let timed = timed(order, reusing: route, prefix: insertion.position, suffixStart: insertion.position + 1, offset: -1),
                timed.total > route.total
            {
                route = timed
                scheduled[index] = true
                if let current = window { window = current.lowerBound...(current.upperBound + 1) }
            }
        }
    }

    // MARK: Improvement

    /// Swaps neighbouring visits where that raises total merit or frees time at equal merit.
    func swapNeighbours(_ route: inout Route) {
        guard route.count >= 2 else { return }
        var improved = true
        var passes = 0
        while improved && passes < 4 {
            improved = false
            passes += 1
            for position in 0..<(route.count - 1) {
                var order = route.order
                order.swapAt(position, position + 1)
                guard let timed = timed(order, reusing: route, prefix: position, suffixStart: position + 2, offset: 0) else { continue }
                let freesTime = timed.ends.last! < route.ends.last! - 1e-6
                if timed.total > route.total + 1e-9 || (timed.total >= route.total - 1e-12 && freesTime) {
                    route = timed
                    improved = true
                }
            }
        }
    }

    /// Iterated local search after Vansteenwegen et al. (2009): shake the current route by
    /// removing a run of `size` visits starting at `position`, refill around the gap from the
    /// most valuable candidates observable then, and keep the best route seen. The run grows by
    /// one visit and its start moves on by the run's length after every shake, the run shrinks
    /// back to one visit after an improvement, and the search restarts from the best route when
    /// it has wandered without improving for a while. Deterministic.
    func improve(_ route: inout Route, scheduled: inout [Bool], rounds: Int, seed: UInt64, refillPoolSize: Int = 48) {
        guard route.count > 0, rounds > 0 else { return }
        let byMerit = candidates.indices.sorted { (candidates[$0].bestMerit, -$0) > (candidates[$1].bestMerit, -$1) }
        var best = route, bestScheduled = scheduled
        var current = route, currentScheduled = scheduled
        var size = 1, position = Int(seed % UInt64(max(1, route.count)))
        var sinceImprovement = 0
        let largestShake = max(1, min(route.count / 3, 12))
        for _ in 0..<rounds {
            guard current.count > 0 else { break }
            if position >= current.count { position %= current.count }
            let length = min(size, current.count - position)
            let removed = Array(current.order[position..<(position + length)])
            let gapStart = position == 0 ? start.time : current.ends[position - 1]
            let gapEnd = position + length < current.count ? current.starts[position + length] : horizon
            var order = current.order
            order.removeSubrange(position..<(position + length))
            guard var trial = timed(order, reusing: current, prefix: position, suffixStart: position, offset: length) else { break }
            var trialScheduled = currentScheduled
            for index in removed { trialScheduled[index] = false }
            // The most valuable candidates observable in the freed time (plus what the shift of
            // later visits may free), tried only around the gap.
            var pool: [Int] = []
            for index in byMerit where !trialScheduled[index] {
                for interval in offsets[index]..<offsets[index + 1] where uppers[interval] >= gapStart && lowers[interval] <= gapEnd + 1800 {
                    pool.append(index)
                    break
                }
                if pool.count == refillPoolSize { break }
            }
            for index in removed where !pool.contains(index) { pool.append(index) }
            fill(&trial, from: pool, scheduled: &trialScheduled, near: max(0, position - 1)...(position + 1))
            current = trial
            currentScheduled = trialScheduled
            if current.total > best.total + 1e-9 {
                best = current
                bestScheduled = currentScheduled
                size = 1
                sinceImprovement = 0
            } else {
                position += size
                size = size >= largestShake ? 1 : size + 1
                sinceImprovement += 1
                if sinceImprovement % (2 * largestShake) == 0 {
                    current = best
                    currentScheduled = bestScheduled
                }
            }
        }
        route = best
        scheduled = bestScheduled
    }
}
