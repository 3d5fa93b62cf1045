import Coordination
import Foundation
import HTTPTypes
import Hummingbird
import Orchestration
import Persistence
import Prometheus
import Reporting
import StarlingCore

extension APIRoutes {
    // MARK: Alerts and follow-ups

    func alerts(_ request: Request, _ context: APIContext) async throws -> Response {
        let query = Query(request: request)
        let live = server.live
        let interval = try query.interval(now: live.clock.currentDate)
        let status = try query.choice("status", AlertRecord.Status.self)
        let all = try await live.store.alerts(receivedIn: interval).filter { status == nil || $0.status == status }
        let page = try query.page(all)
        return try Self.json(Page(items: page.items.map { AlertDocument($0, assignments: nil) }, nextCursor: page.nextCursor))
    }

    func alert(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = AlertID(try Self.parameter("id", context))
        guard let record = try await server.live.store.alert(id) else { throw APIError.notFound("no alert '\(id)' (see /api/alerts)") }
        return try Self.json(AlertDocument(record, assignments: try await server.live.store.assignments(alert: id)))
    }

    private struct ReceiptDocument: Encodable {
        let id: String
        /// `accepted`, `ignored`, `refused` or `duplicate`.
        let outcome: String
        let reason: String?
    }

    /// Takes a notice in as any transport does: stored durably before the answer, then
    /// decided by the coordinator. A notice that cannot be read is stored and refused (422).
    func submitAlert(_ request: Request, _ context: APIContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        guard body.readableBytes > 0 else { throw APIError(.badRequest, code: "empty-body", "the body should be an alert notice (VOEvent XML or GCN JSON)") }
        guard let receipt = try await server.live.submitAlert(Data(body.readableBytesView), transport: "http:\(context.caller ?? "anonymous")") else {
            throw APIError(.serviceUnavailable, code: "not-running", "the network is \(server.live.currentPhase.rawValue); nothing was stored: send the notice again")
        }
        let document: ReceiptDocument
        let status: HTTPResponse.Status
        switch receipt.outcome {
        case .accepted: (document, status) = (ReceiptDocument(id: receipt.id.rawValue, outcome: "accepted", reason: nil), .accepted)
        case .ignored(let reason): (document, status) = (ReceiptDocument(id: receipt.id.rawValue, outcome: "ignored", reason: reason), .ok)
        case .refused(let reason): (document, status) = (ReceiptDocument(id: receipt.id.rawValue, outcome: "refused", reason: reason), .unprocessableContent)
        case .duplicate: (document, status) = (ReceiptDocument(id: receipt.id.rawValue, outcome: "duplicate", reason: "already stored"), .ok)
        }
        return try Self.json(document, status: status)
    }

    /// Alerts received in the interval with what became of each: its assignments, the
    /// observations made under them, and the delay to the first frame.
    func followUps(_ request: Request, _ context: APIContext) async throws -> Response {
        let query = Query(request: request)
        let store = server.live.store
        let interval = try query.interval(now: server.live.clock.currentDate)
        let assignedOnly = try query.flag("assigned") ?? false
        var records = try await store.alerts(receivedIn: interval)
        let received = Set(records.map(\.id))
        var assignmentsByAlert: [AlertID: [Assignment]] = [:]
        for assignment in try await store.assignments(alert: nil) where received.contains(assignment.alertID) {
            assignmentsByAlert[assignment.alertID, default: []].append(assignment)
        }
        if assignedOnly { records = records.filter { assignmentsByAlert[$0.id] != nil } }
        let page = try query.page(records)
        var documents: [FollowUpDocument] = []
        for record in page.items {
            let assignments = assignmentsByAlert[record.id] ?? []
            var observations: [StarlingCore.RequestID: [Observation]] = [:]
            for assignment in assignments { observations[assignment.request.id] = try await store.observations(of: assignment.request.id) }
            documents.append(FollowUpDocument(record, assignments: assignments, observations: observations))
        }
        return try Self.json(Page(items: documents, nextCursor: page.nextCursor))
    }

    /// An alert's follow-up pointings in the Treasure Map's shape (planned and completed), for
    /// sharing a gravitational-wave campaign's coverage; `?instrumentid=` gives the network's
    /// Treasure Map instrument id.
    func treasureMapPointings(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = AlertID(try Self.parameter("id", context))
        guard let record = try await server.live.store.alert(id), let eventID = record.alert?.eventID else { throw APIError.notFound("no alert '\(id)' (see /api/alerts)") }
        let text = Query(request: request).string("instrumentid")
        let instrumentID = try text.map { text throws -> Int in
            guard let number = Int(text), number > 0 else { throw APIError.invalidParameter("instrumentid=\(text) should be the positive number Treasure Map registered the instrument under") }
            return number
        }
        guard let pointings = try await TreasureMapPointings.load(event: eventID, from: server.live.store, instrumentID: instrumentID) else {
            throw APIError.notFound("no notice of the event \(eventID)")
        }
        return Self.bytes(try pointings.encoded(), contentType: "application/json; charset=utf-8")
    }

    func assignments(_ request: Request, _ context: APIContext) async throws -> Response {
        let query = Query(request: request)
        let alert = query.string("alert").map { AlertID($0) }
        let state = try query.choice("state", Assignment.State.self)
        let all = try await server.live.store.assignments(alert: alert).filter { state == nil || $0.state == state }
        return try Self.json(all.map(AssignmentDocument.init))
    }
}
