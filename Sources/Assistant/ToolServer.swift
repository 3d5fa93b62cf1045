public import MCP

/// Where the assistant's tools are: Starling's MCP endpoint (``MCPToolServer``) or, in tests,
/// anything that lists and calls tools the same way.
public protocol ToolServer: Sendable {
    /// The tools the server offers, with their input schemas.
    func listTools() async throws(AssistantError) -> [Tool]
    /// Calls one tool. A refusal (bad arguments, a missing role) is an outcome with
    /// `isError`, not a thrown error; only a broken connection throws.
    func call(_ name: String, arguments: [String: Value]) async throws(AssistantError) -> ToolOutcome
}

/// What a tool call gave back.
public struct ToolOutcome: Sendable, Hashable {
    /// The text the tool returned (its summary and, for a result, its JSON).
    public let text: String
    public let isError: Bool
    /// The structured result, when the tool gave one.
    public let structured: Value?

    public init(text: String, isError: Bool, structured: Value?) {
        self.text = text
        self.isError = isError
        self.structured = structured
    }
}

/// Why the assistant could not go on.
public struct AssistantError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
