internal import CZlib
public import Foundation

/// Writes 8-bit greyscale PNG images (ISO/IEC 15948, the PNG specification): IHDR, one zlib
/// IDAT stream with per-row adaptive filtering, IEND; CRC-32 and deflate from the system zlib.
public enum PNGEncoder {
    /// Why an image could not be encoded.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Encodes greyscale pixels, top row first.
    ///
    /// - Parameters:
    ///   - gray: `width × height` bytes, row by row, the first row at the top of the picture.
    ///   - width: pixels per row (1…2³¹−1).
    ///   - height: rows.
    /// - Throws: ``Failure`` when zlib fails (out of memory).
    public static func encode(gray: [UInt8], width: Int, height: Int) throws(Failure) -> Data {
        precondition(width > 0 && height > 0 && gray.count == width * height, "gray must hold width × height bytes")
        // Each scanline: a filter-type byte, then the filtered row (spec §9).
        var raw = [UInt8](repeating: 0, count: (width + 1) * height)
        var candidate = [UInt8](repeating: 0, count: width)
        var best = [UInt8](repeating: 0, count: width)
        let zeros = [UInt8](repeating: 0, count: width)
        for row in 0..<height {
            let current = Array(gray[(row * width)..<((row + 1) * width)])
            let previous = row > 0 ? Array(gray[((row - 1) * width)..<(row * width)]) : zeros
            var bestType: UInt8 = 0
            var bestCost = Int.max
            // Choose the filter with the least sum of absolute (signed) values: the heuristic
            // the specification recommends (§12.8).
            for type in UInt8(0)...4 {
                for x in 0..<width {
                    let a = x > 0 ? Int(current[x - 1]) : 0, b = Int(previous[x]), c = x > 0 ? Int(previous[x - 1]) : 0
                    let predictor: Int
                    switch type {
                    case 0: predictor = 0
                    case 1: predictor = a
                    case 2: predictor = b
                    case 3: predictor = (a + b) / 2
                    default: predictor = paeth(a, b, c)
                    }
                    candidate[x] = UInt8(truncatingIfNeeded: Int(current[x]) - predictor)
                }
                let cost = candidate.reduce(0) { $0 + min(Int($1), 256 - Int($1)) }
                if cost < bestCost {
                    bestCost = cost
                    bestType = type
                    swap(&best, &candidate)
                }
            }
            raw[row * (width + 1)] = bestType
            for x in 0..<width { raw[row * (width + 1) + 1 + x] = best[x] }
        }
        var compressedSize = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        let status = compress2(&compressed, &compressedSize, raw, uLong(raw.count), Z_BEST_COMPRESSION)
        guard status == Z_OK else { throw Failure(description: "zlib compress2 failed with status \(status)") }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.append(bigEndian: UInt32(width))
        header.append(bigEndian: UInt32(height))
        header.append(contentsOf: [8, 0, 0, 0, 0])  // bit depth 8, greyscale, deflate, adaptive filtering, no interlace
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", Data(compressed.prefix(Int(compressedSize))), to: &png)
        appendChunk("IEND", Data(), to: &png)
        return png
    }

    private static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// Appends length, type, data and the CRC-32 of type and data (spec §5.3).
    private static func appendChunk(_ type: String, _ data: Data, to png: inout Data) {
        let typeBytes = Array(type.utf8)
        png.append(bigEndian: UInt32(data.count))
        png.append(contentsOf: typeBytes)
        png.append(data)
        var crc = crc32(0, typeBytes, uInt(typeBytes.count))
        data.withUnsafeBytes { buffer in
            if let base = buffer.bindMemory(to: UInt8.self).baseAddress { crc = crc32(crc, base, uInt(buffer.count)) }
        }
        png.append(bigEndian: UInt32(truncatingIfNeeded: crc))
    }
}

extension Data {
    mutating func append(bigEndian value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}
