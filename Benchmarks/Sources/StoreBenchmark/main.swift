// Store benchmark (issue 19): write throughput of the two stores on the same input in the
// same run, SQLite (one file, WAL, synchronous=FULL) against PostgreSQL (a throwaway server of
// Debian's postgresql with fsync on, over its Unix socket), both durable at every commit.
//
//   1. 10,000 alert notices inserted in batches of 100 (one transaction per batch), the
//      intake's shape under a burst;
//   2. 1,000 alert notices inserted one per transaction, the shape of a quiet night;
//   3. 1,000 journal lines appended one per transaction.
//
// It prints each store's time, notices (or lines) per second, the median commit latency
// for the single-row cases, and the ratio PostgreSQL/SQLite. No target: these are the figures
// the multi-process deployment's benchmarks start from.

import Foundation
import Logging
import Persistence
import PersistencePostgres
import PersistenceTesting
import StarlingCore

if let reason = TemporaryPostgreSQL.unavailableReason {
    print("StoreBenchmark: not run, no PostgreSQL here: \(reason)")
    exit(0)
}
let folder = NSTemporaryDirectory() + "starling-store-benchmark-\(getpid())"
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }
var logger = Logger(label: "bench.store")
logger.logLevel = .error

// fsync on: commits wait for the disk, as in production.
let server = try TemporaryPostgreSQL.start(options: .init(isDurable: true, maximumConnections: 50))
defer { server.stop() }

let raw = Data(String(repeating: "<VOEvent/>", count: 300).utf8)  // about the size of a notice (3 kB)
let t0 = Date(timeIntervalSince1970: 1_795_469_400)

func notices(_ count: Int, prefix: String) -> [AlertRecord] {
    (0..<count).map { index in
        AlertRecord(
            id: AlertID("ivo://bench/\(prefix)#\(index)"), receivedAt: t0.addingTimeInterval(Double(index) * 0.01), transport: "bench",
            format: "voevent-2.0", raw: raw, alert: nil)
    }
}

struct Figures {
    var seconds: Double
    var perSecond: Double
    var medianCommitMilliseconds: Double?
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func measure(_ store: any Store) async throws -> [String: Figures] {
    var figures: [String: Figures] = [:]
    let clock = ContinuousClock()
    func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18 }

    let batched = notices(10_000, prefix: "batched")
    let start = clock.now
    for batch in stride(from: 0, to: batched.count, by: 100) {
        let inserted = try await store.insertAlerts(Array(batched[batch..<batch + 100]))
        precondition(inserted.allSatisfy { $0 }, "a notice was refused as a duplicate")
    }
    let batchedSeconds = seconds(clock.now - start)
    figures["10,000 notices, batches of 100"] = Figures(seconds: batchedSeconds, perSecond: 10_000 / batchedSeconds)

    var commits: [Double] = []
    for record in notices(1_000, prefix: "single") {
        let begin = clock.now
        _ = try await store.insertAlerts([record])
        commits.append(seconds(clock.now - begin))
    }
    let singleSeconds = commits.reduce(0, +)
    figures["1,000 notices, one per commit"] = Figures(seconds: singleSeconds, perSecond: 1_000 / singleSeconds, medianCommitMilliseconds: median(commits) * 1000)

    commits = []
    for index in 0..<1_000 {
        let entry = JournalEntry(time: t0.addingTimeInterval(Double(index)), subject: "teide-1m-a", siteID: "teide", kind: .note, message: "line \(index)")
        let begin = clock.now
        try await store.appendJournal([entry])
        commits.append(seconds(clock.now - begin))
    }
    let journalSeconds = commits.reduce(0, +)
    figures["1,000 journal lines, one per commit"] = Figures(
        seconds: journalSeconds, perSecond: 1_000 / journalSeconds, medianCommitMilliseconds: median(commits) * 1000)

    let stored = try await store.unprocessedAlerts(limit: 20_000).count
    precondition(stored == 11_000, "\(stored) of 11,000 notices stored")
    return figures
}

let sqlite = try await measure(try await StoreLocation.sqlite(path: folder + "/bench.sqlite").open(logger: logger))
let postgres = try await measure(try await server.makeDatabase().open(logger: logger))

print("Store write throughput, durable commits (SQLite WAL synchronous=FULL; PostgreSQL fsync on, Unix socket)")
for name in ["10,000 notices, batches of 100", "1,000 notices, one per commit", "1,000 journal lines, one per commit"] {
    let s = sqlite[name]!, p = postgres[name]!
    func latency(_ figures: Figures) -> String { figures.medianCommitMilliseconds.map { String(format: ", median commit %.2f ms", $0) } ?? "" }
    print(String(format: "%@: SQLite %.2f s (%.0f/s%@), PostgreSQL %.2f s (%.0f/s%@); PostgreSQL/SQLite time %.2f", name, s.seconds, s.perSecond, latency(s), p.seconds, p.perSecond, latency(p), p.seconds / s.seconds))
}
