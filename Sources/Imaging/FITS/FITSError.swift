/// Why a FITS file could not be read or written.
///
/// Carries what to match on (``code``, and CFITSIO's ``status`` when the failure came from
/// CFITSIO), where it happened (``path``, ``hdu``, ``keyword``, ``column``) and CFITSIO's
/// message stack, drained at the moment of failure. ``description`` is the line the CLI
/// prints, e.g. `frame.fits[HDU 1]: image data end early: the file is truncated (CFITSIO 107 …)`.
public struct FITSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure.
    public let code: Code
    /// CFITSIO's status code when CFITSIO reported the failure, else `nil`.
    public let status: FITSStatus?
    /// The file as the caller named it (`memory:NAME` for an in-memory buffer).
    public let path: String
    /// The 0-based HDU index (0 is the primary HDU), when the failure is in one.
    public let hdu: Int?
    /// The header keyword involved, if any.
    public let keyword: String?
    /// The table column involved, if any.
    public let column: String?
    /// What went wrong, and what to do about it when there is something to do.
    public let message: String
    /// CFITSIO's error message stack at the time (oldest first), for the details.
    public let libraryMessages: [String]

    /// Creates an error; Imaging makes them, other modules match on them.
    package init(
        _ code: Code, path: String, hdu: Int? = nil, keyword: String? = nil, column: String? = nil,
        status: FITSStatus? = nil, libraryMessages: [String] = [], _ message: String
    ) {
        self.code = code
        self.status = status
        self.path = path
        self.hdu = hdu
        self.keyword = keyword
        self.column = column
        self.message = message
        self.libraryMessages = libraryMessages
    }

    public var description: String {
        var text = path
        if let hdu { text += "[HDU \(hdu)]" }
        text += ": "
        if let keyword { text += "\(keyword): " }
        if let column { text += "column \(column): " }
        text += message
        if let status {
            var detail = status.description
            let extra = libraryMessages.filter { !$0.isEmpty && !status.message.contains($0) }
            if !extra.isEmpty { detail += ": " + extra.joined(separator: "; ") }
            text += " [\(detail)]"
        }
        return text
    }

    /// The kinds of failure. Closed: Imaging is the only producer.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// The file does not exist or cannot be opened (permissions, a directory).
        case fileNotFound = "file-not-found"
        /// The bytes are not FITS (no `SIMPLE = T` header, or a header CFITSIO cannot parse).
        case notFITS = "not-fits"
        /// The file ends before its header or data do.
        case truncated
        /// The file is FITS but its structure is damaged (bad header values, undecodable tiles).
        case corrupt
        /// No HDU with the requested index or name.
        case noSuchHDU = "no-such-hdu"
        /// The HDU holds no image data where one was needed (a table, or NAXIS = 0).
        case noImage = "no-image"
        /// The HDU is not a binary table where one was needed.
        case notTable = "not-table"
        /// The data are valid FITS but of a kind Starling does not read (a 3-D cube, a string column).
        case unsupported
        /// A required keyword is absent.
        case missingKeyword = "missing-keyword"
        /// A keyword's value cannot be read as the type or range it must have.
        case invalidKeyword = "invalid-keyword"
        /// No table column of the given name.
        case columnNotFound = "column-not-found"
        /// The header's world coordinate system cannot be used.
        case invalidWCS = "invalid-wcs"
        /// CHECKSUM or DATASUM does not match the data.
        case checksumMismatch = "checksum-mismatch"
        /// Writing failed (disk full, no permission, a value that does not fit).
        case writeFailed = "write-failed"
        /// Another CFITSIO failure; ``FITSError/status`` says which.
        case library
    }
}
