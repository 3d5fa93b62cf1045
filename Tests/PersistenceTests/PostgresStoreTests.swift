import Foundation
import InMemoryLogging
import Logging
import Persistence
import PersistenceTesting
import StarlingCore
import Testing

@testable import PersistencePostgres

/// What only the PostgreSQL store does: its server checks, its migrations between processes,
/// TCP as well as the Unix socket, and errors that say what to do. (What every store does is
/// in StoreContractTests.)
struct PostgresStoreTests {
    @Test func itConnectsOverTCPAsWellAsTheUnixSocket() async throws {
        let server = try await TestPostgreSQL.server()
        let location = try server.makeDatabase(overTCP: true)
        guard case .postgreSQL(let endpoint) = location, case .tcp = endpoint.server else { Issue.record("not TCP: \(location)"); return }
        let store = try await location.open(logger: .quiet)
        #expect(try await store.insertAlert(Sample.alertRecord("a1")))
        #expect(try await store.alert("a1")?.id == "a1")
    }

    @Test func commitsWaitForTheServersDisk() async throws {
        let server = try await TestPostgreSQL.server()
        let store = try #require(try await server.makeDatabase().open(logger: .quiet) as? PostgresStore)
        #expect(try await store.setting("synchronous_commit") == "on")
        #expect(try await store.setting("application_name") == "starling")
    }

    @Test func aServerThatAcknowledgesCommitsBeforeTheDiskIsRefused() async throws {
        let server = try await TestPostgreSQL.server()
        let location = try server.makeDatabase()
        guard case .postgreSQL(let endpoint) = location else { return }
        try server.psql("ALTER DATABASE \(endpoint.database) SET synchronous_commit = off")
        await #expect {
            try await location.open(logger: .quiet)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .incompatible && error.message.contains("synchronous_commit") && error.message.contains("ALTER ROLE")
        }
    }

    @Test func aServerWithoutFsyncIsReportedAsAWarning() async throws {
        let server = try await TestPostgreSQL.server()
        try #require(!server.isDurable, "the test server runs with fsync off")
        let logs = InMemoryLogHandler()
        _ = try await server.makeDatabase().open(logger: Logger(label: "test") { _ in logs })
        #expect(logs.entries.contains { $0.level == .warning && "\($0.message)".contains("fsync off") })
    }

    @Test func aMissingDatabaseSaysHowToCreateIt() async throws {
        let server = try await TestPostgreSQL.server()
        let endpoint = server.endpoint(database: "no_such_night")
        await #expect {
            try await PostgresStore.open(endpoint, logger: .quiet)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .cannotOpen && error.message.contains("createdb -O starling no_such_night")
        }
    }

    @Test func anUnknownUserIsRefusedWithWhatToCheck() async throws {
        let server = try await TestPostgreSQL.server()
        var endpoint = server.endpoint(database: "postgres")
        endpoint.user = "nobody_at_all"
        await #expect {
            try await PostgresStore.open(endpoint, logger: .quiet)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .cannotOpen && error.message.contains("refused the user nobody_at_all") && (error.underlying ?? "").contains("28000")
        }
    }

    @Test func aServerThatIsNotThereIsUnavailable() async throws {
        // A port nothing listens on: the server is down, the store says so, and that it may be retried.
        let endpoint = PostgresEndpoint(server: .tcp(host: "127.0.0.1", port: 1), user: "starling", database: "starling", connectTimeoutSeconds: 2)
        await #expect {
            try await PostgresStore.open(endpoint, logger: .quiet)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .unavailable && error.message.contains("127.0.0.1:1")
        }
    }

    @Test func aDatabaseMigratedByANewerStarlingIsRefused() async throws {
        let server = try await TestPostgreSQL.server()
        let location = try server.makeDatabase()
        guard case .postgreSQL(let endpoint) = location else { return }
        _ = try await location.open(logger: .quiet)
        try server.psql("INSERT INTO schema_migration (id, applied_at) VALUES ('v99-from-the-future', 0)", database: endpoint.database)
        await #expect {
            try await location.open(logger: .quiet)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .incompatible && error.message.contains("v99-from-the-future") && error.message.contains("upgrade Starling")
        }
    }

    @Test func tablesStarlingDidNotMakeAreLeftAlone() async throws {
        let server = try await TestPostgreSQL.server()
        let location = try server.makeDatabase()
        guard case .postgreSQL(let endpoint) = location else { return }
        try server.psql("CREATE TABLE journal (line text); INSERT INTO journal VALUES ('someone else''s')", database: endpoint.database)
        await #expect {
            try await location.open(logger: .quiet)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .incompatible && error.message.contains("database of its own")
        }
        #expect(try server.psql("SELECT line FROM journal", database: endpoint.database) == "someone else's")
        #expect(
            try server.psql("SELECT to_regclass('schema_migration') IS NULL AND to_regclass('alert') IS NULL", database: endpoint.database) == "t",
            "nothing of the migration stayed")
    }

    @Test func processesOpeningANewDatabaseTogetherMigrateItOnce() async throws {
        let server = try await TestPostgreSQL.server()
        let location = try server.makeDatabase()
        guard case .postgreSQL(let endpoint) = location else { return }
        let stores = try await withThrowingTaskGroup(of: (any Store).self) { group in
            for _ in 0..<6 { group.addTask { try await location.open(logger: .quiet) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 6)
        #expect(
            try server.psql("SELECT string_agg(id, ',' ORDER BY id) FROM schema_migration", database: endpoint.database)
                == PostgresSchema.migrations.map(\.id).sorted().joined(separator: ","))
        for (index, store) in stores.enumerated() { _ = try await store.insertAlert(Sample.alertRecord("a\(index)")) }
        #expect(try await stores[0].unprocessedAlerts(limit: 10).count == 6)
    }

    @Test func aClosedStoreSaysSo() async throws {
        let server = try await TestPostgreSQL.server()
        let store = try #require(try await server.makeDatabase().open(logger: .quiet) as? PostgresStore)
        _ = try await store.insertAlert(Sample.alertRecord("a1"))
        await store.close()
        await #expect {
            try await store.alert("a1")
        } throws: { error in
            (error as? StoreError)?.code == .unavailable
        }
    }

    @Test func identifiersKeepBytewiseOrderWhateverTheDatabaseLocale() async throws {
        // A database in a linguistic collation sorts "_,a,A,b,B"; Starling's ids keep SQLite's order.
        let server = try await TestPostgreSQL.server()
        let name = "starling_locale_\(getpid())"
        try server.psql("CREATE DATABASE \(name) TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'")
        #expect(try server.psql("SELECT string_agg(x, ',' ORDER BY x) FROM unnest(ARRAY['b','A','a','_','B']) x", database: name) == "_,a,A,b,B")
        let store = try await PostgresStore.open(server.endpoint(database: name), logger: .quiet)
        for id in ["b", "A", "a", "_", "B"] { try await store.saveAssignment(Sample.assignment(id, .offered)) }
        #expect(try await store.assignments(alert: nil).map(\.id) == ["A", "B", "_", "a", "b"])
    }
}
