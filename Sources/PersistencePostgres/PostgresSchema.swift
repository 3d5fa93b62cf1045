import Logging
import Persistence
internal import PostgresNIO

/// The PostgreSQL schema, as a list of migrations: the same tables, columns and migration ids
/// as the SQLite schema (`Persistence/SQLite/Schema.swift`), in PostgreSQL's types.
///
/// A migration that has shipped never changes; a new column or table is a new migration,
/// added to both schemas under the same id. Migrations are SQL only, never app types.
///
/// Choices that keep the two stores' behaviour the same:
/// - Instants are `double precision` seconds since 1970 (UTC), as SQLite's REAL: both stores
///   give back the same `Date` (`timestamptz` would round it to whole microseconds).
/// - Identifiers compare byte by byte (`COLLATE "C"`), as SQLite's text does, whatever the
///   database's locale, so `ORDER BY id` orders the same.
/// - Structured values are JSON text, exactly as written (not `jsonb`, which refuses the
///   `\u0000` escape that an untrusted notice's text may carry); query them with `json::jsonb`.
/// - Sequences (`alert.sequence`, `journal.sequence`, …) are identity columns. They are
///   handed out when a row is inserted, not when it commits, so with several writers a smaller
///   number may become visible after a larger one: a reader that must see every row does not
///   wait on a sequence high-water mark alone.
enum PostgresSchema {
    struct Migration {
        let id: String
        let statements: [String]
    }

    /// The advisory lock key that serialises migrations between processes opening the same
    /// database at once (`pg_advisory_xact_lock`; "STARLING" in ASCII). Other advisory locks
    /// Starling takes must use other keys.
    static let migrationLockKey: Int64 = 0x5354_4152_4C49_4E47

    /// The table recording which migrations have run.
    static let migrationTable = "schema_migration"

    static let migrations: [Migration] = [
        Migration(
            id: "v1",
            statements: [
                """
                CREATE TABLE alert (
                    sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id text COLLATE "C" NOT NULL UNIQUE,
                    event_id text COLLATE "C",
                    received_at double precision NOT NULL,
                    transport text NOT NULL,
                    format text NOT NULL,
                    raw bytea NOT NULL,
                    alert_json text,
                    status text NOT NULL,
                    note text NOT NULL DEFAULT ''
                )
                """,
                "CREATE INDEX alert_event ON alert(event_id)",
                "CREATE INDEX alert_status ON alert(status, sequence)",
                "CREATE INDEX alert_received ON alert(received_at)",
                """
                CREATE TABLE request (
                    id text COLLATE "C" PRIMARY KEY,
                    kind text NOT NULL,
                    target_id text COLLATE "C" NOT NULL,
                    alert_id text COLLATE "C",
                    json text NOT NULL
                )
                """,
                """
                CREATE TABLE observation (
                    id text COLLATE "C" PRIMARY KEY,
                    request_id text COLLATE "C" NOT NULL,
                    telescope_id text COLLATE "C" NOT NULL,
                    site_id text COLLATE "C" NOT NULL,
                    target_id text COLLATE "C" NOT NULL,
                    started double precision NOT NULL,
                    ended double precision NOT NULL,
                    outcome text NOT NULL,
                    reason_code text,
                    reason_detail text,
                    json text NOT NULL
                )
                """,
                "CREATE INDEX observation_started ON observation(started)",
                "CREATE INDEX observation_site ON observation(site_id, started)",
                "CREATE INDEX observation_request ON observation(request_id)",
                "CREATE INDEX observation_target ON observation(target_id, outcome, started)",
                "CREATE INDEX observation_telescope ON observation(telescope_id)",
                """
                CREATE TABLE frame (
                    id text COLLATE "C" PRIMARY KEY,
                    observation_id text COLLATE "C" NOT NULL REFERENCES observation(id) ON DELETE CASCADE,
                    telescope_id text COLLATE "C" NOT NULL,
                    site_id text COLLATE "C" NOT NULL,
                    started double precision NOT NULL,
                    json text NOT NULL
                )
                """,
                "CREATE INDEX frame_started ON frame(started)",
                "CREATE INDEX frame_observation ON frame(observation_id)",
                """
                CREATE TABLE frame_quality (
                    frame_id text COLLATE "C" PRIMARY KEY,
                    json text NOT NULL
                )
                """,
                // A plan's sequence orders a telescope's plans; a plan stored again gets a new one.
                "CREATE SEQUENCE plan_sequence",
                """
                CREATE TABLE plan (
                    id text COLLATE "C" PRIMARY KEY,
                    telescope_id text COLLATE "C" NOT NULL,
                    site_id text COLLATE "C" NOT NULL,
                    night text NOT NULL,
                    created_at double precision NOT NULL,
                    sequence bigint NOT NULL DEFAULT nextval('plan_sequence'),
                    json text NOT NULL
                )
                """,
                "CREATE INDEX plan_night ON plan(night, telescope_id, sequence)",
                """
                CREATE TABLE assignment (
                    id text COLLATE "C" PRIMARY KEY,
                    alert_id text COLLATE "C" NOT NULL,
                    telescope_id text COLLATE "C" NOT NULL,
                    state text NOT NULL,
                    planned_start double precision NOT NULL,
                    json text NOT NULL
                )
                """,
                "CREATE INDEX assignment_alert ON assignment(alert_id, planned_start)",
                "CREATE INDEX assignment_state ON assignment(state)",
                """
                CREATE TABLE journal (
                    sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    time double precision NOT NULL,
                    subject text COLLATE "C" NOT NULL,
                    site_id text COLLATE "C",
                    kind text NOT NULL,
                    message text NOT NULL
                )
                """,
                "CREATE INDEX journal_time ON journal(time)",
                """
                CREATE TABLE review (
                    sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    subject text COLLATE "C" NOT NULL,
                    reviewed_at double precision NOT NULL,
                    json text NOT NULL
                )
                """,
                "CREATE INDEX review_subject ON review(subject, sequence)",
                "CREATE INDEX review_time ON review(reviewed_at)",
            ]),
        // A simulated or real night as a whole: how far it got, for resuming after a crash.
        Migration(
            id: "v2-runs",
            statements: [
                """
                CREATE TABLE run (
                    id text COLLATE "C" PRIMARY KEY,
                    started_at double precision NOT NULL,
                    reached double precision NOT NULL,
                    finished boolean NOT NULL DEFAULT false
                )
                """
            ]),
        // API tokens for the HTTP service: only a digest of each secret is kept.
        Migration(
            id: "v3-api-tokens",
            statements: [
                """
                CREATE TABLE api_token (
                    id text COLLATE "C" PRIMARY KEY,
                    name text NOT NULL,
                    role text NOT NULL,
                    digest text COLLATE "C" NOT NULL UNIQUE,
                    created_at double precision NOT NULL,
                    revoked_at double precision
                )
                """
            ]),
        // Observation requests from the request API: each group as JSON, and the numbering
        // of its requests (the ids observers' tools keep).
        Migration(
            id: "v4-request-groups",
            statements: [
                """
                CREATE TABLE request_group (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    proposal text COLLATE "C" NOT NULL,
                    submitter text NOT NULL,
                    created_at double precision NOT NULL,
                    cancelled_at double precision,
                    group_json text NOT NULL
                )
                """,
                """
                CREATE TABLE request_group_member (
                    request_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    group_id bigint NOT NULL REFERENCES request_group(id)
                )
                """,
                "CREATE INDEX request_group_member_group ON request_group_member(group_id)",
            ]),
    ]

    /// Brings the database's schema up to date, in one transaction under the migration lock, so
    /// that processes starting together migrate once and none sees half a schema.
    ///
    /// - Throws: ``StoreError`` `.incompatible` when the database was migrated by a newer
    ///   Starling, or holds tables of the same names that Starling did not make.
    static func migrate(_ connection: PostgresConnection, logger: Logger, database: String) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLockKey))", logger: logger).drain()
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: "CREATE TABLE IF NOT EXISTS \(migrationTable) (id text COLLATE \"C\" PRIMARY KEY, applied_at double precision NOT NULL)"),
                logger: logger
            ).drain()
            var applied: Set<String> = []
            for try await id in try await connection.query(PostgresQuery(unsafeSQL: "SELECT id FROM \(migrationTable)"), logger: logger).decode(String.self) {
                applied.insert(id)
            }
            let known = Set(migrations.map(\.id))
            if let unknown = applied.subtracting(known).sorted().first {
                throw StoreError(
                    .incompatible,
                    "the database \(database) was brought to schema '\(unknown)' by a newer Starling; upgrade Starling")
            }
            for migration in migrations where !applied.contains(migration.id) {
                for statement in migration.statements {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).drain()
                    } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P07" {
                        throw StoreError(
                            .incompatible,
                            "the database \(database) already has tables of the names Starling uses that Starling did not make; give Starling a database of its own",
                            underlyingDescription: PostgresStore.serverMessage(error))
                    }
                }
                try await connection.query(
                    "INSERT INTO schema_migration (id, applied_at) VALUES (\(migration.id), extract(epoch FROM clock_timestamp()))", logger: logger
                ).drain()
                logger.info("Migrated the PostgreSQL schema", metadata: ["migration.id": "\(migration.id)", "database": "\(database)"])
            }
        }
    }
}

extension PostgresRowSequence {
    /// Reads and discards every row, so the statement has finished before the next one starts.
    func drain() async throws {
        for try await _ in self {}
    }
}
