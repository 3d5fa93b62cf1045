import Foundation

/// Checks every header card of every HDU before CFITSIO interprets them.
///
/// CFITSIO 4.2.0 aborts the process (glibc's `buffer overflow detected`) when a keyword it
/// reads as an integer holds a long non-numeric value: `ffc2j` builds its error message
/// with `strncat` into an 81-byte buffer that the 52-character prefix plus 30 characters of
/// value overflow. A damaged header (one flipped bit in `ZNAXIS1`) reaches it while CFITSIO
/// counts HDUs. So headers are checked here first, and such files refused as corrupt: the
/// integer keywords of the FITS structure and of tile compression must hold integers, and
/// the compression parameters (`ZVALn`) numbers. Other odd values (old DSS headers write
/// `SKEW = -1.38, -1.69`) are left for the header parser, which keeps them as text.
enum HeaderPrecheck {
    /// Keywords CFITSIO reads as integers while opening files and moving between HDUs.
    static let integerKeywords: Set<String> = [
        "BITPIX", "NAXIS", "PCOUNT", "GCOUNT", "TFIELDS", "THEAP", "BLANK", "EXTVER", "EXTLEVEL",
        "ZBITPIX", "ZNAXIS", "ZBLANK", "ZDITHER0", "ZPCOUNT", "ZGCOUNT",
    ]
    static let integerPrefixes = ["NAXIS", "ZNAXIS", "ZTILE", "TNULL", "TBCOL"]

    static func isIntegerKeyword(_ keyword: String) -> Bool {
        if integerKeywords.contains(keyword) { return true }
        for prefix in integerPrefixes where keyword.hasPrefix(prefix) && keyword.count > prefix.count {
            if keyword.dropFirst(prefix.count).allSatisfy(\.isNumber) { return true }
        }
        return false
    }

    /// Walks the HDUs of uncompressed FITS bytes, checking their cards.
    ///
    /// Stops quietly where the bytes end (a truncated file is CFITSIO's to report).
    /// - Throws: ``FITSError`` `.corrupt` naming the HDU and keyword.
    static func check(_ bytes: UnsafeRawBufferPointer, path: String) throws(FITSError) {
        var offset = 0
        var hdu = 0
        while offset + 2880 <= bytes.count && hdu < 1000 {
            var values: [String: Int] = [:]
            var isCompressedImage = false
            var foundEnd = false
            var position = offset
            while position + 80 <= bytes.count {
                let card = String(decoding: bytes[position..<position + 80], as: UTF8.self)
                position += 80
                let keyword = card.prefix(8).trimmingCharacters(in: .whitespaces).uppercased()
                if keyword == "END" {
                    foundEnd = true
                    break
                }
                // CFITSIO takes '=' in column 9 as a value indicator even without the blank
                // in column 10 that the standard requires, so the check does too.
                guard card.dropFirst(8).hasPrefix("="), !["COMMENT", "HISTORY", ""].contains(keyword) else { continue }
                let (value, _) = FITSHeader.parseValueField(String(card.dropFirst(9)))
                if keyword == "ZIMAGE", case .logical(true)? = value { isCompressedImage = true }
                let token = Self.token(card)
                if keyword.hasPrefix("ZVAL") {
                    // Compression parameters (BLOCKSIZE, SCALE, SMOOTH…), read as numbers.
                    switch value {
                    case .integer?, .real?: break
                    default:
                        throw FITSError(
                            .corrupt, path: path, hdu: hdu, keyword: keyword,
                            "the value \(token.prefix(30)) is not a number: the header is damaged")
                    }
                } else if isIntegerKeyword(keyword) {
                    guard case .integer(let number)? = value else {
                        throw FITSError(
                            .corrupt, path: path, hdu: hdu, keyword: keyword,
                            "the value \(token.prefix(30)) is not an integer: the header is damaged")
                    }
                    values[keyword] = number
                }
            }
            guard foundEnd else { return }
            if isCompressedImage {
                try checkCompression(values, path: path, hdu: hdu)
            }
            // Skip the data unit: |BITPIX|/8 × GCOUNT × (PCOUNT + NAXIS1 × … × NAXISn) bytes
            // (FITS Standard 4.0 §4.4.1), padded to 2880-byte blocks.
            guard let bitpix = values["BITPIX"], let naxis = values["NAXIS"], (0...999).contains(naxis) else { return }
            var elements = naxis == 0 ? 0 : 1
            for axis in 0..<naxis {
                guard let length = values["NAXIS\(axis + 1)"], length >= 0 else { return }
                let (product, overflow) = elements.multipliedReportingOverflow(by: length)
                guard !overflow else { return }
                elements = product
            }
            let dataBytes = abs(bitpix) / 8 * (values["GCOUNT"] ?? 1) * ((values["PCOUNT"] ?? 0) + elements)
            guard dataBytes >= 0 else { return }
            let headerEnd = (position + 2879) / 2880 * 2880
            let (next, overflow) = headerEnd.addingReportingOverflow((dataBytes + 2879) / 2880 * 2880)
            guard !overflow else { return }
            offset = next
            hdu += 1
        }
    }

    /// A tile-compressed image's geometry must make sense before CFITSIO divides by it
    /// (a `ZTILEn` of 0 stops the process with a division by zero in
    /// `imcomp_get_compressed_image_par`).
    private static func checkCompression(_ values: [String: Int], path: String, hdu: Int) throws(FITSError) {
        func refuse(_ keyword: String, _ reason: String) -> FITSError {
            FITSError(.corrupt, path: path, hdu: hdu, keyword: keyword, "\(reason): the compressed image header is damaged")
        }
        guard let bitpix = values["ZBITPIX"], [8, 16, 32, 64, -32, -64].contains(bitpix) else {
            throw refuse("ZBITPIX", "missing or not one of 8, 16, 32, 64, -32, -64")
        }
        guard let axes = values["ZNAXIS"], (1...999).contains(axes) else { throw refuse("ZNAXIS", "missing or outside 1...999") }
        for axis in 1...axes {
            guard let length = values["ZNAXIS\(axis)"], length >= 1 else { throw refuse("ZNAXIS\(axis)", "missing or below 1") }
            if let tile = values["ZTILE\(axis)"], tile < 1 { throw refuse("ZTILE\(axis)", "below 1") }
        }
    }

    /// The value field's token as written: a quoted string, or the text before `/`.
    private static func token(_ card: String) -> String {
        let field = card.dropFirst(9).drop(while: { $0 == " " })
        if field.hasPrefix("'") { return "'" }
        return String(field.prefix(while: { $0 != "/" })).trimmingCharacters(in: .whitespaces)
    }
}
