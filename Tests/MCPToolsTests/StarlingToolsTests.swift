import Foundation
import Logging
import MCP
import Persistence
import Sky
import StarlingCore
import Testing

@testable import MCPTools

/// The tools over a store and the configuration (as `starling mcp` serves them): the same
/// answers as the modules they call, and a clear refusal for what needs the running network.
struct StarlingToolsTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func tools() throws -> StarlingTools {
        let layout = ProjectLayout(root: packageRoot)
        let catalogs = try layout.catalogNames.map { (name: $0, catalog: try layout.loadCatalog(named: $0)) }
        return StarlingTools(context: ToolContext(
            network: try layout.loadNetwork(), store: try SQLiteStore.inMemory(), reportsDirectory: NSTemporaryDirectory() + "no-reports", catalogs: catalogs,
            surveyCatalog: nil, proposals: try layout.loadProposals(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test func theObservabilityToolAnswersWhatSkyComputes() async throws {
        let tools = try Self.tools()
        let result = await tools.call("target_observability", arguments: ["site": "siding-spring", "date": "2026-11-23", "ra": 83.82, "dec": -5.39], caller: .anonymous)
        #expect(result.isError == false)
        let document = try #require(result.structuredContent?.objectValue)
        let site = try #require(tools.context.network.site("siding-spring"))
        let visibility = try TargetVisibility(
            site: site, date: CalendarDate("2026-11-23")!, target: try EquatorialCoordinates(rightAscension: .degrees(83.82), declination: .degrees(-5.39)))
        #expect(document["transit"]?.stringValue == visibility.passage.transit.map { ISO8601.string(from: $0, fractionalSeconds: false) })
        // A whole number of hours comes back as a JSON integer.
        let hours = document["observable_hours"]?.doubleValue ?? document["observable_hours"]?.intValue.map(Double.init)
        #expect(abs((hours ?? -1) - visibility.observableHours) < 0.01)
        #expect(document["not_observable"]?.arrayValue?.count == visibility.unobservableSpans.count)
    }

    @Test(arguments: ["submit_observation_request", "observation_request_status", "cancel_observation_request"])
    func whatNeedsTheRunningNetworkSaysSo(tool: String) async throws {
        let arguments: [String: Value] = tool == "submit_observation_request"
            ? ["proposal": "STARLING-2026B-OPEN", "name": "M31", "filter": "r", "exposure_seconds": 60] : ["group_id": 1]
        let result = try await Self.tools().call(tool, arguments: arguments, caller: ToolCaller(name: "alice", role: .operator))
        #expect(result.isError == true)
        guard case .text(let text, _, _)? = result.content.first else { Issue.record("no text"); return }
        #expect(text.hasPrefix("needs-live-network: \(tool)"), "\(text)")
        #expect(text.contains("/mcp"))
    }

    @Test func everyToolDeclaresClosedInputAndOutputSchemas() throws {
        for tool in try Self.tools().definitions {
            #expect(tool.inputSchema.objectValue?["additionalProperties"] == false, "\(tool.name)")
            #expect(tool.outputSchema?.objectValue?["additionalProperties"] == false, "\(tool.name)")
            #expect(tool.annotations.readOnlyHint != nil, "\(tool.name)")
        }
    }
}
