// Gravitational-wave coverage benchmark (issue 17): the default scenario's sky map
// (S261124ab, 90 % region 90.4 deg², 36 ± 8 Mpc), planned by Starling's CoveragePlanner and by
// gwemopt (peers/gwcoverage_peer.py) with the same telescopes (field of view, site, altitude
// limit, exposure, readout), from the same instant over the same 24 hours.
//
// For each array it runs gwemopt, takes the number of fields it scheduled, asks Starling for
// that many, and measures both plans' covered probability twice: with Starling's
// HEALPixSkyMap.coverage and, independently, with healpy polygons (the peer's `measure`).
// Times are wall-clock medians of repeated runs in one warm process, for the whole decision
// from the sky map's FITS bytes to the schedule: Starling on one thread; gwemopt as it runs
// (Python, with mocpy free to use both cores), so the ratio is whole-process against one core.
// Targets: covered probability ≥ gwemopt's for the same number of fields; ≥ 100× faster.

import BenchmarkSupport
import Coordination
import Foundation
import Sky
import SkyMaps
import StarlingCore

/// Seconds of CPU this process has used (all threads): unlike wall time, what another
/// build on the shared machine takes does not count.
func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

/// The median CPU seconds of `repeats` runs of `body`, after one warm-up run.
func cpuMedian(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var samples: [Double] = []
    for _ in 0..<max(1, repeats) {
        let start = processCPUSeconds()
        try body()
        samples.append(processCPUSeconds() - start)
    }
    return samples.sorted()[samples.count / 2]
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let layout = ProjectLayout(root: root)
let fullNetwork = try layout.loadNetwork()
let galaxies = try layout.loadCatalog(named: "nearby_galaxies").targets
let noticePath = root + "/simulations/alerts/lvk-S261124ab-preliminary.json"
let raw = try Data(contentsOf: URL(fileURLWithPath: noticePath))
let alert = try AlertParser.parse(raw).alert
let now = ISO8601.date(from: "2026-11-24T03:12:40Z")!  // when the scenario delivers the notice
let directory = NSTemporaryDirectory() + "starling-gwcoverage-benchmark-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }

// The map's FITS bytes, as the peer reads them.
let notice = try JSONSerialization.jsonObject(with: raw) as? [String: Any]
let base64 = ((notice?["event"] as? [String: Any])?["skymap"] as? String) ?? ""
let fitsBytes = Data(base64Encoded: base64) ?? Data()
let mapPath = directory + "/S261124ab.multiorder.fits"
try fitsBytes.write(to: URL(fileURLWithPath: mapPath))
let reader = FITSSkyMapReader()
let map = try reader.readSkyMap(fitsData: fitsBytes, name: "S261124ab")
let repeats = Int(ProcessInfo.processInfo.environment["GWCOVERAGE_REPEATS"] ?? "") ?? 3

/// One comparison: an array of telescopes.
struct Array {
    let name: String
    let telescopes: [(Site, Telescope)]
}

func subarray(_ ids: [String]) -> Array {
    var members: [(Site, Telescope)] = []
    for id in ids {
        guard let located = fullNetwork.locate(TelescopeID(id)) else { fatalError("no telescope \(id) in sites/") }
        members.append((located.site, located.telescope))
    }
    return Array(name: ids.count == 1 ? ids[0] : "\(ids.count) telescopes", telescopes: members)
}

// The telescopes dark with the region up when the notice arrives (Cerro Tololo and Las
// Campanas: four 1.17° survey telescopes, two 26.5′ LCO-design ones and a 32′ CDK), and one
// survey telescope alone.
let arrays = [
    subarray(["cerro-tololo-1m-a"]),
    subarray([
        "cerro-tololo-1m-a", "cerro-tololo-1m-b", "cerro-tololo-lco-c", "cerro-tololo-lco-d", "las-campanas-1m-a", "las-campanas-1m-b",
        "las-campanas-cdk-c",
    ]),
]

func telescopeSpec(_ site: Site, _ telescope: Telescope) -> [String: Any] {
    let exposures = FollowUpExposures.exposures(for: alert, telescope: telescope)
    return [
        "id": telescope.id.rawValue, "latitude_deg": site.location.latitude.degrees, "longitude_deg": site.location.longitude.degrees,
        "elevation_m": site.location.elevationMeters, "width_deg": telescope.fieldWidth.degrees, "height_deg": telescope.fieldHeight.degrees,
        "readout_seconds": telescope.camera.readoutSeconds,
        "overhead_seconds": Overheads(telescope: telescope).blockSeconds(exposures) - exposures[0].exposureSeconds,
        "slew_deg_per_s": telescope.mount.slewRateDegreesPerSecond,
        // The follow-up rule's lowest altitude on this mount (its altitude, airmass and mount limits).
        "minimum_altitude_deg": ObservingLimits(FollowUpPlanner.constraints, mount: telescope.mount, horizon: site.horizonMask).lowestAltitudeDegrees,
    ]
}

func writeJSON(_ object: [String: Any], _ name: String) throws -> String {
    let path = directory + "/" + name
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    return path
}

/// Starling's plan for an array: the decision from the map's bytes on, with the array's
/// telescopes open and idle. `sky` holds the sites' Sun and Moon for the next day: a running
/// coordinator keeps it from one alert to the next (warm); a new one computes them (cold).
func starlingPlan(_ array: Array, strategy: SkyMapStrategy, sky: inout FollowUpPlanner.SkyCache) throws -> FollowUpDecision {
    let sites = Dictionary(grouping: array.telescopes, by: { $0.0.id }).map { _, members in
        let site = members[0].0
        return Site(
            id: site.id, name: site.name, location: site.location, timeZone: site.timeZone, horizonMask: site.horizonMask,
            weatherSource: site.weatherSource, climate: site.climate, telescopes: members.map(\.1), source: site.source)
    }.sorted { $0.id < $1.id }
    let network = ObservatoryNetwork(sites: sites)
    let statuses = Dictionary(uniqueKeysWithValues: array.telescopes.map { site, telescope in
        (telescope.id, TelescopeAvailability(telescopeID: telescope.id, siteID: site.id, state: .idle, activity: .idle))
    })
    let skyMap = try reader.readSkyMap(fitsData: fitsBytes, name: "S261124ab")
    let planner = CoveragePlanner(planner: FollowUpPlanner(network: network), strategy: strategy)
    return planner.decide(alert: alert, skyMap: skyMap, galaxies: galaxies, now: now, statuses: statuses, weather: [:], policy: nil, sky: &sky)
}

// GWCOVERAGE_PROFILE=N: only Starling's plan for N fields, twenty times (for a profiler), of the
// array numbered GWCOVERAGE_ARRAY (0: one telescope; 1, the default: seven).
if let fields = ProcessInfo.processInfo.environment["GWCOVERAGE_PROFILE"].flatMap(Int.init) {
    let array = arrays[min(arrays.count - 1, ProcessInfo.processInfo.environment["GWCOVERAGE_ARRAY"].flatMap(Int.init) ?? 1)]
    var kept = FollowUpPlanner.SkyCache()
    if ProcessInfo.processInfo.environment["GWCOVERAGE_WARM_ONLY"] != nil {
        print("Starling, \(fields) fields: CPU median warm \(BenchmarkReport.format(try cpuMedian(repeats: 200) { _ = try starlingPlan(array, strategy: SkyMapStrategy(credibleLevel: 0.999, maximumFields: fields, minimumGain: 0), sky: &kept) })))")
        exit(0)
    }
    let timing = try Timing.measure(repeats: 20) {
        var sky = FollowUpPlanner.SkyCache()
        _ = try starlingPlan(array, strategy: SkyMapStrategy(credibleLevel: 0.999, maximumFields: fields, minimumGain: 0), sky: &sky)
    }
    let cold = try cpuMedian(repeats: 20) {
        var sky = FollowUpPlanner.SkyCache()
        _ = try starlingPlan(array, strategy: SkyMapStrategy(credibleLevel: 0.999, maximumFields: fields, minimumGain: 0), sky: &sky)
    }
    let warm = try cpuMedian(repeats: 20) { _ = try starlingPlan(array, strategy: SkyMapStrategy(credibleLevel: 0.999, maximumFields: fields, minimumGain: 0), sky: &kept) }
    print("Starling, \(fields) fields: CPU median cold \(BenchmarkReport.format(cold)), warm \(BenchmarkReport.format(warm))")
    // Its parts: reading the map, the host prior, the coverage model and its candidates.
    let fieldsOfView = Swift.Array(Set(array.telescopes.map(\.1.fieldOfView)))
    let parts: [(String, () throws -> Void)] = [
        ("read", { _ = try reader.readSkyMap(fitsData: fitsBytes, name: "S261124ab") }),
        ("prior", { _ = HostGalaxyPrior(map: map, catalog: galaxies) }),
        ("model", { _ = CoverageModel(map: map, credibleLevel: 0.9, prior: nil, fieldsOfView: fieldsOfView) }),
        ("candidates", {
            let model = CoverageModel(map: map, credibleLevel: 0.9, prior: nil, fieldsOfView: fieldsOfView)
            for field in fieldsOfView { _ = model.candidates(for: field) }
        }),
        ("one coverage", { _ = map.coverage(of: [Footprint(center: map.mostProbableDirection, fieldOfView: fieldsOfView[0])]) }),
    ]
    for (name, part) in parts {
        print("  \(name): median \(BenchmarkReport.format(try Timing.measure(repeats: 10, part).median))")
    }
    print("Starling, \(fields) fields: median \(BenchmarkReport.format(timing.median)), best \(BenchmarkReport.format(timing.best))")
    exit(0)
}

// GWCOVERAGE_SCHEDULE=N: the plan of array 0 for N fields (peer-matched strategy), one line a field.
if let fields = ProcessInfo.processInfo.environment["GWCOVERAGE_SCHEDULE"].flatMap(Int.init) {
    var sky = FollowUpPlanner.SkyCache()
    let decision = try starlingPlan(arrays[0], strategy: SkyMapStrategy(credibleLevel: 0.999, maximumFields: fields, minimumGain: 0), sky: &sky)
    var covered: [Footprint] = []
    for planned in decision.assignments.sorted(by: { $0.start < $1.start }) {
        covered.append(Footprint(center: planned.field.center, fieldOfView: planned.field.footprint!))
        print(String(format: "%@ %@ %.3f %.3f %@ p=%.4f level=%.3f alt=%.1f cum=%.4f", planned.field.id, ISO8601.string(from: planned.start, fractionalSeconds: false), planned.field.center.rightAscension.degrees, planned.field.center.declination.degrees, planned.field.label,
                     planned.field.probability, planned.field.credibleLevel ?? -1, planned.altitude.degrees, map.coverage(of: covered).probability))
    }
    exit(0)
}

var report = BenchmarkReport(title: "GW coverage: S261124ab from \(ISO8601.string(from: now, fractionalSeconds: false)) for 24 h")
var shortfalls: [String] = []
for array in arrays {
    let spec: [String: Any] = [
        "skymap": mapPath, "start_utc": ISO8601.string(from: now, fractionalSeconds: false), "hours": 24,
        "exposure_seconds": 120, "maximum_airmass": FollowUpPlanner.constraints.maximumAirmass,
        "repeats": repeats, "telescopes": array.telescopes.map { telescopeSpec($0.0, $0.1) },
    ]
    let specPath = try writeJSON(spec, "spec-\(array.telescopes.count).json")
    let peer: [String: Any]
    do {
        peer = try Peer.python("gwcoverage_peer.py", ["plan", specPath])
    } catch {
        print("\(array.name): gwemopt not run (\(error)); install it with scripts/install-deps --bench")
        continue
    }
    let peerFields = peer["fields"] as? [[String: Any]] ?? []
    let count = peerFields.count
    guard count > 0 else {
        print("\(array.name): gwemopt scheduled no field")
        continue
    }

    // Starling asked for as many fields over what gwemopt tiles (its tiles cover the map's
    // 99.9 %; no minimum gain), and as its default strategy plans (the 90 % region, fields
    // worth at least 0.1 %).
    let matched = SkyMapStrategy(credibleLevel: 0.999, maximumFields: count, minimumGain: 0)
    var kept = FollowUpPlanner.SkyCache()
    let decision = try starlingPlan(array, strategy: matched, sky: &kept)
    let standard = try starlingPlan(array, strategy: SkyMapStrategy(), sky: &kept)
    let timing = try Timing.measure(repeats: max(5, repeats)) {
        var sky = FollowUpPlanner.SkyCache()
        _ = try starlingPlan(array, strategy: matched, sky: &sky)
    }
    let cold = try cpuMedian(repeats: max(5, repeats)) {
        var sky = FollowUpPlanner.SkyCache()
        _ = try starlingPlan(array, strategy: matched, sky: &sky)
    }
    let warm = try cpuMedian(repeats: max(5, repeats)) { _ = try starlingPlan(array, strategy: matched, sky: &kept) }
    func footprints(_ decision: FollowUpDecision) -> [(end: Date, footprint: Footprint)] {
        decision.assignments.sorted { $0.start < $1.start }.compactMap { planned in
            planned.field.footprint.map { (planned.end, Footprint(center: planned.field.center, fieldOfView: $0)) }
        }
    }
    let ours = footprints(decision), defaults = footprints(standard)
    let theirs = peerFields.compactMap { field -> (end: Date, footprint: Footprint)? in
        guard let ra = field["ra_deg"] as? Double, let dec = field["dec_deg"] as? Double, let width = field["width_deg"] as? Double,
            let height = field["height_deg"] as? Double, let mjd = field["start_mjd"] as? Double, let exposure = field["exposure_seconds"] as? Double,
            let centre = try? EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec)
        else { return nil }
        return (Date(timeIntervalSince1970: (mjd - 40587) * 86400 + exposure), Footprint(center: centre, fieldOfView: .rectangle(width: .degrees(width), height: .degrees(height))))
    }.sorted { $0.end < $1.end }
    // Both plans measured by Starling and, independently, by healpy.
    let oursHere = map.coverage(of: ours.map(\.footprint)), theirsHere = map.coverage(of: theirs.map(\.footprint))
    let measured = try Peer.python("gwcoverage_peer.py", ["measure", try writeJSON(spec.merging(["fields": ours.map { entry -> [String: Any] in
        guard case .rectangle(let width, let height) = entry.footprint.fieldOfView else { return [:] }
        return ["ra_deg": entry.footprint.center.rightAscension.degrees, "dec_deg": entry.footprint.center.declination.degrees, "width_deg": width.degrees, "height_deg": height.degrees]
    }]) { $1 }, "ours-\(array.telescopes.count).json")])
    let oursHealpy = measured["probability"] as? Double ?? .nan
    let theirsHealpy = peer["probability"] as? Double ?? .nan
    // The same number of fields, taken in the order each plan observes them (up to as many as
    // both plans hold), and all of each plan.
    var equalCounts: [String] = []
    var behind = false
    let common = min(ours.count, theirs.count)
    for k in Set([10, 25, 50, 100, common / 2, common].filter { $0 > 0 && $0 <= common }).sorted() {
        let a = map.coverage(of: ours.prefix(k).map(\.footprint)).probability, b = map.coverage(of: theirs.prefix(k).map(\.footprint)).probability
        if a < b - 1e-9 { behind = true }
        equalCounts.append(String(format: "%d: %.2f %% vs %.2f %%", k, a * 100, b * 100))
    }
    let met = !behind && oursHere.probability >= theirsHere.probability - 1e-9
    if !met { shortfalls.append("\(array.name): covered probability below gwemopt's for the same number of fields") }
    let peerSeconds = peer["median_seconds"] as? Double
    let peerCPU = peer["median_cpu_seconds"] as? Double
    report.add(
        "\(array.name), \(count) fields, wall", starling: timing.median, peer: (peer["tool"] as? String) ?? "gwemopt", peerSeconds: peerSeconds, target: 100,
        note: "Starling from a cold start (the sites' Sun and Moon computed too)")
    report.add("\(array.name), \(count) fields, CPU, cold", starling: cold, peer: "gwemopt", peerSeconds: peerCPU, target: 100,
               note: "CPU seconds of the whole process (Starling one thread; gwemopt all its threads)")
    report.add("\(array.name), \(count) fields, CPU, warm", starling: warm, peer: "gwemopt", peerSeconds: peerCPU, target: 100,
               note: "Starling with the sites' sky already computed, as a running coordinator has it")
    report.note(String(
        format: "%@: covered 2-D, asked for gwemopt's %d fields: Starling %d fields %.2f %% (healpy %.2f %%), gwemopt %.2f %% (healpy %.2f %%), ratio %.3f%@; area %.1f vs %.1f deg²",
        array.name, count, ours.count, oursHere.probability * 100, oursHealpy * 100, theirsHere.probability * 100, theirsHealpy * 100,
        oursHere.probability / max(theirsHere.probability, 1e-12), met ? " (target ≥ 1: met)" : " (target ≥ 1: NOT met)",
        oursHere.areaSquareDegrees, theirsHere.areaSquareDegrees))
    report.note("\(array.name): the first k fields each plan observes, Starling vs gwemopt: " + equalCounts.joined(separator: "; "))
    let inside = defaults.filter { map.credibleLevel(at: $0.footprint.center) <= 0.9 }.count
    let peerInside = theirs.filter { map.credibleLevel(at: $0.footprint.center) <= 0.9 }.count
    report.note(String(
        format: "%@: Starling's default strategy plans %d fields covering %.2f %% (%d centred in the 90 %% region); gwemopt centres %d of %d there",
        array.name, defaults.count, map.coverage(of: defaults.map(\.footprint)).probability * 100, inside, peerInside, theirs.count))
    for hours in [0.5, 1.0, 2.0] {
        let limit = now.addingTimeInterval(hours * 3600)
        let a = ours.filter { $0.end <= limit }, b = theirs.filter { $0.end <= limit }, c = defaults.filter { $0.end <= limit }
        report.note(String(
            format: "%@ after %.1f h: Starling %.2f %% in %d fields (default strategy %.2f %% in %d), gwemopt %.2f %% in %d fields", array.name, hours,
            map.coverage(of: a.map(\.footprint)).probability * 100, a.count, map.coverage(of: c.map(\.footprint)).probability * 100, c.count,
            map.coverage(of: b.map(\.footprint)).probability * 100, b.count))
    }
    report.note("\(array.name): gwemopt wall \((peer["seconds"] as? [Double] ?? []).map { String(format: "%.2f s", $0) }.joined(separator: ", ")), CPU \((peer["cpu_seconds"] as? [Double] ?? []).map { String(format: "%.2f s", $0) }.joined(separator: ", ")); \(peer["notes"] as? String ?? "")")
}
report.print()
if !shortfalls.isEmpty { print("Shortfalls: " + shortfalls.joined(separator: "; ")) }
