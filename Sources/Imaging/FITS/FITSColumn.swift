internal import CFITSIO

/// The values of one table column.
public enum FITSColumn: Sendable, Hashable {
    /// Integer columns of any width (`B`, `I`, `J`, `K`, with `TZERO` applied).
    case int64([Int64])
    /// Single-precision columns (`E`); undefined values are NaN.
    case float([Float])
    /// Double-precision columns (`D`); undefined values are NaN.
    case double([Double])
    /// Logical columns (`L`).
    case logical([Bool])
    /// Character columns (`A`), trailing blanks removed.
    case string([String])

    /// Number of values (rows × repeat count for vector columns).
    public var count: Int {
        switch self {
        case .int64(let values): values.count
        case .float(let values): values.count
        case .double(let values): values.count
        case .logical(let values): values.count
        case .string(let values): values.count
        }
    }
}

/// What the header says about a table column.
public struct FITSColumnDescription: Sendable, Hashable, Codable {
    /// 1-based column number.
    public let number: Int
    /// `TTYPEn` (or `COLn` when unnamed).
    public let name: String
    /// `TFORMn`, e.g. `1K`, `1024E`, `20A`.
    public let format: String
    /// `TUNITn`, if given.
    public let unit: String?
    /// The value type after `TSCAL`/`TZERO`.
    public let kind: Kind
    /// Elements per row (1 for scalars; characters for strings).
    public let repeatCount: Int
    /// Width in bytes of one element.
    public let width: Int

    /// Column value types.
    public enum Kind: String, Sendable, Hashable, Codable {
        case integer, float, double, logical, string, complex, bit
        case variableLength = "variable-length"
        case unknown

        init(typeCode: Int32) {
            if typeCode < 0 { self = .variableLength; return }
            switch typeCode {
            case TBYTE, TSBYTE, TSHORT, TUSHORT, TINT, TUINT, TLONG, TULONG, TLONGLONG, TULONGLONG: self = .integer
            case TFLOAT: self = .float
            case TDOUBLE: self = .double
            case TLOGICAL: self = .logical
            case TSTRING: self = .string
            case TCOMPLEX, TDBLCOMPLEX: self = .complex
            case TBIT: self = .bit
            default: self = .unknown
            }
        }

        var isReadable: Bool { [.integer, .float, .double, .logical, .string].contains(self) }
    }
}
