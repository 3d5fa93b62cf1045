// Coordination benchmark (issue 8): 65 telescopes at 19 sites.
// Alert-to-assignment latency (p50/p99) for point alerts and for sky-map alerts, and
// sustained throughput at 1,000 alerts per second for a minute, none lost. Each alert is
// stored durably (SQLite, synchronous=FULL, group commit) and decided by the coordinator.
// There is no peer tool for this; the targets are absolute (p99 < 5 ms point, < 100 ms map).

import BenchmarkSupport
import Coordination
import Foundation
import Logging
import Persistence
import SkyMaps
import StarlingCore
import Synchronization

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let network = try ProjectLayout(root: root).loadNetwork()
let galaxies = try ProjectLayout(root: root).loadCatalog(named: "nearby_galaxies").targets
let directory = NSTemporaryDirectory() + "starling-coordination-benchmark-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }

/// Decision latencies measured around the coordinator, and how many alerts it decided.
final class Recorder: Sendable {
    private let state = Mutex<(latencies: [Double], decided: Int)>(([], 0))
    func record(_ seconds: Double) { state.withLock { $0.latencies.append(seconds); $0.decided += 1 } }
    func take() -> [Double] {
        state.withLock { state in
            defer { state.latencies = [] }
            return state.latencies
        }
    }
    var decided: Int { state.withLock { $0.decided } }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func pointNotice(_ number: Int, now: Date) -> Data {
    var random = SeededGenerator(seed: UInt64(number))
    let ra = 360 * random.nextUnit(), dec = asin(2 * random.nextUnit() - 1) * 180 / .pi
    let issued = ISO8601.string(from: now, fractionalSeconds: false)
    return Data("""
        {"$schema": "https://gcn.nasa.gov/schema/main/gcn/notices/swift/bat/Guano.schema.json", "mission": "Swift", "instrument": "BAT-GUANO",
         "id": ["bench-\(number)"], "record_number": 1, "trigger_time": "\(issued)", "alert_datetime": "\(issued)", "alert_type": "initial",
         "ra": \(ra), "dec": \(dec), "ra_dec_error": 0.05}
        """.utf8)
}

func makeSystem(database: String, now: Date, recorder: Recorder) async throws -> AlertIntake {
    let store = try SQLiteStore(path: database)
    // Real pace from a fixed instant: the alerts' sites and skies are the same every run.
    let clock = WallClock(startingAt: now)
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    // Latency: from the intake handing a committed batch on to the coordinator's decision on
    // each alert (stored before it is announced).
    let handedOn = Mutex<[AlertID: ContinuousClock.Instant]>([:])
    let coordinator = NetworkCoordinator(
        network: network, store: store, clock: clock, logger: logger, skyMaps: SkyMapLoader(reader: FITSSkyMapReader()),
        galaxies: galaxies, expiresLeases: false
    ) { event in
        let decided: AlertID
        switch event {
        case .alertAccepted(let id, _), .alertIgnored(let id, _, _): decided = id
        default: return
        }
        guard let start = handedOn.withLock({ $0.removeValue(forKey: decided) }) else { return }
        let elapsed = ContinuousClock.now - start
        recorder.record(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    clock.spawn(named: "coordinator") { try? await coordinator.run() }
    let intake = AlertIntake(store: store, clock: clock, logger: logger, handler: { batch in
        // Alerts committed together are decided together.
        let start = ContinuousClock.now
        handedOn.withLock { for accepted in batch { $0[accepted.alert.id] = start } }
        coordinator.send(.ingest(batch))
    })
    try await intake.start()
    return intake
}

let now = ISO8601.date(from: "2026-11-23T21:30:40Z")!
var report = BenchmarkReport(title: "Coordination: \(network.telescopeCount) telescopes at \(network.sites.count) sites")

// 1. Point alerts, one at a time: latency from submit to assignments recorded.
do {
    let recorder = Recorder()
    let intake = try await makeSystem(database: directory + "/point.sqlite", now: now, recorder: recorder)
    _ = try await intake.submit(pointNotice(0, now: now), transport: "bench")  // builds the sites' sky caches
    _ = recorder.take()
    var totals: [Double] = []
    for number in 1...2000 {
        let start = ContinuousClock.now
        _ = try await intake.submit(pointNotice(number, now: now), transport: "bench")
        let elapsed = ContinuousClock.now - start
        totals.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    let decisions = recorder.take()
    report.note(String(format: "point alerts (2,000): stored + decided p50 %@, p99 %@; decision alone p50 %@, p99 %@ (target p99 < 5 ms: %@)",
        BenchmarkReport.format(percentile(totals, 0.5)), BenchmarkReport.format(percentile(totals, 0.99)),
        BenchmarkReport.format(percentile(decisions, 0.5)), BenchmarkReport.format(percentile(decisions, 0.99)),
        percentile(totals, 0.99) < 0.005 ? "met" : "NOT met"))
}

// 2. Sky-map alerts: the scenario's IGWN notice (a multi-order map embedded in base64), renamed each time.
do {
    let recorder = Recorder()
    let intake = try await makeSystem(database: directory + "/map.sqlite", now: ISO8601.date(from: "2026-11-24T03:12:40Z")!, recorder: recorder)
    let template = try String(contentsOfFile: root + "/simulations/alerts/lvk-S261124ab-preliminary.json", encoding: .utf8)
    var totals: [Double] = []
    for number in 0..<41 {
        let notice = Data(template.replacingOccurrences(of: "S261124ab", with: "S2611\(String(format: "%04d", number))").utf8)
        let start = ContinuousClock.now
        _ = try await intake.submit(notice, transport: "bench")
        let elapsed = ContinuousClock.now - start
        if number > 0 { totals.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) }
    }
    let decisions = Array(recorder.take().dropFirst())
    report.note(String(format: "sky-map alerts (40, 5,613-pixel multi-order map, 30 fields): stored + decoded + decided p50 %@, p99 %@; decision alone p50 %@, p99 %@ (target p99 < 100 ms: %@)",
        BenchmarkReport.format(percentile(totals, 0.5)), BenchmarkReport.format(percentile(totals, 0.99)),
        BenchmarkReport.format(percentile(decisions, 0.5)), BenchmarkReport.format(percentile(decisions, 0.99)),
        percentile(totals, 0.99) < 0.1 ? "met" : "NOT met"))
}

// 3. Sustained 1,000 alerts per second for 60 s from 10 concurrent senders; then count.
do {
    let recorder = Recorder()
    let database = directory + "/burst.sqlite"
    let intake = try await makeSystem(database: database, now: now, recorder: recorder)
    _ = try await intake.submit(pointNotice(0, now: now), transport: "bench")
    let seconds = 60, rate = 1000, senders = 10
    let started = ContinuousClock.now
    let submitted = try await withThrowingTaskGroup(of: Int.self) { group in
        for sender in 0..<senders {
            group.addTask {
                var count = 0
                for tick in 0..<(seconds * rate / senders) {
                    // Pace each sender at rate / senders per second.
                    let due = started + .milliseconds(tick * 1000 * senders / rate)
                    if ContinuousClock.now < due { try await Task.sleep(until: due, clock: .continuous) }
                    _ = try await intake.submit(pointNotice(1_000_000 + sender * 1_000_000 + tick, now: now), transport: "bench")
                    count += 1
                }
                return count
            }
        }
        var total = 0
        for try await count in group { total += count }
        return total
    }
    let elapsed = ContinuousClock.now - started
    let store = try SQLiteStore(path: database)
    let stored = try await store.alerts(receivedIn: DateInterval(start: now.addingTimeInterval(-1), duration: 86_400))
    let processed = stored.filter { $0.status == .processed }.count
    let decisions = recorder.take()
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    report.note(String(format: "sustained: %d alerts submitted at 1,000/s in %.1f s (%.0f/s achieved); stored %d, processed %d, lost %d; decision p99 under load %@",
        submitted, wall, Double(submitted) / wall, stored.count - 1, processed - 1, submitted - (processed - 1), BenchmarkReport.format(percentile(decisions, 0.99))))
}
report.print()
