import Foundation
import InMemoryLogging
import Logging
import Persistence
import PropertyBased
import StarlingCore
import Testing

@testable import Coordination

/// Crash recovery over a file-backed SQLite store: nothing accepted is lost, and each notice
/// handed on is processed exactly once, whatever the order of receipts, processing and crashes.
struct IntakeDurabilityTests {
    @Test func unfinishedNoticesAreHandedOnAgainAfterARestart() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/starling.sqlite"
        let first = try IntakeHarness(store: try SQLiteStore(path: path))
        try await first.intake.start()
        let a = try await first.intake.submit(syntheticNotice(event: 1, serial: 1, issuedSecond: 0), transport: "t")
        let b = try await first.intake.submit(syntheticNotice(event: 1, serial: 2, issuedSecond: 10), transport: "t")
        _ = await first.next(2)
        try await first.intake.finish(a.id, note: "done")
        // The process dies here: b was handed on but never finished.

        let second = try IntakeHarness(store: try SQLiteStore(path: path))
        #expect(try await second.intake.start() == 1)
        let again = await second.next(1)
        #expect(again.map(\.alert.id) == [b.id])
        #expect(again.first?.isRedelivery == true)
        #expect(again.first?.change == .update(previous: a.id))
        try await second.intake.finish(b.id, note: "done")

        let third = try IntakeHarness(store: try SQLiteStore(path: path))
        #expect(try await third.intake.start() == 0)
        // The ledger survives too: an older notice of the event is still superseded.
        let stale = try await third.intake.submit(syntheticNotice(event: 1, serial: 1, issuedSecond: 5), transport: "t")
        guard case .ignored = stale.outcome else {
            Issue.record("expected the stale notice to be ignored, got \(stale.outcome)")
            return
        }
    }

    @Test func aBurstIsGroupCommitted() async throws {
        let counting = CountingAlertStore(try SQLiteStore.inMemory())
        let intake = AlertIntake(
            store: counting, clock: SimulationClock(start: UTCInstant(Date(timeIntervalSince1970: 0))), logger: Logger(label: "test"))
        try await intake.start()
        let count = 1_000
        try await withThrowingTaskGroup(of: Void.self) { group in
            for event in 0..<count {
                group.addTask { _ = try await intake.submit(syntheticNotice(event: event, serial: 1, issuedSecond: 0), transport: "burst") }
            }
            try await group.waitForAll()
        }
        let (transactions, stored) = await counting.counts
        #expect(stored == count)
        #expect(transactions < count)
    }

    /// One step of a run: receive a new notice, receive one again, process some, or crash.
    enum Step: Sendable, CustomStringConvertible {
        case receive
        case receiveAgain(Int)
        case process(Int)
        case crash

        init(_ code: Int) {
            switch code {
            case 0...4: self = .receive
            case 5: self = .receiveAgain(code)
            case 6...8: self = .process(code - 5)
            default: self = .crash
            }
        }

        var description: String {
            switch self {
            case .receive: "receive"
            case .receiveAgain: "receive-again"
            case .process(let count): "process(\(count))"
            case .crash: "crash"
            }
        }
    }

    /// A failure reports its seed; add `.fixedSeed(…)` with it to replay that run. Alone it
    /// takes seconds; the ceiling is for a machine busy with the rest of the suite and more.
    @Test(.timeLimit(.minutes(20))) func noAcceptedAlertIsLostAcrossRestarts() async {
        await propertyCheck(count: 25, input: Gen.int(in: 0...9).array(of: 1...40)) { codes in
            try await Self.run(codes.map(Step.init))
        }
    }

    static func run(_ steps: [Step]) async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/starling.sqlite"
        var harness = try IntakeHarness(store: try SQLiteStore(path: path))
        try await harness.intake.start()
        var iterator = harness.intake.accepted.makeAsyncIterator()
        var available = 0  // handed on to this run's consumer and not yet taken
        var sent: [Data] = []
        var accepted = Set<AlertID>()
        var finishedCount: [AlertID: Int] = [:]
        var serial = 0

        for step in steps {
            switch step {
            case .receive, .receiveAgain:
                let notice: Data
                if case .receiveAgain(let pick) = step, !sent.isEmpty {
                    notice = sent[pick % sent.count]
                } else {
                    serial += 1
                    // Three events, notices arriving in issue order, some without a position.
                    notice = syntheticNotice(event: serial % 3, serial: serial, issuedSecond: serial, position: serial % 5 != 0)
                    sent.append(notice)
                }
                let receipt = try await harness.intake.submit(notice, transport: "property")
                if receipt.outcome == .accepted {
                    #expect(!accepted.contains(receipt.id))
                    accepted.insert(receipt.id)
                    available += 1
                }
            case .process(let count):
                for _ in 0..<min(count, available) {
                    guard let next = await iterator.next() else { break }
                    available -= 1
                    if try await harness.intake.finish(next.alert.id, note: "processed") { finishedCount[next.alert.id, default: 0] += 1 }
                }
            case .crash:
                harness = try IntakeHarness(store: try SQLiteStore(path: path))
                available = try await harness.intake.start()
                iterator = harness.intake.accepted.makeAsyncIterator()
            }
        }
        // A last restart, then the consumer catches up.
        harness = try IntakeHarness(store: try SQLiteStore(path: path))
        available = try await harness.intake.start()
        iterator = harness.intake.accepted.makeAsyncIterator()
        for _ in 0..<available {
            guard let next = await iterator.next() else { break }
            if try await harness.intake.finish(next.alert.id, note: "processed") { finishedCount[next.alert.id, default: 0] += 1 }
        }

        for id in accepted {
            #expect(finishedCount[id] == 1, "\(id) processed \(finishedCount[id] ?? 0) times in \(steps)")
            #expect(try await harness.store.alert(id)?.status == .processed, "\(id) in \(steps)")
        }
        #expect(try await harness.store.unprocessedAlerts(limit: 1_000).isEmpty)
        // Every distinct notice sent is stored, handed on or not.
        for notice in Set(sent) {
            let id = try AlertParser.parse(notice).alert.id
            #expect(try await harness.store.alert(id) != nil, "\(id) lost in \(steps)")
        }
    }
}

/// The SQLite store, counting the transactions that store notices.
actor CountingAlertStore: AlertStore {
    private let base: SQLiteStore
    private var transactions = 0
    private var stored = 0

    init(_ base: SQLiteStore) { self.base = base }

    var counts: (transactions: Int, stored: Int) { (transactions, stored) }

    func insertAlerts(_ records: [AlertRecord]) async throws(StoreError) -> [Bool] {
        transactions += 1
        let result = try await base.insertAlerts(records)
        stored += result.filter { $0 }.count
        return result
    }

    func unprocessedAlerts(limit: Int) async throws(StoreError) -> [AlertRecord] { try await base.unprocessedAlerts(limit: limit) }
    func markAlert(_ id: AlertID, status: AlertRecord.Status, note: String) async throws(StoreError) -> Bool {
        try await base.markAlert(id, status: status, note: note)
    }
    func alert(_ id: AlertID) async throws(StoreError) -> AlertRecord? { try await base.alert(id) }
    func alerts(event eventID: String) async throws(StoreError) -> [AlertRecord] { try await base.alerts(event: eventID) }
    func alerts(receivedIn interval: DateInterval) async throws(StoreError) -> [AlertRecord] { try await base.alerts(receivedIn: interval) }
}
