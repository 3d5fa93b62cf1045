/// A failure of the store: the database could not be opened, read or written.
///
/// Matching on ``code`` distinguishes what callers can act on: a database that is busy can
/// be retried, a corrupt or incompatible one cannot.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let code: Code
    /// What happened and what to do, for people.
    public let message: String
    /// The underlying error's description (SQLite's message), if any.
    public let underlying: String?

    public enum Code: String, Sendable, Hashable {
        /// The database file cannot be opened or created.
        case cannotOpen = "cannot-open"
        /// The schema is newer than this build, or the file is not a Starling database.
        case incompatible
        /// Another process holds the database; retry.
        case busy
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

    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(underlying)"
    }
}
