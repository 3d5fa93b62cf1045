import Foundation
public import Logging
public import MCP
import StarlingCore

/// Starling's tools and resources for AI agents (the Model Context Protocol), over one
/// ``ToolContext``: the same tools whether `starling mcp` serves them on stdio or `starling
/// serve` over HTTP (`/mcp`).
///
/// ```swift
/// let tools = StarlingTools(context: ToolContext(live: live, catalogs: catalogs, surveyCatalog: nil, logger: logger))
/// let server = await tools.makeServer(caller: ToolCaller(name: "alice", role: .observer))
/// try await server.start(transport: StdioTransport())
/// ```
///
/// Every call's arguments are checked against the tool's declared parameters; a wrong
/// argument, a missing role, an unknown name or a failure is a tool result with `isError` and
/// the reason, never a protocol error or a crash.
public struct StarlingTools: Sendable {
    public let context: ToolContext
    let tools: [any StarlingTool]
    let resources: StarlingResources

    /// The server's name and version, as `initialize` reports them.
    public static let serverName = "starling"
    public static let serverVersion = Release.version

    public init(context: ToolContext) {
        self.context = context
        tools = [
            ObservabilityTool(), NightPlanTool(), NetworkStatusTool(), TelescopeStatusTool(), AlertsTool(), NightReportTool(),
            SubmitRequestTool(), RequestStatusTool(), CancelRequestTool(), ReviewFrameTool(),
        ]
        resources = StarlingResources(context: context)
    }

    /// What the server tells the model about itself on `initialize`.
    public var instructions: String {
        """
        Starling runs a network of robotic telescopes (\(context.network.sites.count) sites, \(context.network.sites.reduce(0) { $0 + $1.telescopes.count }) telescopes). \
        Use target_observability to ask when a target can be observed from a site, night_plan for tonight's plan, network_status and \
        telescope_status for what the telescopes are doing, alerts_and_follow_ups for transients, night_report_summary for how a night went. \
        To observe something, call submit_observation_request with validate_only true first and show the request back to the person; \
        submit it only once they agree. Dates are the local date a night begins on at the site; instants are UTC. \
        \(context.live == nil ? "This server answers from a store and the configuration (starling mcp): live state and requests need starling serve's /mcp endpoint." : "This server is the running network (starling serve).")
        """
    }

    /// Every tool as `tools/list` shows it.
    public var definitions: [Tool] { tools.map(\.definition) }

    /// Calls a tool by name: checks the arguments and the caller's role, does the work, and
    /// returns the answer (structured, with its JSON and a summary as text) or the refusal.
    public func call(_ name: String, arguments: [String: Value]?, caller: ToolCaller) async -> CallTool.Result {
        guard let tool = tools.first(where: { $0.name == name }) else {
            return Self.refusal(ToolError(.notFound, "no tool '\(name)'; the tools are \(tools.map(\.name).joined(separator: ", "))"))
        }
        do throws(ToolError) {
            let input = try ToolInput(arguments, parameters: tool.parameters)
            if let role = tool.role { try caller.require(role, toUse: tool.name) }
            let answer = try await tool.call(input, caller: caller, context: context)
            // Typed as an optional so the SDK's non-throwing initialiser is the one chosen.
            let structured: Value? = answer.document
            return CallTool.Result(
                content: [.text(text: answer.summary, annotations: nil, _meta: nil), .text(text: ToolJSON.text(answer.document), annotations: nil, _meta: nil)],
                structuredContent: structured, isError: false)
        } catch {
            context.logger.info("Tool call refused", metadata: ["mcp.tool": "\(name)", "mcp.refusal": "\(error.code.rawValue)", "mcp.caller": "\(caller.name ?? "anonymous")"])
            return Self.refusal(error)
        }
    }

    static func refusal(_ error: ToolError) -> CallTool.Result {
        CallTool.Result(content: [.text(text: error.description, annotations: nil, _meta: nil)], isError: true)
    }

    /// An MCP server with every tool and resource, answering for `caller`. Start it on a
    /// transport (stdio, or one HTTP request's).
    public func makeServer(caller: ToolCaller) async -> Server {
        let server = Server(
            name: Self.serverName, version: Self.serverVersion, instructions: instructions,
            capabilities: .init(resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        let tools = self
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools.definitions) }
        await server.withMethodHandler(CallTool.self) { params in await tools.call(params.name, arguments: params.arguments, caller: caller) }
        await server.withMethodHandler(ListResources.self) { _ in ListResources.Result(resources: try await tools.resources.list(), nextCursor: nil) }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in ListResourceTemplates.Result(templates: tools.resources.templates, nextCursor: nil) }
        await server.withMethodHandler(ReadResource.self) { params in ReadResource.Result(contents: try await tools.resources.read(params.uri)) }
        return server
    }

    /// Serves the tools on standard input and output until the client closes its end
    /// (`starling mcp`). Logs go to standard error, never to standard output.
    public func serveStandardIO(caller: ToolCaller, logger: Logger) async throws {
        let server = await makeServer(caller: caller)
        let transport = AnsweringTransport(StdioTransport(logger: logger), logger: logger)
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
        // The input has ended: answer what was asked before closing the output.
        await transport.drained()
        await server.stop()
    }
}
