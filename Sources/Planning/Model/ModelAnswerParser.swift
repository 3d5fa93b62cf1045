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
        return Message(content: message["content"] as? String ?? "", reasoning: reasoning, finishReason: first["finish_reason"] as? String)
    }

    private static func streamed(_ text: String) throws(ModelError) -> Message {
        var content = "", reasoning = ""
        var finish: String?
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
                }
                if let reason = choice["finish_reason"] as? String { finish = reason }
            }
        }
        guard sawChunk else { throw ModelError(.malformedResponse, "the stream carried no chunks") }
        guard sawDone || finish != nil else { throw ModelError(.truncated, "the stream ended before its last event") }
        return Message(content: content, reasoning: reasoning.isEmpty ? nil : reasoning, finishReason: finish)
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

    /// Checks a ranking against the candidate ids: JSON `{"ranking": [{"id", "reason"}]}` (or
    /// a bare array), every id exactly once, no other id.
    static func ranking(from content: String, expected ids: [String]) throws(ModelError) -> [RankingAnswer.Entry] {
        let body = jsonText(in: content)
        guard !body.isEmpty else {
            throw ModelError(.refused, "the model gave no ranking: \(excerpt(content.isEmpty ? "(empty content)" : content))")
        }
        guard let data = body.data(using: .utf8), let parsed = try? JSONSerialization.jsonObject(with: data) else {
            throw ModelError(.badJSON, "the ranking is not valid JSON: \(excerpt(body))")
        }
        let list: [Any]
        if let object = parsed as? [String: Any], let ranking = object["ranking"] as? [Any] {
            list = ranking
        } else if let array = parsed as? [Any] {
            list = array
        } else {
            throw ModelError(.badJSON, "expected {\"ranking\": [{\"id\": …, \"reason\": …}]}: \(excerpt(body))")
        }
        var entries: [RankingAnswer.Entry] = []
        for item in list {
            guard let object = item as? [String: Any], let id = object["id"] as? String else {
                throw ModelError(.badJSON, "a ranking entry has no string id: \(excerpt(String(describing: item)))")
            }
            let reason = (object["reason"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !reason.isEmpty else { throw ModelError(.badJSON, "the entry for '\(id)' has no reason") }
            entries.append(RankingAnswer.Entry(id: id, reason: String(reason.split(whereSeparator: \.isNewline).first ?? "")))
        }
        let expected = Set(ids)
        let unknown = entries.map(\.id).filter { !expected.contains($0) }
        if !unknown.isEmpty { throw ModelError(.unknownIDs, "the ranking names ids that were not candidates: \(unknown.joined(separator: ", "))") }
        var seen = Set<String>(), duplicates: [String] = []
        for entry in entries where !seen.insert(entry.id).inserted { duplicates.append(entry.id) }
        if !duplicates.isEmpty { throw ModelError(.duplicateIDs, "the ranking names ids twice: \(duplicates.joined(separator: ", "))") }
        let missing = ids.filter { !seen.contains($0) }
        if !missing.isEmpty { throw ModelError(.missingIDs, "the ranking leaves out: \(missing.joined(separator: ", "))") }
        return entries
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

    static func excerpt(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 160 ? String(flat.prefix(160)) + "…" : flat
    }
}
