import Foundation

/// Reads a chat-completions answer, streamed or not, and checks the ranking in it.
///
/// Servers put the model's reasoning in one of three places, all handled:
/// `message.reasoning_content` (vLLM with a reasoning parser, DashScope's compatible mode),
/// `message.reasoning` (vLLM's newer field, OpenRouter), or `<think>…</think>` at the start
/// of `content` (Ollama, llama.cpp's server, vLLM without a parser). Streams are Server-Sent
/// Events: `data: {chunk}` lines whose `choices[0].delta` carries the same fields in pieces,
/// ending with `data: [DONE]`.
enum ModelAnswerParser {
    /// The text of an answer: content (without the trace) and the reasoning trace.
    struct Message: Equatable {
        var content: String
        var reasoning: String?
        var finishReason: String?
        var toolCalls: [ChatCompletionsClient.ToolCall] = []
    }

    /// Parses a whole response body, JSON or an event stream.
    static func message(fromBody body: Data, contentType: String?) throws(ModelError) -> Message {
        let text = String(decoding: body, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let isStream = (contentType?.contains("text/event-stream") ?? false) || trimmed.hasPrefix("data:")
        var message = isStream ? try streamed(text) : try single(trimmed)
        splitThinking(&message)
        return message
    }

    private static func single(_ text: String) throws(ModelError) -> Message {
        guard let object = jsonObject(text) else {
            throw ModelError(.malformedResponse, "the server's answer is not JSON: \(excerpt(text))")
        }
        guard let choices = object["choices"] as? [[String: Any]], let first = choices.first,
            let message = first["message"] as? [String: Any]
        else {
            throw ModelError(.malformedResponse, "the answer has no choices[0].message: \(excerpt(text))")
        }
        let reasoning = (message["reasoning_content"] as? String) ?? (message["reasoning"] as? String)
        let refusal = message["refusal"] as? String
        if let refusal, !refusal.isEmpty { throw ModelError(.refused, "the model refused: \(excerpt(refusal))") }
        let calls = (message["tool_calls"] as? [[String: Any]] ?? []).enumerated().compactMap { index, call in
            toolCall(call, fallbackID: "call-\(index + 1)")
        }
        return Message(
            content: message["content"] as? String ?? "", reasoning: reasoning, finishReason: first["finish_reason"] as? String, toolCalls: calls)
    }

    /// A tool call as servers write it: `{id, type: "function", function: {name, arguments}}`,
    /// the arguments as JSON text (OpenAI, vLLM, llama.cpp) or as an object (some servers).
    private static func toolCall(_ call: [String: Any], fallbackID: String) -> ChatCompletionsClient.ToolCall? {
        guard let function = call["function"] as? [String: Any], let name = function["name"] as? String else { return nil }
        let arguments: String
        if let text = function["arguments"] as? String {
            arguments = text
        } else if let object = function["arguments"], JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        {
            arguments = String(decoding: data, as: UTF8.self)
        } else {
            arguments = "{}"
        }
        let id = (call["id"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? fallbackID
        return ChatCompletionsClient.ToolCall(id: id, name: name, arguments: arguments)
    }

    private static func streamed(_ text: String) throws(ModelError) -> Message {
        var content = "", reasoning = ""
        var finish: String?
        // Tool calls arrive in pieces keyed by their index: the id and name first, then the
        // arguments' text in fragments.
        var calls: [Int: (id: String, name: String, arguments: String)] = [:]
        var sawDone = false
        var sawChunk = false
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("data:") else { continue }  // comments, event names, ids
            let payload = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
            if payload == "[DONE]" { sawDone = true; continue }
            guard let chunk = jsonObject(payload) else {
                throw ModelError(.malformedResponse, "a stream event is not JSON: \(excerpt(payload))")
            }
            if let error = chunk["error"] as? [String: Any] {
                throw ModelError(.httpStatus, "the server reported an error mid-stream: \(error["message"] as? String ?? "unknown")")
            }
            guard let choices = chunk["choices"] as? [[String: Any]] else { continue }
            sawChunk = true
            for choice in choices {
                if let delta = choice["delta"] as? [String: Any] {
                    if let piece = delta["content"] as? String { content += piece }
                    if let piece = delta["reasoning_content"] as? String { reasoning += piece }
                    if let piece = delta["reasoning"] as? String { reasoning += piece }
                    if let refusal = delta["refusal"] as? String, !refusal.isEmpty {
                        throw ModelError(.refused, "the model refused: \(excerpt(refusal))")
                    }
                    for piece in delta["tool_calls"] as? [[String: Any]] ?? [] {
                        let index = piece["index"] as? Int ?? calls.count
                        var call = calls[index] ?? (id: "", name: "", arguments: "")
                        if let id = piece["id"] as? String { call.id += id }
                        if let function = piece["function"] as? [String: Any] {
                            if let name = function["name"] as? String { call.name += name }
                            if let arguments = function["arguments"] as? String { call.arguments += arguments }
                        }
                        calls[index] = call
                    }
                }
                if let reason = choice["finish_reason"] as? String { finish = reason }
            }
        }
        guard sawChunk else { throw ModelError(.malformedResponse, "the stream carried no chunks") }
        guard sawDone || finish != nil else { throw ModelError(.truncated, "the stream ended before its last event") }
        let toolCalls = calls.sorted { $0.key < $1.key }.filter { !$0.value.name.isEmpty }.map { index, call in
            ChatCompletionsClient.ToolCall(id: call.id.isEmpty ? "call-\(index + 1)" : call.id, name: call.name, arguments: call.arguments.isEmpty ? "{}" : call.arguments)
        }
        return Message(content: content, reasoning: reasoning.isEmpty ? nil : reasoning, finishReason: finish, toolCalls: toolCalls)
    }

    /// Moves a leading `<think>…</think>` from the content to the reasoning trace. An opening
    /// tag without its closing one means the answer was cut off while thinking; some
    /// servers drop the opening tag, leaving only `…</think>`.
    static func splitThinking(_ message: inout Message) {
        let content = message.content
        guard let close = content.range(of: "</think>") else {
            if let open = content.range(of: "<think>") {
                message.reasoning = (message.reasoning ?? "") + content[open.upperBound...]
                message.content = String(content[..<open.lowerBound])
            }
            return
        }
        var thinking = content[..<close.lowerBound]
        if let open = thinking.range(of: "<think>") { thinking = thinking[open.upperBound...] }
        let trace = thinking.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trace.isEmpty { message.reasoning = [message.reasoning, trace].compactMap { $0 }.joined(separator: "\n") }
        message.content = String(content[close.upperBound...])
    }

    /// A ranking checked against the candidates: the entries to use, best first, and the
    /// near-misses mended on the way.
    struct CheckedRanking: Equatable {
        var entries: [RankingAnswer.Entry]
        var repairs: [String]
    }

    /// Checks a ranking against the candidates: JSON `{"ranking": [{"id", "reason"}]}` (or a
    /// bare array).
    ///
    /// Near-misses whose intent is unambiguous are mended and listed, not rejected: an id
    /// written in another case or as the candidate's name is read as that candidate; a
    /// repeated id keeps its first place; an id that was never a candidate is dropped; an
    /// entry without a reason keeps its place. Candidates the answer leaves out keep their
    /// deterministic merit. The answer is rejected when what remains ranks fewer than half
    /// the candidates (or fewer than two): that is no longer a ranking of this night.
    static func ranking(from content: String, candidates: [RankingRequest.Candidate]) throws(ModelError) -> CheckedRanking {
        let body = jsonText(in: content)
        guard !body.isEmpty else {
            throw ModelError(.refused, "the model gave no ranking: \(excerpt(content.isEmpty ? "(empty content)" : content))")
        }
        guard let data = body.data(using: .utf8), let parsed = try? JSONSerialization.jsonObject(with: data) else {
            throw ModelError(.badJSON, "the ranking is not valid JSON: \(excerpt(body))")
        }
        let resolver = CandidateResolver(candidates)
        let list: [Any]
        if let object = parsed as? [String: Any], let scores = object["scores"] as? [String: Any] {
            list = scored(scores, resolver: resolver, candidates: candidates)
        } else if let object = parsed as? [String: Any], let ranking = object["ranking"] as? [Any] {
            list = ranking
        } else if let array = parsed as? [Any] {
            list = array
        } else {
            throw ModelError(.badJSON, "expected {\"scores\": {\"<id>\": {\"score\": …, \"reason\": …}}} or {\"ranking\": [{\"id\": …, \"reason\": …}]}: \(excerpt(body))")
        }
        var entries: [RankingAnswer.Entry] = []
        var seen = Set<String>()
        var repeats: [String: Int] = [:], repeatOrder: [String] = []
        var unknown: [String] = [], renamed: [String] = [], unexplained: [String] = []
        for item in list {
            guard let object = item as? [String: Any], let written = object["id"] as? String else {
                throw ModelError(.badJSON, "a ranking entry has no string id: \(excerpt(jsonDescription(item)))")
            }
            guard let id = resolver.id(for: written) else {
                unknown.append(written)
                continue
            }
            if id != written { renamed.append("read '\(written)' as \(id)") }
            guard seen.insert(id).inserted else {
                if repeats[id] == nil { repeatOrder.append(id) }
                repeats[id, default: 1] += 1
                continue
            }
            let reason = (object["reason"] as? String)?.split(whereSeparator: \.isNewline).first.map {
                $0.trimmingCharacters(in: .whitespaces)
            } ?? ""
            if reason.isEmpty { unexplained.append(id) }
            entries.append(RankingAnswer.Entry(id: id, reason: reason.isEmpty ? "no reason given" : reason))
        }
        let missing = candidates.map(\.id).filter { !seen.contains($0) }
        guard entries.count >= 2, entries.count * 2 >= candidates.count else {
            let ranked = "ranks \(entries.count) of \(candidates.count) candidates"
            if !repeatOrder.isEmpty {
                throw ModelError(.duplicateIDs, "the ranking names ids more than once (\(repeatOrder.map { "\($0) \(repeats[$0]!) times" }.joined(separator: ", "))) and \(ranked)")
            }
            if !unknown.isEmpty {
                throw ModelError(.unknownIDs, "the ranking names ids that were not candidates (\(shortList(unknown))) and \(ranked)")
            }
            throw ModelError(.missingIDs, "the ranking \(ranked); it leaves out \(shortList(missing))")
        }
        var repairs = renamed
        repairs += repeatOrder.map { "dropped the repeats of \($0) (named \(repeats[$0]!) times)" }
        if !unknown.isEmpty { repairs.append("dropped ids that were not candidates: \(shortList(unknown))") }
        if !unexplained.isEmpty { repairs.append("no reason given for \(shortList(unexplained))") }
        if !missing.isEmpty { repairs.append("left out, so ranked by merit alone: \(shortList(missing))") }
        return CheckedRanking(entries: entries, repairs: repairs)
    }

    /// A scores answer (`{"<id>": {"score": 0…10, "reason": …}}`, one property per candidate,
    /// which a grammar can hold a model to) as ranking entries: highest score first, ties in the
    /// core's order, ids the resolver cannot place last (where they are reported as strays).
    /// An entry whose score is not a number keeps its place among the ties at the bottom.
    private static func scored(_ scores: [String: Any], resolver: CandidateResolver, candidates: [RankingRequest.Candidate]) -> [Any] {
        let position = Dictionary(uniqueKeysWithValues: candidates.enumerated().map { ($0.element.id, $0.offset) })
        let entries = scores.keys.sorted().map { key -> (key: String, score: Double, position: Int, entry: [String: Any]) in
            let value = scores[key] as? [String: Any] ?? [:]
            let score = (value["score"] as? NSNumber)?.doubleValue ?? -Double.infinity
            var entry: [String: Any] = ["id": key]
            if let reason = value["reason"] { entry["reason"] = reason }
            return (key, score.isFinite ? score : -Double.infinity, resolver.id(for: key).flatMap { position[$0] } ?? Int.max, entry)
        }
        return entries.sorted { ($0.score, -$0.position) > ($1.score, -$1.position) }.map(\.entry)
    }

    /// A short list for a message: the first five, then how many more.
    private static func shortList(_ ids: [String]) -> String {
        ids.count <= 5 ? ids.joined(separator: ", ") : ids.prefix(5).joined(separator: ", ") + " and \(ids.count - 5) more"
    }

    /// Finds the candidate an answer means: its exact id, else the id or the name ignoring
    /// case, spaces and hyphens, when that picks exactly one candidate.
    struct CandidateResolver {
        private let exact: Set<String>
        private let loose: [String: String]

        init(_ candidates: [RankingRequest.Candidate]) {
            exact = Set(candidates.map(\.id))
            var loose: [String: String?] = [:]
            for candidate in candidates {
                for key in Set([Self.key(candidate.id), Self.key(candidate.name)]) {
                    // A key two candidates share is ambiguous: it resolves to neither.
                    if let existing = loose[key], existing != candidate.id { loose[key] = .some(nil) } else { loose[key] = candidate.id }
                }
            }
            self.loose = loose.compactMapValues { $0 }
        }

        func id(for written: String) -> String? {
            if exact.contains(written) { return written }
            return loose[Self.key(written)]
        }

        private static func key(_ text: String) -> String {
            String(text.lowercased().filter { !$0.isWhitespace && $0 != "-" && $0 != "_" })
        }
    }

    /// The JSON in a content string: inside a ```json fence if there is one, else from the
    /// first `{` or `[` to the matching last `}` or `]`.
    static func jsonText(in content: String) -> String {
        var text = content
        if let fence = text.range(of: "```") {
            let after = text[fence.upperBound...]
            let bodyStart = after.firstIndex(of: "\n").map { after.index(after: $0) } ?? after.startIndex
            if let end = after[bodyStart...].range(of: "```") { text = String(after[bodyStart..<end.lowerBound]) }
        }
        guard let first = text.firstIndex(where: { $0 == "{" || $0 == "[" }) else { return "" }
        let closer: Character = text[first] == "{" ? "}" : "]"
        guard let last = text.lastIndex(of: closer), last > first else { return String(text[first...]) }
        return String(text[first...last])
    }

    private static func jsonObject(_ text: String) -> [String: Any]? {
        guard let data = text.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// A parsed JSON value as text with sorted keys (a dictionary's own description follows
    /// its hash order, which differs from one read to the next).
    static func jsonDescription(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject([value]),
            let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .fragmentsAllowed])
        else { return String(describing: value) }
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    static func excerpt(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 160 ? String(flat.prefix(160)) + "…" : flat
    }
}
