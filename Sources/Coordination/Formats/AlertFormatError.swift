/// Why a notice could not be turned into an ``StarlingCore/Alert``: the notice is kept (the
/// store records its raw bytes as refused, with this reason), but it cannot be acted on.
///
/// ``description`` is the line a person reads, e.g.
/// `voevent-2.0: WhereWhen/…/ISOTime '2019-13-01T00:00:00': not an ISO 8601 UTC time`.
public struct AlertFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public let code: Code
    /// The format the notice was recognised as, when it was.
    public let format: AlertFormat?
    /// The field or element at fault, when one is (`ra_dec_error`, `WhereWhen/…/C1`).
    public let field: String?
    /// What is wrong, for people.
    public let message: String

    /// Kinds of refusal.
    public enum Code: String, Sendable, Hashable, Codable {
        /// Neither XML nor JSON, or not a shape of any notice format Starling reads.
        case unrecognised
        /// XML or JSON that does not parse.
        case malformed
        /// Bytes that are not UTF-8 (UTF-16 or UTF-32, a stray byte), or XML declaring another encoding.
        case encoding
        /// Larger than Starling reads (8 MiB), or nested deeper (64 levels).
        case tooLarge = "too-large"
        /// A field every notice of the format needs is missing.
        case missingField = "missing-field"
        /// A field has a value that cannot be right (a declination of 117°, a bad time).
        case invalidValue = "invalid-value"
        /// A well-formed document that is not a notice Starling acts on (a GCN Circular, a
        /// schema building block, a VTP transport message, a VOEvent version other than 1.1/2.0).
        case unsupported
    }

    /// Creates an error.
    public init(_ code: Code, format: AlertFormat?, field: String? = nil, _ message: String) {
        self.code = code
        self.format = format
        self.field = field
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let format { parts.append(format.rawValue) }
        if let field { parts.append(field) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
