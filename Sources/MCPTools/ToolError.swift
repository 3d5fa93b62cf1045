/// Why a tool could not do what it was asked, said to the agent that called it.
///
/// A tool error is a result, not a protocol failure: MCP returns it as a tool result with
/// `isError: true` and the message as its text, so the model reads the reason and can try
/// again differently. The message says what was wrong and what to do.
public struct ToolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of refusal.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// An argument is missing, of the wrong type, out of range, or not known.
        case invalidArgument = "invalid-argument"
        /// The named thing (a site, telescope, alert, frame, request group) does not exist.
        case notFound = "not-found"
        /// The caller's token lacks the role, or the caller may not act on this.
        case forbidden
        /// The answer needs the running network (`starling serve`), not a store and its configuration.
        case needsLiveNetwork = "needs-live-network"
        /// The network is starting or stopping; nothing was done: try again.
        case notRunning = "not-running"
        /// The store, the sky computation or the report could not be read or made.
        case failed
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    static func invalid(_ name: String, _ reason: String) -> ToolError { ToolError(.invalidArgument, "\(name): \(reason)") }
}
