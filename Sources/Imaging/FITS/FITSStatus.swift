internal import CFITSIO

/// A CFITSIO status code, as every CFITSIO routine returns it through its `status` argument.
///
/// The named constants are the codes Starling meets and matches on; any other code is still
/// carried, with CFITSIO's own text in ``message``. The values are those of `fitsio.h`
/// (CFITSIO User's Reference Guide, appendix "Error Status Codes").
///
/// ```swift
/// do { … } catch let error {
///     if error.status == .keywordNotFound { … }
/// }
/// ```
public struct FITSStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw CFITSIO code (0 is success).
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// 0: no error.
    public static let ok = FITSStatus(rawValue: 0)
    /// 104 `FILE_NOT_OPENED`: the file is missing, unreadable, or not recognised as FITS.
    public static let fileNotOpened = FITSStatus(rawValue: 104)
    /// 105 `FILE_NOT_CREATED`.
    public static let fileNotCreated = FITSStatus(rawValue: 105)
    /// 106 `WRITE_ERROR`.
    public static let writeError = FITSStatus(rawValue: 106)
    /// 107 `END_OF_FILE`: a read ran past the end of the file (usually a truncated file).
    public static let endOfFile = FITSStatus(rawValue: 107)
    /// 108 `READ_ERROR`.
    public static let readError = FITSStatus(rawValue: 108)
    /// 113 `MEMORY_ALLOCATION`.
    public static let memoryAllocation = FITSStatus(rawValue: 113)
    /// 202 `KEY_NO_EXIST`: the keyword is not in the header.
    public static let keywordNotFound = FITSStatus(rawValue: 202)
    /// 204 `VALUE_UNDEFINED`: the keyword has no value.
    public static let valueUndefined = FITSStatus(rawValue: 204)
    /// 210 `NO_END`: no `END` card where the header should end.
    public static let noEnd = FITSStatus(rawValue: 210)
    /// 211 `BAD_BITPIX`.
    public static let badBITPIX = FITSStatus(rawValue: 211)
    /// 212 `BAD_NAXIS`.
    public static let badNAXIS = FITSStatus(rawValue: 212)
    /// 219 `COL_NOT_FOUND`: no table column of that name.
    public static let columnNotFound = FITSStatus(rawValue: 219)
    /// 221 `NO_SIMPLE`: the file does not start with `SIMPLE` (not FITS).
    public static let noSimple = FITSStatus(rawValue: 221)
    /// 233 `NOT_IMAGE`: the HDU is not an image.
    public static let notImage = FITSStatus(rawValue: 233)
    /// 235 `NOT_TABLE`: the HDU is not a table.
    public static let notTable = FITSStatus(rawValue: 235)
    /// 237 `COL_NOT_UNIQUE`: several columns match the name.
    public static let columnNotUnique = FITSStatus(rawValue: 237)
    /// 251 `UNKNOWN_EXT`: an extension of an unknown type.
    public static let unknownExtension = FITSStatus(rawValue: 251)
    /// 252 `UNKNOWN_REC`: a header record CFITSIO cannot read.
    public static let unknownRecord = FITSStatus(rawValue: 252)
    /// 301 `BAD_HDU_NUM`: no HDU with that number.
    public static let badHDUNumber = FITSStatus(rawValue: 301)
    /// 412 `NUM_OVERFLOW`: a value does not fit the requested type.
    public static let numericOverflow = FITSStatus(rawValue: 412)
    /// 414 `DATA_DECOMPRESSION_ERR`: a compressed tile could not be decompressed.
    public static let decompressionError = FITSStatus(rawValue: 414)

    /// Whether this is success.
    public var isOK: Bool { rawValue == 0 }

    /// CFITSIO's one-line text for the code (`fits_get_errstatus`, at most 30 characters).
    public var message: String {
        var buffer = [CChar](repeating: 0, count: Int(FLEN_STATUS) + 1)
        ffgerr(rawValue, &buffer)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `CFITSIO 107 (tried to move past end of file)`.
    public var description: String { "CFITSIO \(rawValue) (\(message))" }

    /// Lets `catch` and `switch` match a status against an error: `case .keywordNotFound:`.
    public static func ~= (pattern: FITSStatus, error: FITSError) -> Bool { error.status == pattern }
}
