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

    static func model(_ scenario: String, port: Int, timeout: Double = 10, stream: Bool = false, structured: Bool = true) -> ChatCompletionsModel {
        ChatCompletionsModel(configuration: .init(
            baseURL: URL(string: "http://127.0.0.1:\(port)/\(scenario)/v1")!, timeoutSeconds: timeout, stream: stream, structuredOutput: structured))
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
        ("bad-json", .badJSON), ("mostly-unknown", .unknownIDs), ("mostly-missing", .missingIDs), ("repeat-id", .duplicateIDs),
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

    @Test(arguments: [
        ("unknown-id", ["ngc3", "ngc2", "ngc1"], "dropped ids that were not candidates: ngc-does-not-exist"),
        ("missing-id", ["ngc3", "ngc2"], "left out, so ranked by merit alone: ngc1"),
        ("duplicate-id", ["ngc1", "ngc3", "ngc2"], "dropped the repeats of ngc1 (named 2 times)"),
        ("by-name", ["ngc3", "ngc2", "ngc1"], "read 'NGC3' as ngc3"),
    ])
    func mendsNearMissesAndSaysHow(scenario: String, expected: [String], repair: String) async throws {
        let server = try ModelServer.shared()
        let answer = try await Self.model(scenario, port: server.port).rank(Self.request)
        #expect(answer.ranking.map(\.id) == expected)
        #expect(answer.repairs.contains(repair), "\(answer.repairs)")
    }

    @Test func scoresAreRankedHighestFirstWithTiesInTheCoresOrder() async throws {
        // ngc1 and ngc2 both score 1, ngc3 scores 2.
        let server = try ModelServer.shared()
        let answer = try await Self.model("scores", port: server.port).rank(Self.request)
        #expect(answer.ranking.map(\.id) == ["ngc3", "ngc1", "ngc2"])
        #expect(answer.ranking[0].reason == "score for ngc3")
        #expect(answer.repairs.isEmpty)
    }

    @Test func asksForTheScoresSchemaAndATokenLimit() async throws {
        let server = try ModelServer.shared()
        let answer = try await Self.model("structured", port: server.port).rank(Self.request)
        #expect(answer.ranking.map(\.id) == ["ngc3", "ngc2", "ngc1"])
        #expect(answer.repairs.isEmpty)
        // Without structured output the server (which insists on the schema) refuses, and the
        // error says how to turn it off for a server that does not take it.
        do {
            _ = try await Self.model("structured", port: server.port, structured: false).rank(Self.request)
            Issue.record("a request without the schema was answered")
        } catch {
            #expect(error.code == .httpStatus && error.message.contains("no json_schema response_format"), "\(error)")
        }
    }

    @Test func theQuestionIsACompactTableOfEveryCandidate() {
        let question = ChatCompletionsModel.question(for: Self.request)
        let rows = question.split(separator: "\n").filter { $0.hasPrefix("1 |") || $0.hasPrefix("2 |") || $0.hasPrefix("3 |") }
        #expect(rows.count == 3)
        #expect(rows[0] == "1 | ngc1 | NGC1 | 5.0 | 3.000 | 20:00 | 60.0 | 1.15 | 80 | never | 5.0")
        #expect(question.contains("Ids: ngc1, ngc2, ngc3."))
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
            "STARLING_MODEL_STREAM": "true", "STARLING_MODEL_MAX_TOKENS": "512", "STARLING_MODEL_CONCURRENCY": "1", "STARLING_MODEL_STRUCTURED": "0",
        ])
        #expect(configuration.model == "qwq-32b")
        #expect(configuration.apiKey == "k")
        #expect(configuration.timeoutSeconds == 30)
        #expect(configuration.stream)
        #expect(configuration.maxTokens == 512 && configuration.concurrentRequests == 1 && !configuration.structuredOutput)
        let defaults = try ChatCompletionsModel.Configuration.fromEnvironment([:])
        #expect(defaults.maxTokens == 4096 && defaults.concurrentRequests == 4 && defaults.structuredOutput && !defaults.stream)
        for (name, value) in [
            ("STARLING_MODEL_BASE_URL", "ftp://x"), ("STARLING_MODEL_MAX_TOKENS", "-5"), ("STARLING_MODEL_CONCURRENCY", "two"),
            ("STARLING_MODEL_STRUCTURED", "maybe"), ("STARLING_MODEL_TIMEOUT_S", "0"),
        ] {
            do {
                _ = try ChatCompletionsModel.Configuration.fromEnvironment([name: value])
                Issue.record("\(name)=\(value) was accepted")
            } catch {
                #expect(error.code == .configuration && error.message.contains(name), "\(error)")
            }
        }
    }

    @Test func thinkTagsWithoutAnOpeningTagAreStillATrace() {
        var message = ModelAnswerParser.Message(content: "weighing airmass…</think>{\"ranking\": []}", reasoning: nil, finishReason: "stop")
        ModelAnswerParser.splitThinking(&message)
        #expect(message.reasoning == "weighing airmass…")
        #expect(message.content == "{\"ranking\": []}")
    }
}
