public import Persistence

/// The two kinds of store, for tests and benchmarks that run the same thing on each.
///
/// ```swift
/// @Test(arguments: StoreBackend.allCases)
/// func somethingEveryStoreDoes(_ backend: StoreBackend) async throws {
///     if let reason = backend.unavailableReason { try Test.cancel(reason) }
///     let store = try await backend.freshLocation(in: folder).open(logger: logger)
/// }
/// ```
public enum StoreBackend: String, CaseIterable, Sendable {
    case sqlite
    case postgreSQL

    /// Why this kind of store cannot be used here, or `nil` when it can (SQLite always can).
    public var unavailableReason: String? {
        switch self {
        case .sqlite: nil
        case .postgreSQL: TemporaryPostgreSQL.unavailableReason.map { "no PostgreSQL here: \($0)" }
        }
    }

    /// Where a new, empty store goes: a new file in `folder`, or a new database on the
    /// process's shared server (``TemporaryPostgreSQL/shared()``, started on first use).
    ///
    /// - Throws: ``TemporaryPostgreSQL/Failure`` when the server cannot be started or the
    ///   database made.
    public func freshLocation(in folder: String) async throws(TemporaryPostgreSQL.Failure) -> StoreLocation {
        switch self {
        case .sqlite:
            let name = "store-\(StoreBackend.fileCounter.next()).sqlite"
            return .sqlite(path: folder.hasSuffix("/") ? folder + name : folder + "/" + name)
        case .postgreSQL:
            return try await TemporaryPostgreSQL.shared().makeDatabase()
        }
    }

    private static let fileCounter = Counter()
}
