// Sky benchmark (issue 3): 10,000 targets × 96 instants at one site.
// Starling's visibility grid (full apparent alt/az) and altitude screen against astropy's
// vectorised AltAz, pyerfa's atco13 and pyerfa's split path, on the same inputs, same run.

import BenchmarkSupport
import Foundation
import Sky
import StarlingCore

let targetCount = 10_000, instantCount = 96
var random = SeededGenerator(seed: 2026)
let targets: [EquatorialCoordinates] = (0..<targetCount).map { _ in
    try! EquatorialCoordinates(rightAscensionDegrees: 360 * random.nextUnit(), declinationDegrees: asin(2 * random.nextUnit() - 1) * 180 / .pi)
}
let location = try! GeodeticLocation(latitude: .degrees(40.393333), longitude: .degrees(117.575), elevationMeters: 950)  // Xinglong
let start = ISO8601.date(from: "2026-11-23T10:00:00Z")!
let instants = (0..<instantCount).map { start.addingTimeInterval(Double($0) * 450) }  // 12 h in 7.5-minute steps
let observer = Observer(location: location)
let points = Double(targetCount * instantCount)

// Starling.
let frames = try! instants.map { date throws(SkyError) in try observer.frame(at: date) }
let framesTiming = try Timing.measure(repeats: 3) { _ = try instants.map { date throws(SkyError) in try observer.frame(at: date) } }
let directions = TargetDirections(targets)
let fullOne = Timing.measure(repeats: 5) { _ = VisibilityGrid(frames: frames, targets: targets, threads: 1) }
let fullAll = Timing.measure(repeats: 5) { _ = VisibilityGrid(frames: frames, targets: targets) }
let screenOne = Timing.measure(repeats: 7) { _ = AltitudeScreen.isAbove(.degrees(30), targets: directions, frames: frames, threads: 1) }
let screenAll = Timing.measure(repeats: 7) { _ = AltitudeScreen.isAbove(.degrees(30), targets: directions, frames: frames) }

// Accuracy against ERFA's full path (eraApco13 + eraAtciqz + eraAtioq, identical to eraAtco13).
let grid = VisibilityGrid(frames: frames, targets: targets)
var worstArcseconds = 0.0
for instant in stride(from: 0, to: instantCount, by: 8) {
    for target in stride(from: 0, to: targetCount, by: 7) {
        let exact = frames[instant].horizontal(of: targets[target])
        let a1 = grid.altitudeDegrees(target: target, instant: instant) * .pi / 180, a2 = exact.altitude.radians
        let dz = (grid.azimuthDegrees(target: target, instant: instant) - exact.azimuth.degrees) * .pi / 180
        let cosine = sin(a1) * sin(a2) + cos(a1) * cos(a2) * cos(dz)
        worstArcseconds = max(worstArcseconds, acos(min(1, cosine)) * 180 / .pi * 3600)
    }
}

// Peers on the same inputs.
let input = FileManager.default.temporaryDirectory.appendingPathComponent("starling-sky-benchmark.json")
let spec: [String: Any] = [
    "latitude_deg": 40.393333, "longitude_deg": 117.575, "height_m": 950.0,
    "instants_utc": instants.map { ISO8601.string(from: $0) }.map { String($0.dropLast()) },
    "ra_deg": targets.map(\.rightAscension.degrees), "dec_deg": targets.map(\.declination.degrees),
]
try JSONSerialization.data(withJSONObject: spec).write(to: input)
var peer: [String: Any] = [:]
do { peer = try Peer.python("sky_peer.py", [input.path]) } catch { print("peer failed: \(error)") }
let astropy = peer["astropy_seconds"] as? Double
let atco13 = peer["atco13_seconds"] as? Double
let split = peer["split_seconds"] as? Double

var report = BenchmarkReport(title: "Sky: \(targetCount) targets × \(instantCount) instants at Xinglong")
let fullOneTotal = fullOne.best + framesTiming.best, fullAllTotal = fullAll.best + framesTiming.best
report.add("full alt/az, 1 thread (incl. \(instantCount) frames)", starling: fullOneTotal, peer: "astropy AltAz", peerSeconds: astropy, target: 10)
report.add("full alt/az, 1 thread (incl. frames)", starling: fullOneTotal, peer: "pyerfa atco13", peerSeconds: atco13, target: 1000, note: peer["atco13_note"] as? String ?? "")
report.add("full alt/az, 1 thread (incl. frames)", starling: fullOneTotal, peer: "pyerfa apco13+atciqz+atioq", peerSeconds: split)
report.add("full alt/az, all cores (incl. frames)", starling: fullAllTotal, peer: "astropy AltAz", peerSeconds: astropy, target: 10)
report.add("altitude screen ≥ 30°, 1 thread (incl. frames)", starling: screenOne.best + framesTiming.best, peer: "astropy AltAz", peerSeconds: astropy, target: 50)
report.add("altitude screen ≥ 30°, all cores (incl. frames)", starling: screenAll.best + framesTiming.best, peer: "astropy AltAz", peerSeconds: astropy, target: 50)
report.note("per target-instant: full 1 thread \(BenchmarkReport.format(fullOneTotal / points)), screen 1 thread \(BenchmarkReport.format((screenOne.best + framesTiming.best) / points)); \(instantCount) frames (eraApco13 + Sun + Moon) \(BenchmarkReport.format(framesTiming.best))")
if let astropy { report.note("astropy per target-instant: \(BenchmarkReport.format(astropy / points))") }
report.note(String(format: "largest difference from ERFA's full path over %d sampled points: %.4f″ (target ≤ 0.1″)", (instantCount / 8) * ((targetCount + 6) / 7), worstArcseconds))
report.print()
