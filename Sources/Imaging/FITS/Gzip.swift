internal import CZlib
package import Foundation

/// Inflating gzip (and zlib) streams with the system zlib, for FITS bytes that arrive
/// compressed in memory (CFITSIO inflates `.gz` files itself, but not buffers; INDI cameras
/// send `.fits.z` BLOBs, zlib's `compress2` output).
package enum Gzip {
    /// Whether the bytes start with the gzip magic number `1f 8b` (RFC 1952 §2.3.1).
    package static func isCompressed(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
    }

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// Inflates a gzip stream (one or more members) or a zlib stream.
    package static func decompress(_ data: Data, limit: Int = 4 << 30) throws(Failure) -> Data {
        var stream = z_stream()
        // windowBits 15 + 32: zlib detects the gzip or zlib header itself (zlib.h, inflateInit2).
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib cannot start inflating")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var result: Int32 = Z_OK
        var input = [UInt8](data)
        try input.withUnsafeMutableBufferPointer { (source) throws(Failure) in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    result = inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk.prefix(produced))
                if result == Z_STREAM_END && stream.avail_in > 0 {
                    // Another gzip member follows (concatenated streams are valid gzip).
                    inflateReset(&stream)
                    result = Z_OK
                }
                guard output.count <= limit else { throw Failure(description: "inflated size exceeds \(limit) bytes") }
                if result == Z_BUF_ERROR && stream.avail_in == 0 {
                    throw Failure(description: "the gzip stream ends early (truncated)")
                }
                guard result == Z_OK || result == Z_STREAM_END else {
                    throw Failure(description: "damaged gzip data (zlib status \(result))")
                }
            } while result != Z_STREAM_END
        }
        return output
    }
}
