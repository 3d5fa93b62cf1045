import Persistence
import Sky

/// Why a report could not be built or written, or a review not recorded.
///
/// A frame that cannot be read is not an error: it is measured as corrupt or missing and
/// listed in the report. These are the failures that stop a report or a review.
/// ``description`` is the line the CLI prints.
public struct ReportingError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let code: Code
    /// What happened and what to do, for people.
    public let message: String
    /// The file or folder concerned, if any.
    public let path: String?
    /// The underlying error's description (the store's, the file system's), if any.
    public let underlying: String?

    /// The kinds of failure.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The store could not be read or written.
        case store
        /// A sky computation (night windows, visibility) failed.
        case sky
        /// A site named in the request is not in the network.
        case unknownSite = "unknown-site"
        /// A frame or observation named in a review is not in the store.
        case unknownSubject = "unknown-subject"
        /// A review is incomplete (a flag without a note, no reviewer).
        case invalidReview = "invalid-review"
        /// A report file, plot or thumbnail could not be written.
        case writeFailed = "write-failed"
        /// The report could not be encoded as JSON or a picture as PNG.
        case encodingFailed = "encoding-failed"
    }

    /// Creates an error.
    public init(_ code: Code, _ message: String, path: String? = nil, underlying: (any Error)? = nil) {
        self.init(code, message, path: path, underlyingDescription: underlying.map { "\($0)" })
    }

    private init(_ code: Code, _ message: String, path: String?, underlyingDescription: String?) {
        self.code = code
        self.message = message
        self.path = path
        self.underlying = underlyingDescription
    }

    /// The store's failure, saying what the report was doing.
    init(_ error: StoreError, while doing: String) {
        self.init(.store, "cannot \(doing): \(error.message)", path: nil, underlyingDescription: error.underlying)
    }

    /// A sky computation's failure.
    init(_ error: SkyError, while doing: String) {
        self.init(.sky, "cannot \(doing): \(error.message)")
    }

    public var description: String {
        var text = path.map { "\($0): " } ?? ""
        text += message
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
