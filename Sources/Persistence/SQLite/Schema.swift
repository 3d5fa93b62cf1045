internal import GRDB

/// The database schema, as a list of migrations.
///
/// A migration that has shipped never changes (GRDB's rule: Migrations.md); a new column or
/// table is a new migration. Migrations use SQL only, never app types, so old databases can
/// always be brought up to date. Instants are stored as REAL seconds since 1970 (UTC); values
/// with structure are stored as JSON beside the columns that queries filter on.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE alert (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    event_id TEXT,
                    received_at REAL NOT NULL,
                    transport TEXT NOT NULL,
                    format TEXT NOT NULL,
                    raw BLOB NOT NULL,
                    alert_json TEXT,
                    status TEXT NOT NULL,
                    note TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX alert_event ON alert(event_id);
                CREATE INDEX alert_status ON alert(status, sequence);
                CREATE INDEX alert_received ON alert(received_at);

                CREATE TABLE request (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    target_id TEXT NOT NULL,
                    alert_id TEXT,
                    json TEXT NOT NULL
                );

                CREATE TABLE observation (
                    id TEXT PRIMARY KEY,
                    request_id TEXT NOT NULL,
                    telescope_id TEXT NOT NULL,
                    site_id TEXT NOT NULL,
                    target_id TEXT NOT NULL,
                    started REAL NOT NULL,
                    ended REAL NOT NULL,
                    outcome TEXT NOT NULL,
                    reason_code TEXT,
                    reason_detail TEXT,
                    json TEXT NOT NULL
                );
                CREATE INDEX observation_started ON observation(started);
                CREATE INDEX observation_site ON observation(site_id, started);
                CREATE INDEX observation_request ON observation(request_id);
                CREATE INDEX observation_target ON observation(target_id, outcome, started);

                CREATE TABLE frame (
                    id TEXT PRIMARY KEY,
                    observation_id TEXT NOT NULL REFERENCES observation(id) ON DELETE CASCADE,
                    telescope_id TEXT NOT NULL,
                    site_id TEXT NOT NULL,
                    started REAL NOT NULL,
                    json TEXT NOT NULL
                );
                CREATE INDEX frame_started ON frame(started);
                CREATE INDEX frame_observation ON frame(observation_id);

                CREATE TABLE frame_quality (
                    frame_id TEXT PRIMARY KEY,
                    json TEXT NOT NULL
                );

                CREATE TABLE plan (
                    id TEXT PRIMARY KEY,
                    telescope_id TEXT NOT NULL,
                    site_id TEXT NOT NULL,
                    night TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    sequence INTEGER NOT NULL,
                    json TEXT NOT NULL
                );
                CREATE INDEX plan_night ON plan(night, telescope_id, sequence);

                CREATE TABLE assignment (
                    id TEXT PRIMARY KEY,
                    alert_id TEXT NOT NULL,
                    telescope_id TEXT NOT NULL,
                    state TEXT NOT NULL,
                    planned_start REAL NOT NULL,
                    json TEXT NOT NULL
                );
                CREATE INDEX assignment_alert ON assignment(alert_id, planned_start);
                CREATE INDEX assignment_state ON assignment(state);

                CREATE TABLE journal (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    time REAL NOT NULL,
                    subject TEXT NOT NULL,
                    site_id TEXT,
                    kind TEXT NOT NULL,
                    message TEXT NOT NULL
                );
                CREATE INDEX journal_time ON journal(time);

                CREATE TABLE review (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    subject TEXT NOT NULL,
                    reviewed_at REAL NOT NULL,
                    json TEXT NOT NULL
                );
                CREATE INDEX review_subject ON review(subject, sequence);
                CREATE INDEX review_time ON review(reviewed_at);
                """)
        }
        // A simulated or real night as a whole: how far it got, for resuming after a crash.
        migrator.registerMigration("v2-runs") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                    id TEXT PRIMARY KEY,
                    started_at REAL NOT NULL,
                    reached REAL NOT NULL,
                    finished INTEGER NOT NULL DEFAULT 0
                );
                """)
        }
        // API tokens for the HTTP service: only a digest of each secret is kept.
        migrator.registerMigration("v3-api-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE api_token (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    digest TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL,
                    revoked_at REAL
                );
                """)
        }
        // Observation requests from the request API: each group as JSON, and the numbering
        // of its requests (the ids observers' tools keep).
        migrator.registerMigration("v4-request-groups") { db in
            try db.execute(sql: """
                CREATE TABLE request_group (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    proposal TEXT NOT NULL,
                    submitter TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    cancelled_at REAL,
                    group_json TEXT NOT NULL
                );
                CREATE TABLE request_group_member (
                    request_id INTEGER PRIMARY KEY AUTOINCREMENT,
                    group_id INTEGER NOT NULL REFERENCES request_group(id)
                );
                CREATE INDEX request_group_member_group ON request_group_member(group_id);
                """)
        }
        return migrator
    }
}
