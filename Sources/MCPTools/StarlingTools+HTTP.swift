public import Foundation
import Logging
import MCP

/// The answer to one HTTP request to the MCP endpoint, free of any HTTP framework: the
/// service turns it into its own response.
public struct MCPHTTPAnswer: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data
}

extension StarlingTools {
    /// Answers one HTTP request to the MCP endpoint (streamable HTTP, stateless: every POST is
    /// answered with its JSON-RPC response as `application/json`, and there are no sessions).
    ///
    /// Each request gets its own MCP server over the SDK's `StatelessHTTPServerTransport`,
    /// answering for the request's caller: JSON-RPC ids of different clients never meet, and
    /// nothing is kept between requests. `GET` (a stream of server-initiated messages) is
    /// answered `405 Method Not Allowed`, as the specification allows a server that sends none.
    ///
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - headers: the request's headers (names in any case).
    ///   - body: the request's body (a JSON-RPC message).
    ///   - caller: who is calling, from the request's token.
    public func answerHTTP(method: String, headers: [String: String], body: Data, caller: ToolCaller) async -> MCPHTTPAnswer {
        let request = HTTPRequest(method: method, headers: headers, body: body, path: "/mcp")
        // The SDK's default pipeline admits only a localhost Host header, which a reverse proxy
        // passing the public host name (docs/deployment.md) would not get through.
        let pipeline = StandardValidationPipeline(validators: [
            SameOriginValidator(), AcceptHeaderValidator(mode: .jsonOnly), ContentTypeValidator(), ProtocolVersionValidator(),
        ])
        let transport = StatelessHTTPServerTransport(validationPipeline: pipeline, logger: context.logger)
        let server = await makeServer(caller: caller)
        do {
            try await server.start(transport: transport)
        } catch {
            context.logger.error("MCP server did not start", metadata: ["error": "\(error)"])
            return await Self.answer(.error(statusCode: 500, .internalError("the MCP server did not start; the server log has the details")))
        }
        let response = await transport.handleRequest(request)
        await server.stop()
        return await Self.answer(response)
    }

    private static func answer(_ response: HTTPResponse) async -> MCPHTTPAnswer {
        var body = response.bodyData ?? Data()
        if case .stream(let stream, _) = response {
            // The stateless transport answers with JSON, never a stream; were one to come, its events are sent whole.
            do {
                for try await chunk in stream { body += chunk }
            } catch {
                body += Data("event: error\ndata: \(error)\n\n".utf8)
            }
        }
        return MCPHTTPAnswer(status: response.statusCode, headers: response.headers, body: body)
    }
}

/// Refuses a request a browser sent from another site (DNS-rebinding and cross-site
/// protection, as the MCP specification asks): an `Origin` header, when present, must name the
/// same host and port the request was sent to. Clients that are not browsers send no `Origin`.
struct SameOriginValidator: HTTPRequestValidator {
    func validate(_ request: HTTPRequest, context: HTTPValidationContext) -> HTTPResponse? {
        guard let origin = request.header(HTTPHeaderName.origin), origin != "null" else { return nil }
        let host = request.header(HTTPHeaderName.host)
        guard let url = URL(string: origin), let originHost = url.host else {
            return .error(statusCode: 403, .invalidRequest("Forbidden: the Origin header '\(origin)' is not a URL"))
        }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        guard let host, host.lowercased() == originAuthority.lowercased() || host.lowercased() == originHost.lowercased() && url.port == nil else {
            return .error(statusCode: 403, .invalidRequest("Forbidden: a page from \(origin) may not call this server's MCP endpoint"))
        }
        return nil
    }
}
