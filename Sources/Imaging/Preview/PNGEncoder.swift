internal import CZlib
public import Foundation

/// Writes 8-bit PNG images, greyscale or RGB (ISO/IEC 15948, the PNG specification): IHDR,
/// one zlib IDAT stream with per-row adaptive filtering, IEND; CRC-32 and deflate from the
/// system zlib.
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
        return try encode(samples: gray, width: width, height: height, channels: 1)
    }

    /// Encodes colour pixels, top row first.
    ///
    /// - Parameters:
    ///   - rgb: `width × height × 3` bytes: red, green, blue of each pixel, row by row, the
    ///     first row at the top of the picture.
    ///   - width: pixels per row (1…2³¹−1).
    ///   - height: rows.
    /// - Throws: ``Failure`` when zlib fails (out of memory).
    public static func encode(rgb: [UInt8], width: Int, height: Int) throws(Failure) -> Data {
        precondition(width > 0 && height > 0 && rgb.count == width * height * 3, "rgb must hold width × height × 3 bytes")
        return try encode(samples: rgb, width: width, height: height, channels: 3)
    }

    /// Encodes interleaved 8-bit samples: 1 channel is greyscale (colour type 0), 3 are RGB
    /// (colour type 2).
    private static func encode(samples: [UInt8], width: Int, height: Int, channels: Int) throws(Failure) -> Data {
        let rowBytes = width * channels
        // Each scanline: a filter-type byte, then the filtered row (spec §9). The predictors
        // look at the corresponding byte of the pixel to the left (`channels` bytes back).
        var raw = [UInt8](repeating: 0, count: (rowBytes + 1) * height)
        var candidate = [UInt8](repeating: 0, count: rowBytes)
        var best = [UInt8](repeating: 0, count: rowBytes)
        let zeros = [UInt8](repeating: 0, count: rowBytes)
        for row in 0..<height {
            let current = Array(samples[(row * rowBytes)..<((row + 1) * rowBytes)])
            let previous = row > 0 ? Array(samples[((row - 1) * rowBytes)..<(row * rowBytes)]) : zeros
            var bestType: UInt8 = 0
            var bestCost = Int.max
            // Choose the filter with the least sum of absolute (signed) values: the heuristic
            // the specification recommends (§12.8).
            for type in UInt8(0)...4 {
                for x in 0..<rowBytes {
                    let left = x >= channels
                    let a = left ? Int(current[x - channels]) : 0, b = Int(previous[x]), c = left ? Int(previous[x - channels]) : 0
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
            raw[row * (rowBytes + 1)] = bestType
            for x in 0..<rowBytes { raw[row * (rowBytes + 1) + 1 + x] = best[x] }
        }
        var compressedSize = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        let status = compress2(&compressed, &compressedSize, raw, uLong(raw.count), Z_BEST_COMPRESSION)
        guard status == Z_OK else { throw Failure(description: "zlib compress2 failed with status \(status)") }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.append(bigEndian: UInt32(width))
        header.append(bigEndian: UInt32(height))
        // Bit depth 8; colour type 0 (greyscale) or 2 (truecolour); deflate; adaptive filtering; no interlace.
        header.append(contentsOf: [8, channels == 3 ? 2 : 0, 0, 0, 0])
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
