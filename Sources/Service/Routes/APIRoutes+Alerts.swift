import Coordination
import Foundation
import HTTPTypes
import Hummingbird
import Orchestration
import Persistence
import Prometheus
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

    func assignments(_ request: Request, _ context: APIContext) async throws -> Response {
        let query = Query(request: request)
        let alert = query.string("alert").map { AlertID($0) }
        let state = try query.choice("state", Assignment.State.self)
        let all = try await server.live.store.assignments(alert: alert).filter { state == nil || $0.state == state }
        return try Self.json(all.map(AssignmentDocument.init))
    }
}
