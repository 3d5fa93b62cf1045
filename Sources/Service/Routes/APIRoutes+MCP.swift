import Foundation
import HTTPTypes
import Hummingbird
import MCPTools
import NIOCore
import StarlingCore

/// Starling's tools for AI agents over the Model Context Protocol's streamable HTTP transport
/// (docs/mcp.md): the same tools `starling mcp` serves on stdio, over the running network.
///
/// Hummingbird carries the bytes; ``MCPTools/StarlingTools/answerHTTP(method:headers:body:caller:)``
/// (the MCP SDK's stateless HTTP transport) does the protocol. The caller is the request's
/// token, checked like every API call: reading needs what `--read-access` says, and each
/// writing tool checks its own role.
extension APIRoutes {
    var mcpRoutes: [Route] {
        [
            Route(method: .post, path: "/mcp", role: .viewer, summary: "The Model Context Protocol endpoint: Starling's tools and resources for AI agents (JSON-RPC, streamable HTTP)", handler: mcp),
            Route(method: .get, path: "/mcp", role: .viewer, summary: "No server-initiated stream: answers 405, as the MCP specification allows", handler: mcp),
        ]
    }

    func mcp(_ request: Request, _ context: APIContext) async throws -> Response {
        guard let tools = server.tools else { throw APIError.notFound("this server does not serve the tools for AI agents (/mcp)") }
        let body = request.method == .post ? Data(try await request.body.collect(upTo: 4 << 20).readableBytesView) : Data()
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        if let authority = request.head.authority { headers["host"] = authority }
        let answer = await tools.answerHTTP(
            method: request.method.rawValue, headers: headers, body: body, caller: ToolCaller(name: context.caller, role: context.role))
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        var buffer = ByteBuffer()
        buffer.writeBytes(answer.body)
        return Response(status: HTTPResponse.Status(code: answer.status), headers: fields, body: .init(byteBuffer: buffer))
    }
}
