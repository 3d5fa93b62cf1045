import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Orchestration
import Persistence
import Prometheus
import StarlingCore

extension APIRoutes {
    // MARK: Live events

    /// The live event stream, as Server-Sent Events: `id:` (a sequence number), `event:` (the
    /// type) and `data:` (the JSON) per event, a comment every 15 s to keep proxies from
    /// closing an idle stream. A client reconnecting with `Last-Event-ID` (or `?last_event_id=`)
    /// is replayed the events it missed that the server still holds.
    func events(_ request: Request, _ context: APIContext) async throws -> Response {
        let query = Query(request: request)
        var lastID: UInt64?
        if let text = request.headers[HTTPField.Name("Last-Event-ID")!] ?? query.string("last_event_id") {
            guard let value = UInt64(text) else { throw APIError.invalidParameter("Last-Event-ID '\(text)' is not an event id this stream gave") }
            lastID = value
        }
        let types = query.string("types").map { Set($0.split(separator: ",").map(String.init)) }
        if let types, let unknown = types.first(where: { !EventDocument.types.contains($0) }) {
            throw APIError.invalidParameter("types: '\(unknown)' is not an event type (\(EventDocument.types.joined(separator: ", ")))")
        }
        let messages = server.hub.subscribe(after: lastID)
        let chunks = AsyncStream<String>(bufferingPolicy: .unbounded) { continuation in
            let forward = Task {
                continuation.yield("retry: 2000\n\n")
                for await message in messages where types?.contains(message.document.type) ?? true {
                    continuation.yield("id: \(message.id)\nevent: \(message.document.type)\ndata: \(message.document.json)\n\n")
                }
                continuation.finish()
            }
            let heartbeat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(15))
                    continuation.yield(": keep-alive\n\n")
                }
            }
            continuation.onTermination = { _ in
                forward.cancel()
                heartbeat.cancel()
            }
        }
        let body = ResponseBody { writer in
            for await chunk in chunks {
                try await writer.write(ByteBuffer(string: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body)
    }

    // MARK: Documents and the dashboard

    func openAPI(_ request: Request, _ context: APIContext) async throws -> Response {
        Self.bytes(try Resources.data("openapi.json"), contentType: "application/json; charset=utf-8")
    }

    func dashboardIndex(_ request: Request, _ context: APIContext) async throws -> Response {
        Self.bytes(try Resources.data("dashboard/index.html"), contentType: "text/html; charset=utf-8", headers: [.cacheControl: "no-cache"])
    }

    func dashboardFile(_ request: Request, _ context: APIContext) async throws -> Response {
        let name = try Self.parameter("file", context)
        guard !name.hasPrefix("."), !name.contains("/") else { throw APIError.notFound("no dashboard file '\(name)'") }
        return Self.bytes(try Resources.data("dashboard/" + name), contentType: Self.contentType(ofFile: name), headers: [.cacheControl: "no-cache"])
    }
}

/// The service's bundled files (the OpenAPI document, the dashboard).
enum Resources {
    static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: "Resources/" + name, withExtension: nil), let data = try? Data(contentsOf: url) else {
            throw APIError.notFound("no bundled file '\(name)'")
        }
        return data
    }
}
