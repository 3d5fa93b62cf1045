import Foundation
public import HTTPTypes
public import Hummingbird
import Logging

/// A refusal the API gives a caller: an HTTP status, a short code to match on, and a sentence
/// saying what to do. Sent as JSON (`{"error": {"status", "code", "message"}}`), never as a
/// stack trace.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public let status: HTTPResponse.Status
    /// A stable, lower-case code, e.g. `not-found`, `forbidden`, `invalid-parameter`.
    public let code: String
    public let message: String

    public init(_ status: HTTPResponse.Status, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not-found", message) }
    public static func invalidParameter(_ message: String) -> APIError { APIError(.badRequest, code: "invalid-parameter", message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try Self.response(status: status, code: code, message: message)
    }

    static func response(status: HTTPResponse.Status, code: String, message: String) throws -> Response {
        struct Body: Encodable {
            struct Detail: Encodable {
                let status: Int
                let code: String
                let message: String
            }
            let error: Detail
        }
        var buffer = ByteBuffer()
        buffer.writeBytes(try APIJSON.encode(Body(error: .init(status: status.code, code: code, message: message))))
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }
}

/// Turns every error a handler throws into a JSON error: an ``APIError`` as it is, Hummingbird's
/// own errors (no route, a body too large) with their status, anything else as a 500 with a
/// generic message (the detail goes to the log, not to the caller).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "not-found" : "http-\(error.status.code)"
            let message = error.status == .notFound ? "no such endpoint: \(request.method) \(request.uri.path) (see /openapi.json)" : (error.body ?? error.status.reasonPhrase)
            return try APIError.response(status: error.status, code: code, message: message)
        } catch {
            context.logger.error("Request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            return try APIError.response(status: .internalServerError, code: "internal", message: "the request failed on the server; the server log has the details")
        }
    }
}
