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
