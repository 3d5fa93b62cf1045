internal import CFITSIO
public import Foundation

/// A table HDU read into memory: its header, column descriptions and column values.
///
/// Reading HEALPix sky maps is the main use: a flat map has a `PROB` column with `NSIDE`
/// and `ORDERING` in the header; a multi-order map has `UNIQ` (int64), `PROBDENSITY`,
/// `DISTMU`, `DISTSIGMA`, `DISTNORM`.
///
/// ```swift
/// let table = try FITSTable.read(data: skymapBytes, columns: ["UNIQ", "PROBDENSITY"])
/// let uniq = try table.int64s(named: "UNIQ")
/// let density = try table.doubles(named: "PROBDENSITY")
/// ```
public struct FITSTable: Sendable {
    /// The file the table came from (as named, or `memory:NAME`).
    public let path: String
    /// 0-based HDU index.
    public let hdu: Int
    /// `EXTNAME`, if any.
    public let name: String?
    /// The table's header.
    public let header: FITSHeader
    /// Number of rows.
    public let rowCount: Int
    /// Every column of the table, read or not, in order.
    public let columnDescriptions: [FITSColumnDescription]
    /// Columns present but not read because their type is not supported (complex, bit,
    /// variable-length arrays), when all columns were requested.
    public let skippedColumns: [String]
    private let columns: [String: FITSColumn]

    init(
        path: String, hdu: Int, name: String?, header: FITSHeader, rowCount: Int, columnDescriptions: [FITSColumnDescription],
        columns: [String: FITSColumn], skippedColumns: [String]
    ) {
        self.path = path
        self.hdu = hdu
        self.name = name
        self.header = header
        self.rowCount = rowCount
        self.columnDescriptions = columnDescriptions
        self.columns = columns
        self.skippedColumns = skippedColumns
    }

    /// The names of the columns that were read.
    public var columnNames: [String] {
        columnDescriptions.map(\.name).filter { columns[$0.uppercased()] != nil }
    }

    /// The values of a column (case-insensitive name). A vector column is flattened row by row.
    ///
    /// - Throws: ``FITSError`` `.columnNotFound` when the table has no such column or it was
    ///   not read.
    public func column(named name: String) throws(FITSError) -> FITSColumn {
        guard let column = columns[name.uppercased()] else {
            throw FITSError(
                .columnNotFound, path: path, hdu: hdu, column: name,
                "no such column was read (columns: \(columnNames.joined(separator: ", ")))")
        }
        return column
    }

    /// A numeric column as `Double`s (integers and floats converted; undefined values NaN).
    ///
    /// - Throws: ``FITSError`` `.columnNotFound`, or `.unsupported` for a string or logical column.
    public func doubles(named name: String) throws(FITSError) -> [Double] {
        switch try column(named: name) {
        case .double(let values): return values
        case .float(let values): return values.map(Double.init)
        case .int64(let values): return values.map(Double.init)
        case .logical, .string:
            throw FITSError(.unsupported, path: path, hdu: hdu, column: name, "the column is not numeric")
        }
    }

    /// An integer column as `Int64`s.
    ///
    /// - Throws: ``FITSError`` `.columnNotFound`, or `.unsupported` when the column is not of an
    ///   integer type (floating-point values are not silently truncated).
    public func int64s(named name: String) throws(FITSError) -> [Int64] {
        guard case .int64(let values) = try column(named: name) else {
            throw FITSError(.unsupported, path: path, hdu: hdu, column: name, "the column is not of an integer type")
        }
        return values
    }

    /// Reads a table from a file on disk (plain or `.gz`).
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - hdu: which HDU; by default the first table HDU.
    ///   - columns: the columns to read, or `nil` for all readable columns.
    public static func read(path: String, hdu: HDUSelector = .firstTable, columns: [String]? = nil) throws(FITSError) -> FITSTable {
        let file = try FITSFile(path: path)
        return try read(from: file, hdu: hdu, columns: columns)
    }

    /// Reads a table from FITS bytes in memory (plain or gzip-compressed), such as a sky map
    /// decoded from the base64 of a JSON alert.
    public static func read(
        data: Data, name: String = "buffer", hdu: HDUSelector = .firstTable, columns: [String]? = nil
    ) throws(FITSError) -> FITSTable {
        let file = try FITSFile(data: data, name: name)
        return try read(from: file, hdu: hdu, columns: columns)
    }

    private static func read(from file: FITSFile, hdu: HDUSelector, columns: [String]?) throws(FITSError) -> FITSTable {
        try file.select(hdu)
        let table = try file.readTable(columns: columns)
        try file.close()
        return table
    }
}

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

/// Which HDU of a file to use.
public enum HDUSelector: Sendable, Hashable, CustomStringConvertible {
    /// The HDU with this 0-based index (0 is the primary HDU).
    case index(Int)
    /// The first HDU whose `EXTNAME` is this (case-insensitive).
    case named(String)
    /// The first HDU holding a 2-D image (primary array or image extension, compressed or not).
    case firstImage
    /// The first table HDU (binary or ASCII).
    case firstTable

    public var description: String {
        switch self {
        case .index(let index): "HDU \(index)"
        case .named(let name): "HDU named \(name)"
        case .firstImage: "first image HDU"
        case .firstTable: "first table HDU"
        }
    }
}

extension FITSFile {
    /// Makes the selected HDU current and returns its index.
    @discardableResult
    public func select(_ selector: HDUSelector) throws(FITSError) -> Int {
        switch selector {
        case .index(let index):
            try moveTo(hdu: index)
        case .named(let name):
            try moveTo(extensionNamed: name)
        case .firstImage:
            return try moveToFirstImage()
        case .firstTable:
            guard let table = try hdus().first(where: { $0.kind != .image }) else {
                throw FITSError(.notTable, path: path, "the file has no table HDU")
            }
            try moveTo(hdu: table.index)
        }
        return try currentHDU()
    }
}
