import Foundation
import Testing

@testable import Persistence
@testable import StarlingCore

/// What only the SQLite file does: write-ahead logging synced at every commit, a log that
/// stays small, and files it cannot use refused with a clear error. (What every store does is
/// in StoreContractTests.)
struct SQLiteFileStoreTests {
    @Test func commitsAreSyncedToDiskWithWriteAheadLogging() async throws {
        let directory = NSTemporaryDirectory() + "starling-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/night.sqlite")
        #expect(try await store.writerPragma("journal_mode") == "wal")
        #expect(try await store.writerPragma("synchronous") == "2", "synchronous = FULL: the log is synced at every commit")
        #expect(try await store.writerPragma("wal_autocheckpoint") == "0", "checkpoints run in the background")
    }

    @Test func theWriteAheadLogStaysSmallWhileCommitsGoOn() async throws {
        let directory = NSTemporaryDirectory() + "starling-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/alerts.sqlite"
        let store = try SQLiteStore(path: path)
        let raw = Data(repeating: 0x41, count: 3000)  // a notice's size: each commit adds pages to the log
        var largest = 0
        for index in 0..<2000 {
            var record = Sample.alertRecord("a\(index)", event: "E\(index)")
            record = AlertRecord(id: record.id, receivedAt: record.receivedAt, transport: record.transport, format: record.format, raw: raw, alert: record.alert)
            _ = try await store.insertAlerts([record])
            if index % 100 == 99 {
                let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
                largest = max(largest, size)
            }
        }
        // Without checkpoints the log would hold every commit: 2,000 × (3 kB notice + index pages) > 16 MB.
        #expect(largest < 4_000_000, "write-ahead log reached \(largest) bytes")
        #expect(try await store.unprocessedAlerts(limit: 3000).count == 2000)
    }

    @Test func notADatabaseIsRefusedClearly() throws {
        let path = NSTemporaryDirectory() + "starling-notdb-" + UUID().uuidString
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try SQLiteStore(path: path)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return [.incompatible, .cannotOpen].contains(error.code) && error.message.contains(path)
        }
    }

    @Test func missingFolderGivesCannotOpen() {
        #expect {
            try SQLiteStore(path: "/nonexistent-folder/x.sqlite")
        } throws: { error in
            (error as? StoreError)?.code == .cannotOpen
        }
    }
}
