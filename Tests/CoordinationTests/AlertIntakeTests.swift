import Foundation
import InMemoryLogging
import Logging
import Persistence
import StarlingCore
import Testing

@testable import Coordination

struct AlertIntakeTests {
    @Test func noticesAreStoredHandedOnAndFinishedOnce() async throws {
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let receipt = try await harness.intake.submit(syntheticNotice(event: 1, serial: 1, issuedSecond: 0), transport: "test")
        #expect(receipt.outcome == .accepted)
        let stored = try #require(try await harness.store.alert(receipt.id))
        #expect(stored.status == .received)
        #expect(stored.transport == "test")
        let accepted = await harness.next(1)
        #expect(accepted.map(\.alert.id) == [receipt.id])
        #expect(accepted.first?.change == .new)
        #expect(accepted.first?.isRedelivery == false)
        #expect(try await harness.intake.finish(receipt.id, note: "assigned") == true)
        #expect(try await harness.intake.finish(receipt.id, note: "again") == false)
        #expect(try await harness.store.alert(receipt.id)?.status == .processed)
        #expect(harness.logs.entries.contains { $0.message == "Alert accepted" && $0.metadata["alert.id"] == "\(receipt.id)" })
    }

    @Test func duplicatesChangeNothing() async throws {
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let notice = syntheticNotice(event: 2, serial: 1, issuedSecond: 0)
        #expect(try await harness.intake.submit(notice, transport: "a").outcome == .accepted)
        #expect(try await harness.intake.submit(notice, transport: "b").outcome == .duplicate)
        #expect(try await harness.store.alerts(event: "Swift-2").count == 1)
    }

    @Test func unreadableNoticesAreKeptWithTheReason() async throws {
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let garbage = Data("<VOEvent ivorn='x'".utf8)
        let receipt = try await harness.intake.submit(garbage, transport: "test")
        guard case .refused(let reason) = receipt.outcome else {
            Issue.record("expected a refusal, got \(receipt.outcome)")
            return
        }
        #expect(reason.contains("XML"))
        let stored = try #require(try await harness.store.alert(receipt.id))
        #expect(stored.raw == garbage)
        #expect(stored.status == .refused)
        #expect(stored.note == reason)
        #expect(try await harness.intake.submit(garbage, transport: "test").outcome == .duplicate)
    }

    @Test func testNoticesAreIgnoredUnlessThePolicyAcceptsThem() async throws {
        let strict = try IntakeHarness(policy: IntakePolicy())
        try await strict.intake.start()
        // Our own minimal packet with role test (no ../shared needed).
        let packet = String(decoding: try TestPaths.fixture("swift-bat-minimal.xml"), as: UTF8.self)
        let mock = Data(packet.replacingOccurrences(of: "role=\"observation\"", with: "role=\"test\"").utf8)
        guard case .ignored(let reason) = try await strict.intake.submit(mock, transport: "test").outcome else {
            Issue.record("a test-role notice should be ignored by default")
            return
        }
        #expect(reason.contains("test notice"))
        let lenient = try IntakeHarness(policy: IntakePolicy(acceptsTestNotices: true))
        try await lenient.intake.start()
        #expect(try await lenient.intake.submit(mock, transport: "test").outcome == .accepted)
    }

    @Test func noticesWithoutPositionAreRecordedNotScheduled() async throws {
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let receipt = try await harness.intake.submit(syntheticNotice(event: 3, serial: 1, issuedSecond: 0, position: false), transport: "test")
        #expect(receipt.outcome == .ignored(reason: "no position: recorded, not scheduled"))
        #expect(try await harness.store.alert(receipt.id)?.alert?.hasPosition == false)
    }

    @Test func olderNoticesThanOneHandedOnAreSuperseded() async throws {
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let newer = try await harness.intake.submit(syntheticNotice(event: 4, serial: 3, issuedSecond: 300), transport: "test")
        let older = try await harness.intake.submit(syntheticNotice(event: 4, serial: 2, issuedSecond: 100), transport: "test")
        #expect(newer.outcome == .accepted)
        guard case .ignored(let reason) = older.outcome else {
            Issue.record("an older notice should be superseded")
            return
        }
        #expect(reason.contains("superseded"))
        let latest = try await harness.intake.submit(syntheticNotice(event: 4, serial: 4, issuedSecond: 400), transport: "test")
        #expect(latest.outcome == .accepted)
        let accepted = await harness.next(2)
        #expect(accepted.map(\.change) == [.new, .update(previous: newer.id)])
    }

    @Test func aBurstIsStoredInFewTransactionsAndNothingIsLost() async throws {
        let harness = try IntakeHarness(maximumBatch: 256)
        try await harness.intake.start()
        let count = 2_000
        let receipts = try await withThrowingTaskGroup(of: IntakeReceipt.self) { group in
            for event in 0..<count {
                group.addTask { try await harness.intake.submit(syntheticNotice(event: 10_000 + event, serial: 1, issuedSecond: event), transport: "burst") }
            }
            return try await group.reduce(into: [IntakeReceipt]()) { $0.append($1) }
        }
        #expect(receipts.count == count)
        #expect(receipts.allSatisfy { $0.outcome == .accepted })
        #expect(try await harness.store.unprocessedAlerts(limit: 10 * count).count == count)
        let accepted = await harness.next(count)
        #expect(Set(accepted.map(\.alert.id)) == Set(receipts.map(\.id)))
    }
}

/// The MS181101ab mock sequence through the intake: EarlyWarning → Preliminary → Initial →
/// Update → Retraction.
@Suite(.enabled(if: TestPaths.exists(TestPaths.alerts("voevent")), "../shared/data/alerts/voevent is absent (fresh clone)"))
struct MockChainIntakeTests {
    @Test func mockChainUpdatesThenRetracts() async throws {
        let harness = try IntakeHarness(policy: IntakePolicy(acceptsTestNotices: true))
        try await harness.intake.start()
        let chain = try VOEventFixtures.mockChain()
        var receipts: [IntakeReceipt] = []
        for notice in chain { receipts.append(try await harness.intake.submit(notice, transport: "test")) }
        #expect(receipts.map(\.outcome) == [.accepted, .accepted, .accepted, .accepted, .accepted])
        let accepted = await harness.next(5)
        let ids = receipts.map(\.id)
        #expect(accepted.map(\.change) == [
            .new, .update(previous: ids[0]), .update(previous: ids[1]), .update(previous: ids[2]), .retraction(previous: ids[3]),
        ])
        #expect(accepted.allSatisfy { $0.alert.eventID == "MS181101ab" && $0.alert.role == .test })
        #expect(accepted.last?.alert.isRetraction == true)

        // After the retraction, a new notice of the event is recorded and ignored.
        let late = try Data(contentsOf: URL(fileURLWithPath: TestPaths.alerts("voevent/MS181101ab-1-Preliminary.xml")))
        guard case .ignored(let reason) = try await harness.intake.submit(late, transport: "test").outcome else {
            Issue.record("a notice after the retraction should be ignored")
            return
        }
        #expect(reason.contains("retracted"))
        #expect(try await harness.store.alerts(event: "MS181101ab").count == 6)
    }
}

enum VOEventFixtures {
    /// The O4 mock sequence and the retraction, in the order LVK issued them.
    static func mockChain() throws -> [Data] {
        try [
            "igwn_O4_MS181101ab-1-EarlyWarning.xml", "igwn_O4_MS181101ab-2-Preliminary.xml", "igwn_O4_MS181101ab-3-Initial.xml",
            "igwn_O4_MS181101ab-4-Update.xml", "MS181101ab-4-Retraction.xml",
        ].map { try Data(contentsOf: URL(fileURLWithPath: TestPaths.alerts("voevent/\($0)"))) }
    }
}
