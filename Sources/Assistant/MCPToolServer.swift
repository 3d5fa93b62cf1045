public import Foundation
public import Logging
public import MCP

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Starling's tools over the Model Context Protocol's streamable HTTP: `starling serve`'s
/// `/mcp`, with an API token as the bearer (the token's role decides which tools answer).
///
/// ```swift
/// let server = try await MCPToolServer.connect(to: URL(string: "http://127.0.0.1:8080/mcp")!, token: secret, logger: logger)
/// let tools = try await server.listTools()
/// ```
public actor MCPToolServer: ToolServer {
    private let client: Client
    private let endpoint: URL

    private init(client: Client, endpoint: URL) {
        self.client = client
        self.endpoint = endpoint
    }

    /// Connects and initialises the session.
    ///
    /// - Throws: ``AssistantError`` naming the endpoint when it cannot be reached or refuses.
    public static func connect(to endpoint: URL, token: String?, logger: Logger) async throws(AssistantError) -> MCPToolServer {
        // A tool may plan a night before it answers: five minutes, not URLSession's one.
        let configuration = URLSessionConfiguration.default
        configuration.timeoutIntervalForRequest = 300
        let transport = HTTPClientTransport(
            endpoint: endpoint, configuration: configuration, streaming: false,
            requestModifier: { request in
                var request = request
                if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
                return request
            }, logger: logger)
        let client = Client(name: "starling-ask", version: "1")
        do {
            _ = try await client.connect(transport: transport)
        } catch {
            throw AssistantError("cannot open an MCP session at \(endpoint): \(error) (is `starling serve` running there, and is the token valid?)")
        }
        return MCPToolServer(client: client, endpoint: endpoint)
    }

    public func listTools() async throws(AssistantError) -> [Tool] {
        do {
            return try await client.listTools().tools
        } catch {
            throw AssistantError("cannot list the tools at \(endpoint): \(error)")
        }
    }

    public func call(_ name: String, arguments: [String: Value]) async throws(AssistantError) -> ToolOutcome {
        let result: CallTool.Result
        do {
            result = try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
        } catch {
            throw AssistantError("calling \(name) at \(endpoint) failed: \(error)")
        }
        let text = result.content.compactMap { content -> String? in
            if case .text(let text, _, _) = content { return text }
            return nil
        }.joined(separator: "\n")
        return ToolOutcome(text: text, isError: result.isError ?? false, structured: result.structuredContent)
    }

    /// Ends the session.
    public func disconnect() async { await client.disconnect() }
}
