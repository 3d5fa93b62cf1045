import Assistant
import Foundation
import Logging
import MCP
import Planning
import StarlingTestSupport
import Testing

/// `starling ask`'s assistant end to end: a model choosing tool calls (the test model server's
/// scripted tool-calling turns), Starling's MCP endpoint answering them over real HTTP with the
/// swift-sdk client, and the running network storing the request only once it is agreed.
@Suite(.serialized, .enabled(if: ModelServer.pythonAvailable, "python3 is needed to run the test model server"))
struct RequestAssistantTests {
    static let words = "observe NGC 1068 tonight from a southern site, three 120-second exposures in r"
    static let sites = ["siding-spring | Siding Spring Observatory | latitude -31.3°", "la-palma | Roque de los Muchachos | latitude +28.8°"]

    static func assistant(_ scenario: String, port: Int, token: String?) async throws -> (RequestAssistant, MCPToolServer) {
        let model = try ModelServer.shared()
        let tools = try await MCPToolServer.connect(
            to: URL(string: "http://127.0.0.1:\(port)/mcp")!, token: token, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let client = ChatCompletionsClient(configuration: .init(baseURL: URL(string: "http://127.0.0.1:\(model.port)/\(scenario)/v1")!, timeoutSeconds: 120))
        let setting = RequestAssistant.Setting(proposal: "STARLING-2026B-OPEN", sites: sites, now: Date())
        return (RequestAssistant(model: client, server: tools, setting: setting), tools)
    }

    /// Over URLSession, not the test client: with the network running beside the whole suite,
    /// an answer can take longer than the test client's fixed 20 s read timeout.
    static func groupCount(port: Int, token: String) async throws -> Int {
        let reply = try await APIClient(base: "http://127.0.0.1:\(port)", token: token, timeoutSeconds: 300).get("/api/requestgroups")
        return reply.object["count"] as? Int ?? -1
    }

    // 30 s alone; under the whole suite on two cores every hop (model server, MCP client,
    // server, desk, agents) waits for the shared test pool, and a fresh-clone run took over
    // 10 minutes.
    @Test(.timeLimit(.minutes(25)))
    func wordsBecomeAValidatedRequestThatIsStoredOnlyOnceAgreed() async throws {
        // The agents must be live to take the request; the night need not move (at 600× it
        // keeps a core busy, and under the whole suite the tools then answered in minutes).
        let fixture = try await APIRouteTests.Fixture(speed: 1)
        let observer = fixture.observer
        try await fixture.whileServing(running: true) { port in
            let (assistant, tools) = try await Self.assistant("assistant", port: port, token: observer)
            let session = try await assistant.run(Self.words)
            #expect(session.modelFailure == nil && !session.stoppedAtTurnLimit)
            #expect(session.turns == 3)
            let calls = session.steps.compactMap { step -> (String, ToolOutcome, [String])? in
                if case .called(let tool, _, let outcome, let notes) = step { return (tool, outcome, notes) }
                return nil
            }
            #expect(calls.map(\.0) == ["target_observability", RequestAssistant.submitTool])
            #expect(calls.allSatisfy { !$0.1.isError }, "\(calls.map(\.1.text))")
            // The model asked to submit; the assistant made it a validation and said so.
            #expect(calls.last?.2.contains { $0.hasPrefix("validate_only set") } == true)
            #expect(calls.last?.2.contains("proposal STARLING-2026B-OPEN filled in") == true)
            #expect(session.steps.contains(.said("Here is the request: three 120-second exposures of NGC 1068 in r.")))
            let understood = try #require(session.understood)
            #expect(understood.arguments["validate_only"] == .bool(true))
            #expect(understood.arguments["count"] == .int(3) && understood.arguments["filter"] == .string("r"))
            #expect(understood.shownBack.contains("NGC 1068") || understood.shownBack.contains("NGC1068"), "\(understood.shownBack)")
            #expect(try await Self.groupCount(port: port, token: observer) == 0, "nothing is stored before the person agrees")

            let submitted = try await assistant.submit(understood)
            #expect(!submitted.isError, "\(submitted.text)")
            #expect(try await Self.groupCount(port: port, token: observer) == 1)
            await tools.disconnect()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aModelThatWritesProseIsAskedForTheCallAsJSON() async throws {
        let fixture = try await APIRouteTests.Fixture()
        let observer = fixture.observer
        try await fixture.whileServing(running: false) { port in
            let (assistant, tools) = try await Self.assistant("assistant-prose", port: port, token: observer)
            let session = try await assistant.run(Self.words)
            #expect(session.steps.contains { if case .note(let text) = $0 { text.hasPrefix("answered in words") } else { false } })
            let understood = try #require(session.understood, "\(session.steps)")
            #expect(understood.arguments["exposure_seconds"] == .int(120) || understood.arguments["exposure_seconds"] == .double(120))
            #expect(session.steps.last == .said("Done."))
            #expect(try await Self.groupCount(port: port, token: observer) == 0)
            await tools.disconnect()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aConfusedModelIsToldWhyAndNothingIsRequested() async throws {
        let fixture = try await APIRouteTests.Fixture()
        let observer = fixture.observer
        try await fixture.whileServing(running: false) { port in
            let (assistant, tools) = try await Self.assistant("assistant-confused", port: port, token: observer)
            let session = try await assistant.run(Self.words)
            let refusals = session.steps.compactMap { step -> (String, String)? in
                if case .refused(let tool, _, let reason) = step { return (tool, reason) }
                return nil
            }
            #expect(refusals.count == 2)
            #expect(refusals.first { $0.0 == "observe_now" }?.1.hasPrefix("there is no tool 'observe_now'") == true)
            #expect(refusals.first { $0.0 == RequestAssistant.submitTool }?.1.hasPrefix("the arguments are not a JSON object") == true)
            #expect(session.understood == nil)
            #expect(session.steps.contains(.said("I could not make that request.")))
            #expect(try await Self.groupCount(port: port, token: observer) == 0)
            await tools.disconnect()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func withoutTheObserverRoleTheRequestIsRefusedWithItsReason() async throws {
        let fixture = try await APIRouteTests.Fixture()
        let viewer = fixture.viewer
        try await fixture.whileServing(running: false) { port in
            let (assistant, tools) = try await Self.assistant("assistant", port: port, token: viewer)
            let session = try await assistant.run(Self.words)
            let submit = session.steps.compactMap { step -> ToolOutcome? in
                if case .called(RequestAssistant.submitTool, _, let outcome, _) = step { return outcome }
                return nil
            }.first
            #expect(submit?.isError == true)
            #expect(submit?.text.contains("observer role") == true, "\(submit?.text ?? "")")
            #expect(session.understood == nil)
            #expect(try await Self.groupCount(port: port, token: viewer) == 0)
            await tools.disconnect()
        }
    }
}
