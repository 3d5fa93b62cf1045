import Foundation
import HTTPTypes
import Hummingbird
import Imaging
import Orchestration
import Persistence
import Prometheus
import Reporting
import StarlingCore

extension APIRoutes {
    // MARK: Observations

    func observations(_ request: Request, _ context: APIContext) async throws -> Response {
        let query = Query(request: request)
        let live = server.live
        let interval = try query.interval(now: live.clock.currentDate)
        let site = query.string("site").map { SiteID($0) }
        let telescope = query.string("telescope").map { TelescopeID($0) }
        let outcome = query.string("outcome")
        if let outcome, !["completed", "refused", "aborted", "failed"].contains(outcome) {
            throw APIError.invalidParameter("outcome=\(outcome) should be one of completed, refused, aborted, failed")
        }
        let all = try await live.store.observations(startedIn: interval, site: site)
            .filter { (telescope == nil || $0.telescopeID == telescope) && (outcome == nil || $0.outcome.name == outcome) }
        let page = try query.page(all)
        return try Self.json(Page(items: page.items.map(ObservationDocument.init), nextCursor: page.nextCursor))
    }

    func observation(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = try Self.parameter("id", context)
        guard let observation = try await server.live.store.observation(ObservationID(id)) else {
            throw APIError.notFound("no observation '\(id)' (see /api/observations)")
        }
        return try Self.json(ObservationDocument(observation))
    }

    // MARK: Frames

    func frames(_ request: Request, _ context: APIContext) async throws -> Response {
        let query = Query(request: request)
        let live = server.live
        let interval = try query.interval(now: live.clock.currentDate)
        let site = query.string("site").map { SiteID($0) }
        let telescope = query.string("telescope").map { TelescopeID($0) }
        let observation = query.string("observation").map { ObservationID($0) }
        let all = try await live.store.frames(startedIn: interval, site: site)
            .filter { (telescope == nil || $0.frame.telescopeID == telescope) && (observation == nil || $0.frame.observationID == observation) }
        let page = try query.page(all)
        var latest: [String: Review] = [:]
        let reviewed = DateInterval(start: interval.start, end: live.clock.currentDate.addingTimeInterval(1))
        for review in try await live.store.reviews(madeIn: reviewed) { latest[ReviewKey.of(review.subject)] = review }
        let documents = page.items.map { entry in
            FrameDocument(
                entry.frame, quality: entry.quality, review: latest[ReviewKey.of(.frame(entry.frame.id))],
                fileExists: FileManager.default.fileExists(atPath: entry.frame.path))
        }
        return try Self.json(Page(items: documents, nextCursor: page.nextCursor))
    }

    func frame(_ request: Request, _ context: APIContext) async throws -> Response {
        let (record, quality) = try await frameRecord(context)
        let review = try await server.live.store.reviews(of: .frame(record.id)).last
        return try Self.json(FrameDocument(record, quality: quality, review: review, fileExists: FileManager.default.fileExists(atPath: record.path)))
    }

    func frameFITS(_ request: Request, _ context: APIContext) async throws -> Response {
        let (record, _) = try await frameRecord(context)
        guard FileManager.default.fileExists(atPath: record.path) else {
            throw APIError.notFound("frame '\(record.id)' has no FITS file (a modelled frame, or the file was removed)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: record.path), options: .alwaysMapped)
        let name = URL(fileURLWithPath: record.path).lastPathComponent
        return Self.bytes(data, contentType: "application/fits", headers: [.contentDisposition: "attachment; filename=\"\(name)\""])
    }

    func framePreview(_ request: Request, _ context: APIContext) async throws -> Response {
        let (record, _) = try await frameRecord(context)
        guard FileManager.default.fileExists(atPath: record.path) else {
            throw APIError.notFound("frame '\(record.id)' has no FITS file to preview")
        }
        let size = try Query(request: request).integer("size", default: 768, in: 64...4096)
        let png: Data
        do {
            let frame = try FITSFrame(path: record.path)
            png = try FramePreview(image: frame.image, maximumSize: size).pngData()
        } catch {
            throw APIError(.unprocessableContent, code: "unreadable-frame", "frame '\(record.id)' cannot be drawn: \(error)")
        }
        return Self.bytes(png, contentType: "image/png", headers: [.cacheControl: "max-age=3600"])
    }

    private func frameRecord(_ context: APIContext) async throws -> (FrameRecord, FrameQuality?) {
        let id = FrameID(try Self.parameter("id", context))
        guard let record = try await server.live.store.frame(id) else { throw APIError.notFound("no frame '\(id)' (see /api/frames)") }
        return (record, try await server.live.store.frameQuality(of: id))
    }

    // MARK: Reviews

    func reviews(_ request: Request, _ context: APIContext) async throws -> Response {
        let subject = try ReviewKey.subject(Query(request: request))
        return try Self.json(try await server.live.store.reviews(of: subject).map(ReviewDocument.init))
    }

    private struct ReviewBody: Decodable {
        let frameId: String?
        let observationId: String?
        /// `approved` or `flagged`.
        let decision: String
        let note: String?
    }

    func postReview(_ request: Request, _ context: APIContext) async throws -> Response {
        let body = try await request.decode(as: ReviewBody.self, context: context)
        let subject: Review.Subject
        switch (body.frameId, body.observationId) {
        case (let frame?, nil): subject = .frame(FrameID(frame))
        case (nil, let observation?): subject = .observation(ObservationID(observation))
        default: throw APIError(.badRequest, code: "invalid-review", "give exactly one of frame_id or observation_id")
        }
        guard let decision = Review.Decision(rawValue: body.decision) else {
            throw APIError(.badRequest, code: "invalid-review", "decision '\(body.decision)' should be approved or flagged")
        }
        let review: Review
        do throws(ReportingError) {
            review = try await ReviewDesk(store: server.live.store).record(
                decision, of: subject, note: body.note ?? "", reviewer: context.caller ?? "anonymous", at: server.live.clock.currentDate)
        } catch {
            switch error.code {
            case .invalidReview: throw APIError(.badRequest, code: "invalid-review", error.message)
            case .unknownSubject: throw APIError.notFound(error.message)
            default: throw error
            }
        }
        return try Self.json(ReviewDocument(review), status: .created)
    }

    // MARK: Reports

    func reports(_ request: Request, _ context: APIContext) async throws -> Response {
        let root = server.live.reportsDirectory
        var documents: [ReportDocument] = []
        let nights = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { CalendarDate($0) != nil }.sorted()
        for night in nights {
            let scopes = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + night)) ?? []).sorted()
            for scope in scopes where FileManager.default.fileExists(atPath: "\(root)/\(night)/\(scope)/report.html") {
                let base = "/reports/\(night)/\(scope)"
                documents.append(ReportDocument(night: night, scope: scope, htmlUrl: base + "/report.html", markdownUrl: base + "/report.md", jsonUrl: base + "/report.json"))
            }
        }
        return try Self.json(documents)
    }

    func reportFile(_ request: Request, _ context: APIContext) async throws -> Response {
        try reportResponse(context, components: ["night", "scope", "name"])
    }

    func reportAsset(_ request: Request, _ context: APIContext) async throws -> Response {
        try reportResponse(context, components: ["night", "scope", "name", "asset"])
    }

    /// A file under the reports folder; names that could leave it are refused.
    private func reportResponse(_ context: APIContext, components names: [String]) throws -> Response {
        let parts = try names.map { try Self.parameter($0, context) }
        guard parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("/") }) else {
            throw APIError.invalidParameter("a report path may not contain '/' or start with '.'")
        }
        let path = ([server.live.reportsDirectory] + parts).joined(separator: "/")
        guard let data = FileManager.default.contents(atPath: path) else { throw APIError.notFound("no report file \(parts.joined(separator: "/")) (see /api/reports)") }
        return Self.bytes(data, contentType: Self.contentType(ofFile: path))
    }

    static func contentType(ofFile path: String) -> String {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "md": "text/markdown; charset=utf-8"
        case "json": "application/json; charset=utf-8"
        case "png": "image/png"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }
}

/// Reviews keyed by subject, and a review subject from the query.
enum ReviewKey {
    static func of(_ subject: Review.Subject) -> String {
        switch subject {
        case .frame(let id): "frame:\(id)"
        case .observation(let id): "observation:\(id)"
        }
    }

    static func subject(_ query: Query) throws -> Review.Subject {
        switch (query.string("frame"), query.string("observation")) {
        case (let frame?, nil): .frame(FrameID(frame))
        case (nil, let observation?): .observation(ObservationID(observation))
        default: throw APIError.invalidParameter("give exactly one of frame=ID or observation=ID")
        }
    }
}
