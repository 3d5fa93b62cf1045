import Foundation
import StarlingCore
import StarlingTestSupport
import Testing

@testable import Planning

/// A real HTTP server (Fixtures/model_server.py) answering with the response shapes real
/// servers use: reasoning in `reasoning_content`, `reasoning` or `<think>`, streamed or not,
/// and the ways answers go wrong.
@Suite(.serialized, .enabled(if: ModelServer.pythonAvailable, "python3 is needed to run the test model server"))
struct ChatCompletionsModelTests {
    static let request = RankingRequest(
        telescope: "xinglong-1m-a", site: "xinglong", timeZone: "Asia/Shanghai", night: "2026-11-23", weather: "cloud 10 %, seeing 1.8″",
        candidates: ["ngc1", "ngc2", "ngc3"].enumerated().map { index, id in
            RankingRequest.Candidate(
                id: id, name: id.uppercased(), priority: 5, merit: 3 - Double(index), deterministicRank: index + 1, startUTC: "2026-11-23T12:00:00Z",
                startLocal: "20:00", altitudeDegrees: 60, airmass: 1.15, moonSeparationDegrees: 80, nightsSinceLastVisit: nil, cadenceNights: 5)
        })

    static func model(_ scenario: String, port: Int, timeout: Double = 10, stream: Bool = false) -> ChatCompletionsModel {
        ChatCompletionsModel(configuration: .init(baseURL: URL(string: "http://127.0.0.1:\(port)/\(scenario)/v1")!, timeoutSeconds: timeout, stream: stream))
    }

    @Test(arguments: ["reasoning_content", "reasoning", "think", "stream-reasoning_content", "stream-reasoning", "stream-think"])
    func readsTheRankingAndTheTrace(scenario: String) async throws {
        let server = try ModelServer.shared()
        let answer = try await Self.model(scenario, port: server.port, stream: scenario.hasPrefix("stream")).rank(Self.request)
        #expect(answer.ranking.map(\.id) == ["ngc3", "ngc2", "ngc1"])
        #expect(answer.ranking[0].reason == "reason for ngc3")
        let trace = try #require(answer.reasoningTrace)
        #expect(trace.contains("transits at midnight"))
        #expect(!trace.contains("<think>") && !trace.contains("</think>"))
    }

    @Test(arguments: [
        ("truncated", ModelError.Code.truncated), ("stream-truncated", .truncated), ("malformed", .malformedResponse),
        ("bad-json", .badJSON), ("unknown-id", .unknownIDs), ("missing-id", .missingIDs), ("duplicate-id", .duplicateIDs),
        ("refuse", .refused), ("http-500", .httpStatus),
    ])
    func rejectsBadAnswers(scenario: String, expected: ModelError.Code) async throws {
        let server = try ModelServer.shared()
        await #expect(throws: ModelError.self) { _ = try await Self.model(scenario, port: server.port).rank(Self.request) }
        do {
            _ = try await Self.model(scenario, port: server.port).rank(Self.request)
        } catch {
            #expect(error.code == expected, "\(scenario): \(error)")
        }
    }

    @Test func givesUpOnASlowServer() async throws {
        let server = try ModelServer.shared()
        do {
            _ = try await Self.model("slow", port: server.port, timeout: 1).rank(Self.request)
            Issue.record("a slow answer was accepted")
        } catch {
            #expect(error.code == .timeout, "\(error)")
        }
    }

    @Test func reportsARefusedConnection() async throws {
        // A port nobody listens on: bind one, close it, use it.
        let model = ChatCompletionsModel(configuration: .init(baseURL: URL(string: "http://127.0.0.1:9/v1")!, timeoutSeconds: 5))
        do {
            _ = try await model.rank(Self.request)
            Issue.record("a refused connection gave an answer")
        } catch {
            #expect(error.code == .transport || error.code == .timeout, "\(error)")
        }
    }

    @Test func configurationComesFromTheEnvironment() throws {
        let configuration = try ChatCompletionsModel.Configuration.fromEnvironment([
            "STARLING_MODEL_BASE_URL": "https://models.example/v1", "STARLING_MODEL_API_KEY": "k", "STARLING_MODEL_TIMEOUT_S": "30",
            "STARLING_MODEL_STREAM": "true",
        ])
        #expect(configuration.model == "qwq-32b")
        #expect(configuration.apiKey == "k")
        #expect(configuration.timeoutSeconds == 30)
        #expect(configuration.stream)
        #expect(throws: ModelError.self) { try ChatCompletionsModel.Configuration.fromEnvironment(["STARLING_MODEL_BASE_URL": "ftp://x"]) }
    }

    @Test func thinkTagsWithoutAnOpeningTagAreStillATrace() {
        var message = ModelAnswerParser.Message(content: "weighing airmass…</think>{\"ranking\": []}", reasoning: nil, finishReason: "stop")
        ModelAnswerParser.splitThinking(&message)
        #expect(message.reasoning == "weighing airmass…")
        #expect(message.content == "{\"ranking\": []}")
    }
}

/// The Python test server, started once per test process. It exits when its standard input
/// closes, which happens when this process ends, however it ends.
/// It is a ``ChildProcess``: it also ends at its ceiling.
/// `@unchecked Sendable`: the process and pipe are set once in `init` and never touched again.
final class ModelServer: @unchecked Sendable {
    let port: Int
    private let process: ChildProcess
    /// Its standard input: the server exits when the test runner (which holds the write end) dies.
    private let lifeline = Pipe()

    static var pythonAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3") || ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") } == true }

    private static let instance = Result { try ModelServer() }

    static func shared() throws -> ModelServer { try instance.get() }

    private init() throws {
        let output = Pipe()
        let process = try ChildProcess(
            "/usr/bin/env", arguments: ["python3", PlanningTestSupport.fixtures + "/model_server.py"], output: output, input: lifeline)
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.stop()
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
        self.process = process
    }
}
