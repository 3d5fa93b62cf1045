import Foundation
import MCP
import Persistence
import StarlingCore

/// `alerts_and_follow_ups`: alerts received (or one alert) with what the network did about
/// each: the assignments (telescope, state, the coordinator's reason), the observations made
/// and how soon the first frame followed the notice and the event.
struct AlertsTool: StarlingTool {
    let name = "alerts_and_follow_ups"
    let title = "Alerts and follow-ups"
    let description = """
        Transient alerts (gamma-ray bursts, gravitational waves, neutrinos, optical transients, observers' requests) received in \
        an interval (default: the last 24 hours), or one alert by id, each with its follow-up: which telescopes were assigned, \
        when, why, in which state, the observations made and frames taken, and the delay from the alert (and from the event) to \
        the first frame. Newest first.
        """

    let parameters: [ToolParameter] = [
        ToolParameter("alert_id", .string(), "One alert by id (as listed here)."),
        ToolParameter("since", .instant, "Alerts received at or after this UTC instant (default: 24 h before `until`)."),
        ToolParameter("until", .instant, "Alerts received before this UTC instant (default: now)."),
        ToolParameter("status", .string(choices: AlertRecord.Status.allCases.map(\.rawValue)), "Only alerts in this state."),
        ToolParameter("followed_up_only", .boolean, "Only alerts with at least one assignment (default false)."),
        ToolParameter("limit", .integer(1...200), "At most this many alerts, the newest first (default 20)."),
    ]

    var outputSchema: Value {
        let instant = Schema.nullable(Schema.instant())
        return Schema.object([
            "since": Schema.instant(), "until": Schema.instant(),
            "total": Schema.integer("How many alerts matched (before the limit).", minimum: 0),
            "alerts": Schema.array(of: Schema.object([
                "id": Schema.string(), "received_at": Schema.instant(), "transport": Schema.string(),
                "status": Schema.string(choices: AlertRecord.Status.allCases.map(\.rawValue)), "note": Schema.string(),
                "event_id": Schema.nullable(Schema.string()), "mission": Schema.nullable(Schema.string()), "notice_type": Schema.nullable(Schema.string()),
                "kind": Schema.nullable(Schema.string()), "event_time": instant, "is_retraction": Schema.boolean(),
                "ra_deg": Schema.nullable(Schema.number()), "dec_deg": Schema.nullable(Schema.number()),
                "error_radius_deg": Schema.nullable(Schema.number()), "has_sky_map": Schema.boolean(),
                "assignments": Schema.array(of: Schema.object([
                    "id": Schema.string(), "telescope_id": Schema.string(), "site_id": Schema.string(), "state": Schema.string(),
                    "reason": Schema.string(), "planned_start": Schema.instant(), "observations": Schema.integer(minimum: 0),
                    "outcomes": Schema.array(of: Schema.string()), "frames": Schema.integer(minimum: 0), "first_frame_at": instant,
                ])),
                "frames": Schema.integer(minimum: 0),
                "first_frame_at": instant,
                "seconds_from_alert_to_first_frame": Schema.nullable(Schema.number()),
                "seconds_from_event_to_first_frame": Schema.nullable(Schema.number()),
            ])),
            "summary": Schema.string(),
        ])
    }

    struct Document: Encodable {
        struct AlertPart: Encodable {
            let id: String
            let receivedAt: Date
            let transport: String
            let status: String
            let note: String
            let eventId: String?
            let mission: String?
            let noticeType: String?
            let kind: String?
            let eventTime: Date?
            let isRetraction: Bool
            let raDeg: Double?
            let decDeg: Double?
            let errorRadiusDeg: Double?
            let hasSkyMap: Bool
            let assignments: [AssignmentPart]
            let frames: Int
            let firstFrameAt: Date?
            let secondsFromAlertToFirstFrame: Double?
            let secondsFromEventToFirstFrame: Double?
        }
        struct AssignmentPart: Encodable {
            let id: String
            let telescopeId: String
            let siteId: String
            let state: String
            let reason: String
            let plannedStart: Date
            let observations: Int
            let outcomes: [String]
            let frames: Int
            let firstFrameAt: Date?
        }
        let since: Date
        let until: Date
        let total: Int
        let alerts: [AlertPart]
        let summary: String
    }

    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer {
        let store = context.store
        let until = input.instant("until") ?? context.now.addingTimeInterval(60)
        let since = input.instant("since") ?? until.addingTimeInterval(-86_400)
        guard since <= until else { throw ToolError.invalid("since", "is after until") }
        var records: [AlertRecord]
        var parts: [Document.AlertPart] = []
        do {
            if let id = input.string("alert_id") {
                guard let record = try await store.alert(AlertID(id)) else {
                    throw ToolError(.notFound, "alert_id: no alert '\(id)' (list them with this tool, without alert_id)")
                }
                records = [record]
            } else {
                records = try await store.alerts(receivedIn: DateInterval(start: since, end: until))
            }
            if let status = input.string("status").flatMap(AlertRecord.Status.init(rawValue:)) { records = records.filter { $0.status == status } }
            records.sort { $0.receivedAt > $1.receivedAt }
            let limit = input.integer("limit") ?? 20
            if input.bool("followed_up_only") == true {
                // Which alerts were followed up is known only from their assignments.
                var followed: [AlertRecord] = []
                for record in records {
                    let assignments = try await store.assignments(alert: record.id)
                    guard !assignments.isEmpty else { continue }
                    followed.append(record)
                    if parts.count < limit { parts.append(try await part(record, assignments: assignments, store: store)) }
                }
                records = followed
            } else {
                for record in records.prefix(limit) {
                    parts.append(try await part(record, assignments: try await store.assignments(alert: record.id), store: store))
                }
            }
        } catch let error as ToolError {
            throw error
        } catch let error as StoreError {
            throw ToolError(.failed, "cannot read the alerts from the store: \(error.description)")
        } catch {
            throw ToolError(.failed, "cannot read the alerts: \(error)")
        }
        let followed = parts.filter { !$0.assignments.isEmpty }.count
        let fastest = parts.compactMap(\.secondsFromAlertToFirstFrame).min()
        let summary = parts.isEmpty
            ? "No alerts \(input.string("alert_id") == nil ? "received between \(ISO8601.string(from: since, fractionalSeconds: false)) and \(ISO8601.string(from: until, fractionalSeconds: false))" : "")."
            : "\(records.count) alert\(records.count == 1 ? "" : "s")\(records.count > parts.count ? " (the newest \(parts.count) shown)" : ""): \(followed) followed up"
                + (fastest.map { String(format: "; the fastest first frame came %.0f s after its alert.", $0) } ?? ".")
        return try ToolAnswer(summary: summary, document: Document(since: since, until: until, total: records.count, alerts: parts, summary: summary))
    }

    private func part(_ record: AlertRecord, assignments: [Assignment], store: any Store) async throws -> Document.AlertPart {
        let alert = record.alert
        var legs: [Document.AssignmentPart] = []
        var all: [Observation] = []
        for assignment in assignments.sorted(by: { ($0.plannedStart, $0.id.rawValue) < ($1.plannedStart, $1.id.rawValue) }) {
            let made = try await store.observations(of: assignment.request.id)
            all += made
            legs.append(Document.AssignmentPart(
                id: assignment.id.rawValue, telescopeId: assignment.telescopeID.rawValue, siteId: assignment.siteID.rawValue, state: assignment.state.rawValue,
                reason: assignment.reason, plannedStart: assignment.plannedStart, observations: made.count,
                outcomes: made.map { observation in observation.outcome.reason.map { "\(observation.outcome.name): \($0.detail)" } ?? observation.outcome.name },
                frames: made.lightFrames.count, firstFrameAt: made.firstLightFrameStart))
        }
        let first = all.firstLightFrameStart
        var radius: Double?
        var skyMap = false
        switch alert?.errorRegion {
        case .circle(let r)?: radius = r.degrees
        case .skyMap?: skyMap = true
        default: break
        }
        return Document.AlertPart(
            id: record.id.rawValue, receivedAt: record.receivedAt, transport: record.transport, status: record.status.rawValue, note: record.note,
            eventId: alert?.eventID, mission: alert?.mission, noticeType: alert?.noticeType, kind: alert?.kind.rawValue, eventTime: alert?.eventTime,
            isRetraction: alert?.isRetraction ?? false, raDeg: alert?.position?.rightAscension.degrees, decDeg: alert?.position?.declination.degrees,
            errorRadiusDeg: radius.flatMap(finite), hasSkyMap: skyMap, assignments: legs, frames: all.lightFrames.count, firstFrameAt: first,
            secondsFromAlertToFirstFrame: first.map { $0.timeIntervalSince(record.receivedAt) },
            secondsFromEventToFirstFrame: first.flatMap { first in alert.map { first.timeIntervalSince($0.eventTime) } })
    }
}
