import Foundation

/// Reads the pixels of the two layouts cameras write most, straight from the file: 32-bit
/// floats without scaling, and 16-bit integers with `BZERO` 0 or 32768 (unsigned) and no
/// `BLANK`. CFITSIO has already parsed the header and located the data unit
/// (`fits_get_hduaddrll`); the bytes are read with `pread(2)` by one thread per core and
/// converted from big-endian in place, which is several times faster than CFITSIO's
/// buffered reads for large frames. Anything else, and any failure, falls back to CFITSIO
/// (``FITSFile/readImage()``), which then also reports the failure.
enum DirectPixelReader {
    /// How the data unit stores pixel values.
    enum Layout: Equatable {
        /// BITPIX −32, BSCALE 1, BZERO 0.
        case float32
        /// BITPIX 16, BSCALE 1, BZERO `offset` (0 or 32768), no BLANK.
        case int16(offset: Float)

        var bytesPerPixel: Int { self == .float32 ? 4 : 2 }
    }

    /// The pixels, or `nil` to let CFITSIO read them.
    static func read(path: String, dataOffset: Int, count: Int, layout: Layout) -> [Float]? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, dataOffset >= 0, dataOffset + count * layout.bytesPerPixel <= Int(status.st_size) else {
            return nil
        }
        var failed = false
        let pixels = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            LargeBuffer.adviseHugePages(buffer)
            let base = buffer.baseAddress!
            let outcomes = Parallel.map(count, minimumPerBand: 1 << 20) { range -> Bool in
                switch layout {
                case .float32:
                    // Read the big-endian words straight into the output, then swap them there.
                    let raw = UnsafeMutableRawPointer(base + range.lowerBound)
                    guard readFully(descriptor, into: raw, count: range.count * 4, at: dataOffset + range.lowerBound * 4) else { return false }
                    let words = raw.assumingMemoryBound(to: UInt32.self)
                    for index in 0..<range.count { words[index] = UInt32(bigEndian: words[index]) }
                    return true
                case .int16(let offset):
                    let scratch = UnsafeMutablePointer<Int16>.allocate(capacity: range.count)
                    defer { scratch.deallocate() }
                    guard readFully(descriptor, into: UnsafeMutableRawPointer(scratch), count: range.count * 2, at: dataOffset + range.lowerBound * 2)
                    else { return false }
                    let output = base + range.lowerBound
                    for index in 0..<range.count { output[index] = Float(Int16(bigEndian: scratch[index])) + offset }
                    return true
                }
            }
            failed = outcomes.contains(false)
            // On failure the contents are discarded; every element was still written or is
            // overwritten below, so the array is fully initialised either way.
            if failed { for index in 0..<count { base[index] = 0 } }
            initialized = count
        }
        return failed ? nil : pixels
    }

    /// `pread(2)` until `count` bytes are read; false on an error or an early end of file.
    private static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Bool {
        var done = 0
        while done < count {
            let result = pread(descriptor, buffer + done, count - done, off_t(offset + done))
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return false }
            done += result
        }
        return true
    }
}
