import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One OpenAI-compatible chat-completions endpoint, spoken to the same way by every part of
/// Starling that asks a model something: the planner's ranking (``ChatCompletionsModel``) and
/// the assistant that turns an observer's words into tool calls.
///
/// It posts `{model, messages, temperature, max_tokens, stream}` (and `tools` or
/// `response_format` when asked) to `<baseURL>/chat/completions` with FoundationNetworking's
/// `URLSession` (libcurl underneath), and reads the answer whole: a JSON body, or a
/// Server-Sent-Events stream when ``ChatCompletionsModel/Configuration/stream`` is set.
/// Every failure is a ``ModelError`` saying what to do.
public struct ChatCompletionsClient: Sendable {
    /// What one request asks.
    public struct Payload: @unchecked Sendable {
        // `@unchecked`: the JSON schema and tool definitions are property-list values
        // (dictionaries, arrays, strings, numbers), built once and only read.
        public var messages: [Message]
        /// A JSON schema the answer must follow (`response_format: json_schema`), with its name.
        public var responseSchema: (name: String, schema: [String: Any])?
        /// Functions the model may call (`tools`), as OpenAI's function definitions.
        public var tools: [[String: Any]]
        /// Whether the model must call one of them (`tool_choice: required`, which servers
        /// with a grammar enforce) or may answer in words (`auto`).
        public var mustCallATool: Bool

        public init(
            messages: [Message], responseSchema: (name: String, schema: [String: Any])? = nil, tools: [[String: Any]] = [], mustCallATool: Bool = false
        ) {
            self.messages = messages
            self.responseSchema = responseSchema
            self.tools = tools
            self.mustCallATool = mustCallATool
        }
    }

    /// One message of a conversation, as the endpoint takes it.
    public enum Message: Sendable, Hashable {
        case system(String)
        case user(String)
        /// What the model said before, with the tool calls it made.
        case assistant(String, toolCalls: [ToolCall])
        /// A tool's result, answering the call with that id.
        case tool(callID: String, content: String)

        var json: [String: Any] {
            switch self {
            case .system(let text): ["role": "system", "content": text]
            case .user(let text): ["role": "user", "content": text]
            case .assistant(let text, let calls) where calls.isEmpty: ["role": "assistant", "content": text]
            case .assistant(let text, let calls):
                [
                    "role": "assistant", "content": text,
                    "tool_calls": calls.map { ["id": $0.id, "type": "function", "function": ["name": $0.name, "arguments": $0.arguments]] },
                ]
            case .tool(let id, let content): ["role": "tool", "tool_call_id": id, "content": content]
            }
        }
    }

    /// A function the model asked to call; `arguments` is JSON text as the model wrote it.
    public struct ToolCall: Sendable, Hashable {
        public let id: String
        public let name: String
        public let arguments: String

        public init(id: String, name: String, arguments: String) {
            self.id = id
            self.name = name
            self.arguments = arguments
        }
    }

    /// The model's answer: its content (without a `<think>` trace), the trace, its tool calls.
    public struct Answer: Sendable, Hashable {
        public let content: String
        public let reasoning: String?
        public let toolCalls: [ToolCall]
        public let finishReason: String?

        public init(content: String, reasoning: String?, toolCalls: [ToolCall], finishReason: String?) {
            self.content = content
            self.reasoning = reasoning
            self.toolCalls = toolCalls
            self.finishReason = finishReason
        }
    }

    public let configuration: ChatCompletionsModel.Configuration
    private let session: URLSession

    public init(configuration: ChatCompletionsModel.Configuration) {
        self.configuration = configuration
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = configuration.timeoutSeconds
        sessionConfiguration.timeoutIntervalForResource = configuration.timeoutSeconds
        session = URLSession(configuration: sessionConfiguration)
    }

    /// Sends one request and reads the whole answer.
    ///
    /// - Throws: ``ModelError``: transport, timeout, an HTTP error status, a body that is not a
    ///   chat completion, a refusal, or an answer cut off at `max_tokens`.
    public func complete(_ payload: Payload) async throws(ModelError) -> Answer {
        var urlRequest = URLRequest(url: configuration.baseURL.appendingPathComponent("chat/completions"))
        urlRequest.httpMethod = "POST"
        urlRequest.timeoutInterval = configuration.timeoutSeconds
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        urlRequest.setValue(configuration.stream ? "text/event-stream" : "application/json", forHTTPHeaderField: "Accept")
        if let key = configuration.apiKey { urlRequest.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        urlRequest.httpBody = try body(payload)

        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch let error as URLError where error.code == .timedOut {
            throw ModelError(.timeout, "no answer from \(configuration.baseURL) within \(format(configuration.timeoutSeconds, 0)) s (raise STARLING_MODEL_TIMEOUT_S)")
        } catch {
            throw ModelError(.transport, "cannot reach \(configuration.baseURL): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw ModelError(.malformedResponse, "not an HTTP response") }
        guard (200..<300).contains(http.statusCode) else {
            let hint = payload.responseSchema != nil && (400..<500).contains(http.statusCode)
                ? " (if the server does not take response_format, set STARLING_MODEL_STRUCTURED=0)" : ""
            throw ModelError(.httpStatus, "HTTP \(http.statusCode) from \(configuration.baseURL): \(ModelAnswerParser.excerpt(String(decoding: data, as: UTF8.self)))\(hint)")
        }
        let message = try ModelAnswerParser.message(fromBody: data, contentType: http.value(forHTTPHeaderField: "Content-Type"))
        if message.finishReason == "length" {
            throw ModelError(.truncated, "the answer was cut off at \(configuration.maxTokens) tokens (finish_reason: length; raise STARLING_MODEL_MAX_TOKENS)")
        }
        return Answer(content: message.content, reasoning: message.reasoning, toolCalls: message.toolCalls, finishReason: message.finishReason)
    }

    /// The JSON body of a request.
    func body(_ payload: Payload) throws(ModelError) -> Data {
        var body: [String: Any] = [
            "model": configuration.model, "temperature": configuration.temperature, "stream": configuration.stream,
            "max_tokens": configuration.maxTokens, "messages": payload.messages.map(\.json),
        ]
        if let (name, schema) = payload.responseSchema {
            body["response_format"] = ["type": "json_schema", "json_schema": ["name": name, "strict": true, "schema": schema] as [String: Any]]
        }
        if !payload.tools.isEmpty {
            body["tools"] = payload.tools
            body["tool_choice"] = payload.mustCallATool ? "required" : "auto"
        }
        do {
            return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        } catch {
            throw ModelError(.configuration, "cannot encode the request: \(error)")
        }
    }
}
