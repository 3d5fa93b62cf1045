public import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A reasoning model behind an OpenAI-compatible chat-completions endpoint: vLLM, Ollama,
/// llama.cpp's server, or a cloud service's compatible mode.
///
/// It posts `{model, messages, temperature, max_tokens, response_format, stream}` to
/// `<baseURL>/chat/completions` with FoundationNetworking's `URLSession` (libcurl underneath),
/// reads the answer whole (a JSON body, or a Server-Sent-Events stream when
/// ``Configuration/stream`` is set) and checks it (``ModelAnswerParser``), mending near-misses
/// whose intent is plain. `response_format` carries a JSON schema whose ids are the
/// candidates', which vLLM, llama.cpp's server and Ollama turn into a grammar the answer must
/// follow.
///
/// ```swift
/// let model = ChatCompletionsModel(configuration: try .fromEnvironment())
/// let answer = try await model.rank(request)
/// ```
public struct ChatCompletionsModel: ReasoningModel {
    /// Where the endpoint is and how to talk to it.
    public struct Configuration: Sendable, Hashable {
        /// The API root, e.g. `http://127.0.0.1:8000/v1` (the path before `/chat/completions`).
        public var baseURL: URL
        /// The model name the server knows, e.g. `qwq-32b`.
        public var model: String
        /// Sent as `Authorization: Bearer <key>` when set.
        public var apiKey: String?
        /// Seconds before one question is given up, from the moment it is sent (the planner
        /// never queues questions at the server: see ``concurrentRequests``).
        public var timeoutSeconds: Double
        /// Whether to ask for a Server-Sent-Events stream.
        public var stream: Bool
        /// Sampling temperature (QwQ's authors recommend 0.6).
        public var temperature: Double
        /// The most tokens one answer may take, reasoning included (`max_tokens`).
        public var maxTokens: Int
        /// Questions in flight at once: 1 for a one-slot CPU server, more for vLLM or a
        /// hosted endpoint.
        public var concurrentRequests: Int
        /// Whether to send `response_format` with the answer's JSON schema. Turn it off for a
        /// server that rejects it, or for a reasoning model whose thinking arrives in the
        /// content (the grammar would forbid it).
        public var structuredOutput: Bool

        public init(
            baseURL: URL, model: String = "qwq-32b", apiKey: String? = nil, timeoutSeconds: Double = 120, stream: Bool = false,
            temperature: Double = 0.6, maxTokens: Int = 4096, concurrentRequests: Int = 4, structuredOutput: Bool = true
        ) {
            self.baseURL = baseURL
            self.model = model
            self.apiKey = apiKey
            self.timeoutSeconds = timeoutSeconds
            self.stream = stream
            self.temperature = temperature
            self.maxTokens = max(1, maxTokens)
            self.concurrentRequests = max(1, concurrentRequests)
            self.structuredOutput = structuredOutput
        }

        /// The default model name.
        public static let defaultModel = "qwq-32b"
        /// The default base URL: a local vLLM server.
        public static let defaultBaseURL = "http://127.0.0.1:8000/v1"

        /// Reads the configuration from environment variables:
        ///
        /// | variable | meaning | default |
        /// |---|---|---|
        /// | `STARLING_MODEL_BASE_URL` | API root | `http://127.0.0.1:8000/v1` |
        /// | `STARLING_MODEL_NAME` | model name | `qwq-32b` |
        /// | `STARLING_MODEL_API_KEY` | bearer token | none |
        /// | `STARLING_MODEL_TIMEOUT_S` | seconds per question, from when it is sent | 120 |
        /// | `STARLING_MODEL_MAX_TOKENS` | most tokens per answer | 4096 |
        /// | `STARLING_MODEL_CONCURRENCY` | questions in flight at once | 4 |
        /// | `STARLING_MODEL_STRUCTURED` | `0`/`false`: no `response_format` | on |
        /// | `STARLING_MODEL_STREAM` | `1`/`true` to stream | off |
        ///
        /// - Throws: ``ModelError`` `.configuration` naming the variable whose value is unusable.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ModelError) -> Configuration {
            let text = environment["STARLING_MODEL_BASE_URL"] ?? defaultBaseURL
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme) else {
                throw ModelError(.configuration, "STARLING_MODEL_BASE_URL '\(text)' is not an http(s) URL")
            }
            func positive<Number: LosslessStringConvertible & Comparable & Numeric>(
                _ name: String, _ fallback: Number, _ what: String
            ) throws(ModelError) -> Number {
                guard let value = environment[name] else { return fallback }
                guard let number = Number(value.trimmingCharacters(in: .whitespaces)), number > 0 else {
                    throw ModelError(.configuration, "\(name) '\(value)' is not \(what)")
                }
                return number
            }
            func flag(_ name: String, default fallback: Bool) throws(ModelError) -> Bool {
                guard let value = environment[name]?.lowercased() else { return fallback }
                if ["1", "true", "yes", "on"].contains(value) { return true }
                if ["0", "false", "no", "off"].contains(value) { return false }
                throw ModelError(.configuration, "\(name) '\(value)' is neither true nor false (use 1 or 0)")
            }
            return Configuration(
                baseURL: url, model: environment["STARLING_MODEL_NAME"] ?? defaultModel, apiKey: environment["STARLING_MODEL_API_KEY"],
                timeoutSeconds: try positive("STARLING_MODEL_TIMEOUT_S", 120.0, "a positive number of seconds"),
                stream: try flag("STARLING_MODEL_STREAM", default: false),
                maxTokens: try positive("STARLING_MODEL_MAX_TOKENS", 4096, "a positive whole number of tokens"),
                concurrentRequests: try positive("STARLING_MODEL_CONCURRENCY", 4, "a positive whole number of requests"),
                structuredOutput: try flag("STARLING_MODEL_STRUCTURED", default: true))
        }
    }

    public let configuration: Configuration
    private let client: ChatCompletionsClient

    public init(configuration: Configuration) {
        self.configuration = configuration
        client = ChatCompletionsClient(configuration: configuration)
    }

    public var name: String { configuration.model }

    public var concurrentRequests: Int { configuration.concurrentRequests }

    public func rank(_ request: RankingRequest) async throws(ModelError) -> RankingAnswer {
        let message = try await client.complete(Self.payload(for: request, configuration: configuration))
        let checked = try ModelAnswerParser.ranking(from: message.content, candidates: request.candidates)
        return RankingAnswer(ranking: checked.entries, reasoningTrace: message.reasoning, repairs: checked.repairs)
    }

    /// Reads a ranking from a response body exactly as ``rank(_:)`` does once the server has
    /// answered: the chat completion (JSON or a stream), the trace, the ranking and its repairs.
    /// For the fuzz target and for reading recorded answers.
    public static func answer(fromBody body: Data, contentType: String?, candidates: [RankingRequest.Candidate]) throws(ModelError) -> RankingAnswer {
        let message = try ModelAnswerParser.message(fromBody: body, contentType: contentType)
        if message.finishReason == "length" { throw ModelError(.truncated, "the answer was cut off (finish_reason: length)") }
        let checked = try ModelAnswerParser.ranking(from: message.content, candidates: candidates)
        return RankingAnswer(ranking: checked.entries, reasoningTrace: message.reasoning, repairs: checked.repairs)
    }

    /// The system prompt: the model's job, its limits, and the answer's shape.
    static let systemPrompt = """
        You help schedule a robotic survey telescope. You are given the candidates a deterministic \
        planner found observable tonight, in its order, with the metrics it computed (merit, local \
        start time, altitude, airmass, Moon separation, cadence) and the expected weather. Score \
        every candidate from 0 (not worth observing tonight) to 10 (the most worth it). Every \
        constraint has already been checked; do not judge safety. Answer with JSON only, exactly: \
        {"scores": {"<candidate id>": {"score": <0-10>, "reason": "<one short line>"}}} with every id once.
        """

    /// The question: the telescope, its night and weather, and the candidates as a compact
    /// table (a small model reads a table more reliably than repeated JSON keys, and it costs
    /// a third of the tokens).
    static func question(for request: RankingRequest) -> String {
        func number(_ value: Double, _ decimals: Int) -> String { format(value, decimals) }
        var lines = [
            "Telescope \(request.telescope) at \(request.site), night of \(request.night) (local time \(request.timeZone)). Weather: \(request.weather).",
            "Candidates, in the planner's order (rank 1 = highest merit):",
            "rank | id | name | priority | merit | start (local) | altitude ° | airmass | Moon ° | nights since last visit | cadence (nights)",
        ]
        for candidate in request.candidates {
            lines.append([
                String(candidate.deterministicRank), candidate.id, candidate.name, number(candidate.priority, 1), number(candidate.merit, 3),
                candidate.startLocal, number(candidate.altitudeDegrees, 1), number(candidate.airmass, 2), number(candidate.moonSeparationDegrees, 0),
                candidate.nightsSinceLastVisit.map { number($0, 1) } ?? "never", candidate.cadenceNights.map { number($0, 1) } ?? "none",
            ].joined(separator: " | "))
        }
        lines.append("Ids: \(request.candidates.map(\.id).joined(separator: ", ")).")
        return lines.joined(separator: "\n")
    }

    /// The JSON schema of an answer: one required property per candidate id, each a score and
    /// a reason. A grammar built from it names every id exactly once by construction (a
    /// ranking array cannot: no server's grammar enforces `uniqueItems`), and the bounded
    /// reason keeps a small model from writing on until `max_tokens`.
    static func answerSchema(for request: RankingRequest) -> [String: Any] {
        let ids = request.candidates.map(\.id)
        let entry: [String: Any] = [
            "type": "object", "additionalProperties": false, "required": ["score", "reason"],
            "properties": ["score": ["type": "integer", "minimum": 0, "maximum": 10], "reason": ["type": "string", "maxLength": 60]],
        ]
        let scores: [String: Any] = [
            "type": "object", "additionalProperties": false, "required": ids,
            "properties": Dictionary(uniqueKeysWithValues: ids.map { ($0, entry) }),
        ]
        return ["type": "object", "additionalProperties": false, "required": ["scores"], "properties": ["scores": scores]]
    }

    /// What a ranking request asks, beyond what every request carries (``ChatCompletionsClient``).
    static func payload(for request: RankingRequest, configuration: Configuration) -> ChatCompletionsClient.Payload {
        ChatCompletionsClient.Payload(
            messages: [.system(systemPrompt), .user(question(for: request))],
            responseSchema: configuration.structuredOutput ? (name: "ranking", schema: answerSchema(for: request)) : nil)
    }
}
