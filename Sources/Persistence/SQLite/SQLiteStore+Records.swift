public import Foundation
public import StarlingCore
internal import GRDB

// MARK: - Alerts

extension SQLiteStore: AlertStore {
    public func insertAlerts(_ records: [AlertRecord]) async throws(StoreError) -> [Bool] {
        let rows = try StoredJSON.encodeEach(records) { record in
            (record, try record.alert.map(StoredJSON.encode))
        }
        return try await write("storing alerts") { db in
            try rows.map { record, alertJSON in
                try db.execute(
                    sql: """
                        INSERT INTO alert (id, event_id, received_at, transport, format, raw, alert_json, status, note)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING
                        """,
                    arguments: [
                        record.id.rawValue.storable, record.alert?.eventID.storable, record.receivedAt.timeIntervalSince1970,
                        record.transport.storable, record.format.storable, record.raw, alertJSON, record.status.rawValue, record.note.storable,
                    ])
                return db.changesCount == 1
            }
        }
    }

    public func unprocessedAlerts(limit: Int) async throws(StoreError) -> [AlertRecord] {
        try await read("reading unprocessed alerts") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert WHERE status = 'received' ORDER BY sequence LIMIT ?", arguments: [limit])
                .map(Self.alertRecord)
        }
    }

    @discardableResult
    public func markAlert(_ id: AlertID, status: AlertRecord.Status, note: String) async throws(StoreError) -> Bool {
        try await write("marking an alert") { db in
            try db.execute(
                sql: "UPDATE alert SET status = ?, note = ? WHERE id = ? AND status = 'received'",
                arguments: [status.rawValue, note.storable, id.rawValue.storable])
            return db.changesCount == 1
        }
    }

    public func alert(_ id: AlertID) async throws(StoreError) -> AlertRecord? {
        try await read("reading an alert") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alert WHERE id = ?", arguments: [id.rawValue.storable]).map(Self.alertRecord)
        }
    }

    public func alerts(event eventID: String) async throws(StoreError) -> [AlertRecord] {
        try await read("reading an event's alerts") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert WHERE event_id = ? ORDER BY sequence", arguments: [eventID.storable])
                .map(Self.alertRecord)
        }
    }

    public func alerts(receivedIn interval: DateInterval) async throws(StoreError) -> [AlertRecord] {
        try await read("reading alerts") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM alert WHERE received_at >= ? AND received_at < ? ORDER BY sequence",
                arguments: [interval.start.timeIntervalSince1970, interval.end.timeIntervalSince1970]
            ).map(Self.alertRecord)
        }
    }

    private static func alertRecord(_ row: Row) throws -> AlertRecord {
        let status: String = row["status"]
        guard let parsedStatus = AlertRecord.Status(rawValue: status) else {
            throw StoreError(.corruptRecord, "alert \(row["id"] as String) has an unknown status '\(status)'")
        }
        let alertJSON: String? = row["alert_json"]
        return AlertRecord(
            id: AlertID(row["id"]), receivedAt: Date(timeIntervalSince1970: row["received_at"]), transport: row["transport"],
            format: row["format"], raw: row["raw"], alert: try alertJSON.map { try StoredJSON.decode(Alert.self, $0) },
            status: parsedStatus, note: row["note"])
    }
}

// MARK: - Observations and frames

extension SQLiteStore: ObservationStore {
    public func saveRequest(_ request: ObservationRequest) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(request) }
        try await write("storing a request") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO request (id, kind, target_id, alert_id, json) VALUES (?, ?, ?, ?, ?)",
                arguments: [request.id.rawValue, request.kind.rawValue, request.target.id.rawValue, request.alertID?.rawValue, json])
        }
    }

    public func saveObservation(_ observation: Observation) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(observation) }
        let frames = try StoredJSON.encodeEach(observation.frames) { frame in (frame, try StoredJSON.encode(frame)) }
        try await write("storing an observation") { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO observation
                    (id, request_id, telescope_id, site_id, target_id, started, ended, outcome, reason_code, reason_detail, json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    observation.id.rawValue, observation.requestID.rawValue, observation.telescopeID.rawValue,
                    observation.siteID.rawValue, observation.targetID.rawValue, observation.started.timeIntervalSince1970,
                    observation.ended.timeIntervalSince1970, observation.outcome.name, observation.outcome.reason?.code.rawValue,
                    observation.outcome.reason?.detail, json,
                ])
            for (frame, frameJSON) in frames {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO frame (id, observation_id, telescope_id, site_id, started, json) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [
                        frame.id.rawValue, observation.id.rawValue, frame.telescopeID.rawValue, observation.siteID.rawValue,
                        frame.started.timeIntervalSince1970, frameJSON,
                    ])
            }
        }
    }

    public func observations(startedIn interval: DateInterval, site: SiteID?) async throws(StoreError) -> [Observation] {
        try await read("reading observations") { db in
            var sql = "SELECT json FROM observation WHERE started >= ? AND started < ?"
            var arguments: StatementArguments = [interval.start.timeIntervalSince1970, interval.end.timeIntervalSince1970]
            if let site {
                sql += " AND site_id = ?"
                arguments += [site.rawValue]
            }
            return try String.fetchAll(db, sql: sql + " ORDER BY started, id", arguments: arguments)
                .map { try StoredJSON.decode(Observation.self, $0) }
        }
    }

    public func observations(of request: RequestID) async throws(StoreError) -> [Observation] {
        try await read("reading a request's observations") { db in
            try String.fetchAll(db, sql: "SELECT json FROM observation WHERE request_id = ? ORDER BY started, id", arguments: [request.rawValue])
                .map { try StoredJSON.decode(Observation.self, $0) }
        }
    }

    public func lastVisits(before: Date) async throws(StoreError) -> [TargetID: Date] {
        try await read("reading target visits") { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT target_id, MAX(started) AS last FROM observation WHERE outcome = 'completed' AND started < ? GROUP BY target_id",
                arguments: [before.timeIntervalSince1970])
            var visits: [TargetID: Date] = [:]
            for row in rows { visits[TargetID(row["target_id"])] = Date(timeIntervalSince1970: row["last"]) }
            return visits
        }
    }

    public func saveFrameQuality(_ quality: FrameQuality) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(quality) }
        try await write("storing frame quality") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO frame_quality (frame_id, json) VALUES (?, ?)", arguments: [quality.frameID.rawValue, json])
        }
    }

    public func frames(startedIn interval: DateInterval, site: SiteID?) async throws(StoreError) -> [(frame: FrameRecord, quality: FrameQuality?)] {
        let rows: [FramePair] = try await read("reading frames") { db in
            var sql = """
                SELECT frame.json AS frame, frame_quality.json AS quality FROM frame
                LEFT JOIN frame_quality ON frame_quality.frame_id = frame.id
                WHERE frame.started >= ? AND frame.started < ?
                """
            var arguments: StatementArguments = [interval.start.timeIntervalSince1970, interval.end.timeIntervalSince1970]
            if let site {
                sql += " AND frame.site_id = ?"
                arguments += [site.rawValue]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY frame.started, frame.id", arguments: arguments).map { row in
                let quality: String? = row["quality"]
                return FramePair(
                    frame: try StoredJSON.decode(FrameRecord.self, row["frame"]),
                    quality: try quality.map { try StoredJSON.decode(FrameQuality.self, $0) })
            }
        }
        return rows.map { ($0.frame, $0.quality) }
    }

    public func frame(_ id: FrameID) async throws(StoreError) -> FrameRecord? {
        try await read("reading a frame") { db in
            try String.fetchOne(db, sql: "SELECT json FROM frame WHERE id = ?", arguments: [id.rawValue])
                .map { try StoredJSON.decode(FrameRecord.self, $0) }
        }
    }

    public func frameQuality(of frame: FrameID) async throws(StoreError) -> FrameQuality? {
        try await read("reading a frame's quality") { db in
            try String.fetchOne(db, sql: "SELECT json FROM frame_quality WHERE frame_id = ?", arguments: [frame.rawValue])
                .map { try StoredJSON.decode(FrameQuality.self, $0) }
        }
    }

    public func observationCount(telescope: TelescopeID) async throws(StoreError) -> Int {
        try await read("counting a telescope's observations") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM observation WHERE telescope_id = ?", arguments: [telescope.rawValue]) ?? 0
        }
    }

    public func observation(_ id: ObservationID) async throws(StoreError) -> Observation? {
        try await read("reading an observation") { db in
            try String.fetchOne(db, sql: "SELECT json FROM observation WHERE id = ?", arguments: [id.rawValue])
                .map { try StoredJSON.decode(Observation.self, $0) }
        }
    }
}

/// A frame and its quality, as one Sendable value crossing the database closure.
private struct FramePair: Sendable {
    let frame: FrameRecord
    let quality: FrameQuality?
}

// MARK: - Plans

extension SQLiteStore: PlanStore {
    public func savePlan(_ plan: NightPlan) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(plan) }
        try await write("storing a plan") { db in
            let sequence = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM plan") ?? 1
            try db.execute(
                sql: "INSERT OR REPLACE INTO plan (id, telescope_id, site_id, night, created_at, sequence, json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    plan.id.rawValue, plan.telescopeID.rawValue, plan.siteID.rawValue, plan.night.description,
                    plan.createdAt.timeIntervalSince1970, sequence, json,
                ])
        }
    }

    public func latestPlans(night: CalendarDate, site: SiteID?) async throws(StoreError) -> [NightPlan] {
        try await read("reading plans") { db in
            var sql = """
                SELECT json FROM plan p WHERE night = ? AND sequence = (
                    SELECT MAX(sequence) FROM plan q WHERE q.night = p.night AND q.telescope_id = p.telescope_id)
                """
            var arguments: StatementArguments = [night.description]
            if let site {
                sql += " AND site_id = ?"
                arguments += [site.rawValue]
            }
            return try String.fetchAll(db, sql: sql + " ORDER BY telescope_id", arguments: arguments)
                .map { try StoredJSON.decode(NightPlan.self, $0) }
        }
    }

    public func plans(telescope: TelescopeID, night: CalendarDate) async throws(StoreError) -> [NightPlan] {
        try await read("reading a telescope's plans") { db in
            try String.fetchAll(
                db, sql: "SELECT json FROM plan WHERE telescope_id = ? AND night = ? ORDER BY sequence",
                arguments: [telescope.rawValue, night.description]
            ).map { try StoredJSON.decode(NightPlan.self, $0) }
        }
    }
}

// MARK: - Assignments

extension SQLiteStore: AssignmentStore {
    public func saveAssignment(_ assignment: Assignment) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(assignment) }
        try await write("storing an assignment") { db in try Self.insertAssignment(assignment, json: json, db) }
    }

    public func assignments(alert: AlertID?) async throws(StoreError) -> [Assignment] {
        try await read("reading assignments") { db in
            let rows: [String]
            if let alert {
                rows = try String.fetchAll(
                    db, sql: "SELECT json FROM assignment WHERE alert_id = ? ORDER BY planned_start, id", arguments: [alert.rawValue])
            } else {
                rows = try String.fetchAll(db, sql: "SELECT json FROM assignment ORDER BY planned_start, id")
            }
            return try rows.map { try StoredJSON.decode(Assignment.self, $0) }
        }
    }

    public func recordDecision(alert: AlertID, status: AlertRecord.Status, note: String, assignments: [Assignment]) async throws(StoreError) -> Bool {
        try await recordDecisions([AlertDecision(alert: alert, status: status, note: note, assignments: assignments)])[0]
    }

    public func recordDecisions(_ decisions: [AlertDecision]) async throws(StoreError) -> [Bool] {
        let encoded = try StoredJSON.encodeEach(decisions) { decision in
            (decision, try decision.assignments.map { ($0, try StoredJSON.encode($0)) })
        }
        return try await write("recording decisions") { db in
            try encoded.map { decision, assignments in
                try db.execute(
                    sql: "UPDATE alert SET status = ?, note = ? WHERE id = ? AND status = 'received'",
                    arguments: [decision.status.rawValue, decision.note.storable, decision.alert.rawValue.storable])
                guard db.changesCount == 1 else { return false }
                for (assignment, json) in assignments { try Self.insertAssignment(assignment, json: json, db) }
                try Self.insertJournal(decision.journal, db)
                return true
            }
        }
    }

    static func insertAssignment(_ assignment: Assignment, json: String, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO assignment (id, alert_id, telescope_id, state, planned_start, json) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [
                assignment.id.rawValue, assignment.alertID.rawValue, assignment.telescopeID.rawValue, assignment.state.rawValue,
                assignment.plannedStart.timeIntervalSince1970, json,
            ])
    }

    public func openAssignments() async throws(StoreError) -> [Assignment] {
        let final = StoredKey.finalAssignmentStates.map { "'\($0)'" }.joined(separator: ", ")
        return try await read("reading open assignments") { db in
            try String.fetchAll(db, sql: "SELECT json FROM assignment WHERE state NOT IN (\(final)) ORDER BY planned_start, id")
                .map { try StoredJSON.decode(Assignment.self, $0) }
        }
    }
}

// MARK: - Journal

extension SQLiteStore: JournalStore {
    public func appendJournal(_ entries: [JournalEntry]) async throws(StoreError) {
        guard !entries.isEmpty else { return }
        try await write("appending to the journal") { db in try Self.insertJournal(entries, db) }
    }

    static func insertJournal(_ entries: [JournalEntry], _ db: Database) throws {
        for entry in entries {
            try db.execute(
                sql: "INSERT INTO journal (time, subject, site_id, kind, message) VALUES (?, ?, ?, ?, ?)",
                arguments: [entry.time.timeIntervalSince1970, entry.subject.storable, entry.siteID?.storable, entry.kind.rawValue, entry.message.storable])
        }
    }

    public func journal(in interval: DateInterval, site: SiteID?) async throws(StoreError) -> [JournalEntry] {
        try await read("reading the journal") { db in
            var sql = "SELECT * FROM journal WHERE time >= ? AND time < ?"
            var arguments: StatementArguments = [interval.start.timeIntervalSince1970, interval.end.timeIntervalSince1970]
            if let site {
                sql += " AND site_id = ?"
                arguments += [site.rawValue]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY time, sequence", arguments: arguments).map { row in
                let kind: String = row["kind"]
                guard let parsedKind = JournalEntry.Kind(rawValue: kind) else {
                    throw StoreError(.corruptRecord, "journal entry with unknown kind '\(kind)'")
                }
                return JournalEntry(
                    time: Date(timeIntervalSince1970: row["time"]), subject: row["subject"], siteID: row["site_id"], kind: parsedKind,
                    message: row["message"])
            }
        }
    }
}

// MARK: - Reviews

extension SQLiteStore: ReviewStore {
    public func saveReview(_ review: Review) async throws(StoreError) {
        let json = try StoredJSON.encodeOne { try StoredJSON.encode(review) }
        let subject = StoredKey.review(review.subject)
        try await write("storing a review") { db in
            try db.execute(
                sql: "INSERT INTO review (subject, reviewed_at, json) VALUES (?, ?, ?)",
                arguments: [subject, review.reviewedAt.timeIntervalSince1970, json])
        }
    }

    public func reviews(of subject: Review.Subject) async throws(StoreError) -> [Review] {
        let key = StoredKey.review(subject)
        return try await read("reading reviews") { db in
            try String.fetchAll(db, sql: "SELECT json FROM review WHERE subject = ? ORDER BY sequence", arguments: [key])
                .map { try StoredJSON.decode(Review.self, $0) }
        }
    }

    public func reviews(madeIn interval: DateInterval) async throws(StoreError) -> [Review] {
        try await read("reading reviews") { db in
            try String.fetchAll(
                db, sql: "SELECT json FROM review WHERE reviewed_at >= ? AND reviewed_at < ? ORDER BY sequence",
                arguments: [interval.start.timeIntervalSince1970, interval.end.timeIntervalSince1970]
            ).map { try StoredJSON.decode(Review.self, $0) }
        }
    }
}

// MARK: - Runs

extension SQLiteStore: RunStore {
    public func run(_ id: String) async throws(StoreError) -> RunProgress? {
        try await read("reading a run") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]).map { row in
                RunProgress(
                    id: row["id"], startedAt: Date(timeIntervalSince1970: row["started_at"]), reached: Date(timeIntervalSince1970: row["reached"]),
                    isFinished: row["finished"] as Int != 0)
            }
        }
    }

    public func checkpoint(run id: String, reached: Date, startedAt: Date) async throws(StoreError) {
        try await write("recording a run's progress") { db in
            try db.execute(
                sql: """
                    INSERT INTO run (id, started_at, reached, finished) VALUES (?, ?, ?, 0)
                    ON CONFLICT(id) DO UPDATE SET reached = MAX(reached, excluded.reached)
                    """,
                arguments: [id, startedAt.timeIntervalSince1970, reached.timeIntervalSince1970])
        }
    }

    public func finishRun(_ id: String, at: Date) async throws(StoreError) {
        try await write("finishing a run") { db in
            try db.execute(sql: "UPDATE run SET finished = 1, reached = MAX(reached, ?) WHERE id = ?", arguments: [at.timeIntervalSince1970, id])
        }
    }
}

// MARK: - API tokens

extension SQLiteStore: TokenStore {
    public func saveToken(_ token: APIToken) async throws(StoreError) {
        try await write("storing an API token") { db in
            try db.execute(
                sql: "INSERT INTO api_token (id, name, role, digest, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [token.id, token.name, token.role.rawValue, token.digest, token.createdAt.timeIntervalSince1970, token.revokedAt?.timeIntervalSince1970])
        }
    }

    public func token(digest: String) async throws(StoreError) -> APIToken? {
        try await read("reading an API token") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_token WHERE digest = ?", arguments: [digest]).map(Self.apiToken)
        }
    }

    public func tokens() async throws(StoreError) -> [APIToken] {
        try await read("listing API tokens") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_token ORDER BY created_at, id").map(Self.apiToken)
        }
    }

    public func revokeToken(id: String, at: Date) async throws(StoreError) -> Bool {
        try await write("revoking an API token") { db in
            try db.execute(sql: "UPDATE api_token SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [at.timeIntervalSince1970, id])
            return db.changesCount > 0
        }
    }

    private static func apiToken(_ row: Row) throws -> APIToken {
        let roleName: String = row["role"]
        guard let role = AccessRole(rawValue: roleName) else {
            throw StoreError(.corruptRecord, "API token \(row["id"] as String) has an unknown role '\(roleName)'")
        }
        let revoked: Double? = row["revoked_at"]
        return APIToken(
            id: row["id"], name: row["name"], role: role, digest: row["digest"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            revokedAt: revoked.map { Date(timeIntervalSince1970: $0) })
    }
}

// MARK: - Request groups

extension SQLiteStore: RequestGroupStore {
    public func insertRequestGroup(_ group: RequestGroup) async throws(StoreError) -> RequestGroup {
        try await write("storing a request group") { db in
            try db.execute(
                sql: "INSERT INTO request_group (proposal, submitter, created_at, cancelled_at, group_json) VALUES (?, ?, ?, ?, '')",
                arguments: [group.proposalID, group.submitter, group.created.timeIntervalSince1970, group.cancelled?.timeIntervalSince1970])
            let id = Int(db.lastInsertedRowID)
            var requestIDs: [Int] = []
            for _ in group.requests {
                try db.execute(sql: "INSERT INTO request_group_member (group_id) VALUES (?)", arguments: [id])
                requestIDs.append(Int(db.lastInsertedRowID))
            }
            let numbered = group.numbered(id, requestIDs: requestIDs)
            try db.execute(sql: "UPDATE request_group SET group_json = ? WHERE id = ?", arguments: [try StoredJSON.encode(numbered), id])
            return numbered
        }
    }

    public func requestGroup(id: Int) async throws(StoreError) -> RequestGroup? {
        try await read("reading a request group") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM request_group WHERE id = ?", arguments: [id]).map(Self.requestGroup)
        }
    }

    public func requestGroup(containingRequest requestID: Int) async throws(StoreError) -> RequestGroup? {
        try await read("reading a request's group") { db in
            try Row.fetchOne(
                db, sql: "SELECT g.* FROM request_group g JOIN request_group_member m ON m.group_id = g.id WHERE m.request_id = ?",
                arguments: [requestID]
            ).map(Self.requestGroup)
        }
    }

    public func requestGroups() async throws(StoreError) -> [RequestGroup] {
        try await read("listing request groups") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM request_group ORDER BY id").map(Self.requestGroup)
        }
    }

    public func cancelRequestGroup(id: Int, at: Date) async throws(StoreError) -> RequestGroup? {
        try await write("cancelling a request group") { db in
            try db.execute(sql: "UPDATE request_group SET cancelled_at = COALESCE(cancelled_at, ?) WHERE id = ?", arguments: [at.timeIntervalSince1970, id])
            return try Row.fetchOne(db, sql: "SELECT * FROM request_group WHERE id = ?", arguments: [id]).map(Self.requestGroup)
        }
    }

    /// The stored group with the cancellation its row records.
    private static func requestGroup(_ row: Row) throws -> RequestGroup {
        let stored = try StoredJSON.decode(RequestGroup.self, row["group_json"])
        let cancelled: Double? = row["cancelled_at"]
        return cancelled.map { stored.cancelling(at: Date(timeIntervalSince1970: $0)) } ?? stored
    }
}

/// All of the store protocols, in one SQLite file.
extension SQLiteStore: Store {}
