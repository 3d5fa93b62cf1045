public import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A reasoning model behind an OpenAI-compatible chat-completions endpoint: vLLM, Ollama,
/// llama.cpp's server, or a cloud service's compatible mode.
///
/// It posts `{model, messages, temperature, stream}` to `<baseURL>/chat/completions` with
/// FoundationNetworking's `URLSession` (libcurl underneath), reads the answer whole (a JSON
/// body, or a Server-Sent-Events stream when ``Configuration/stream`` is set) and validates it
/// strictly (``ModelAnswerParser``).
///
/// ```swift
/// let model = ChatCompletionsModel(configuration: .fromEnvironment())
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
        /// Seconds before the whole request is given up.
        public var timeoutSeconds: Double
        /// Whether to ask for a Server-Sent-Events stream.
        public var stream: Bool
        /// Sampling temperature (QwQ's authors recommend 0.6).
        public var temperature: Double

        public init(
            baseURL: URL, model: String = "qwq-32b", apiKey: String? = nil, timeoutSeconds: Double = 120, stream: Bool = false,
            temperature: Double = 0.6
        ) {
            self.baseURL = baseURL
            self.model = model
            self.apiKey = apiKey
            self.timeoutSeconds = timeoutSeconds
            self.stream = stream
            self.temperature = temperature
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
        /// | `STARLING_MODEL_TIMEOUT_S` | seconds | 120 |
        /// | `STARLING_MODEL_STREAM` | `1`/`true` to stream | off |
        ///
        /// - Throws: ``ModelError`` `.configuration` when the base URL or timeout is unusable.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ModelError) -> Configuration {
            let text = environment["STARLING_MODEL_BASE_URL"] ?? defaultBaseURL
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme) else {
                throw ModelError(.configuration, "STARLING_MODEL_BASE_URL '\(text)' is not an http(s) URL")
            }
            var timeout = 120.0
            if let value = environment["STARLING_MODEL_TIMEOUT_S"] {
                guard let seconds = Double(value), seconds > 0 else {
                    throw ModelError(.configuration, "STARLING_MODEL_TIMEOUT_S '\(value)' is not a positive number of seconds")
                }
                timeout = seconds
            }
            let stream = ["1", "true", "yes"].contains(environment["STARLING_MODEL_STREAM"]?.lowercased() ?? "")
            return Configuration(
                baseURL: url, model: environment["STARLING_MODEL_NAME"] ?? defaultModel, apiKey: environment["STARLING_MODEL_API_KEY"],
                timeoutSeconds: timeout, stream: stream)
        }
    }

    public let configuration: Configuration
    private let session: URLSession

    public init(configuration: Configuration) {
        self.configuration = configuration
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = configuration.timeoutSeconds
        sessionConfiguration.timeoutIntervalForResource = configuration.timeoutSeconds
        session = URLSession(configuration: sessionConfiguration)
    }

    public var name: String { configuration.model }

    public func rank(_ request: RankingRequest) async throws(ModelError) -> RankingAnswer {
        let body = try Self.body(for: request, model: configuration.model, temperature: configuration.temperature, stream: configuration.stream)
        var urlRequest = URLRequest(url: configuration.baseURL.appendingPathComponent("chat/completions"))
        urlRequest.httpMethod = "POST"
        urlRequest.timeoutInterval = configuration.timeoutSeconds
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        urlRequest.setValue(configuration.stream ? "text/event-stream" : "application/json", forHTTPHeaderField: "Accept")
        if let key = configuration.apiKey { urlRequest.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        urlRequest.httpBody = body

        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch let error as URLError where error.code == .timedOut {
            throw ModelError(.timeout, "no answer from \(configuration.baseURL) within \(format(configuration.timeoutSeconds, 0)) s")
        } catch {
            throw ModelError(.transport, "cannot reach \(configuration.baseURL): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw ModelError(.malformedResponse, "not an HTTP response") }
        guard (200..<300).contains(http.statusCode) else {
            throw ModelError(.httpStatus, "HTTP \(http.statusCode) from \(configuration.baseURL): \(ModelAnswerParser.excerpt(String(decoding: data, as: UTF8.self)))")
        }
        let message = try ModelAnswerParser.message(fromBody: data, contentType: http.value(forHTTPHeaderField: "Content-Type"))
        if message.finishReason == "length" {
            throw ModelError(.truncated, "the answer was cut off at the server's token limit (finish_reason: length)")
        }
        let ranking = try ModelAnswerParser.ranking(from: message.content, expected: request.candidates.map(\.id))
        return RankingAnswer(ranking: ranking, reasoningTrace: message.reasoning)
    }

    /// The system prompt: the model's job, its limits, and the answer's shape.
    static let systemPrompt = """
        You help schedule a robotic survey telescope. You are given the candidates a deterministic \
        planner found observable tonight, with the metrics it computed (merit, altitude, airmass, \
        Moon separation, cadence) and the expected weather. Rank ALL candidates from most to least \
        worth observing tonight. Every constraint has already been checked; do not judge safety. \
        Answer with JSON only, exactly: {"ranking": [{"id": "<candidate id>", "reason": "<one line>"}]} \
        using each id exactly once.
        """

    /// The JSON body of a ranking request.
    static func body(for request: RankingRequest, model: String, temperature: Double, stream: Bool) throws(ModelError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let table: String
        do {
            table = String(decoding: try encoder.encode(request), as: UTF8.self)
        } catch {
            throw ModelError(.configuration, "cannot encode the candidates: \(error)")
        }
        let payload: [String: Any] = [
            "model": model, "temperature": temperature, "stream": stream,
            "messages": [
                ["role": "system", "content": systemPrompt],
                ["role": "user", "content": "Telescope \(request.telescope) at \(request.site), night of \(request.night) (\(request.timeZone)). Weather: \(request.weather).\nCandidates:\n\(table)"],
            ],
        ]
        do {
            return try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        } catch {
            throw ModelError(.configuration, "cannot encode the request: \(error)")
        }
    }
}
