// Planning benchmark (issue 7): one night at Xinglong with 50, 200 and 1,000 targets.
// - Plain case (300-s blocks in 5-minute slots, no overheads; altitude ≥ 30°, airmass ≤ 2,
//   astronomical night, Moon ≥ 20°): Starling's exact slot assignment against astroplan's
//   PriorityScheduler (time ratio, value, fraction of the night) and against the optimum of the
//   same problem as an integer program (pulp + CBC).
// - Realistic case (slew + settle + filter change + readout, 120/300/600-s blocks in g, r, i,
//   cadence-weighted value): Starling's sequencing against the best solution CBC finds in 60 s.
// - Array scale: every telescope of sites/ and the 12,093 galaxies of catalogs/galaxies_40mpc.csv;
//   re-planning one telescope from the middle of its night.

import BenchmarkSupport
import Foundation
import Planning
import Sky
import StarlingCore

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let layout = ProjectLayout(root: root)
let network = try layout.loadNetwork()
let xinglong = network.site("xinglong")!
let telescope = xinglong.telescopes[0]
let localDate = CalendarDate("2026-11-23")!
let night = try SiteNight(site: xinglong, localDate: localDate)
let dark = night.astronomical!
let slotSeconds = 300.0
let slotStarts = stride(from: 0.0, through: dark.duration - slotSeconds, by: slotSeconds).map { dark.start.addingTimeInterval($0) }

func randomTargets(_ count: Int, seed: UInt64) -> [Target] {
    var random = SeededGenerator(seed: seed)
    return (0..<count).map { index in
        let coordinates = try! EquatorialCoordinates(
            rightAscensionDegrees: 360 * random.nextUnit(), declinationDegrees: asin(2 * random.nextUnit() - 1) * 180 / .pi)
        return Target(
            id: TargetID("t\(index)"), name: "T\(index)", coordinates: coordinates, kind: .galaxy, priority: Double(random.next() % 11),
            cadenceNights: 5)
    }
}

func surveyRequests(_ targets: [Target], mixed: Bool, seed: UInt64) -> [ObservationRequest] {
    var random = SeededGenerator(seed: seed)
    return targets.map { target in
        let filter = mixed ? ["g", "r", "i"][Int(random.next() % 3)] : "r"
        let exposure = mixed ? [120.0, 300, 600][Int(random.next() % 3)] : 300
        return ObservationRequest(
            id: RequestID("survey:\(target.id)"), target: target, exposures: [ExposureSpec(filter: Filter(filter), exposureSeconds: exposure)],
            priority: target.priority)
    }
}

func utc(_ date: Date) -> String { String(ISO8601.string(from: date, fractionalSeconds: false).dropLast()) }

/// Parts to run (`PLANNING_BENCHMARK_PARTS=plain,realistic,array,peer`; all by default).
let parts = Set((ProcessInfo.processInfo.environment["PLANNING_BENCHMARK_PARTS"] ?? "plain,realistic,array,peer").split(separator: ",").map(String.init))
let improvementRounds = Int(ProcessInfo.processInfo.environment["PLANNING_BENCHMARK_ROUNDS"] ?? "") ?? NightScheduler.Configuration().improvementRoundsPerVisit

var report = BenchmarkReport(title: "Planning: one night at Xinglong (\(localDate)), then the whole array")
var peerCases: [[String: Any]] = []
var starlingPlain: [Int: (seconds: Double, preparedSeconds: Double, value: Double, slotsUsed: Int)] = [:]

// MARK: Plain case

let plainConfiguration = NightScheduler.Configuration(merit: .priorityOnly, countsOverheads: false)
let plainScheduler = NightScheduler(site: xinglong, telescope: telescope, configuration: plainConfiguration)
for count in [50, 200, 1000] where parts.contains("plain") {
    let targets = randomTargets(count, seed: UInt64(count))
    let requests = surveyRequests(targets, mixed: false, seed: 1)
    var schedule: Schedule?
    // Everything: the night's frames (Sun, Moon, Earth orientation), the grid, the schedule.
    let timing = try Timing.measure(repeats: 5) {
        let fresh = try SiteNight(site: xinglong, localDate: localDate)
        schedule = try plainScheduler.schedule(requests, night: fresh, origin: .init(time: dark.start))
    }
    // With the site's night prepared once (as the array planner and re-planning use it).
    let prepared = try Timing.measure(repeats: 9) {
        schedule = try plainScheduler.schedule(requests, night: night, origin: .init(time: dark.start))
    }
    let windows = plainScheduler.observableWindows(requests, night: night)
    let feasible = windows.map { intervals in
        slotStarts.indices.filter { slot in
            intervals.contains { $0.start <= slotStarts[slot] && slotStarts[slot].addingTimeInterval(slotSeconds) <= $0.end }
        }
    }
    starlingPlain[count] = (timing.best, prepared.best, schedule!.totalMerit, schedule!.entries.count)
    peerCases.append([
        "kind": "plain", "count": count, "ra_deg": targets.map(\.coordinates.rightAscension.degrees),
        "dec_deg": targets.map(\.coordinates.declination.degrees), "values": targets.map { 1 + $0.priority }, "feasible_slots": feasible,
    ])
}

// MARK: Realistic case

var starlingRealistic: [Int: (seconds: Double, value: Double, count: Int, used: Double)] = [:]
let realisticConfiguration = NightScheduler.Configuration(
    merit: .priorityAndCadence, countsOverheads: true, improvementRoundsPerVisit: improvementRounds)
// The same telescope under a clamshell: a dome's turn depends on the instant (the targets'
// azimuths then), which the peer's fixed transition matrix cannot express; without it both
// solve the same problem.
let realisticTelescope = Telescope(
    id: telescope.id, name: telescope.name, apertureMeters: telescope.apertureMeters, focalLengthMillimeters: telescope.focalLengthMillimeters,
    camera: telescope.camera, filters: telescope.filters, mount: telescope.mount,
    enclosure: EnclosureModel(kind: .clamshell, openSeconds: telescope.enclosure.openSeconds, closeSeconds: telescope.enclosure.closeSeconds),
    filterChangeSeconds: telescope.filterChangeSeconds, throughput: telescope.throughput, safety: telescope.safety, driver: telescope.driver)
let realisticScheduler = NightScheduler(site: xinglong, telescope: realisticTelescope, configuration: realisticConfiguration)
let overheads = Overheads(telescope: realisticTelescope)
for count in [50, 200] where parts.contains("realistic") {
    let targets = randomTargets(count, seed: UInt64(count) + 7)
    let requests = surveyRequests(targets, mixed: true, seed: 2)
    var random = SeededGenerator(seed: 99)
    var lastVisits: [TargetID: Date] = [:]
    for target in targets where random.nextUnit() < 0.7 {
        lastVisits[target.id] = dark.start.addingTimeInterval(-86_400 * (1 + 12 * random.nextUnit()))
    }
    var schedule: Schedule?
    let timing = try Timing.measure(repeats: 5) {
        let fresh = try SiteNight(site: xinglong, localDate: localDate)
        schedule = try realisticScheduler.schedule(requests, night: fresh, origin: .init(time: dark.start), lastVisits: lastVisits)
    }
    let merit = MeritModel.priorityAndCadence
    let values = targets.map {
        merit.priorityWeight($0.priority) * merit.cadenceFactor(cadenceNights: $0.cadenceNights, lastVisit: lastVisits[$0.id], at: night.instants[0])
    }
    let windows = realisticScheduler.observableWindows(requests, night: night)
    let transitions = requests.map { a in
        requests.map { b in
            overheads.leadInSeconds(
                slewSeconds: overheads.slewSeconds(
                    firstAxisDegrees: a.target.coordinates.rightAscension.degrees - b.target.coordinates.rightAscension.degrees,
                    secondAxisDegrees: a.target.coordinates.declination.degrees - b.target.coordinates.declination.degrees),
                changesFilter: a.exposures.last!.filter != b.exposures[0].filter)
        }
    }
    let fromPark = requests.map { _ in
        overheads.leadInSeconds(slewSeconds: overheads.slewSeconds(firstAxisDegrees: Overheads.unknownPointingSlewDegrees, secondAxisDegrees: 0), changesFilter: true)
    }
    let used = schedule!.entries.reduce(0.0) { $0 + $1.end.timeIntervalSince($1.start) } / dark.duration
    starlingRealistic[count] = (timing.best, schedule!.totalMerit, schedule!.entries.count, used)
    peerCases.append([
        "kind": "realistic", "count": count, "values": values, "durations": requests.map(overheads.blockSeconds),
        "windows": windows.map { $0.map { [$0.start.timeIntervalSince(dark.start), $0.end.timeIntervalSince(dark.start)] } },
        "transitions": transitions, "from_park": fromPark, "horizon_s": dark.duration, "time_limit_s": 60,
    ])
}

// MARK: Array scale and re-planning

var arrayLines: [(name: String, timing: Timing, target: Double, note: String)] = []
if parts.contains("array") {
    let catalog = try layout.loadCatalog(named: "galaxies_40mpc")
    let planner = ArrayPlanner(network: network)
    var arrayPlan: ArrayPlan?
    let arrayTiming = try Timing.measure(repeats: 3) { arrayPlan = try planner.plan(.utcDate(localDate), catalog: catalog.targets) }
    let plans = arrayPlan!.plans
    let planned = plans.reduce(0) { $0 + $1.schedule.entries.count }
    let distinct = Set(plans.flatMap { $0.schedule.entries.map(\.request.target.id) }).count
    let merit = plans.reduce(0.0) { $0 + $1.schedule.totalMerit }
    arrayLines.append((
        "array: \(network.telescopeCount) telescopes × \(catalog.targets.count) targets", arrayTiming, 2,
        "\(planned) observations, \(distinct) distinct targets, total merit \(String(format: "%.1f", merit)), median \(BenchmarkReport.format(arrayTiming.median))"))
    let prepared = arrayPlan!.sites[xinglong.id]!
    let middle = prepared.night.instants[prepared.night.instantCount / 2]
    let others = Set(plans.filter { $0.telescope.id != telescope.id }.flatMap { $0.schedule.entries.map(\.request.target.id) })
    var replanned: Schedule?
    let replanTiming = try Timing.measure(repeats: 10) {
        replanned = try planner.replan(
            telescope: telescope.id, prepared: prepared, origin: .init(time: middle), excluding: others, lastVisits: [:],
            forecast: ClimateForecast(climate: xinglong.climate))
    }
    arrayLines.append((
        "re-plan \(telescope.id) from mid-night (\(prepared.targets.count) candidates in the site's pool)", replanTiming, 0.020,
        "\(replanned!.entries.count) observations, median \(BenchmarkReport.format(replanTiming.median))"))
}

// MARK: Peers

let input = FileManager.default.temporaryDirectory.appendingPathComponent("starling-planning-benchmark.json")
let spec: [String: Any] = [
    "latitude_deg": xinglong.location.latitude.degrees, "longitude_deg": xinglong.location.longitude.degrees,
    "height_m": xinglong.location.elevationMeters, "dusk_utc": utc(dark.start), "dawn_utc": utc(dark.end),
    "slot_starts_utc": slotStarts.map(utc), "slot_s": slotSeconds, "cases": peerCases,
]
try JSONSerialization.data(withJSONObject: spec).write(to: input)
var peer: [String: Any] = [:]
if parts.contains("peer") {
    do { peer = try Peer.python("planning_peer.py", [input.path]) } catch { print("peer failed: \(error)") }
}
let results = peer["cases"] as? [[String: Any]] ?? []
func peerResult(_ kind: String, _ count: Int, in results: [[String: Any]]) -> [String: Any]? {
    results.first { $0["kind"] as? String == kind && $0["count"] as? Int == count }
}

for count in [50, 200, 1000] where parts.contains("plain") {
    let ours = starlingPlain[count]!
    let result = peerResult("plain", count, in: results)
    report.add(
        "plain, \(count) targets: night prepared, grid + schedule", starling: ours.preparedSeconds, peer: "astroplan PriorityScheduler",
        peerSeconds: result?["astroplan_seconds"] as? Double, target: 1000)
    report.add(
        "plain, \(count) targets: incl. preparing the night", starling: ours.seconds, peer: "astroplan PriorityScheduler",
        peerSeconds: result?["astroplan_seconds"] as? Double)
    if let result, let optimum = result["ip_value"] as? Double {
        let astroplanValue = result["astroplan_value"] as? Double ?? 0
        let slots = Double(slotStarts.count)
        report.note(String(
            format: "plain %4d: value Starling %.1f = %.2f%% of the IP optimum %.1f (CBC %.2f s, %@); astroplan %.1f = %.1f%%; night used Starling %.1f%%, IP %.1f%%, astroplan %.1f%%",
            count, ours.value, 100 * ours.value / optimum, optimum, result["ip_seconds"] as? Double ?? .nan, result["ip_status"] as? String ?? "?",
            astroplanValue, 100 * astroplanValue / optimum, 100 * Double(ours.slotsUsed) / slots,
            100 * (result["ip_slots_used"] as? Double ?? 0) / slots, 100 * (result["astroplan_slots_used"] as? Double ?? 0) / slots))
    }
}
for count in [50, 200] where parts.contains("realistic") {
    let ours = starlingRealistic[count]!
    report.note(String(format: "realistic %d: Starling value %.2f, %d observations", count, ours.value, ours.count))
    let result = peerResult("realistic", count, in: results)
    report.add("realistic, \(count) targets: schedule", starling: ours.seconds, peer: "CBC 60 s", peerSeconds: result?["ip_seconds"] as? Double)
    if let result, let best = result["ip_value"] as? Double {
        report.note(String(
            format: "realistic %d: value Starling %.2f (%d observations, %.1f%% of the night) = %.1f%% of CBC's best %.2f (%@; target ≥ 97%%)",
            count, ours.value, ours.count, 100 * ours.used, 100 * ours.value / best, best, result["ip_status"] as? String ?? "?"))
    }
}
for line in arrayLines {
    report.add(line.name, starling: line.timing.best, peer: "target \(BenchmarkReport.format(line.target))", peerSeconds: line.target, note: line.note)
}
report.print()
