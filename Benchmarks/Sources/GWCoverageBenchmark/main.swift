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
import SkyMaps
import StarlingCore

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
        "overhead_seconds": FollowUpExposures.blockSeconds(exposures, telescope: telescope) - exposures[0].exposureSeconds,
        "slew_deg_per_s": telescope.mount.slewRateDegreesPerSecond,
        "minimum_altitude_deg": max(FollowUpPlanner.minimumAltitudeDegrees, telescope.mount.minimumAltitude.degrees),
    ]
}

func writeJSON(_ object: [String: Any], _ name: String) throws -> String {
    let path = directory + "/" + name
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    return path
}

/// Starling's plan for an array: the decision from the map's bytes on, with the array's
/// telescopes open and idle.
func starlingPlan(_ array: Array, maximumFields: Int) throws -> FollowUpDecision {
    let sites = Dictionary(grouping: array.telescopes, by: { $0.0.id }).map { _, members in
        let site = members[0].0
        return Site(
            id: site.id, name: site.name, location: site.location, timeZone: site.timeZone, horizonMask: site.horizonMask,
            weatherSource: site.weatherSource, climate: site.climate, telescopes: members.map(\.1), source: site.source)
    }.sorted { $0.id < $1.id }
    let network = ObservatoryNetwork(sites: sites)
    let statuses = Dictionary(uniqueKeysWithValues: array.telescopes.map { site, telescope in
        (telescope.id, TelescopeAvailability(telescopeID: telescope.id, siteID: site.id, state: .open, activity: .idle))
    })
    let skyMap = try reader.readSkyMap(fitsData: fitsBytes, name: "S261124ab")
    var sky = FollowUpPlanner.SkyCache()
    return CoveragePlanner(planner: FollowUpPlanner(network: network), strategy: SkyMapStrategy(maximumFields: maximumFields)).decide(
        alert: alert, skyMap: skyMap, galaxies: galaxies, now: now, statuses: statuses, weather: [:], policy: nil, sky: &sky)
}

var report = BenchmarkReport(title: "GW coverage: S261124ab from \(ISO8601.string(from: now, fractionalSeconds: false)) for 24 h")
var shortfalls: [String] = []
for array in arrays {
    let spec: [String: Any] = [
        "skymap": mapPath, "start_utc": ISO8601.string(from: now, fractionalSeconds: false), "hours": 24,
        "exposure_seconds": 120, "maximum_airmass": 1 / cos((90 - FollowUpPlanner.minimumAltitudeDegrees) * Double.pi / 180),
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

    var decision = try starlingPlan(array, maximumFields: count)
    let timing = try Timing.measure(repeats: max(5, repeats)) { decision = try starlingPlan(array, maximumFields: count) }
    let ours = decision.assignments.map { Footprint(center: $0.field.center, fieldOfView: $0.field.footprint ?? .square(side: .degrees(1))) }
    let theirs = peerFields.compactMap { field -> Footprint? in
        guard let ra = field["ra_deg"] as? Double, let dec = field["dec_deg"] as? Double, let width = field["width_deg"] as? Double,
            let height = field["height_deg"] as? Double, let centre = try? EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec)
        else { return nil }
        return Footprint(center: centre, fieldOfView: .rectangle(width: .degrees(width), height: .degrees(height)))
    }
    // Both plans measured by Starling and, independently, by healpy.
    let oursHere = map.coverage(of: ours), theirsHere = map.coverage(of: theirs)
    let measured = try Peer.python("gwcoverage_peer.py", ["measure", try writeJSON(spec.merging(["fields": ours.map { footprint -> [String: Any] in
        guard case .rectangle(let width, let height) = footprint.fieldOfView else { return [:] }
        return ["ra_deg": footprint.center.rightAscension.degrees, "dec_deg": footprint.center.declination.degrees, "width_deg": width.degrees, "height_deg": height.degrees]
    }]) { $1 }, "ours-\(array.telescopes.count).json")])
    let oursHealpy = measured["probability"] as? Double ?? .nan
    let theirsHealpy = peer["probability"] as? Double ?? .nan
    let peerSeconds = peer["median_seconds"] as? Double
    let inside = decision.fields.filter { map.credibleLevel(at: $0.center) <= 0.9 }.count
    let peerInside = theirs.filter { map.credibleLevel(at: $0.center) <= 0.9 }.count
    let met = oursHere.probability >= theirsHere.probability - 1e-9 && oursHealpy >= theirsHealpy - 1e-9
    if !met { shortfalls.append("\(array.name): covered probability below gwemopt's") }
    report.add(
        "\(array.name), \(count) fields", starling: timing.median, peer: (peer["tool"] as? String) ?? "gwemopt", peerSeconds: peerSeconds, target: 100,
        note: String(
            format: "covered 2-D: Starling %.2f %% (healpy %.2f %%), gwemopt %.2f %% (healpy %.2f %%), ratio %.3f%@; area %.1f vs %.1f deg²; centres in the 90 %% region %d/%d vs %d/%d",
            oursHere.probability * 100, oursHealpy * 100, theirsHere.probability * 100, theirsHealpy * 100,
            oursHere.probability / max(theirsHere.probability, 1e-12), met ? " (target ≥ 1: met)" : " (target ≥ 1: NOT met)",
            oursHere.areaSquareDegrees, theirsHere.areaSquareDegrees, inside, decision.fields.count, peerInside, theirs.count))
    // Coverage against time: what each plan holds an hour and two hours after the notice.
    for hours in [0.5, 1.0, 2.0] {
        let limit = now.addingTimeInterval(hours * 3600)
        let oursByThen = decision.assignments.filter { $0.end <= limit }.map { Footprint(center: $0.field.center, fieldOfView: $0.field.footprint!) }
        let theirsByThen = zip(peerFields, theirs).filter { field, _ in
            guard let mjd = field["start_mjd"] as? Double, let exposure = field["exposure_seconds"] as? Double else { return false }
            return Date(timeIntervalSince1970: (mjd - 40587) * 86400 + exposure) <= limit
        }.map(\.1)
        report.note(String(
            format: "%@ after %.1f h: Starling %.2f %% in %d fields, gwemopt %.2f %% in %d fields", array.name, hours,
            map.coverage(of: oursByThen).probability * 100, oursByThen.count, map.coverage(of: theirsByThen).probability * 100, theirsByThen.count))
    }
    report.note("\(array.name): Starling best \(BenchmarkReport.format(timing.best)) over \(timing.runs) runs (one thread); gwemopt runs \((peer["seconds"] as? [Double] ?? []).map { String(format: "%.2f s", $0) }.joined(separator: ", ")) (whole process); \(peer["notes"] as? String ?? "")")
}
report.print()
if !shortfalls.isEmpty { print("Shortfalls: " + shortfalls.joined(separator: "; ")) }
