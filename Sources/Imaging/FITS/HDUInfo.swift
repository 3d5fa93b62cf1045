/// What one HDU of a FITS file holds: its kind, name, pixel type and shape.
public struct HDUInfo: Sendable, Hashable, Codable {
    /// 0-based index in the file (0 is the primary HDU).
    public let index: Int
    /// Image (including tile-compressed images), binary table or ASCII table.
    public let kind: Kind
    /// `EXTNAME` (or `HDUNAME`), if the HDU has one.
    public let name: String?
    /// `BITPIX` of an image as stored (8, 16, 32, 64, −32, −64); `nil` for tables.
    /// For a tile-compressed image this is the image's `ZBITPIX`.
    public let bitpix: Int?
    /// The pixel type after `BZERO`/`BSCALE` (e.g. unsigned 16-bit for BITPIX 16 with BZERO
    /// 32768); `nil` for tables.
    public let pixelType: PixelType?
    /// Image axis lengths, `NAXIS1` first (width, height, …); empty for a table or an HDU
    /// without data (NAXIS = 0).
    public let axes: [Int]
    /// The tile compression of an image stored the way `fpack` writes it; `nil` when the
    /// image is not compressed (and for tables).
    public let compression: Compression?
    /// Number of rows of a table; `nil` for images.
    public let rowCount: Int?
    /// Number of columns of a table; `nil` for images.
    public let columnCount: Int?

    /// Whether the HDU holds a 2-D image with pixels.
    public var hasImage: Bool { kind == .image && axes.count >= 2 && axes.prefix(2).allSatisfy { $0 > 0 } }

    /// The kinds of HDU.
    public enum Kind: String, Sendable, Hashable, Codable {
        case image
        case binaryTable = "binary table"
        case asciiTable = "ASCII table"
    }

    /// Tile-compression algorithms (FITS Standard 4.0 §10, `ZCMPTYPE`).
    public enum Compression: Sendable, Hashable, Codable, CustomStringConvertible {
        case rice, gzip1, gzip2, hcompress, plio, none
        /// A `ZCMPTYPE` value Starling does not name; CFITSIO may still read it.
        case other(String)

        init(keyword: String) {
            switch keyword.uppercased() {
            case "RICE_1", "RICE_ONE": self = .rice
            case "GZIP_1": self = .gzip1
            case "GZIP_2": self = .gzip2
            case "HCOMPRESS_1": self = .hcompress
            case "PLIO_1": self = .plio
            case "NOCOMPRESS": self = .none
            default: self = .other(keyword)
            }
        }

        /// The `ZCMPTYPE` spelling: `RICE_1`, `GZIP_1`, `HCOMPRESS_1`, …
        public var description: String {
            switch self {
            case .rice: "RICE_1"
            case .gzip1: "GZIP_1"
            case .gzip2: "GZIP_2"
            case .hcompress: "HCOMPRESS_1"
            case .plio: "PLIO_1"
            case .none: "NOCOMPRESS"
            case .other(let name): name
            }
        }
    }

    /// Pixel types after scaling (CFITSIO's "equivalent" image type, `fits_get_img_equivtype`).
    public enum PixelType: String, Sendable, Hashable, Codable {
        case uint8, int8, int16, uint16, int32, uint32, int64, float32, float64

        init?(equivalentBITPIX value: Int) {
            switch value {
            case 8: self = .uint8
            case 10: self = .int8  // SBYTE_IMG
            case 16: self = .int16
            case 20: self = .uint16  // USHORT_IMG: BITPIX 16, BZERO 32768
            case 32: self = .int32
            case 40: self = .uint32  // ULONG_IMG: BITPIX 32, BZERO 2^31
            case 64: self = .int64
            case -32: self = .float32
            case -64: self = .float64
            default: return nil
            }
        }
    }
}
