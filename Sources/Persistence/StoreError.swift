/// A failure of the store: the database could not be opened, read or written.
///
/// Matching on ``code`` distinguishes what callers can act on: a database that is busy or a
/// server that cannot be reached can be retried, a corrupt or incompatible one cannot.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let code: Code
    /// What happened and what to do, for people.
    public let message: String
    /// The underlying error's description (SQLite's or PostgreSQL's message), if any.
    public let underlying: String?

    public enum Code: String, Sendable, Hashable {
        /// The store's location is not one Starling can read (`--store` text, a URL).
        case invalidLocation = "invalid-location"
        /// The database file cannot be opened or created, or the server refused the connection
        /// (user, password, database name, permissions).
        case cannotOpen = "cannot-open"
        /// The schema is newer than this build, the file is not a Starling database, or the
        /// server is set up so that it could lose a commit.
        case incompatible
        /// Another process holds the database, or a concurrent transaction conflicted; retry.
        case busy
        /// The database server cannot be reached now (refused, lost, shutting down); retry once
        /// it is back. A write whose connection was lost while it committed may or may not have
        /// been stored (the writes that matter, alerts and decisions, are safe to repeat).
        case unavailable
        /// A read or write failed.
        case failed
        /// A stored value could not be decoded (written by an incompatible version?).
        case corruptRecord = "corrupt-record"
    }

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying.map { "\($0)" }
    }

    /// An error whose cause is already text (a server's message).
    public init(_ code: Code, _ message: String, underlyingDescription: String?) {
        self.code = code
        self.message = message
        self.underlying = underlyingDescription
    }

    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(underlying)"
    }
}
