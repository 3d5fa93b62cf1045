import Foundation
import Sky
import StarlingCore
import Testing

@testable import Planning

/// The plain case (equal blocks, no overheads) is an assignment problem, and the scheduler
/// must reach its optimum; checked against independent exact methods.
struct SchedulerExactnessTests {
    /// The Hungarian method against brute force over every assignment, on random small matrices.
    @Test(arguments: 0..<40)
    func assignmentMatchesBruteForce(seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed))
        let rows = 1 + Int(random.next() % 5), columns = 1 + Int(random.next() % 6)
        var weights = [[Double?]](repeating: [Double?](repeating: nil, count: columns), count: rows)
        for row in 0..<rows {
            for column in 0..<columns where random.nextUnit() < 0.7 { weights[row][column] = (100 * random.nextUnit()).rounded() }
        }
        let chosen = Assignment.maximumWeight(rows: rows, columns: columns) { weights[$0][$1] }
        var used = Set<Int>()
        var total = 0.0
        for (row, column) in chosen.enumerated() {
            guard let column else { continue }
            #expect(used.insert(column).inserted, "column \(column) used twice")
            let weight = weights[row][column]
            #expect(weight != nil, "a forbidden pair was chosen")
            total += weight ?? 0
        }
        #expect(abs(total - bruteForce(weights, row: 0, used: [])) < 1e-9)
    }

    /// The matroid greedy (weights per column) against brute force.
    @Test(arguments: 0..<40)
    func transversalGreedyMatchesBruteForce(seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed) &+ 1000)
        let rows = 1 + Int(random.next() % 5), columns = 1 + Int(random.next() % 7)
        let values = (0..<columns).map { _ in (10 * random.nextUnit()).rounded() }
        let allowed = (0..<columns).map { _ in (0..<rows).filter { _ in random.nextUnit() < 0.5 } }
        let chosen = Assignment.maximumWeightTransversal(rows: rows, weights: values, allowedRows: allowed)
        var used = Set<Int>()
        var total = 0.0
        for (row, column) in chosen.enumerated() {
            guard let column else { continue }
            #expect(used.insert(column).inserted)
            #expect(allowed[column].contains(row))
            total += values[column]
        }
        let matrix = (0..<rows).map { row in (0..<columns).map { allowed[$0].contains(row) ? values[$0] : nil } }
        #expect(abs(total - bruteForce(matrix, row: 0, used: [])) < 1e-9)
    }

    private func bruteForce(_ weights: [[Double?]], row: Int, used: Set<Int>) -> Double {
        guard row < weights.count else { return 0 }
        var best = bruteForce(weights, row: row + 1, used: used)
        for (column, weight) in weights[row].enumerated() where !used.contains(column) {
            if let weight { best = max(best, weight + bruteForce(weights, row: row + 1, used: used.union([column]))) }
        }
        return best
    }

    /// A whole night in the plain case: the scheduler's total priority equals the best subset of
    /// targets that can all be given distinct feasible slots (Hall's condition checked by
    /// augmenting paths, every subset of the targets tried).
    @Test(arguments: [UInt64(7), 11, 23])
    func plainNightReachesTheOptimum(seed: UInt64) throws {
        let site = try #require(try PlanningTestSupport.network().site("xinglong"))
        let night = try SiteNight(site: site, localDate: CalendarDate("2026-11-23")!)
        // Few slots (a re-plan from 40 minutes before dawn), so that choosing matters.
        let targets = try PlanningTestSupport.randomCatalog(count: 40, seed: seed).filter { $0.coordinates.declination.degrees > -10 }
        let requests = PlanningTestSupport.requests(for: targets, seed: seed, mixed: false)
        let dawn = try #require(night.astronomical).end
        let origin = NightScheduler.Origin(time: dawn.addingTimeInterval(-2400))
        let configuration = NightScheduler.Configuration(merit: .priorityOnly, countsOverheads: false)
        let scheduler = NightScheduler(site: site, telescope: site.telescopes[0], configuration: configuration)
        let schedule = try scheduler.schedule(requests, night: night, origin: origin)
        #expect(schedule.algorithm.contains("assignment"))

        // The same slots and feasibility, rebuilt from the planner's candidates.
        let grid = night.grid(for: requests.map(\.target.coordinates))
        var builder = CandidateBuilder(
            night: night, grid: grid, telescope: site.telescopes[0], merit: .priorityOnly, overheads: .none, margins: ConstraintMargins(),
            forecast: ClearSkyForecast())
        let candidates = requests.enumerated().compactMap { builder.candidate(for: $1, row: $0, lastVisit: nil) }
        let start = origin.time!.timeIntervalSince(night.instants[0])
        let horizon = Double(night.instantCount - 1) * night.stepSeconds
        let slots = Int(((horizon - start) / 300).rounded(.down))
        let feasible = candidates.map { candidate in
            (0..<slots).filter { candidate.fits(at: start + Double($0) * 300) }
        }
        let useful = candidates.indices.filter { !feasible[$0].isEmpty }
        try #require(useful.count <= 16, "too many useful targets for exhaustive search: \(useful.count)")
        var best = 0.0
        for mask in 0..<(1 << useful.count) {
            let subset = useful.indices.filter { mask & (1 << $0) != 0 }.map { useful[$0] }
            let value = subset.reduce(0.0) { $0 + 1 + candidates[$1].request.priority }
            guard value > best, matchesAll(subset, feasible: feasible) else { continue }
            best = value
        }
        #expect(best > 0)
        #expect(useful.count > schedule.entries.count, "every useful target fits: the instance does not test choosing")
        #expect(abs(schedule.totalMerit - best) < 1e-6, "scheduler \(schedule.totalMerit), optimum \(best)")
    }

    /// Whether every candidate in the subset can get its own slot (Kuhn's augmenting paths).
    private func matchesAll(_ subset: [Int], feasible: [[Int]]) -> Bool {
        var owner: [Int: Int] = [:]
        func augment(_ candidate: Int, _ visited: inout Set<Int>) -> Bool {
            for slot in feasible[candidate] where visited.insert(slot).inserted {
                if owner[slot] == nil || augment(owner[slot]!, &visited) {
                    owner[slot] = candidate
                    return true
                }
            }
            return false
        }
        for candidate in subset {
            var visited = Set<Int>()
            if !augment(candidate, &visited) { return false }
        }
        return true
    }

    /// With overheads and mixed exposure lengths, the sequence never overlaps and accounts for
    /// the slew and filter change before each block.
    @Test func realisticPlanLeavesTimeForEveryTransition() throws {
        let site = try #require(try PlanningTestSupport.network().site("xinglong"))
        let telescope = site.telescopes[0]
        let night = try SiteNight(site: site, localDate: CalendarDate("2026-11-23")!)
        let targets = try PlanningTestSupport.randomCatalog(count: 120, seed: 5)
        let requests = PlanningTestSupport.requests(for: targets, seed: 5, mixed: true)
        let scheduler = NightScheduler(site: site, telescope: telescope)
        let schedule = try scheduler.schedule(requests, night: night)
        #expect(schedule.entries.count > 20)
        let overheads = Overheads(telescope: telescope)
        for (previous, next) in zip(schedule.entries, schedule.entries.dropFirst()) {
            let a = previous.request, b = next.request
            let slew = overheads.slewSeconds(
                firstAxisDegrees: a.target.coordinates.rightAscension.degrees - b.target.coordinates.rightAscension.degrees,
                secondAxisDegrees: a.target.coordinates.declination.degrees - b.target.coordinates.declination.degrees)
            let transition = overheads.leadInSeconds(slewSeconds: slew, changesFilter: a.exposures.last!.filter != b.exposures[0].filter)
            let exposureStart = next.end.timeIntervalSince(next.start) - overheads.blockSeconds(b)
            #expect(next.start >= previous.end)
            #expect(exposureStart >= transition - 1e-6, "\(b.id): \(exposureStart) s lead-in for a \(transition) s transition")
        }
    }
}

/// Which night of each site belongs to a UTC date.
struct NightSelectionTests {
    @Test(arguments: [("xinglong", "2026-11-23"), ("haleakala", "2026-11-22"), ("cerro-tololo", "2026-11-22"), ("la-palma", "2026-11-22"),
        ("siding-spring", "2026-11-23"), ("mount-john", "2026-11-23")])
    func nightOfAUTCDate(site: String, localDate: String) throws {
        let site = try #require(try PlanningTestSupport.network().site(SiteID(site)))
        let date = SiteNight.localDate(forUTCDate: CalendarDate("2026-11-23")!, at: site)
        #expect(date == CalendarDate(localDate))
        // The chosen night's darkness overlaps the UTC date more than the next night's does.
        let utcDay = DateInterval(start: CalendarDate("2026-11-23")!.instant(in: TimeZone(identifier: "UTC")!), duration: 86_400)
        func overlap(_ night: SiteNight) -> Double { night.astronomical.flatMap { $0.intersection(with: utcDay)?.duration } ?? 0 }
        let chosen = try SiteNight(site: site, localDate: date), next = try SiteNight(site: site, localDate: date.adding(days: 1))
        #expect(overlap(chosen) > overlap(next))
    }
}

/// The fixed-decimal formatter plans use for their notes and reasons.
struct FormatTests {
    @Test(arguments: zip(
        [(2.176, 2), (0.004, 2), (-1.26, 1), (12.0, 0), (-0.001, 2), (9.996, 2), (3.14159, 3)],
        ["2.18", "0.00", "-1.3", "12", "0.00", "10.00", "3.142"]))
    func formatsAsPrintfDoesAwayFromHalves(input: (Double, Int), expected: String) {
        #expect(format(input.0, input.1) == expected)
    }
}

/// Coverage of the catalog over its cadence: night after night, the plans move on to targets
/// not visited lately.
struct CadenceCoverageTests {
    @Test func consecutiveNightsCoverNewTargets() throws {
        let network = try PlanningTestSupport.network()
        let catalog = try PlanningTestSupport.layout.loadCatalog(named: "nearby_galaxies").targets
        let planner = ArrayPlanner(network: network)
        var lastVisits: [TargetID: Date] = [:]
        var nights: [Set<TargetID>] = []
        for offset in 0..<3 {
            let date = CalendarDate("2026-11-23")!.adding(days: offset)
            let plan = try planner.plan(.utcDate(date), catalog: catalog, lastVisits: lastVisits, telescopes: ["xinglong-1m-a"])
            let entries = try #require(plan.plans.first).schedule.entries
            #expect(entries.count > 50)
            nights.append(Set(entries.map(\.request.target.id)))
            for entry in entries { lastVisits[entry.request.target.id] = entry.start }
        }
        // The catalog's cadence is 5 nights: yesterday's targets are not due, never-visited ones are.
        for (earlier, later) in [(0, 1), (0, 2), (1, 2)] {
            let repeated = nights[earlier].intersection(nights[later]).count
            #expect(Double(repeated) < 0.05 * Double(nights[later].count), "nights \(earlier) and \(later) share \(repeated) targets")
        }
    }
}
