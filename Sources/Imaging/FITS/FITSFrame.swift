internal import CFITSIO
public import Foundation

/// One image frame with its header: what a camera writes and the Reporter reads.
///
/// Read a frame from a file (`FITSFrame(path:)`) or from a camera's FITS bytes
/// (`FITSFrame(data:)`); make one from rendered pixels and write it atomically with the
/// standard keywords, a TAN WCS and CHECKSUM/DATASUM:
///
/// ```swift
/// var metadata = FrameMetadata(observationStart: start, exposureSeconds: 60, imageType: "LIGHT",
///                              object: "NGC 253", filter: "r", pointing: target)
/// let frame = FITSFrame(image: pixels, metadata: metadata,
///                       projection: TangentPlaneProjection(center: target, pixelScale: .arcseconds(1.2),
///                                                          width: 4096, height: 4096))
/// try frame.write(to: "frames/ngc253-0001.fits", format: .unsigned16)
/// ```
public struct FITSFrame: Sendable {
    /// The pixels, ADU.
    public var image: FloatImage
    /// The observation facts: read from ``header`` when the frame was read, written as
    /// header cards when the frame is written.
    public var metadata: FrameMetadata
    /// The TAN WCS to write; `nil` to write none. When the frame was read, `nil` (the
    /// header's own WCS keywords stay in ``header``; see ``worldCoordinates()``).
    public var projection: TangentPlaneProjection?
    /// Every header card as read, or extra cards to write after the standard ones. Structural
    /// keywords (`SIMPLE`, `BITPIX`, `NAXISn`, `BZERO`, `CHECKSUM`, …) are ignored when writing.
    public var header: FITSHeader
    /// Where the frame came from: the file as named (or `memory:NAME`); `nil` for a new frame.
    public let source: String?
    /// The 0-based HDU the frame was read from; `nil` for a new frame.
    public let hdu: Int?

    /// Makes a new frame to write.
    public init(image: FloatImage, metadata: FrameMetadata, projection: TangentPlaneProjection? = nil, extraCards: [FITSCard] = []) {
        self.image = image
        self.metadata = metadata
        self.projection = projection
        self.header = FITSHeader(cards: extraCards)
        self.source = nil
        self.hdu = nil
    }

    /// Reads a frame from a FITS file (plain, `.gz`, or with tile-compressed images).
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - hdu: which HDU; by default the first HDU holding a 2-D image.
    /// - Throws: ``FITSError`` when the file cannot be opened or read, or the HDU holds no image.
    public init(path: String, hdu: HDUSelector = .firstImage) throws(FITSError) {
        let file = try FITSFile(path: path)
        try self.init(file: file, hdu: hdu)
    }

    /// Reads a frame from FITS bytes in memory, e.g. the BLOB an INDI camera sends.
    ///
    /// - Parameters:
    ///   - data: FITS bytes (gzip-compressed bytes are inflated first).
    ///   - name: a name for messages.
    ///   - hdu: which HDU; by default the first HDU holding a 2-D image.
    public init(data: Data, name: String = "buffer", hdu: HDUSelector = .firstImage) throws(FITSError) {
        let file = try FITSFile(data: data, name: name)
        try self.init(file: file, hdu: hdu)
    }

    private init(file: FITSFile, hdu selector: HDUSelector) throws(FITSError) {
        let index = try file.select(selector)
        let header = try file.header()
        image = try file.readImage()
        try file.close()
        self.header = header
        metadata = FrameMetadata(header: header)
        projection = nil
        source = file.path
        hdu = index
    }

    /// The frame's celestial WCS: the one to be written, or the one in the header read.
    ///
    /// - Returns: `nil` when the frame has no celestial WCS.
    /// - Throws: ``FITSError`` `.invalidWCS` when its WCS keywords cannot be used.
    public func worldCoordinates() throws(FITSError) -> WorldCoordinateSystem? {
        if let projection {
            return try WorldCoordinateSystem(header: FITSHeader(cards: projection.cards), path: source ?? "frame")
        }
        return try WorldCoordinateSystem(header: header, path: source ?? "frame")
    }

    // MARK: Writing

    /// How pixels are stored when a frame is written.
    public enum PixelFormat: String, Sendable, Hashable, Codable, CaseIterable {
        /// Unsigned 16-bit integers (`BITPIX = 16`, `BZERO = 32768`), as CCD cameras write:
        /// values are rounded and clamped to 0…65535, NaN becomes 0.
        case unsigned16
        /// 32-bit IEEE floats (`BITPIX = -32`), exact for the image's values.
        case float32
    }

    /// Writes the frame to a file atomically: into a temporary file in the same folder,
    /// then renamed over `path`, so a crash never leaves half a frame under the final name.
    ///
    /// The header holds, in order: the structural keywords, ``metadata``'s cards, the TAN
    /// WCS of ``projection``, the extra cards in ``header``, then `CHECKSUM` and `DATASUM`.
    ///
    /// - Throws: ``FITSError`` `.writeFailed` when the folder is not writable or the disk is full.
    public func write(to path: String, format: PixelFormat = .unsigned16) throws(FITSError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        do {
            let file = try FITSFile(creating: temporary)
            try writeHDU(into: file, format: format)
            try file.close()
        } catch {
            unlink(temporary)
            throw FITSError(
                error.code == .library ? .writeFailed : error.code, path: path, status: error.status,
                libraryMessages: error.libraryMessages, error.message)
        }
        // rename(2) replaces the destination atomically within one file system.
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FITSError(.writeFailed, path: path, "cannot move the written frame into place: \(reason)")
        }
    }

    /// The frame encoded as FITS bytes, as ``write(to:format:)`` would write them.
    public func encoded(format: PixelFormat = .unsigned16) throws(FITSError) -> Data {
        let file = try FITSFile(creatingInMemoryNamed: metadata.object ?? "frame")
        try writeHDU(into: file, format: format)
        let data = try file.memoryContents()
        try file.close()
        return data
    }

    /// Keywords CFITSIO writes itself, or that describe the stored data rather than the
    /// observation: never copied from ``header``.
    static let structuralKeywords: Set<String> = [
        "SIMPLE", "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "NAXIS3", "EXTEND", "BZERO", "BSCALE", "BLANK", "XTENSION",
        "PCOUNT", "GCOUNT", "CHECKSUM", "DATASUM", "END", "EXTNAME", "ZIMAGE", "ZBITPIX", "ZNAXIS", "ZNAXIS1", "ZNAXIS2",
        "ZCMPTYPE", "ZTILE1", "ZTILE2", "ZQUANTIZ", "ZDITHER0", "ZSIMPLE", "ZEXTEND", "ZBLANK", "ZSCALE", "ZZERO",
    ]

    private func writeHDU(into file: FITSFile, format: PixelFormat) throws(FITSError) {
        let pointer = try file.requireOpen()
        var status: Int32 = 0
        var axes: [Int] = [image.width, image.height]
        // fits_create_img: USHORT_IMG writes BITPIX = 16 with BZERO = 32768 (User's Guide §4.4).
        ffcrim(pointer, format == .unsigned16 ? USHORT_IMG : FLOAT_IMG, 2, &axes, &status)
        try file.check(status, "cannot create the image HDU", code: .writeFailed)
        var written: Set<String> = []
        var cards = metadata.cards
        if let projection { cards += projection.cards }
        for card in cards where !written.contains(card.keyword) {
            try write(card, into: file)
            written.insert(card.keyword)
        }
        for card in header.cards where !Self.structuralKeywords.contains(card.keyword) {
            if card.value != nil && written.contains(card.keyword) { continue }
            try write(card, into: file)
        }
        let count = image.count
        switch format {
        case .unsigned16:
            let values = image.pixels.map { value -> UInt16 in
                guard value.isFinite else { return 0 }
                return UInt16(min(max(value.rounded(), 0), 65_535))
            }
            values.withUnsafeBufferPointer { buffer in
                // fits_write_img (ffppr) with TUSHORT into a USHORT_IMG: CFITSIO subtracts BZERO.
                _ = ffppr(pointer, TUSHORT, 1, Int64(count), UnsafeMutableRawPointer(mutating: buffer.baseAddress), &status)
            }
        case .float32:
            image.pixels.withUnsafeBufferPointer { buffer in
                _ = ffppr(pointer, TFLOAT, 1, Int64(count), UnsafeMutableRawPointer(mutating: buffer.baseAddress), &status)
            }
        }
        try file.check(status, "cannot write the pixels", code: .writeFailed)
        // fits_write_chksum: computes DATASUM over the data unit and CHECKSUM over the HDU
        // (FITS Checksum Proposal, 1's complement 32-bit sum, ASCII-encoded).
        ffpcks(pointer, &status)
        try file.check(status, "cannot write CHECKSUM/DATASUM", code: .writeFailed)
    }

    private func write(_ card: FITSCard, into file: FITSFile) throws(FITSError) {
        let pointer = try file.requireOpen()
        var status: Int32 = 0
        let comment = card.comment ?? ""
        switch card.value {
        case nil:
            if card.keyword == "HISTORY" {
                ffphis(pointer, comment, &status)
            } else if card.keyword == "COMMENT" || card.keyword.isEmpty {
                ffpcom(pointer, comment, &status)
            } else {
                // A card with no value indicator under another keyword: written as COMMENT.
                ffpcom(pointer, "\(card.keyword) \(comment)", &status)
            }
        case .string(let text)? where text.utf8.count > 68:
            // fits_write_key_longstr: the long-string (CONTINUE) convention.
            ffpkls(pointer, card.keyword, text, comment, &status)
        case .undefined?:
            ffpkyu(pointer, card.keyword, comment, &status)
        case let value?:
            // fits_make_key builds the 80-character card from the value text (quoted strings,
            // shortest round-trip numbers), fits_write_record appends it.
            var record = [CChar](repeating: 0, count: Int(FLEN_CARD) + 1)
            var valueText = Array(value.description.utf8CString)
            ffmkky(card.keyword, &valueText, comment, &record, &status)
            ffprec(pointer, record, &status)
        }
        try file.check(status, "cannot write the card", keyword: card.keyword, code: .writeFailed)
    }
}
