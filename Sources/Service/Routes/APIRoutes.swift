import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Orchestration
import Persistence
import Prometheus
import StarlingCore

/// One endpoint: its method and path (OpenAPI's `{name}` templates, which Hummingbird reads
/// too), the least role it needs (`nil`: public), and its handler.
///
/// ``APIRoutes/table`` is the one list of the API's endpoints: the router is built from it,
/// and a test checks `/openapi.json` against it both ways.
struct Route: Sendable {
    let method: HTTPRequest.Method
    let path: String
    let role: AccessRole?
    let summary: String
    let handler: @Sendable (Request, APIContext) async throws -> Response
}

/// The API's endpoints and their handlers.
struct APIRoutes: Sendable {
    let server: StarlingServer

    /// Every endpoint, in the order `/openapi.json` lists them.
    var table: [Route] {
        [
            Route(method: .get, path: "/health", role: nil, summary: "Whether the process is up", handler: health),
            Route(method: .get, path: "/ready", role: nil, summary: "Whether the network's agents are running", handler: ready),
            Route(method: .get, path: "/metrics", role: nil, summary: "Prometheus metrics", handler: metrics),
            Route(method: .get, path: "/openapi.json", role: nil, summary: "This API's OpenAPI 3 document", handler: openAPI),
            Route(method: .get, path: "/", role: nil, summary: "The dashboard", handler: dashboardIndex),
            Route(method: .get, path: "/dashboard/{file}", role: nil, summary: "The dashboard's scripts and styles", handler: dashboardFile),
            Route(method: .get, path: "/api/session", role: nil, summary: "Who the caller is and what its role allows", handler: session),
            Route(method: .get, path: "/api/network", role: .viewer, summary: "The network at a glance", handler: network),
            Route(method: .get, path: "/api/sites/{id}", role: .viewer, summary: "A site with its night", handler: site),
            Route(method: .get, path: "/api/telescopes", role: .viewer, summary: "Every telescope's live state", handler: telescopes),
            Route(method: .get, path: "/api/telescopes/{id}", role: .viewer, summary: "One telescope's live state", handler: telescope),
            Route(method: .post, path: "/api/telescopes/{id}/close", role: .operator, summary: "Close and park a telescope and hold it closed", handler: closeTelescope),
            Route(method: .post, path: "/api/telescopes/{id}/open", role: .operator, summary: "Release an operator's hold: the telescope opens when safe and work is due", handler: openTelescope),
            Route(method: .get, path: "/api/plans", role: .viewer, summary: "The latest plan of each telescope for a night", handler: plans),
            Route(method: .get, path: "/api/observations", role: .viewer, summary: "Observations, newest last, paginated", handler: observations),
            Route(method: .get, path: "/api/observations/{id}", role: .viewer, summary: "One observation", handler: observation),
            Route(method: .get, path: "/api/frames", role: .viewer, summary: "Frames with their quality, paginated", handler: frames),
            Route(method: .get, path: "/api/frames/{id}", role: .viewer, summary: "One frame with its quality and review", handler: frame),
            Route(method: .get, path: "/api/frames/{id}/fits", role: .viewer, summary: "A frame's FITS file", handler: frameFITS),
            Route(method: .get, path: "/api/frames/{id}/preview.png", role: .viewer, summary: "A frame's preview (zscale PNG)", handler: framePreview),
            Route(method: .get, path: "/api/alerts", role: .viewer, summary: "Alerts received, paginated", handler: alerts),
            Route(method: .post, path: "/api/alerts", role: .operator, summary: "Submit an alert notice (VOEvent XML or GCN JSON)", handler: submitAlert),
            Route(method: .get, path: "/api/alerts/{id}", role: .viewer, summary: "One alert with its follow-up assignments", handler: alert),
            Route(method: .get, path: "/api/alerts/{id}/treasuremap", role: .viewer, summary: "An alert's follow-up pointings, planned and completed, as the GW Treasure Map takes them", handler: treasureMapPointings),
            Route(method: .get, path: "/api/follow-ups", role: .viewer, summary: "Alerts with their follow-ups: assignments, observations, alert-to-first-frame, paginated", handler: followUps),
            Route(method: .get, path: "/api/assignments", role: .viewer, summary: "Follow-up assignments", handler: assignments),
            Route(method: .get, path: "/api/reviews", role: .viewer, summary: "Reviews of a frame or an observation", handler: reviews),
            Route(method: .post, path: "/api/reviews", role: .observer, summary: "Approve or flag a frame or an observation", handler: postReview),
            Route(method: .get, path: "/api/reports", role: .viewer, summary: "The night reports written", handler: reports),
            Route(method: .get, path: "/reports/{night}/{scope}/{name}", role: .viewer, summary: "A report's files (HTML, Markdown, JSON)", handler: reportFile),
            Route(method: .get, path: "/reports/{night}/{scope}/{name}/{asset}", role: .viewer, summary: "A report's plots and thumbnails", handler: reportAsset),
            Route(method: .get, path: "/api/events", role: .viewer, summary: "The live event stream (Server-Sent Events)", handler: events),
        ] + portalRoutes + mcpRoutes
    }

    /// Registers every route, each behind its access check.
    func register(on router: Router<APIContext>) {
        let readAccess = server.configuration.readAccess
        for route in table {
            let requirement = route.role.map { AccessRequirement(role: $0, readAccess: readAccess) }
            router.on(RouterPath(stringLiteral: route.path), method: route.method) { request, context in
                try requirement?.check(context)
                return try await route.handler(request, context)
            }
        }
    }

    // MARK: Helpers

    /// A JSON response.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(try APIJSON.encode(value))
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }

    /// A response of bytes with a content type.
    static func bytes(_ data: Data, contentType: String, headers extra: HTTPFields = [:]) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        var headers: HTTPFields = [.contentType: contentType]
        headers.append(contentsOf: extra)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// A path parameter, percent-decoded.
    static func parameter(_ name: String, _ context: APIContext) throws -> String {
        guard let value = context.parameters.get(name) else { throw APIError.invalidParameter("missing path parameter '\(name)'") }
        return value.removingPercentEncoding ?? value
    }
}

/// Typed reading of query parameters, each refusal naming the parameter and what it should be.
struct Query {
    let request: Request

    func string(_ name: String) -> String? {
        request.uri.queryParameters.get(name).map { String($0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    func instant(_ name: String) throws -> Date? {
        guard let text = string(name) else { return nil }
        guard let date = ISO8601.date(from: text) else {
            throw APIError.invalidParameter("\(name)=\(text) is not an ISO 8601 UTC instant such as 2026-11-24T00:30:00Z")
        }
        return date
    }

    func date(_ name: String) throws -> CalendarDate? {
        guard let text = string(name) else { return nil }
        guard let date = CalendarDate(text) else { throw APIError.invalidParameter("\(name)=\(text) is not a YYYY-MM-DD date") }
        return date
    }

    func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.invalidParameter("\(name)=\(text) should be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A `true`/`false` parameter; `nil` when absent.
    func flag(_ name: String) throws -> Bool? {
        guard let text = string(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw APIError.invalidParameter("\(name)=\(text) should be true or false")
        }
    }

    func choice<T: RawRepresentable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String, T: CaseIterable {
        guard let text = string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            throw APIError.invalidParameter("\(name)=\(text) should be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// The order of a list: `oldest` first (the default) or `newest` first.
    enum Order: String, CaseIterable {
        case oldest, newest
    }

    /// The requested page: `limit` (1…1000, default 100) items from the `cursor`, in the
    /// requested `order` (`items` come oldest first).
    func page<Item>(_ items: [Item]) throws -> (items: ArraySlice<Item>, nextCursor: String?) {
        let items = try choice("order", Order.self) == .newest ? Array(items.reversed()) : items
        let limit = try integer("limit", default: 100, in: 1...1000)
        var offset = 0
        if let cursor = string("cursor") {
            guard let value = Int(cursor), value >= 0 else { throw APIError.invalidParameter("cursor=\(cursor) is not a cursor this API gave") }
            offset = value
        }
        let start = min(offset, items.count)
        let end = min(start + limit, items.count)
        return (items[start..<end], end < items.count ? String(end) : nil)
    }

    /// The interval `since`…`until`, by default the day before `now` (clock time).
    func interval(now: Date) throws -> DateInterval {
        let until = try instant("until") ?? now.addingTimeInterval(60)
        let since = try instant("since") ?? until.addingTimeInterval(-86_400)
        guard since <= until else { throw APIError.invalidParameter("since is after until") }
        return DateInterval(start: since, end: until)
    }
}
