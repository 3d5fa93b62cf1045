public import Foundation
internal import Imaging

/// Reads HEALPix sky maps with the Imaging module's FITS tables (CFITSIO underneath): flat
/// and multi-order maps, plain or gzip-compressed, from files or from bytes (the base64 map
/// of an IGWN alert).
///
/// ```swift
/// let map = try FITSSkyMapReader().readSkyMap(path: "GW190425_bayestar_nside256.fits.gz")
/// let loader = SkyMapLoader(reader: FITSSkyMapReader())
/// ```
public struct FITSSkyMapReader: SkyMapReader {
    /// Creates the reader.
    public init() {}

    /// Reads the first binary table: its header keywords and its numeric columns.
    ///
    /// - Throws: ``SkyMapError`` `.unreadable` with CFITSIO's reason when the bytes are not a
    ///   FITS file with a table.
    public func readTable(fitsData: Data, name: String) throws(SkyMapError) -> SkyMapTable {
        let table: FITSTable
        do {
            table = try FITSTable.read(data: fitsData, name: name, hdu: .firstTable)
        } catch {
            throw SkyMapError(.unreadable, source: name, error.description)
        }
        var header: [String: String] = [:]
        for card in table.header.cards where header[card.keyword.uppercased()] == nil {
            if let value = table.header.string(card.keyword) { header[card.keyword.uppercased()] = value }
        }
        var columns: [String: [Double]] = [:]
        var integerColumns: [String: [Int64]] = [:]
        for name in table.columnNames {
            let column: FITSColumn
            do {
                column = try table.column(named: name)
            } catch {
                throw SkyMapError(.unreadable, source: table.path, error.description)
            }
            switch column {
            case .int64(let values):
                integerColumns[name.uppercased()] = values
                columns[name.uppercased()] = values.map(Double.init)
            case .float(let values):
                columns[name.uppercased()] = values.map(Double.init)
            case .double(let values):
                columns[name.uppercased()] = values
            case .logical, .string:
                continue  // not part of a HEALPix map
            }
        }
        return SkyMapTable(header: header, columns: columns, integerColumns: integerColumns)
    }
}
