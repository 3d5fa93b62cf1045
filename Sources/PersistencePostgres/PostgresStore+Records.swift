public import Foundation
public import Persistence
public import StarlingCore
internal import PostgresNIO

// Each method is the SQLite store's (SQLiteStore+Records.swift) in PostgreSQL's dialect:
// `INSERT OR REPLACE` becomes `INSERT … ON CONFLICT (id) DO UPDATE`, a changed-row count a
// `RETURNING` row, `MAX(a, b)` `GREATEST(a, b)`. Every string goes to the server through
// `storable` (Persistence/StoredValues.swift), since PostgreSQL's text cannot hold U+0000.

// MARK: - Alerts

extension PostgresStore: AlertStore {
    public func insertAlerts(_ records: [AlertRecord]) async throws(StoreError) -> [Bool] {
        let rows = try StoredJSON.encodeEach(records) { record in (record, try record.alert.map(StoredJSON.encode)) }
        return try await transaction("storing alerts") { connection in
            var inserted: [Bool] = []
            inserted.reserveCapacity(rows.count)
            for (record, alertJSON) in rows {
                let returned = try await connection.count(
                    """
                    INSERT INTO alert (id, event_id, received_at, transport, format, raw, alert_json, status, note)
                    VALUES (\(record.id.rawValue.storable), \(record.alert?.eventID.storable), \(record.receivedAt.timeIntervalSince1970),
                            \(record.transport.storable), \(record.format.storable), \(record.raw), \(alertJSON), \(record.status.rawValue),
                            \(record.note.storable))
                    ON CONFLICT (id) DO NOTHING RETURNING 1
                    """, logger: logger)
                inserted.append(returned == 1)
            }
            return inserted
        }
    }

    public func unprocessedAlerts(limit: Int) async throws(StoreError) -> [AlertRecord] {
        try await read(
            "reading unprocessed alerts", "SELECT \(unescaped: Self.alertColumns) FROM alert WHERE status = 'received' ORDER BY sequence LIMIT \(limit)",
            Self.alertRecord)
    }

    @discardableResult
    public func markAlert(_ id: AlertID, status: AlertRecord.Status, note: String) async throws(StoreError) -> Bool {
        try await transaction("marking an alert") { connection in
            try await connection.count(
                "UPDATE alert SET status = \(status.rawValue), note = \(note.storable) WHERE id = \(id.rawValue.storable) AND status = 'received' RETURNING 1",
                logger: logger) == 1
        }
    }

    public func alert(_ id: AlertID) async throws(StoreError) -> AlertRecord? {
        try await read("reading an alert", "SELECT \(unescaped: Self.alertColumns) FROM alert WHERE id = \(id.rawValue.storable)", Self.alertRecord).first
    }

    public func alerts(event eventID: String) async throws(StoreError) -> [AlertRecord] {
        try await read(
            "reading an event's alerts", "SELECT \(unescaped: Self.alertColumns) FROM alert WHERE event_id = \(eventID.storable) ORDER BY sequence",
            Self.alertRecord)
    }

    public func alerts(receivedIn interval: DateInterval) async throws(StoreError) -> [AlertRecord] {
        try await read(
            "reading alerts",
            """
            SELECT \(unescaped: Self.alertColumns) FROM alert
            WHERE received_at >= \(interval.start.timeIntervalSince1970) AND received_at < \(interval.end.timeIntervalSince1970) ORDER BY sequence
            """, Self.alertRecord)
    }

    private static let alertColumns = "id, received_at, transport, format, raw, alert_json, status, note"

    private static func alertRecord(_ row: PostgresRow) throws -> AlertRecord {
        let (id, receivedAt, transport, format, raw, alertJSON, status, note) = try row.decode(
            (String, Double, String, String, Data, String?, String, String).self)
        guard let parsedStatus = AlertRecord.Status(rawValue: status) else {
            throw StoreError(.corruptRecord, "alert \(id) has an unknown status '\(status)'")
        }
        return AlertRecord(
            id: AlertID(id), receivedAt: Date(timeIntervalSince1970: receivedAt), transport: transport, format: format, raw: raw,
            alert: try alertJSON.map { try StoredJSON.decode(Alert.self, $0) }, status: parsedStatus, note: note)
    }
}

// MARK: - Observations and frames

extension PostgresStore: ObservationStore {
    public func saveRequest(_ request: ObservationRequest) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(request) }
        try await transaction("storing a request") { connection in
            try await connection.run(
                """
                INSERT INTO request (id, kind, target_id, alert_id, json)
                VALUES (\(request.id.rawValue.storable), \(request.kind.rawValue), \(request.target.id.rawValue.storable),
                        \(request.alertID?.rawValue.storable), \(json))
                ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, target_id = excluded.target_id, alert_id = excluded.alert_id, json = excluded.json
                """, logger: logger)
        }
    }

    public func saveObservation(_ observation: Observation) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(observation) }
        let frames = try StoredJSON.encodeEach(observation.frames) { frame in (frame, try StoredJSON.encode(frame)) }
        let id = observation.id.rawValue.storable
        let site = observation.siteID.rawValue.storable
        try await transaction("storing an observation") { connection in
            try await connection.run(
                """
                INSERT INTO observation
                (id, request_id, telescope_id, site_id, target_id, started, ended, outcome, reason_code, reason_detail, json)
                VALUES (\(id), \(observation.requestID.rawValue.storable), \(observation.telescopeID.rawValue.storable), \(site),
                        \(observation.targetID.rawValue.storable), \(observation.started.timeIntervalSince1970),
                        \(observation.ended.timeIntervalSince1970), \(observation.outcome.name), \(observation.outcome.reason?.code.rawValue),
                        \(observation.outcome.reason?.detail.storable), \(json))
                ON CONFLICT (id) DO UPDATE SET
                    request_id = excluded.request_id, telescope_id = excluded.telescope_id, site_id = excluded.site_id,
                    target_id = excluded.target_id, started = excluded.started, ended = excluded.ended, outcome = excluded.outcome,
                    reason_code = excluded.reason_code, reason_detail = excluded.reason_detail, json = excluded.json
                """, logger: logger)
            // An observation stored again has exactly its new frames, as SQLite's REPLACE
            // (which cascades to the old frames) leaves it.
            try await connection.run("DELETE FROM frame WHERE observation_id = \(id)", logger: logger)
            for (frame, frameJSON) in frames {
                try await connection.run(
                    """
                    INSERT INTO frame (id, observation_id, telescope_id, site_id, started, json)
                    VALUES (\(frame.id.rawValue.storable), \(id), \(frame.telescopeID.rawValue.storable), \(site),
                            \(frame.started.timeIntervalSince1970), \(frameJSON))
                    ON CONFLICT (id) DO UPDATE SET
                        observation_id = excluded.observation_id, telescope_id = excluded.telescope_id, site_id = excluded.site_id,
                        started = excluded.started, json = excluded.json
                    """, logger: logger)
            }
        }
    }

    public func observations(startedIn interval: DateInterval, site: SiteID?) async throws(StoreError) -> [Observation] {
        let query: PostgresQuery
        if let site {
            query = """
                SELECT json FROM observation
                WHERE started >= \(interval.start.timeIntervalSince1970) AND started < \(interval.end.timeIntervalSince1970)
                  AND site_id = \(site.rawValue.storable)
                ORDER BY started, id
                """
        } else {
            query = """
                SELECT json FROM observation
                WHERE started >= \(interval.start.timeIntervalSince1970) AND started < \(interval.end.timeIntervalSince1970)
                ORDER BY started, id
                """
        }
        return try await read("reading observations", query) { row in try StoredJSON.decode(Observation.self, try row.decode(String.self)) }
    }

    public func observations(of request: RequestID) async throws(StoreError) -> [Observation] {
        try await read(
            "reading a request's observations", "SELECT json FROM observation WHERE request_id = \(request.rawValue.storable) ORDER BY started, id"
        ) { row in try StoredJSON.decode(Observation.self, try row.decode(String.self)) }
    }

    public func lastVisits(before: Date) async throws(StoreError) -> [TargetID: Date] {
        let rows = try await read(
            "reading target visits",
            """
            SELECT target_id, MAX(started) FROM observation
            WHERE outcome = 'completed' AND started < \(before.timeIntervalSince1970) GROUP BY target_id
            """
        ) { row in try row.decode((String, Double).self) }
        var visits: [TargetID: Date] = [:]
        for (target, last) in rows { visits[TargetID(target)] = Date(timeIntervalSince1970: last) }
        return visits
    }

    public func saveFrameQuality(_ quality: FrameQuality) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(quality) }
        try await transaction("storing frame quality") { connection in
            try await connection.run(
                """
                INSERT INTO frame_quality (frame_id, json) VALUES (\(quality.frameID.rawValue.storable), \(json))
                ON CONFLICT (frame_id) DO UPDATE SET json = excluded.json
                """, logger: logger)
        }
    }

    public func frames(startedIn interval: DateInterval, site: SiteID?) async throws(StoreError) -> [(frame: FrameRecord, quality: FrameQuality?)] {
        let query: PostgresQuery
        if let site {
            query = """
                SELECT frame.json, frame_quality.json FROM frame LEFT JOIN frame_quality ON frame_quality.frame_id = frame.id
                WHERE frame.started >= \(interval.start.timeIntervalSince1970) AND frame.started < \(interval.end.timeIntervalSince1970)
                  AND frame.site_id = \(site.rawValue.storable)
                ORDER BY frame.started, frame.id
                """
        } else {
            query = """
                SELECT frame.json, frame_quality.json FROM frame LEFT JOIN frame_quality ON frame_quality.frame_id = frame.id
                WHERE frame.started >= \(interval.start.timeIntervalSince1970) AND frame.started < \(interval.end.timeIntervalSince1970)
                ORDER BY frame.started, frame.id
                """
        }
        return try await read("reading frames", query) { row in
            let (frame, quality) = try row.decode((String, String?).self)
            return (frame: try StoredJSON.decode(FrameRecord.self, frame), quality: try quality.map { try StoredJSON.decode(FrameQuality.self, $0) })
        }
    }

    public func frame(_ id: FrameID) async throws(StoreError) -> FrameRecord? {
        try await read("reading a frame", "SELECT json FROM frame WHERE id = \(id.rawValue.storable)") { row in
            try StoredJSON.decode(FrameRecord.self, try row.decode(String.self))
        }.first
    }

    public func frameQuality(of frame: FrameID) async throws(StoreError) -> FrameQuality? {
        try await read("reading a frame's quality", "SELECT json FROM frame_quality WHERE frame_id = \(frame.rawValue.storable)") { row in
            try StoredJSON.decode(FrameQuality.self, try row.decode(String.self))
        }.first
    }

    public func observation(_ id: ObservationID) async throws(StoreError) -> Observation? {
        try await read("reading an observation", "SELECT json FROM observation WHERE id = \(id.rawValue.storable)") { row in
            try StoredJSON.decode(Observation.self, try row.decode(String.self))
        }.first
    }

    public func observationCount(telescope: TelescopeID) async throws(StoreError) -> Int {
        try await read("counting a telescope's observations", "SELECT COUNT(*) FROM observation WHERE telescope_id = \(telescope.rawValue.storable)") {
            row in try row.decode(Int.self)
        }.first ?? 0
    }
}

// MARK: - Plans

extension PostgresStore: PlanStore {
    public func savePlan(_ plan: NightPlan) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(plan) }
        try await transaction("storing a plan") { connection in
            // A plan stored again is the latest again, as SQLite's REPLACE with MAX(sequence) + 1 makes it.
            try await connection.run(
                """
                INSERT INTO plan (id, telescope_id, site_id, night, created_at, json)
                VALUES (\(plan.id.rawValue.storable), \(plan.telescopeID.rawValue.storable), \(plan.siteID.rawValue.storable),
                        \(plan.night.description), \(plan.createdAt.timeIntervalSince1970), \(json))
                ON CONFLICT (id) DO UPDATE SET
                    telescope_id = excluded.telescope_id, site_id = excluded.site_id, night = excluded.night,
                    created_at = excluded.created_at, sequence = nextval('plan_sequence'), json = excluded.json
                """, logger: logger)
        }
    }

    public func latestPlans(night: CalendarDate, site: SiteID?) async throws(StoreError) -> [NightPlan] {
        let query: PostgresQuery
        if let site {
            query = """
                SELECT json FROM plan p WHERE night = \(night.description) AND sequence = (
                    SELECT MAX(sequence) FROM plan q WHERE q.night = p.night AND q.telescope_id = p.telescope_id)
                  AND site_id = \(site.rawValue.storable)
                ORDER BY telescope_id
                """
        } else {
            query = """
                SELECT json FROM plan p WHERE night = \(night.description) AND sequence = (
                    SELECT MAX(sequence) FROM plan q WHERE q.night = p.night AND q.telescope_id = p.telescope_id)
                ORDER BY telescope_id
                """
        }
        return try await read("reading plans", query) { row in try StoredJSON.decode(NightPlan.self, try row.decode(String.self)) }
    }

    public func plans(telescope: TelescopeID, night: CalendarDate) async throws(StoreError) -> [NightPlan] {
        try await read(
            "reading a telescope's plans",
            "SELECT json FROM plan WHERE telescope_id = \(telescope.rawValue.storable) AND night = \(night.description) ORDER BY sequence"
        ) { row in try StoredJSON.decode(NightPlan.self, try row.decode(String.self)) }
    }
}

// MARK: - Assignments

extension PostgresStore: AssignmentStore {
    public func saveAssignment(_ assignment: Assignment) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(assignment) }
        try await transaction("storing an assignment") { connection in try await Self.upsertAssignment(assignment, json: json, connection, logger: logger) }
    }

    public func assignments(alert: AlertID?) async throws(StoreError) -> [Assignment] {
        let query: PostgresQuery =
            if let alert {
                "SELECT json FROM assignment WHERE alert_id = \(alert.rawValue.storable) ORDER BY planned_start, id"
            } else {
                "SELECT json FROM assignment ORDER BY planned_start, id"
            }
        return try await read("reading assignments", query) { row in try StoredJSON.decode(Assignment.self, try row.decode(String.self)) }
    }

    public func recordDecision(alert: AlertID, status: AlertRecord.Status, note: String, assignments: [Assignment]) async throws(StoreError) -> Bool {
        try await recordDecisions([AlertDecision(alert: alert, status: status, note: note, assignments: assignments)])[0]
    }

    public func recordDecisions(_ decisions: [AlertDecision]) async throws(StoreError) -> [Bool] {
        let encoded = try StoredJSON.encodeEach(decisions) { decision in
            (decision, try decision.assignments.map { ($0, try StoredJSON.encode($0)) })
        }
        return try await transaction("recording decisions") { connection in
            var recorded: [Bool] = []
            for (decision, assignments) in encoded {
                // Exactly once, between processes too: a concurrent decision on the same notice
                // waits for this row and then finds it no longer 'received'.
                let moved = try await connection.count(
                    """
                    UPDATE alert SET status = \(decision.status.rawValue), note = \(decision.note.storable)
                    WHERE id = \(decision.alert.rawValue.storable) AND status = 'received' RETURNING 1
                    """, logger: logger)
                guard moved == 1 else {
                    recorded.append(false)
                    continue
                }
                for (assignment, json) in assignments { try await Self.upsertAssignment(assignment, json: json, connection, logger: logger) }
                try await Self.insertJournal(decision.journal, connection, logger: logger)
                recorded.append(true)
            }
            return recorded
        }
    }

    public func openAssignments() async throws(StoreError) -> [Assignment] {
        let final = StoredKey.finalAssignmentStates.map { "'\($0)'" }.joined(separator: ", ")
        return try await read(
            "reading open assignments", "SELECT json FROM assignment WHERE state NOT IN (\(unescaped: final)) ORDER BY planned_start, id"
        ) { row in try StoredJSON.decode(Assignment.self, try row.decode(String.self)) }
    }

    static func upsertAssignment(_ assignment: Assignment, json: String, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run(
            """
            INSERT INTO assignment (id, alert_id, telescope_id, state, planned_start, json)
            VALUES (\(assignment.id.rawValue.storable), \(assignment.alertID.rawValue.storable), \(assignment.telescopeID.rawValue.storable),
                    \(assignment.state.rawValue), \(assignment.plannedStart.timeIntervalSince1970), \(json))
            ON CONFLICT (id) DO UPDATE SET
                alert_id = excluded.alert_id, telescope_id = excluded.telescope_id, state = excluded.state,
                planned_start = excluded.planned_start, json = excluded.json
            """, logger: logger)
    }
}

// MARK: - Journal

extension PostgresStore: JournalStore {
    public func appendJournal(_ entries: [JournalEntry]) async throws(StoreError) {
        guard !entries.isEmpty else { return }
        try await transaction("appending to the journal") { connection in try await Self.insertJournal(entries, connection, logger: logger) }
    }

    static func insertJournal(_ entries: [JournalEntry], _ connection: PostgresConnection, logger: Logger) async throws {
        for entry in entries {
            try await connection.run(
                """
                INSERT INTO journal (time, subject, site_id, kind, message)
                VALUES (\(entry.time.timeIntervalSince1970), \(entry.subject.storable), \(entry.siteID?.storable), \(entry.kind.rawValue),
                        \(entry.message.storable))
                """, logger: logger)
        }
    }

    public func journal(in interval: DateInterval, site: SiteID?) async throws(StoreError) -> [JournalEntry] {
        let query: PostgresQuery
        if let site {
            query = """
                SELECT time, subject, site_id, kind, message FROM journal
                WHERE time >= \(interval.start.timeIntervalSince1970) AND time < \(interval.end.timeIntervalSince1970) AND site_id = \(site.rawValue.storable)
                ORDER BY time, sequence
                """
        } else {
            query = """
                SELECT time, subject, site_id, kind, message FROM journal
                WHERE time >= \(interval.start.timeIntervalSince1970) AND time < \(interval.end.timeIntervalSince1970)
                ORDER BY time, sequence
                """
        }
        return try await read("reading the journal", query) { row in
            let (time, subject, siteID, kind, message) = try row.decode((Double, String, String?, String, String).self)
            guard let parsedKind = JournalEntry.Kind(rawValue: kind) else {
                throw StoreError(.corruptRecord, "journal entry with unknown kind '\(kind)'")
            }
            return JournalEntry(time: Date(timeIntervalSince1970: time), subject: subject, siteID: siteID, kind: parsedKind, message: message)
        }
    }
}

// MARK: - Reviews

extension PostgresStore: ReviewStore {
    public func saveReview(_ review: Review) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(review) }
        let subject = StoredKey.review(review.subject).storable
        try await transaction("storing a review") { connection in
            try await connection.run(
                "INSERT INTO review (subject, reviewed_at, json) VALUES (\(subject), \(review.reviewedAt.timeIntervalSince1970), \(json))",
                logger: logger)
        }
    }

    public func reviews(of subject: Review.Subject) async throws(StoreError) -> [Review] {
        try await read("reading reviews", "SELECT json FROM review WHERE subject = \(StoredKey.review(subject).storable) ORDER BY sequence") { row in
            try StoredJSON.decode(Review.self, try row.decode(String.self))
        }
    }

    public func reviews(madeIn interval: DateInterval) async throws(StoreError) -> [Review] {
        try await read(
            "reading reviews",
            """
            SELECT json FROM review
            WHERE reviewed_at >= \(interval.start.timeIntervalSince1970) AND reviewed_at < \(interval.end.timeIntervalSince1970) ORDER BY sequence
            """
        ) { row in try StoredJSON.decode(Review.self, try row.decode(String.self)) }
    }
}

// MARK: - Runs

extension PostgresStore: RunStore {
    public func run(_ id: String) async throws(StoreError) -> RunProgress? {
        try await read("reading a run", "SELECT id, started_at, reached, finished FROM run WHERE id = \(id.storable)") { row in
            let (id, startedAt, reached, finished) = try row.decode((String, Double, Double, Bool).self)
            return RunProgress(
                id: id, startedAt: Date(timeIntervalSince1970: startedAt), reached: Date(timeIntervalSince1970: reached), isFinished: finished)
        }.first
    }

    public func checkpoint(run id: String, reached: Date, startedAt: Date) async throws(StoreError) {
        try await transaction("recording a run's progress") { connection in
            try await connection.run(
                """
                INSERT INTO run (id, started_at, reached, finished) VALUES (\(id.storable), \(startedAt.timeIntervalSince1970), \(reached.timeIntervalSince1970), false)
                ON CONFLICT (id) DO UPDATE SET reached = GREATEST(run.reached, excluded.reached)
                """, logger: logger)
        }
    }

    public func finishRun(_ id: String, at: Date) async throws(StoreError) {
        try await transaction("finishing a run") { connection in
            try await connection.run(
                "UPDATE run SET finished = true, reached = GREATEST(reached, \(at.timeIntervalSince1970)) WHERE id = \(id.storable)", logger: logger)
        }
    }
}

// MARK: - API tokens

extension PostgresStore: TokenStore {
    public func saveToken(_ token: APIToken) async throws(StoreError) {
        try await transaction("storing an API token") { connection in
            try await connection.run(
                """
                INSERT INTO api_token (id, name, role, digest, created_at, revoked_at)
                VALUES (\(token.id.storable), \(token.name.storable), \(token.role.rawValue), \(token.digest.storable),
                        \(token.createdAt.timeIntervalSince1970), \(token.revokedAt?.timeIntervalSince1970))
                """, logger: logger)
        }
    }

    public func token(digest: String) async throws(StoreError) -> APIToken? {
        try await read("reading an API token", "SELECT \(unescaped: Self.tokenColumns) FROM api_token WHERE digest = \(digest.storable)", Self.apiToken).first
    }

    public func tokens() async throws(StoreError) -> [APIToken] {
        try await read("listing API tokens", "SELECT \(unescaped: Self.tokenColumns) FROM api_token ORDER BY created_at, id", Self.apiToken)
    }

    @discardableResult
    public func revokeToken(id: String, at: Date) async throws(StoreError) -> Bool {
        try await transaction("revoking an API token") { connection in
            try await connection.count(
                "UPDATE api_token SET revoked_at = COALESCE(revoked_at, \(at.timeIntervalSince1970)) WHERE id = \(id.storable) RETURNING 1",
                logger: logger) > 0
        }
    }

    private static let tokenColumns = "id, name, role, digest, created_at, revoked_at"

    private static func apiToken(_ row: PostgresRow) throws -> APIToken {
        let (id, name, roleName, digest, createdAt, revokedAt) = try row.decode((String, String, String, String, Double, Double?).self)
        guard let role = AccessRole(rawValue: roleName) else {
            throw StoreError(.corruptRecord, "API token \(id) has an unknown role '\(roleName)'")
        }
        return APIToken(
            id: id, name: name, role: role, digest: digest, createdAt: Date(timeIntervalSince1970: createdAt),
            revokedAt: revokedAt.map { Date(timeIntervalSince1970: $0) })
    }
}

// MARK: - Request groups

extension PostgresStore: RequestGroupStore {
    public func insertRequestGroup(_ group: RequestGroup) async throws(StoreError) -> RequestGroup {
        try await transaction("storing a request group") { connection in
            var id: Int?
            for try await row in try await connection.query(
                """
                INSERT INTO request_group (proposal, submitter, created_at, cancelled_at, group_json)
                VALUES (\(group.proposalID.storable), \(group.submitter.storable), \(group.created.timeIntervalSince1970),
                        \(group.cancelled?.timeIntervalSince1970), '')
                RETURNING id
                """, logger: logger)
            {
                id = try row.decode(Int.self)
            }
            guard let id else { throw StoreError(.failed, "the database gave the new request group no id") }
            var requestIDs: [Int] = []
            for _ in group.requests {
                for try await row in try await connection.query(
                    "INSERT INTO request_group_member (group_id) VALUES (\(id)) RETURNING request_id", logger: logger)
                {
                    requestIDs.append(try row.decode(Int.self))
                }
            }
            let numbered = group.numbered(id, requestIDs: requestIDs)
            try await connection.run(
                "UPDATE request_group SET group_json = \(try StoredJSON.encode(numbered).storable) WHERE id = \(id)", logger: logger)
            return numbered
        }
    }

    public func requestGroup(id: Int) async throws(StoreError) -> RequestGroup? {
        try await read(
            "reading a request group", "SELECT \(unescaped: Self.groupColumns) FROM request_group WHERE id = \(id)", Self.requestGroup
        ).first
    }

    public func requestGroup(containingRequest requestID: Int) async throws(StoreError) -> RequestGroup? {
        try await read(
            "reading a request's group",
            """
            SELECT \(unescaped: Self.groupColumns) FROM request_group
            WHERE id = (SELECT group_id FROM request_group_member WHERE request_id = \(requestID))
            """, Self.requestGroup
        ).first
    }

    public func requestGroups() async throws(StoreError) -> [RequestGroup] {
        try await read("listing request groups", "SELECT \(unescaped: Self.groupColumns) FROM request_group ORDER BY id", Self.requestGroup)
    }

    public func cancelRequestGroup(id: Int, at: Date) async throws(StoreError) -> RequestGroup? {
        try await transaction("cancelling a request group") { connection in
            var groups: [RequestGroup] = []
            for try await row in try await connection.query(
                """
                UPDATE request_group SET cancelled_at = COALESCE(cancelled_at, \(at.timeIntervalSince1970)) WHERE id = \(id)
                RETURNING \(unescaped: Self.groupColumns)
                """, logger: logger)
            {
                groups.append(try Self.requestGroup(row))
            }
            return groups.first
        }
    }

    private static let groupColumns = "group_json, cancelled_at"

    /// The stored group with the cancellation its row records.
    private static func requestGroup(_ row: PostgresRow) throws -> RequestGroup {
        let (json, cancelled) = try row.decode((String, Double?).self)
        let stored = try StoredJSON.decode(RequestGroup.self, json)
        return cancelled.map { stored.cancelling(at: Date(timeIntervalSince1970: $0)) } ?? stored
    }
}

/// All of the store protocols, in one PostgreSQL database.
extension PostgresStore: Store {}

// MARK: - Statements

extension PostgresConnection {
    /// Runs a statement and reads its rows to the end.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        try await self.query(query, logger: logger).drain()
    }

    /// Runs a statement and counts the rows it returns (a `RETURNING 1` per changed row).
    func count(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        var rows = 0
        for try await _ in try await self.query(query, logger: logger) { rows += 1 }
        return rows
    }
}
