internal import CFITSIO
public import Foundation

/// An open FITS file: the one owner of a CFITSIO `fitsfile*`.
///
/// Open a file on disk (plain or gzip-compressed: `.gz` files are inflated into memory
/// with zlib), or bytes in memory (a camera's FITS blob, a sky map decoded from base64), move
/// between HDUs, and read headers, images and binary tables. Writing goes through
/// ``FITSFrame/write(to:format:)`` and ``FITSFrame/encoded(format:)``.
///
/// ```swift
/// let file = try FITSFile(path: "m13.fits")
/// defer { try? file.close() }
/// for hdu in try file.hdus() { print(hdu.index, hdu.kind, hdu.axes) }
/// try file.moveTo(hdu: 1)
/// let image = try file.readImage()
/// ```
///
/// ## Threading
/// A `fitsfile*` must not be used from two threads at once (CFITSIO User's Guide §4.12,
/// "Using CFITSIO in Multi-threaded Environments": CFITSIO built with `--enable-reentrant`, as
/// Debian's is, may be used by several threads *provided each opens its own file pointer*).
/// `FITSFile` is therefore not `Sendable`: keep it inside one function, task or actor, and
/// open the file again elsewhere if you need it there. Values read from it (``FITSHeader``,
/// ``FloatImage``, ``FITSTable``) are `Sendable`.
///
/// ## Life cycle
/// ``close()`` releases the handle and reports a failure to flush; it is a no-op the second
/// time. A file not closed is closed by `deinit`, ignoring errors.
public final class FITSFile {
    /// How a file is opened.
    public enum Mode: Sendable {
        /// Read only (the default).
        case readOnly
        /// Read and write (to update keywords or checksums in place).
        case readWrite
    }

    /// The file as the caller named it, or `memory:NAME` for an in-memory buffer.
    public let path: String
    /// The CFITSIO handle; nil once closed.
    private var handle: UnsafeMutablePointer<fitsfile>?
    /// For files opened from or created in memory: the buffer CFITSIO reads and writes, and
    /// its size. CFITSIO keeps pointers to these two variables (`ffomem`/`ffimem`), so they
    /// live in this heap-allocated object at stable addresses until the file is closed.
    private let memory: UnsafeMutablePointer<MemoryBuffer>?

    struct MemoryBuffer {
        var pointer: UnsafeMutableRawPointer?
        var size: Int
    }

    // MARK: Opening

    /// Opens a FITS file on disk.
    ///
    /// The path is taken literally: CFITSIO's extended file-name syntax (`file.fits[1]`,
    /// `file.fits+2`) is not interpreted (`fits_open_diskfile`, User's Guide §5.2). A
    /// gzip-compressed file (`.gz`) is inflated into memory with zlib and opened read-only.
    /// Every header is checked before CFITSIO parses it (see `HeaderPrecheck`), so that a
    /// damaged file is refused instead of stopping the process.
    ///
    /// - Parameters:
    ///   - path: the file's path.
    ///   - mode: read only (default) or read-write.
    /// - Throws: ``FITSError`` `.fileNotFound` when the file is missing or a folder, `.notFITS`
    ///   when its bytes do not start like FITS, `.truncated` when it ends inside the header.
    public convenience init(path: String, mode: Mode = .readOnly) throws(FITSError) {
        let compression = try Self.precheck(path: path)
        guard compression == .gzip else {
            try self.init(diskPath: path, mode: mode, checkHeaders: compression == nil)
            return
        }
        // Inflate here rather than in CFITSIO, so that the headers can be checked first.
        let raw: Data
        do {
            raw = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FITSError(.fileNotFound, path: path, "cannot be read: \(error.localizedDescription)")
        }
        let bytes: Data
        do {
            bytes = try Gzip.decompress(raw)
        } catch {
            throw FITSError(.corrupt, path: path, "the gzip compression is damaged: \(error.description)")
        }
        try self.init(memoryCopyOf: bytes, label: path)
    }

    private init(diskPath path: String, mode: Mode, checkHeaders: Bool) throws(FITSError) {
        self.path = path
        self.memory = nil
        if checkHeaders {
            let mapped: Data
            do {
                mapped = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            } catch {
                throw FITSError(.fileNotFound, path: path, "cannot be read: \(error.localizedDescription)")
            }
            if let problem = Self.headerProblem(mapped, path: path) { throw problem }
        }
        var pointer: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        // fits_open_diskfile: like fits_open_file but without extended file-name parsing.
        ffdkopn(&pointer, path, mode == .readOnly ? READONLY : READWRITE, &status)
        if status != 0 {
            // CFITSIO releases a file it failed to open and leaves the pointer NULL, so there
            // is nothing to close here.
            throw Self.error(status: status, path: path, hdu: nil, keyword: nil, column: nil, context: "cannot open")
        }
        handle = pointer
    }

    /// For a file in memory, refuses an HDU whose data the bytes do not hold. CFITSIO 4.2's
    /// memory driver copies past the end of the buffer when it reads a large span (≥ 8,640
    /// bytes, its direct-read threshold) of a data unit that the bytes cut short: found by
    /// `scripts/fuzz fits-header` (Fuzz/Regressions/fits-header). An uncompressed image needs
    /// every pixel's bytes; a compressed one (a table) must reach its last 2,880-byte block.
    private func requireDataInMemory(_ info: HDUInfo, pixelCount: Int) throws(FITSError) {
        guard let memory else { return }
        var status: Int32 = 0
        var headerStart: Int64 = 0, dataStart: Int64 = 0, dataEnd: Int64 = 0
        // fits_get_hduaddrll: byte offsets of the current HDU's header and data units.
        ffghadll(try requireOpen(), &headerStart, &dataStart, &dataEnd, &status)
        guard status == 0 else { return }
        let available = Int64(memory.pointee.size)
        let needed: Int64
        if info.compression == nil, let bitpix = info.bitpix {
            let (bytes, overflow) = Int64(pixelCount).multipliedReportingOverflow(by: Int64(abs(bitpix) / 8))
            needed = overflow ? .max : dataStart + bytes
        } else {
            needed = max(dataStart, dataEnd - 2879)
        }
        guard needed <= available else {
            throw FITSError(
                .truncated, path: path, hdu: info.index,
                "the data end after \(available - dataStart) of the \(needed - dataStart) bytes the header declares")
        }
    }

    /// Opens FITS bytes held in memory: a camera's FITS blob, or a sky map decoded from base64.
    ///
    /// Gzip-compressed bytes (they start with `1f 8b`) are inflated first. The bytes are
    /// copied; `data` may be released after this returns.
    ///
    /// - Parameters:
    ///   - data: the FITS (or gzip-compressed FITS) bytes.
    ///   - name: a name for messages (shown as `memory:NAME`).
    /// - Throws: ``FITSError`` `.notFITS`, `.truncated` or `.corrupt`.
    public convenience init(data: Data, name: String = "buffer") throws(FITSError) {
        let label = "memory:\(name)"
        var bytes = data
        if Gzip.isCompressed(bytes) {
            do {
                bytes = try Gzip.decompress(bytes)
            } catch {
                throw FITSError(.corrupt, path: label, "gzip-compressed bytes cannot be inflated: \(error)")
            }
        }
        try self.init(memoryCopyOf: bytes, label: label)
    }

    private init(memoryCopyOf bytes: Data, label: String) throws(FITSError) {
        path = label
        try Self.precheck(prefix: bytes.prefix(80), size: bytes.count, path: label, compressed: false)
        if let problem = Self.headerProblem(bytes, path: label) { throw problem }
        let buffer = UnsafeMutablePointer<MemoryBuffer>.allocate(capacity: 1)
        let storage = malloc(max(bytes.count, 1))
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress, let storage { memcpy(storage, base, raw.count) }
        }
        buffer.initialize(to: MemoryBuffer(pointer: storage, size: bytes.count))
        memory = buffer
        var pointer: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        // fits_open_memfile (User's Guide §10.2): CFITSIO reads the buffer in place; with no
        // realloc function it never grows it (read-only use).
        ffomem(&pointer, label, READONLY, &buffer.pointee.pointer, &buffer.pointee.size, 0, nil, &status)
        if status != 0 {
            throw Self.error(status: status, path: label, hdu: nil, keyword: nil, column: nil, context: "cannot open")
        }
        handle = pointer
    }

    /// Creates an empty FITS file in memory, for writing (`fits_create_memfile`).
    init(creatingInMemoryNamed name: String) throws(FITSError) {
        path = "memory:\(name)"
        let buffer = UnsafeMutablePointer<MemoryBuffer>.allocate(capacity: 1)
        // Zeroed, and large enough for any header Starling writes: CFITSIO inspects header
        // space beyond the last card (ffwend) before it has written it.
        let initialSize = 2880 * 16
        buffer.initialize(to: MemoryBuffer(pointer: calloc(initialSize, 1), size: initialSize))
        memory = buffer
        var pointer: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        // CFITSIO grows the buffer with the given realloc as the file grows (deltasize 2880·32).
        ffimem(&pointer, &buffer.pointee.pointer, &buffer.pointee.size, 2880 * 32, realloc, &status)
        if status != 0 {
            throw Self.error(status: status, path: path, hdu: nil, keyword: nil, column: nil, context: "cannot create")
        }
        handle = pointer
    }

    /// Creates a new FITS file on disk, replacing nothing: the file must not exist
    /// (`fits_create_diskfile`, no extended file-name syntax).
    init(creating path: String) throws(FITSError) {
        self.path = path
        memory = nil
        var pointer: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        ffdkinit(&pointer, path, &status)
        if status != 0 {
            throw Self.error(status: status, path: path, hdu: nil, keyword: nil, column: nil, context: "cannot create", code: .writeFailed)
        }
        handle = pointer
    }

    deinit {
        if let handle {
            var status: Int32 = 0
            ffclos(handle, &status)
            ffcmsg()
        }
        releaseMemory()
        if let memory {
            memory.deinitialize(count: 1)
            memory.deallocate()
        }
    }

    /// Closes the file, flushing what was written. Idempotent: closing twice does nothing.
    ///
    /// - Throws: ``FITSError`` when CFITSIO cannot flush or close the file.
    public func close() throws(FITSError) {
        guard let handle else { return }
        self.handle = nil
        var status: Int32 = 0
        ffclos(handle, &status)
        releaseMemory()
        if status != 0 {
            throw Self.error(status: status, path: path, hdu: nil, keyword: nil, column: nil, context: "cannot close", code: .writeFailed)
        }
    }

    private func releaseMemory() {
        guard let memory else { return }
        if let pointer = memory.pointee.pointer { free(pointer) }
        memory.pointee.pointer = nil
        memory.pointee.size = 0
    }

    /// The bytes of a file created in memory, while it is still open: flushes CFITSIO's
    /// buffers and copies the used part of the memory buffer. Used by
    /// ``FITSFrame/encoded(format:)``.
    func memoryContents() throws(FITSError) -> Data {
        let pointer = try requireOpen()
        var status: Int32 = 0
        ffflus(pointer, &status)
        try check(status, "cannot flush the in-memory file", code: .writeFailed)
        // The logical file size is the end of the last HDU (fits_get_hduaddrll's dataend).
        var headStart: Int64 = 0, dataStart: Int64 = 0, dataEnd: Int64 = 0
        let count = try hduCount()
        var current: Int32 = 0
        ffghdn(pointer, &current)
        var type: Int32 = 0
        ffmahd(pointer, Int32(count), &type, &status)
        ffghadll(pointer, &headStart, &dataStart, &dataEnd, &status)
        ffmahd(pointer, current, &type, &status)
        try check(status, "cannot measure the in-memory file", code: .writeFailed)
        guard let memory, let base = memory.pointee.pointer else { return Data() }
        return Data(bytes: base, count: min(Int(dataEnd), memory.pointee.size))
    }

    // MARK: HDUs

    /// The number of HDUs in the file (the primary HDU counts as one).
    public func hduCount() throws(FITSError) -> Int {
        let pointer = try requireOpen()
        var count: Int32 = 0
        var status: Int32 = 0
        ffthdu(pointer, &count, &status)
        try check(status, "cannot count the HDUs")
        return Int(count)
    }

    /// The 0-based index of the current HDU (0 is the primary HDU).
    public func currentHDU() throws(FITSError) -> Int {
        let pointer = try requireOpen()
        var number: Int32 = 0
        ffghdn(pointer, &number)
        return Int(number) - 1
    }

    /// Makes the HDU with the given 0-based index current.
    ///
    /// - Throws: ``FITSError`` `.noSuchHDU` when there is no such HDU; `.truncated` when the
    ///   file ends before it.
    public func moveTo(hdu index: Int) throws(FITSError) {
        let pointer = try requireOpen()
        guard index >= 0 else { throw FITSError(.noSuchHDU, path: path, hdu: index, "HDU indices start at 0") }
        var type: Int32 = 0
        var status: Int32 = 0
        ffmahd(pointer, Int32(clamping: index + 1), &type, &status)
        if status == FITSStatus.endOfFile.rawValue || status == FITSStatus.badHDUNumber.rawValue {
            ffcmsg()
            let count = try hduCount()
            throw FITSError(.noSuchHDU, path: path, hdu: index, "no HDU \(index): the file has \(count) HDU\(count == 1 ? "" : "s") (0...\(count - 1))")
        }
        try check(status, "cannot move to the HDU", hdu: index)
    }

    /// Makes the first HDU whose `EXTNAME` (or `HDUNAME`) equals `name` current
    /// (case-insensitive; `fits_movnam_hdu` with any HDU type and any `EXTVER`).
    ///
    /// - Throws: ``FITSError`` `.noSuchHDU` when no HDU has that name.
    public func moveTo(extensionNamed name: String) throws(FITSError) {
        let pointer = try requireOpen()
        var status: Int32 = 0
        var mutableName = Array(name.utf8CString)
        ffmnhd(pointer, ANY_HDU, &mutableName, 0, &status)
        if status == 301 {  // BAD_HDU_NUM: "no HDU with that name" for ffmnhd
            ffcmsg()
            throw FITSError(.noSuchHDU, path: path, "no HDU named \(name)")
        }
        try check(status, "cannot move to HDU \(name)")
    }

    /// Describes every HDU in the file, then returns to the HDU that was current.
    public func hdus() throws(FITSError) -> [HDUInfo] {
        let start = try currentHDU()
        var result: [HDUInfo] = []
        for index in 0..<(try hduCount()) {
            try moveTo(hdu: index)
            result.append(try currentHDUInfo())
        }
        try moveTo(hdu: start)
        return result
    }

    /// Describes the current HDU.
    public func currentHDUInfo() throws(FITSError) -> HDUInfo {
        let pointer = try requireOpen()
        let index = try currentHDU()
        var status: Int32 = 0
        var type: Int32 = 0
        ffghdt(pointer, &type, &status)
        try check(status, "cannot read the HDU type", hdu: index)
        var name = try readString("EXTNAME")
        if name == nil { name = try readString("HDUNAME") }
        // fits_is_compressed_image: a tile-compressed image stored in a binary table (what
        // fpack writes); CFITSIO then presents it as an image through the image routines.
        let compressed = fits_is_compressed_image(pointer, &status) != 0
        try check(status, "cannot inspect the HDU", hdu: index)
        if type == IMAGE_HDU || compressed {
            var bitpix: Int32 = 0, equivalent: Int32 = 0, naxis: Int32 = 0
            ffgidt(pointer, &bitpix, &status)
            ffgiet(pointer, &equivalent, &status)
            ffgidm(pointer, &naxis, &status)
            var axes = [Int64](repeating: 0, count: max(Int(naxis), 1))
            if naxis > 0 { ffgiszll(pointer, naxis, &axes, &status) }
            try check(status, "cannot read the image dimensions", hdu: index)
            let compression = compressed ? HDUInfo.Compression(keyword: try readString("ZCMPTYPE") ?? "") : nil
            return HDUInfo(
                index: index, kind: .image, name: name, bitpix: Int(bitpix),
                pixelType: HDUInfo.PixelType(equivalentBITPIX: Int(equivalent)),
                axes: naxis > 0 ? axes.prefix(Int(naxis)).map(Int.init) : [], compression: compression,
                rowCount: nil, columnCount: nil)
        }
        var rows: Int64 = 0
        var columns: Int32 = 0
        ffgnrwll(pointer, &rows, &status)
        ffgncl(pointer, &columns, &status)
        try check(status, "cannot read the table dimensions", hdu: index)
        return HDUInfo(
            index: index, kind: type == ASCII_TBL ? .asciiTable : .binaryTable, name: name, bitpix: nil, pixelType: nil,
            axes: [], compression: nil, rowCount: Int(rows), columnCount: Int(columns))
    }

    /// Makes the first HDU holding a 2-D image current (the primary array, else the first
    /// image or tile-compressed image extension) and returns its index.
    ///
    /// - Throws: ``FITSError`` `.noImage` when no HDU holds an image with data.
    @discardableResult
    public func moveToFirstImage() throws(FITSError) -> Int {
        for info in try hdus() where info.kind == .image && info.axes.count >= 2 && info.axes.allSatisfy({ $0 > 0 }) {
            try moveTo(hdu: info.index)
            return info.index
        }
        let count = try hduCount()
        throw FITSError(.noImage, path: path, "none of the \(count) HDU\(count == 1 ? "" : "s") holds a 2-D image")
    }

    // MARK: Header

    /// The current HDU's header, every card in order.
    ///
    /// A tile-compressed image's header is given in its image form (`BITPIX`, `NAXISn` of
    /// the image, not of the table that stores it: `fits_convert_hdr2str`).
    public func header() throws(FITSError) -> FITSHeader {
        let pointer = try requireOpen()
        var status: Int32 = 0
        var text: UnsafeMutablePointer<CChar>?
        var count: Int32 = 0
        ffcnvthdr2str(pointer, 0, nil, 0, &text, &count, &status)
        if status != 0 {
            // fits_convert_hdr2str builds the image header in a scratch in-memory file and
            // fails on some valid compressed headers (astropy's comp.fits); for those,
            // translate the table header here instead.
            var probe: Int32 = 0
            if fits_is_compressed_image(pointer, &probe) != 0 && probe == 0 {
                if let text { fffree(text, &probe) }
                ffcmsg()
                return try compressedImageHeader()
            }
        }
        defer { if let text { var ignored: Int32 = 0; fffree(text, &ignored) } }
        try check(status, "cannot read the header")
        guard let text else { return FITSHeader() }
        let length = Int(count) * 80
        let bytes = UnsafeRawBufferPointer(start: text, count: length)
        return FITSHeader(cardImages: bytes)
    }

    /// The image form of a tile-compressed image's header, from its binary-table header
    /// (FITS Standard 4.0 §10.1: ZBITPIX, ZNAXISn, ZBLANK… stand for the image's keywords).
    private func compressedImageHeader() throws(FITSError) -> FITSHeader {
        let pointer = try requireOpen()
        var status: Int32 = 0
        var text: UnsafeMutablePointer<CChar>?
        var count: Int32 = 0
        ffhdr2str(pointer, 0, nil, 0, &text, &count, &status)
        defer { if let text { var ignored: Int32 = 0; fffree(text, &ignored) } }
        try check(status, "cannot read the header")
        guard let text else { return FITSHeader() }
        let table = FITSHeader(cardImages: UnsafeRawBufferPointer(start: text, count: Int(count) * 80))
        let tableOnly: Set<String> = ["XTENSION", "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "PCOUNT", "GCOUNT", "TFIELDS", "THEAP", "EXTNAME", "CHECKSUM", "DATASUM"]
        var cards: [FITSCard] = [FITSCard("XTENSION", .string("IMAGE"), comment: "image extension")]
        cards.append(FITSCard("BITPIX", table["ZBITPIX"] ?? .integer(0), comment: "bits per data value"))
        let axes = table.int("ZNAXIS") ?? 0
        cards.append(FITSCard("NAXIS", .integer(axes), comment: "number of axes"))
        for axis in 0..<axes { cards.append(FITSCard("NAXIS\(axis + 1)", table["ZNAXIS\(axis + 1)"] ?? .integer(0), comment: "axis length")) }
        for card in table.cards {
            let key = card.keyword
            if tableOnly.contains(key) || key.hasPrefix("Z") || key.hasPrefix("TTYPE") || key.hasPrefix("TFORM") || key.hasPrefix("TUNIT") { continue }
            cards.append(card)
        }
        if let name = table.string("EXTNAME"), name != "COMPRESSED_IMAGE" { cards.append(FITSCard("EXTNAME", .string(name), comment: nil)) }
        return FITSHeader(cards: cards)
    }

    /// Reads one string keyword of the current HDU as stored (no compression translation).
    func readString(_ keyword: String) throws(FITSError) -> String? {
        let pointer = try requireOpen()
        var status: Int32 = 0
        var value = [CChar](repeating: 0, count: Int(FLEN_VALUE))
        ffgkys(pointer, keyword, &value, nil, &status)
        if status == FITSStatus.keywordNotFound.rawValue || status == FITSStatus.valueUndefined.rawValue {
            ffcmsg()
            return nil
        }
        if status != 0 {
            // A keyword present but not a string (e.g. EXTNAME = 1): not fatal for a description.
            ffcmsg()
            return nil
        }
        let text = String(decoding: value.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.trimmingCharacters(in: .whitespaces)
    }

    // MARK: Image data

    /// Reads the current HDU's image as 32-bit floats, with `BSCALE`/`BZERO` applied
    /// (so unsigned 16-bit data read as 0…65535) and undefined (`BLANK`) pixels as NaN.
    ///
    /// BITPIX 8, 16, 32, 64, −32 and −64 are read, and tile-compressed images (RICE_1,
    /// GZIP_1/2, HCOMPRESS_1, PLIO_1) are decompressed by CFITSIO. Values of BITPIX 32/64
    /// or −64 images lose precision beyond a float's 24-bit mantissa. Large plain images on
    /// disk (float32, or 16-bit with `BZERO` 0 or 32768) are read with `pread(2)` on all cores
    /// once CFITSIO has located their data; other large images by one CFITSIO handle per core.
    ///
    /// - Throws: ``FITSError`` `.noImage` when the HDU is a table or has no data (NAXIS = 0),
    ///   `.unsupported` for cubes whose third axis is longer than 1, `.truncated` when the
    ///   data end early, `.corrupt` when a compressed tile cannot be decoded,
    ///   `.checksumMismatch` when a compressed image fails its `DATASUM` (damaged tiles are
    ///   never handed to the decompressor when the writer recorded a checksum, as fpack does).
    public func readImage() throws(FITSError) -> FloatImage {
        let info = try currentHDUInfo()
        guard info.kind == .image else {
            throw FITSError(.noImage, path: path, hdu: info.index, "HDU \(info.index) is a \(info.kind.rawValue), not an image")
        }
        guard info.axes.count >= 2, info.axes[0] > 0, info.axes[1] > 0 else {
            throw FITSError(
                .noImage, path: path, hdu: info.index,
                info.axes.isEmpty ? "the HDU has no data (NAXIS = 0)" : "the image is \(info.axes.count)-D (\(info.axes)), not 2-D")
        }
        if info.axes.dropFirst(2).contains(where: { $0 > 1 }) {
            throw FITSError(.unsupported, path: path, hdu: info.index, "the image is a cube \(info.axes); only 2-D frames are read")
        }
        try requireDataInMemory(info, pixelCount: info.axes[0].multipliedReportingOverflow(by: info.axes[1]).partialValue)
        if info.compression != nil, try verifyChecksum().data == .invalid {
            // A damaged tile can send CFITSIO 4.2's decompressors into unbounded allocation
            // (GZIP tiles grow their buffer without limit); DATASUM catches damage first.
            throw FITSError(
                .checksumMismatch, path: path, hdu: info.index, keyword: "DATASUM",
                "the compressed data do not match their DATASUM: the file is damaged, so it is not decompressed")
        }
        let width = info.axes[0], height = info.axes[1]
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count < Int(Int32.max) * 4 else {
            throw FITSError(.unsupported, path: path, hdu: info.index, "the image \(width)×\(height) is too large")
        }
        let pointer = try requireOpen()
        if memory == nil, info.compression == nil, count >= 1 << 20, let layout = try directLayout(info) {
            var status: Int32 = 0
            var headerStart: Int64 = 0, dataStart: Int64 = 0, dataEnd: Int64 = 0
            // fits_get_hduaddrll: byte offsets of the current HDU's header and data units.
            ffghadll(pointer, &headerStart, &dataStart, &dataEnd, &status)
            if status == 0, let pixels = DirectPixelReader.read(path: path, dataOffset: Int(dataStart), count: count, layout: layout) {
                return FloatImage(width: width, height: height, pixels: pixels)
            }
            ffcmsg()
        }
        // Large uncompressed images on disk are read in parts by several threads, each with
        // its own fitsfile* (User's Guide §4.12: safe when threads do not share a pointer).
        let parts = memory == nil && info.compression == nil && count >= 1 << 22 ? Parallel.bandCount / 2 : 1
        var failures = [Int32](repeating: 0, count: max(parts, 1))
        let path = self.path, hdu = info.index
        let pixels = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            failures.withUnsafeMutableBufferPointer { failures in
                Parallel.forEachRange(max(parts, 1), minimumPerBand: 1) { range in
                    for part in range {
                        let first = part * count / max(parts, 1), last = (part + 1) * count / max(parts, 1)
                        var status: Int32 = 0
                        var anyNull: Int32 = 0
                        var nullValue = Float.nan
                        if part == 0 {
                            // fits_read_img (ffgpv): converts to the requested type (TFLOAT), applying
                            // the scaling keywords; undefined pixels get `nulval` (here NaN).
                            ffgpv(pointer, TFLOAT, Int64(first + 1), Int64(last - first), &nullValue, buffer.baseAddress! + first, &anyNull, &status)
                        } else {
                            var other: UnsafeMutablePointer<fitsfile>?
                            var type: Int32 = 0
                            ffdkopn(&other, path, READONLY, &status)
                            ffmahd(other, Int32(hdu + 1), &type, &status)
                            ffgpv(other, TFLOAT, Int64(first + 1), Int64(last - first), &nullValue, buffer.baseAddress! + first, &anyNull, &status)
                            var closing: Int32 = 0
                            if let other { ffclos(other, &closing) }
                        }
                        failures[part] = status
                    }
                }
            }
            initialized = count
        }
        try check(failures.first { $0 != 0 } ?? 0, "cannot read the image data", hdu: info.index)
        return FloatImage(width: width, height: height, pixels: pixels)
    }

    /// The layout ``DirectPixelReader`` can read for this image, if any.
    private func directLayout(_ info: HDUInfo) throws(FITSError) -> DirectPixelReader.Layout? {
        let scale = try readDouble("BSCALE"), zero = try readDouble("BZERO"), blank = try readDouble("BLANK")
        guard scale == nil || scale == 1 else { return nil }
        switch info.bitpix {
        case -32 where zero == nil || zero == 0:
            return .float32
        case 16 where (zero == nil || zero == 0 || zero == 32768) && blank == nil:
            return .int16(offset: Float(zero ?? 0))
        default:
            return nil
        }
    }

    /// A numeric keyword of the current HDU as stored, `nil` when absent or not a number.
    func readDouble(_ keyword: String) throws(FITSError) -> Double? {
        let pointer = try requireOpen()
        var status: Int32 = 0
        var value = 0.0
        // fits_read_key_dbl (ffgkyd).
        ffgkyd(pointer, keyword, &value, nil, &status)
        if status != 0 {
            ffcmsg()
            return nil
        }
        return value
    }

    // MARK: Tables

    /// Reads the current HDU as a table: the chosen columns (or every column of a readable
    /// type), all rows.
    ///
    /// Integer columns of any width read as `Int64`, `E` columns as `Float`, `D` as `Double`,
    /// `L` as `Bool`, `A` as `String`; a vector column (`1024E`) is flattened row by row, as
    /// HEALPix maps written in rows of 1024 pixels need. Works for binary and ASCII tables.
    ///
    /// - Parameter names: the columns to read (case-insensitive), or `nil` for every column
    ///   Starling can read (complex, bit and variable-length columns are skipped, and named in
    ///   ``FITSTable/skippedColumns``).
    /// - Throws: ``FITSError`` `.notTable` when the HDU is an image, `.columnNotFound` when a
    ///   named column is absent, `.unsupported` when a named column has an unreadable type.
    public func readTable(columns names: [String]? = nil) throws(FITSError) -> FITSTable {
        let info = try currentHDUInfo()
        guard info.kind != .image else {
            throw FITSError(.notTable, path: path, hdu: info.index, "HDU \(info.index) is an image, not a table")
        }
        let pointer = try requireOpen()
        let header = try header()
        let rowCount = info.rowCount ?? 0
        var descriptions: [FITSColumnDescription] = []
        for number in 1...max(1, info.columnCount ?? 0) where (info.columnCount ?? 0) > 0 {
            var status: Int32 = 0
            var type: Int32 = 0
            var repeatCount: Int64 = 0, width: Int64 = 0
            // fits_get_eqcoltypell: the type after TSCAL/TZERO (an unsigned 16-bit column
            // stored as I with TZERO = 32768 reports TUSHORT).
            ffeqtyll(pointer, Int32(number), &type, &repeatCount, &width, &status)
            try check(status, "cannot read the type of column \(number)", hdu: info.index)
            let name = header.string("TTYPE\(number)") ?? "COL\(number)"
            descriptions.append(
                FITSColumnDescription(
                    number: number, name: name, format: header.string("TFORM\(number)") ?? "",
                    unit: header.string("TUNIT\(number)"), kind: FITSColumnDescription.Kind(typeCode: type),
                    repeatCount: Int(repeatCount), width: Int(width)))
        }
        var wanted: [FITSColumnDescription] = []
        var skipped: [String] = []
        if let names {
            for name in names {
                guard let description = descriptions.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                    let known = descriptions.map(\.name).joined(separator: ", ")
                    throw FITSError(.columnNotFound, path: path, hdu: info.index, column: name, "no such column (columns: \(known))")
                }
                guard description.kind.isReadable else {
                    throw FITSError(
                        .unsupported, path: path, hdu: info.index, column: name,
                        "columns of type \(description.kind.rawValue) (TFORM \(description.format)) are not read")
                }
                wanted.append(description)
            }
        } else {
            for description in descriptions {
                if description.kind.isReadable { wanted.append(description) } else { skipped.append(description.name) }
            }
        }
        var columns: [String: FITSColumn] = [:]
        for description in wanted {
            columns[description.name.uppercased()] = try readColumn(description, rows: rowCount, hdu: info.index)
        }
        return FITSTable(
            path: path, hdu: info.index, name: info.name, header: header, rowCount: rowCount,
            columnDescriptions: descriptions, columns: columns, skippedColumns: skipped)
    }

    private func readColumn(_ column: FITSColumnDescription, rows: Int, hdu: Int) throws(FITSError) -> FITSColumn {
        let pointer = try requireOpen()
        let perRow = column.kind == .string ? 1 : max(column.repeatCount, 0)
        let count = rows * perRow
        var status: Int32 = 0
        var anyNull: Int32 = 0
        let number = Int32(column.number)
        let result: FITSColumn
        guard count > 0 else {
            switch column.kind {
            case .integer: return .int64([])
            case .float: return .float([])
            case .double: return .double([])
            case .logical: return .logical([])
            default: return .string([])
            }
        }
        // fits_read_col (ffgcv): reads `count` elements starting at row 1, element 1,
        // running on into the following rows, converting to the requested type.
        switch column.kind {
        case .integer:
            var null: Int64 = 0
            let values = [Int64](unsafeUninitializedCapacity: count) { buffer, initialized in
                ffgcv(pointer, TLONGLONG, number, 1, 1, Int64(count), &null, buffer.baseAddress, &anyNull, &status)
                initialized = count
            }
            result = .int64(values)
        case .float:
            var null = Float.nan
            let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                ffgcv(pointer, TFLOAT, number, 1, 1, Int64(count), &null, buffer.baseAddress, &anyNull, &status)
                initialized = count
            }
            result = .float(values)
        case .double:
            var null = Double.nan
            let values = [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
                ffgcv(pointer, TDOUBLE, number, 1, 1, Int64(count), &null, buffer.baseAddress, &anyNull, &status)
                initialized = count
            }
            result = .double(values)
        case .logical:
            var null: CChar = 0
            let flags = [CChar](unsafeUninitializedCapacity: count) { buffer, initialized in
                ffgcv(pointer, TLOGICAL, number, 1, 1, Int64(count), &null, buffer.baseAddress, &anyNull, &status)
                initialized = count
            }
            result = .logical(flags.map { $0 != 0 })
        case .string:
            // Each string needs its own buffer of width + 1 bytes (User's Guide §7.7.1).
            let width = max(column.width, column.repeatCount, 1) + 1
            let storage = UnsafeMutablePointer<CChar>.allocate(capacity: width * rows)
            storage.initialize(repeating: 0, count: width * rows)
            defer { storage.deallocate() }
            var pointers = (0..<rows).map { Optional(storage + $0 * width) }
            var null = Array("".utf8CString)
            null.withUnsafeMutableBufferPointer { nullBuffer in
                pointers.withUnsafeMutableBufferPointer { buffer in
                    _ = ffgcv(pointer, TSTRING, number, 1, 1, Int64(rows), nullBuffer.baseAddress, buffer.baseAddress, &anyNull, &status)
                }
            }
            result = .string((0..<rows).map { String(cString: storage + $0 * width).trimmingCharacters(in: .whitespaces) })
        default:
            throw FITSError(.unsupported, path: path, hdu: hdu, column: column.name, "columns of type \(column.kind.rawValue) are not read")
        }
        try check(status, "cannot read the column", hdu: hdu, column: column.name)
        return result
    }

    // MARK: Checksums

    /// Verifies the current HDU's `CHECKSUM` and `DATASUM` keywords (`fits_verify_chksum`,
    /// FITS Checksum Proposal).
    public func verifyChecksum() throws(FITSError) -> ChecksumVerification {
        let pointer = try requireOpen()
        var status: Int32 = 0
        var dataOK: Int32 = 0, hduOK: Int32 = 0
        ffvcks(pointer, &dataOK, &hduOK, &status)
        try check(status, "cannot verify the checksum")
        return ChecksumVerification(data: .init(code: dataOK), hdu: .init(code: hduOK))
    }

    // MARK: Internals shared with the writer

    /// The open handle, or an error when the file has been closed.
    func requireOpen() throws(FITSError) -> UnsafeMutablePointer<fitsfile> {
        guard let handle else { throw FITSError(.library, path: path, "the file has been closed") }
        return handle
    }

    /// Turns a CFITSIO status into a ``FITSError`` with this file's path and the current HDU
    /// (status codes become errors here and in ``error(status:path:hdu:keyword:column:context:code:)`` only).
    func check(
        _ status: Int32, _ context: @autoclosure () -> String, hdu: Int? = nil, keyword: String? = nil, column: String? = nil,
        code: FITSError.Code? = nil
    ) throws(FITSError) {
        guard status != 0 else { return }
        var where_ = hdu
        if where_ == nil, let handle {
            var number: Int32 = 0
            ffghdn(handle, &number)
            where_ = Int(number) - 1
        }
        throw Self.error(status: status, path: path, hdu: where_, keyword: keyword, column: column, context: context(), code: code)
    }

    /// Builds the error for a CFITSIO status, draining CFITSIO's message stack (`fits_read_errmsg`
    /// until empty) so that the next failure starts clean.
    static func error(
        status: Int32, path: String, hdu: Int?, keyword: String?, column: String?, context: String, code: FITSError.Code? = nil
    ) -> FITSError {
        var messages: [String] = []
        var buffer = [CChar](repeating: 0, count: Int(FLEN_ERRMSG) + 1)
        while ffgmsg(&buffer) != 0 {
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingCharacters(in: .whitespaces)
            if !line.isEmpty && line != path { messages.append(line) }
        }
        let fitsStatus = FITSStatus(rawValue: status)
        let (kind, explanation) = classify(fitsStatus, context: context)
        return FITSError(
            code ?? kind, path: path, hdu: hdu, keyword: keyword, column: column, status: fitsStatus,
            libraryMessages: messages, explanation)
    }

    /// Maps a CFITSIO status to a code and a sentence saying what it means for the reader.
    private static func classify(_ status: FITSStatus, context: String) -> (FITSError.Code, String) {
        switch status.rawValue {
        case 104:
            return (.fileNotFound, "\(context): the file is missing or unreadable")
        case 107, 108:
            return (.truncated, "\(context): the file ends early (truncated or damaged)")
        case 210, 220, 221, 222, 223, 224, 225, 251, 252, 253, 207:
            return (.notFITS, "\(context): the header is not valid FITS")
        case 211, 212, 213, 214, 215, 216, 261, 241, 323, 320:
            return (.corrupt, "\(context): a structural keyword has an impossible value")
        case 414, 413:
            return (.corrupt, "\(context): a compressed tile cannot be decoded (damaged data)")
        case 202:
            return (.missingKeyword, "\(context): a required keyword is missing")
        case 204, 205, 402, 407, 409:
            return (.invalidKeyword, "\(context): a keyword value cannot be read")
        case 219, 237:
            return (.columnNotFound, "\(context): no such column")
        case 301:
            return (.noSuchHDU, "\(context): no such HDU")
        case 233:
            return (.noImage, "\(context): the HDU is not an image")
        case 235, 226, 227:
            return (.notTable, "\(context): the HDU is not a table")
        case 105, 106:
            return (.writeFailed, "\(context): the file cannot be written")
        default:
            return (.library, context)
        }
    }

    /// Checks, before CFITSIO sees a file, that it exists, is a regular file, and starts like
    /// FITS or a compressed file; so that the error says what the file is instead of
    /// CFITSIO's "could not interpret primary array header".
    /// What ``HeaderPrecheck`` finds wrong with the headers in these bytes, if anything.
    private static func headerProblem(_ bytes: Data, path: String) -> FITSError? {
        bytes.withUnsafeBytes { raw -> FITSError? in
            do throws(FITSError) {
                try HeaderPrecheck.check(raw, path: path)
                return nil
            } catch {
                return error
            }
        }
    }

    /// Compression of a whole file, as its first bytes show.
    enum FileCompression { case gzip, other }

    /// Returns the file's compression, `nil` for plain FITS.
    private static func precheck(path: String) throws(FITSError) -> FileCompression? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FITSError(.fileNotFound, path: path, "no such file")
        }
        guard !isDirectory.boolValue else { throw FITSError(.fileNotFound, path: path, "is a folder, not a FITS file") }
        guard let stream = fopen(path, "rb") else {
            throw FITSError(.fileNotFound, path: path, "cannot be read: \(String(cString: strerror(errno)))")
        }
        var head = [UInt8](repeating: 0, count: 80)
        let read = fread(&head, 1, 80, stream)
        fseek(stream, 0, SEEK_END)
        let size = ftell(stream)
        fclose(stream)
        let prefix = Data(head.prefix(read))
        let compression: FileCompression? = Gzip.isCompressed(prefix) ? .gzip : (isUnixCompressed(prefix) ? .other : nil)
        try precheck(prefix: prefix, size: size, path: path, compressed: compression != nil)
        return compression
    }

    private static func isUnixCompressed(_ prefix: Data) -> Bool {
        // compress (.Z: 1f 9d), pack (.z: 1f 1e), bzip2 ("BZh"): CFITSIO's compressed-file driver.
        let bytes = Array(prefix.prefix(3))
        return bytes.count >= 2 && bytes[0] == 0x1f && (bytes[1] == 0x9d || bytes[1] == 0x1e)
            || bytes.count == 3 && bytes == [0x42, 0x5a, 0x68]
    }

    private static func precheck(prefix: Data, size: Int, path: String, compressed: Bool) throws(FITSError) {
        if compressed { return }
        guard size > 0 else { throw FITSError(.notFITS, path: path, "the file is empty") }
        let start = String(decoding: prefix.prefix(30), as: UTF8.self)
        guard start.hasPrefix("SIMPLE  =") else {
            let shown = prefix.prefix(16).map { (32...126).contains($0) ? String(UnicodeScalar($0)) : "." }.joined()
            throw FITSError(.notFITS, path: path, "not a FITS file: it does not start with SIMPLE = T (starts with \"\(shown)\")")
        }
        guard size >= 2880 else {
            throw FITSError(.truncated, path: path, "the file is \(size) bytes, shorter than one 2880-byte FITS block: truncated")
        }
    }
}

@available(*, unavailable, message: "a fitsfile* must not be shared between threads: open the file where it is used")
extension FITSFile: Sendable {}

/// The result of verifying an HDU's checksums.
public struct ChecksumVerification: Sendable, Hashable, Codable {
    /// What a checksum keyword says about the bytes.
    public enum State: String, Sendable, Hashable, Codable {
        /// The keyword is present and matches.
        case valid
        /// The keyword is absent.
        case missing
        /// The keyword is present and does not match: the bytes changed after it was written.
        case invalid

        init(code: Int32) {
            self = code > 0 ? .valid : (code == 0 ? .missing : .invalid)
        }
    }

    /// `DATASUM`: the data unit.
    public let data: State
    /// `CHECKSUM`: the whole HDU (header and data).
    public let hdu: State
}
