import Foundation
import MCP
import StarlingCore

/// One of Starling's tools for AI agents: its name, what it does, the arguments it takes and
/// the document it answers with, the least role it needs, and the work.
///
/// Each tool is a small value over a ``ToolContext``; ``StarlingTools`` lists them, checks
/// each call's arguments and role, and turns the answer (or the refusal) into an MCP result.
protocol StarlingTool: Sendable {
    /// The tool's name (`snake_case`, as assistants show it).
    var name: String { get }
    /// A title for people.
    var title: String { get }
    /// What it does, for the model choosing tools: when to use it and what it answers.
    var description: String { get }
    var parameters: [ToolParameter] { get }
    /// The JSON Schema of its answer (`structuredContent`).
    var outputSchema: Value { get }
    /// The least role a caller needs (`nil`: anyone who may read).
    var role: AccessRole? { get }
    /// Whether it changes anything (a request, a review).
    var isReadOnly: Bool { get }

    /// Does the work for checked arguments.
    ///
    /// - Throws: ``ToolError`` with the reason when it cannot.
    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer
}

extension StarlingTool {
    var role: AccessRole? { nil }
    var isReadOnly: Bool { true }

    /// The tool as `tools/list` shows it.
    var definition: Tool {
        Tool(
            name: name, title: title, description: description, inputSchema: ToolParameter.inputSchema(parameters),
            annotations: .init(title: title, readOnlyHint: isReadOnly, destructiveHint: isReadOnly ? nil : false, idempotentHint: isReadOnly ? true : false,
                openWorldHint: false),
            outputSchema: outputSchema)
    }
}

/// What a tool answers: a sentence for people and the document its output schema describes.
struct ToolAnswer: Sendable {
    /// One or two sentences saying what the document says.
    let summary: String
    /// The document, as JSON.
    let document: Value

    /// - Throws: ``ToolError/Code/failed`` if the document cannot be written as JSON (a
    ///   non-finite number that should have been left out).
    init(summary: String, document: some Encodable) throws(ToolError) {
        self.summary = summary
        self.document = try ToolJSON.value(document)
    }
}

/// How tool documents are written: snake_case keys, UTC instants in ISO 8601 to the second.
enum ToolJSON {
    static func value(_ document: some Encodable) throws(ToolError) -> Value {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(from: date, fractionalSeconds: false))
        }
        do {
            return try JSONDecoder().decode(Value.self, from: try encoder.encode(document))
        } catch {
            throw ToolError(.failed, "the answer could not be written as JSON: \(error)")
        }
    }

    /// A value as compact JSON text (the text block that goes with structured content).
    static func text(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A Value holds only what JSON holds, so encoding cannot fail; the description stands in if it ever did.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
    }
}

/// A number for a document: `nil` (left out) when it is NaN or infinite, which JSON cannot hold.
func finite(_ number: Double?) -> Double? {
    guard let number, number.isFinite else { return nil }
    return number
}

/// A number rounded to `places` decimals, for documents people and models read.
func rounded(_ number: Double, _ places: Int = 2) -> Double {
    let scale = pow(10, Double(places))
    return (number * scale).rounded() / scale
}
