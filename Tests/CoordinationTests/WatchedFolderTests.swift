import Foundation
import Logging
import Persistence
import StarlingCore
import Testing

@testable import Coordination

struct WatchedFolderTests {
    func write(_ data: Data, to folder: String, _ name: String) throws {
        try data.write(to: URL(fileURLWithPath: folder + "/" + name))
    }

    func contents(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test func filesAreStoredThenMovedByOutcome() async throws {
        let folder = try TemporaryDirectory()
        let harness = try IntakeHarness(policy: IntakePolicy())
        try await harness.intake.start()
        try write(syntheticNotice(event: 1, serial: 1, issuedSecond: 0), to: folder.path, "a.json")
        try write(Data("not a notice".utf8), to: folder.path, "b.txt")
        try write(syntheticNotice(event: 2, serial: 1, issuedSecond: 0, position: false), to: folder.path, "c.json")
        try write(syntheticNotice(event: 3, serial: 1, issuedSecond: 0), to: folder.path, "d.json.part")
        try write(syntheticNotice(event: 4, serial: 1, issuedSecond: 0), to: folder.path, ".e.json")

        let watcher = WatchedFolder(path: folder.path, clock: harness.clock, logger: Logger(label: "test"))
        let receipts = try await watcher.scan(into: harness.intake)
        #expect(receipts.count == 3)
        #expect(contents(watcher.processedFolder) == ["a.json", "c.json"])
        #expect(contents(watcher.refusedFolder) == ["b.txt", "b.txt.reason"])
        let reason = try String(contentsOfFile: watcher.refusedFolder + "/b.txt.reason", encoding: .utf8)
        #expect(reason.hasPrefix("neither XML nor JSON"))
        #expect(reason.contains("stored as \(receipts[1].id)"))
        #expect(contents(folder.path) == [".e.json", "d.json.part", "processed", "refused"])
        let refused = try #require(try await harness.store.alert(receipts[1].id))
        #expect(refused.status == .refused)
        #expect(refused.raw == Data("not a notice".utf8))
        #expect(refused.transport.hasSuffix("/b.txt"))
    }

    /// The 30 bytes that once killed `alert listen` with SIGILL on every start, in front of a
    /// good notice: the poison is quarantined with its reason, the good one taken in.
    @Test func aPoisonFileIsQuarantinedWithItsReasonAndTheRestGoesOn() async throws {
        let folder = try TemporaryDirectory()
        let harness = try IntakeHarness()
        try await harness.intake.start()
        try write(PoisonInputs.invalidUTF8Name, to: folder.path, "0-poison.xml")
        try write(syntheticNotice(event: 21, serial: 1, issuedSecond: 0), to: folder.path, "1-good.json")
        let watcher = WatchedFolder(path: folder.path, clock: harness.clock, logger: Logger(label: "test"))
        let receipts = try await watcher.scan(into: harness.intake)
        #expect(receipts.count == 2)
        guard case .refused(let reason) = receipts.first?.outcome else {
            Issue.record("the poison file must be refused, not \(String(describing: receipts.first?.outcome))")
            return
        }
        #expect(reason.contains("not valid UTF-8"))
        #expect(receipts.last?.outcome == .accepted)
        #expect(contents(watcher.refusedFolder) == ["0-poison.xml", "0-poison.xml.reason"])
        #expect(contents(watcher.processedFolder) == ["1-good.json"])
        let sidecar = try String(contentsOfFile: watcher.refusedFolder + "/0-poison.xml.reason", encoding: .utf8)
        #expect(sidecar.hasPrefix(reason))
        let poison = try #require(receipts.first)
        let stored = try #require(try await harness.store.alert(poison.id))
        #expect(stored.status == .refused && stored.note == reason && stored.raw == PoisonInputs.invalidUTF8Name)
    }

    /// A file over the intake's limit is read no further than the limit and refused for its size.
    @Test func anOversizedFileIsRefusedForItsSizeWithoutBeingLoadedWhole() async throws {
        let folder = try TemporaryDirectory()
        let harness = try IntakeHarness()
        try await harness.intake.start()
        var big = Data("<VOEvent ivorn='ivo://x/y#big'>".utf8)
        big.append(Data(repeating: UInt8(ascii: " "), count: NoticeBytes.maximumByteCount * 2))
        big.append(Data("</VOEvent>".utf8))
        try write(big, to: folder.path, "big.xml")
        let watcher = WatchedFolder(path: folder.path, clock: harness.clock, logger: Logger(label: "test"))
        let receipts = try await watcher.scan(into: harness.intake)
        guard case .refused(let reason) = receipts.first?.outcome else {
            Issue.record("an oversized file must be refused")
            return
        }
        #expect(reason.contains("more than the 8.0 MiB Starling reads"))
        let oversized = try #require(receipts.first)
        let stored = try #require(try await harness.store.alert(oversized.id))
        #expect(stored.raw.count == 64 << 10, "of an oversized notice the first 64 KiB are kept")
        #expect(contents(watcher.refusedFolder) == ["big.xml", "big.xml.reason"])
    }

    @Test func aFileStoredBeforeACrashIsNotIngestedTwice() async throws {
        let folder = try TemporaryDirectory()
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let notice = syntheticNotice(event: 7, serial: 1, issuedSecond: 0)
        // The previous run stored the file's notice, then died before moving the file.
        let first = try await harness.intake.submit(notice, transport: "folder")
        try write(notice, to: folder.path, "late.json")
        let watcher = WatchedFolder(path: folder.path, clock: harness.clock, logger: Logger(label: "test"))
        let receipts = try await watcher.scan(into: harness.intake)
        #expect(receipts.map(\.outcome) == [.duplicate])
        #expect(receipts.first?.id == first.id)
        #expect(contents(watcher.processedFolder) == ["late.json"])
        #expect(try await harness.store.alerts(event: "Swift-7").count == 1)
        // A second file with the same name does not overwrite the first.
        try write(syntheticNotice(event: 8, serial: 1, issuedSecond: 0), to: folder.path, "late.json")
        _ = try await watcher.scan(into: harness.intake)
        #expect(contents(watcher.processedFolder) == ["late-1.json", "late.json"])
    }

    @Test func runScansOnTheClockUntilCancelled() async throws {
        let folder = try TemporaryDirectory()
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let watcher = WatchedFolder(path: folder.path, pollInterval: .seconds(5), clock: harness.clock, logger: Logger(label: "test"))
        try write(syntheticNotice(event: 9, serial: 1, issuedSecond: 0), to: folder.path, "x.json")
        let task = Task { await watcher.run(into: harness.intake) }
        let accepted = await harness.next(1)
        #expect(accepted.first?.alert.eventID == "Swift-9")
        task.cancel()
        await task.value
    }
}
