/// A failure of a transport: a broker that cannot be reached, a connection that broke, a
/// folder that cannot be read.
public struct AlertTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public let code: Code
    /// The endpoint (`host:port`, a folder), when known.
    public let endpoint: String?
    /// What happened, for people.
    public let message: String

    /// Kinds of failure.
    public enum Code: String, Sendable, Hashable, Codable {
        /// The address could not be resolved or the connection was refused.
        case cannotConnect = "cannot-connect"
        /// Connecting, reading or writing took longer than allowed.
        case timedOut = "timed-out"
        /// The peer closed the connection or it broke.
        case connectionLost = "connection-lost"
        /// The peer sent something the protocol does not allow (a frame too large, a bad length).
        case protocolViolation = "protocol-violation"
        /// A folder is missing or cannot be read or written.
        case folderUnavailable = "folder-unavailable"
    }

    /// Creates an error.
    public init(_ code: Code, endpoint: String?, _ message: String) {
        self.code = code
        self.endpoint = endpoint
        self.message = message
    }

    public var description: String { endpoint.map { "\($0): \(message)" } ?? message }
}
