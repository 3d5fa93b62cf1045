import Foundation
import StarlingCore
internal import GRDB

/// The ``Store`` over one SQLite file, through GRDB: the default for a single machine.
///
/// ```swift
/// let store = try SQLiteStore(path: "starling.sqlite")   // created and migrated if needed
/// let memory = try SQLiteStore.inMemory()                 // for tests
/// ```
///
/// The file uses write-ahead logging with `synchronous = FULL`, so a committed transaction
/// survives a power loss, not only a crash (SQLite manual, "PRAGMA synchronous": in WAL mode
/// FULL syncs the WAL after each commit). Readers never block the writer, and the log is
/// copied into the file in the background (``BackgroundCheckpointer``), not by a commit.
public final class SQLiteStore: Sendable {
    private let writer: any DatabaseWriter
    private let checkpointer: BackgroundCheckpointer?
    /// The database file, or `nil` in memory.
    public let path: String?

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Throws: ``StoreError`` `.cannotOpen` when the file cannot be created or opened,
    ///   `.incompatible` when it is not a Starling database or comes from a newer version.
    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // After the pool is open: GRDB sets up WAL mode last and with it `synchronous =
            // NORMAL` on the writer, which would override a setting made in `prepareDatabase`.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // Checkpoints run in the background (BackgroundCheckpointer), never inside a commit.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            }
            writer = pool
            checkpointer = try BackgroundCheckpointer(path: path, writer: pool)
        } catch {
            throw StoreError(.cannotOpen, "cannot open the database \(path) (check the folder exists and is writable)", underlying: error)
        }
        self.path = path
        try migrate()
    }

    private init(writer: any DatabaseWriter) throws(StoreError) {
        self.writer = writer
        self.checkpointer = nil
        self.path = nil
        try migrate()
    }

    /// A fresh store in memory, for tests.
    public static func inMemory() throws(StoreError) -> SQLiteStore {
        do {
            return try SQLiteStore(writer: try DatabaseQueue())
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.cannotOpen, "cannot create an in-memory database", underlying: error)
        }
    }

    private func migrate() throws(StoreError) {
        do {
            let migrator = Schema.migrator
            if try writer.read({ db in try migrator.hasBeenSuperseded(db) }) {
                throw StoreError(.incompatible, "the database \(path ?? "in memory") was written by a newer Starling; upgrade Starling")
            }
            try migrator.migrate(writer)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.incompatible, "the database \(path ?? "in memory") cannot be brought up to date (is it a Starling database?)", underlying: error)
        }
    }

    // MARK: Access

    /// Runs a write transaction and maps errors to ``StoreError``.
    func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            let result = try await writer.write(body)
            checkpointer?.committed()
            return result
        } catch {
            throw Self.storeError(error, doing: what)
        }
    }

    /// The writer connection's value of a pragma (`synchronous`, `journal_mode`, …), for
    /// tests that check how the file is set up. `name` is trusted: it is put into the SQL.
    func writerPragma(_ name: String) async throws(StoreError) -> String? {
        try await write("reading PRAGMA \(name)") { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    /// Runs a read and maps errors to ``StoreError``.
    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw Self.storeError(error, doing: what)
        }
    }

    static func storeError(_ error: any Error, doing what: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return StoreError(.busy, "the database is busy (another process holds it) while \(what); retry", underlying: error)
            case .SQLITE_CORRUPT, .SQLITE_NOTADB:
                return StoreError(.incompatible, "the database file is damaged (\(what))", underlying: error)
            default:
                break
            }
        }
        if error is DecodingError {
            return StoreError(.corruptRecord, "a stored record could not be decoded while \(what)", underlying: error)
        }
        return StoreError(.failed, "database failure while \(what)", underlying: error)
    }
}
