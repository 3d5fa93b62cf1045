public import Foundation
import StarlingCore

/// A camera image as Alpaca sends it: width (X, `Dimension1`) by height (Y, `Dimension2`).
public struct AlpacaImage: Sendable {
    public let width: Int
    public let height: Int
    /// Pixels row by row (`pixels[y * width + x]`), as Imaging's `FloatImage` stores them.
    public let pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Decodes ImageBytes (AlpacaImageBytes.pdf): a 44-byte little-endian header
    /// (MetadataVersion, ErrorNumber, ClientTransactionID, ServerTransactionID, DataStart,
    /// ImageElementType, TransmissionElementType, Rank, Dimension1…3), then the elements with
    /// the first index (X) slowest: element `x * height + y`. Colour (rank 3) keeps plane 0.
    /// - Throws: ``DriverError`` `.deviceFault` for an error answer, `.protocolError` for bytes
    ///   that do not hold the image the header describes.
    public init(imageBytes data: Data, request: String) throws(DriverError) {
        let bytes = [UInt8](data)
        func int32(_ offset: Int) -> Int {
            Int(Int32(bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24))
        }
        guard bytes.count >= 44 else { throw DriverError(.protocolError, device: .camera, "\(request): ImageBytes shorter than its 44-byte header") }
        let errorNumber = int32(4)
        let dataStart = int32(16)
        if errorNumber != 0 {
            let message = dataStart < bytes.count ? String(decoding: bytes[max(44, dataStart)...], as: UTF8.self) : ""
            throw DriverError(.deviceFault, device: .camera, "\(request): ErrorNumber 0x\(String(errorNumber, radix: 16, uppercase: true)): \(message)")
        }
        let transmission = int32(24)
        let rank = int32(28)
        let width = int32(32)
        let height = int32(36)
        let elementSize: Int
        switch transmission {
        case 6: elementSize = 1
        case 1, 8: elementSize = 2
        case 2, 4, 9: elementSize = 4
        case 3, 7, 10: elementSize = 8
        default: throw DriverError(.protocolError, device: .camera, "\(request): unsupported ImageBytes element type \(transmission)")
        }
        let planes = rank == 3 ? max(1, int32(40)) : 1
        guard (2...3).contains(rank), width > 0, height > 0, dataStart >= 44, bytes.count >= dataStart + width * height * planes * elementSize else {
            throw DriverError(
                .protocolError, device: .camera,
                "\(request): ImageBytes header (rank \(rank), \(width)×\(height), type \(transmission)) does not match \(bytes.count) bytes")
        }
        var pixels = [Float](repeating: 0, count: width * height)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            for x in 0..<width {
                for y in 0..<height {
                    let offset = ((x * height + y) * planes) * elementSize
                    let value: Float
                    switch transmission {
                    case 6: value = Float(base.load(fromByteOffset: offset, as: UInt8.self))
                    case 1: value = Float(Int16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: Int16.self)))
                    case 8: value = Float(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                    case 2: value = Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                    case 9: value = Float(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                    case 4: value = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                    case 3: value = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
                    case 7: value = Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
                    default: value = Float(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                    }
                    pixels[y * width + x] = value
                }
            }
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// Decodes a JSON `ImageArray` value: `Value[x][y]` (or `Value[x][y][plane]`, plane 0 kept).
    public init(jsonValue value: AlpacaValue, request: String) throws(DriverError) {
        guard let columns = value.array, let first = columns.first?.array, !first.isEmpty else {
            throw DriverError(.protocolError, device: .camera, "\(request): ImageArray is not a two-dimensional array")
        }
        let width = columns.count
        let height = first.count
        var pixels = [Float](repeating: 0, count: width * height)
        for (x, column) in columns.enumerated() {
            guard let cells = column.array, cells.count == height else {
                throw DriverError(.protocolError, device: .camera, "\(request): ImageArray column \(x) does not hold \(height) values")
            }
            for (y, cell) in cells.enumerated() {
                pixels[y * width + x] = Float(cell.double ?? cell.array?.first?.double ?? 0)
            }
        }
        self.init(width: width, height: height, pixels: pixels)
    }
}
