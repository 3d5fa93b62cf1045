public import Foundation

/// A HEALPix sky map's FITS binary table, as read from the file: header keywords and columns.
///
/// This is the seam between ``HEALPixSkyMap`` (which knows what the columns mean) and a FITS
/// reader (which knows how to read them): the Imaging module's CFITSIO tables fill it.
public struct SkyMapTable: Sendable {
    /// Header keywords of the table HDU (and the primary HDU), upper-case, values as text with
    /// quotes removed (`ORDERING` → `NESTED`, `NSIDE` → `256`, `DISTMEAN` → `156.1`).
    public var header: [String: String]
    /// Floating-point and integer columns converted to `Double`, by upper-case name (`PROB`,
    /// `PROBDENSITY`, `DISTMU`, `DISTSIGMA`, `DISTNORM`). Vector columns are flattened row by row.
    public var columns: [String: [Double]]
    /// Integer columns kept exact, by upper-case name (`UNIQ` needs all 64 bits).
    public var integerColumns: [String: [Int64]]

    /// Creates a table.
    public init(header: [String: String], columns: [String: [Double]], integerColumns: [String: [Int64]] = [:]) {
        self.header = Dictionary(header.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.columns = Dictionary(columns.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.integerColumns = Dictionary(integerColumns.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Reads the binary table of a HEALPix FITS file.
///
/// A reader needs a FITS library, and only the Imaging module uses CFITSIO:
/// ``FITSSkyMapReader`` is the reader backed by it. ``UnavailableSkyMapReader`` refuses every
/// read, saying why, for code that must not read FITS.
public protocol SkyMapReader: Sendable {
    /// Reads the first binary table of FITS bytes (plain or gzip-compressed).
    ///
    /// - Parameters:
    ///   - fitsData: the file's bytes.
    ///   - name: where they came from, for messages.
    /// - Throws: ``SkyMapError`` `.unreadable` when the bytes are not a FITS table.
    func readTable(fitsData: Data, name: String) throws(SkyMapError) -> SkyMapTable
}

extension SkyMapReader {
    /// Reads and interprets a sky map from FITS bytes.
    ///
    /// - Throws: ``SkyMapError`` `.unreadable` or `.invalid`.
    public func readSkyMap(fitsData: Data, name: String) throws(SkyMapError) -> HEALPixSkyMap {
        try HEALPixSkyMap(table: readTable(fitsData: fitsData, name: name), source: name)
    }

    /// Reads and interprets a sky map from a file (`.fits` or `.fits.gz`).
    ///
    /// - Throws: ``SkyMapError`` `.notFound`, `.unreadable` or `.invalid`.
    public func readSkyMap(path: String) throws(SkyMapError) -> HEALPixSkyMap {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SkyMapError(.notFound, source: path, "cannot read the file (\(error.localizedDescription))")
        }
        return try readSkyMap(fitsData: data, name: path)
    }
}

/// A reader that reads nothing: every read fails with `.readerUnavailable`, saying why.
public struct UnavailableSkyMapReader: SkyMapReader {
    /// Creates the reader.
    public init() {}

    public func readTable(fitsData: Data, name: String) throws(SkyMapError) -> SkyMapTable {
        throw SkyMapError(
            .readerUnavailable, source: name,
            "reading FITS sky maps needs a FITS table reader (FITSSkyMapReader, over the Imaging module's CFITSIO tables); this one reads nothing")
    }
}
