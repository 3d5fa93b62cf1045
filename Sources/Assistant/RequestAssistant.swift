public import Foundation
public import MCP
public import Planning
import StarlingCore

/// Turns an observer's words ("observe NGC 1068 tonight from a southern site, three 120-second
/// exposures in r") into a validated observation request, with a reasoning model choosing
/// the tool calls and Starling's own tools (over MCP) answering them.
///
/// The model sees the tools' own names, descriptions and input schemas, as any MCP-capable
/// assistant would. Nothing is scheduled by the conversation: every call of
/// `submit_observation_request` is made with `validate_only` set, so what comes back is the
/// request as Starling understood it, to be shown to the person; ``submit(_:)`` submits it
/// only once they agree. The tools check everything (proposal, filters, the sky), so a model
/// that misunderstands gets a tool error with the reason, never a wrong request.
public struct RequestAssistant: Sendable {
    /// The tool that makes a request.
    public static let submitTool = "submit_observation_request"

    /// What the assistant knows besides the words.
    public struct Setting: Sendable {
        /// The proposal requests are made under.
        public var proposal: String
        /// The sites, one line each (id, name, latitude), so "a southern site" means something.
        public var sites: [String]
        /// Now, UTC, so "tonight" means something.
        public var now: Date
        /// The tools offered to the model (a small model chooses better among few).
        public var tools: Set<String>
        /// The most model turns before the assistant stops.
        public var maximumTurns: Int

        public init(
            proposal: String, sites: [String], now: Date, tools: Set<String> = ["target_observability", RequestAssistant.submitTool],
            maximumTurns: Int = 6
        ) {
            self.proposal = proposal
            self.sites = sites
            self.now = now
            self.tools = tools
            self.maximumTurns = max(1, maximumTurns)
        }
    }

    let model: ChatCompletionsClient
    let server: any ToolServer
    let setting: Setting

    public init(model: ChatCompletionsClient, server: any ToolServer, setting: Setting) {
        self.model = model
        self.server = server
        self.setting = setting
    }

    /// Holds the conversation: the model's turns and each tool call, until the model answers
    /// without calling a tool, the turns run out, or the model fails.
    public func run(_ words: String) async throws(AssistantError) -> AssistantSession {
        let offered = try await server.listTools().filter { setting.tools.contains($0.name) }
        guard offered.contains(where: { $0.name == Self.submitTool }) else {
            throw AssistantError("the server offers no \(Self.submitTool) tool (is it Starling's /mcp endpoint?)")
        }
        let functions = offered.map(Self.function)
        var messages: [ChatCompletionsClient.Message] = [.system(systemPrompt), .user(words)]
        var session = AssistantSession(words: words)
        for turn in 0..<setting.maximumTurns {
            var answer: ChatCompletionsClient.Answer
            do throws(ModelError) {
                // The first turn must be a tool call: the words ask for an observation, and a
                // server with a grammar then holds the model to a well-formed call.
                let payload = ChatCompletionsClient.Payload(messages: messages, tools: functions, mustCallATool: turn == 0)
                if turn == 0 {
                    // Some models' chat templates have no place for tools (the server drops
                    // them and the model writes prose, perhaps until max_tokens): ask again for
                    // the call itself as JSON under a schema of the tools' arguments, which any
                    // grammar-backed server enforces.
                    var prose: String?
                    do throws(ModelError) {
                        answer = try await model.complete(payload)
                        if answer.toolCalls.isEmpty { prose = answer.content }
                    } catch where error.code == .truncated {
                        answer = ChatCompletionsClient.Answer(content: "", reasoning: nil, toolCalls: [], finishReason: "length")
                        prose = "(words until max_tokens)"
                    }
                    if let prose {
                        session.steps.append(.said(prose.trimmingCharacters(in: .whitespacesAndNewlines)))
                        session.steps.append(.note("answered in words where a tool call was needed; asked again with the calls' JSON schema as response_format"))
                        answer = try await callAsJSON(messages: messages, offered: offered)
                    }
                } else {
                    answer = try await model.complete(payload)
                }
            } catch {
                session.modelFailure = error.description
                return session
            }
            session.turns += 1
            if let reasoning = answer.reasoning, !reasoning.isEmpty { session.steps.append(.reasoning(reasoning)) }
            let words = answer.content.trimmingCharacters(in: .whitespacesAndNewlines)
            if !words.isEmpty, answer.toolCalls.isEmpty || !words.hasPrefix("{") { session.steps.append(.said(words)) }
            guard !answer.toolCalls.isEmpty else { return session }
            messages.append(.assistant(answer.content, toolCalls: answer.toolCalls))
            for call in answer.toolCalls {
                let reply = try await perform(call, offered: Set(offered.map(\.name)), into: &session)
                messages.append(.tool(callID: call.id, content: reply))
            }
        }
        session.stoppedAtTurnLimit = true
        return session
    }

    /// One tool call asked for as JSON (`{"tool": name, "arguments": {…}}`, the arguments under
    /// that tool's own input schema), for servers whose model will not write `tool_calls`.
    private func callAsJSON(messages: [ChatCompletionsClient.Message], offered: [Tool]) async throws(ModelError) -> ChatCompletionsClient.Answer {
        let choices: [[String: Any]] = offered.map { tool in
            [
                "type": "object", "additionalProperties": false, "required": ["tool", "arguments"],
                "properties": ["tool": ["type": "string", "const": tool.name], "arguments": Self.bounded(Self.json(tool.inputSchema))] as [String: Any],
            ]
        }
        let answer = try await model.complete(ChatCompletionsClient.Payload(
            messages: messages + [.user("Reply with the one tool call to make now, as JSON: {\"tool\": <name>, \"arguments\": {…}}.")],
            responseSchema: (name: "tool_call", schema: ["anyOf": choices])))
        guard let data = answer.content.data(using: .utf8),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let name = object["tool"] as? String,
            let arguments = object["arguments"], JSONSerialization.isValidJSONObject(arguments),
            let text = try? JSONSerialization.data(withJSONObject: arguments, options: [.sortedKeys])
        else {
            throw ModelError(.badJSON, "the tool call asked for as JSON is not {\"tool\", \"arguments\"}: \(answer.content.prefix(200))")
        }
        return ChatCompletionsClient.Answer(
            content: answer.content, reasoning: answer.reasoning,
            toolCalls: [ChatCompletionsClient.ToolCall(id: "call-json-1", name: name, arguments: String(decoding: text, as: UTF8.self))],
            finishReason: answer.finishReason)
    }

    /// Submits the request the person agreed to, exactly as it was validated.
    public func submit(_ request: UnderstoodRequest) async throws(AssistantError) -> ToolOutcome {
        var arguments = request.arguments
        arguments["validate_only"] = .bool(false)
        return try await server.call(Self.submitTool, arguments: arguments)
    }

    /// Carries out one tool call and returns what the model is told.
    private func perform(_ call: ChatCompletionsClient.ToolCall, offered: Set<String>, into session: inout AssistantSession) async throws(AssistantError) -> String {
        guard offered.contains(call.name) else {
            let reason = "there is no tool '\(call.name)'; the tools are \(offered.sorted().joined(separator: ", "))"
            session.steps.append(.refused(tool: call.name, arguments: call.arguments, reason: reason))
            return "error: \(reason)"
        }
        guard let data = call.arguments.data(using: .utf8), var arguments = try? JSONDecoder().decode([String: Value].self, from: data) else {
            let reason = "the arguments are not a JSON object: \(call.arguments.prefix(200))"
            session.steps.append(.refused(tool: call.name, arguments: call.arguments, reason: reason))
            return "error: \(reason)"
        }
        var notes: [String] = []
        if call.name == Self.submitTool {
            // Nothing is scheduled from the conversation: the person sees the request first.
            if arguments["validate_only"] != .bool(true) {
                arguments["validate_only"] = .bool(true)
                notes.append("validate_only set: nothing is submitted before you agree")
            }
            if arguments["proposal"] == nil {
                arguments["proposal"] = .string(setting.proposal)
                notes.append("proposal \(setting.proposal) filled in")
            }
        }
        let outcome = try await server.call(call.name, arguments: arguments)
        session.steps.append(.called(tool: call.name, arguments: Self.text(arguments), outcome: outcome, notes: notes))
        if call.name == Self.submitTool, !outcome.isError {
            session.understood = UnderstoodRequest(arguments: arguments, shownBack: outcome.text, validated: outcome.structured)
        }
        // A small model's context is small: the summary and the start of the JSON suffice.
        return outcome.isError ? "error: \(outcome.text)" : String(outcome.text.prefix(2_000))
    }

    var systemPrompt: String {
        """
        You turn an astronomer's request into tool calls for Starling, a network of robotic telescopes. \
        Now is \(ISO8601.string(from: setting.now, fractionalSeconds: false)) UTC. Requests go under proposal \(setting.proposal). \
        To observe something, call \(Self.submitTool) with the target's name, the filter, exposure_seconds and count, and a \
        window (window_start and window_end, UTC) covering the night asked for; use target_observability first when the person \
        names a kind of site rather than a site. The request is shown to the person before anything is scheduled. \
        Sites (id, name, latitude; negative is southern):
        \(setting.sites.joined(separator: "\n"))
        """
    }

    /// An MCP tool as an OpenAI function definition.
    static func function(_ tool: Tool) -> [String: Any] {
        ["type": "function", "function": ["name": tool.name, "description": tool.description ?? "", "parameters": json(tool.inputSchema)] as [String: Any]]
    }

    /// A schema whose free strings are bounded (120 characters) and whose objects take no
    /// other properties: a grammar built from it cannot let a small model write on until
    /// `max_tokens`.
    static func bounded(_ schema: Any) -> Any {
        if let list = schema as? [Any] { return list.map(bounded) }
        guard var object = schema as? [String: Any] else { return schema }
        for (key, value) in object { object[key] = bounded(value) }
        if object["type"] as? String == "string", object["enum"] == nil, object["const"] == nil, object["maxLength"] == nil {
            object["maxLength"] = 120
        }
        if object["type"] as? String == "object", object["properties"] != nil, object["additionalProperties"] == nil {
            object["additionalProperties"] = false
        }
        return object
    }

    /// An MCP value (a tool's schema) as a JSON object for a request body.
    static func json(_ value: Value) -> Any {
        (try? JSONEncoder().encode(value)).flatMap { try? JSONSerialization.jsonObject(with: $0) } ?? ["type": "object"]
    }

    /// Tool arguments as compact JSON with sorted keys, as shown to people.
    public static func text(_ arguments: [String: Value]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(arguments)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// A request as Starling validated it, ready to show back and, once agreed, to submit.
public struct UnderstoodRequest: Sendable, Hashable {
    /// The tool's arguments, exactly as validated.
    public let arguments: [String: Value]
    /// The tool's own account of the request (target, exposures, window, duration).
    public let shownBack: String
    /// The validated request group, structured.
    public let validated: Value?
}

/// What happened in one conversation.
public struct AssistantSession: Sendable, Hashable {
    public enum Step: Sendable, Hashable {
        /// The model's words to the person.
        case said(String)
        /// The model's reasoning, when the server returned it.
        case reasoning(String)
        /// What the assistant did about the model's answer (e.g. asked again for a call as JSON).
        case note(String)
        /// A tool call made, with its arguments as sent, what came back, and what the
        /// assistant changed on the way (e.g. `validate_only` set).
        case called(tool: String, arguments: String, outcome: ToolOutcome, notes: [String])
        /// A tool call not made, and why (no such tool, arguments that are not JSON).
        case refused(tool: String, arguments: String, reason: String)
    }

    public let words: String
    public var steps: [Step] = []
    public var turns = 0
    /// The last request the tools validated, if any.
    public var understood: UnderstoodRequest?
    /// Why the model stopped answering, if it did.
    public var modelFailure: String?
    /// Whether the turns ran out before the model finished.
    public var stoppedAtTurnLimit = false

    public init(words: String) { self.words = words }
}
