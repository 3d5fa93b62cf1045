import Foundation
public import Logging
public import Persistence

extension StoreLocation {
    /// Opens the store at this location: the one place a store is opened from its location,
    /// for the hosts and every command.
    ///
    /// A SQLite file is created, with its folder, if it does not exist; a PostgreSQL database
    /// must exist (its tables are created). Either way the schema is brought up to date.
    ///
    /// ```swift
    /// let store = try await StoreLocation(parsing: "postgresql://starling@db/starling").open(logger: logger)
    /// ```
    ///
    /// - Parameters:
    ///   - options: how a PostgreSQL store uses its server (ignored for SQLite).
    ///   - logger: for the store's notices and a PostgreSQL pool's background work.
    /// - Throws: ``Persistence/StoreError``, saying what to do (see ``Persistence/SQLiteStore/init(path:)``
    ///   and ``PostgresStore/open(_:options:logger:)``).
    public func open(options: PostgresStore.Options = PostgresStore.Options(), logger: Logger) async throws(StoreError) -> any Store {
        switch self {
        case .sqlite(let path):
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StoreError(.cannotOpen, "cannot create the folder \(folder) for the database \(path) (check the permissions)", underlying: error)
            }
            return try SQLiteStore(path: path)
        case .postgreSQL(let endpoint):
            return try await PostgresStore.open(endpoint, options: options, logger: logger)
        }
    }
}
