/// Why a sky map could not be had or used.
public struct SkyMapError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public let code: Code
    /// Where the map was to come from (a path, URL or `embedded:FIELD`), when known.
    public let source: String?
    /// What happened and what to do, for people.
    public let message: String

    /// Kinds of failure.
    public enum Code: String, Sendable, Hashable, Codable {
        /// No FITS reader is configured in this build (the Imaging module provides one).
        case readerUnavailable = "reader-unavailable"
        /// The file, URL or embedded field does not exist.
        case notFound = "not-found"
        /// The download failed or timed out.
        case downloadFailed = "download-failed"
        /// The bytes are not a readable FITS HEALPix table (bad base64, not FITS, CFITSIO error).
        case unreadable
        /// The table reads but is not a valid HEALPix map (no PROB/PROBDENSITY column, bad NSIDE,
        /// negative probabilities, overlapping pixels).
        case invalid
    }

    /// Creates an error.
    public init(_ code: Code, source: String? = nil, _ message: String) {
        self.code = code
        self.source = source
        self.message = message
    }

    public var description: String {
        source.map { "\($0): \(message)" } ?? message
    }
}
