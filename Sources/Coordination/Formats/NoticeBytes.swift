import Foundation

/// Checks a notice's raw bytes before any parser sees them, so that no input can take the
/// process down and every refusal says its real reason.
///
/// Foundation's `XMLParser` traps (SIGILL) on an element or attribute name that is not valid
/// UTF-8 (`<VOEvent><P\xc3ram/></VOEvent>`: it force-unwraps the name's conversion to a
/// `String`), and libxml2 reports a document over its limits (a text node over 10 MB, nesting
/// over 256 levels) only as "not well-formed". So, in order:
///
/// 1. **Size**: at most ``maximumByteCount``.
/// 2. **Encoding**: UTF-8 (with or without its byte-order mark). UTF-16 and UTF-32 are named
///    from their byte-order mark, or from the zero bytes around the first `<` or `{` when there
///    is none (XML 1.0 Appendix F; RFC 8259 §8.1 requires UTF-8 for JSON).
/// 3. **Well-formed UTF-8**, everywhere: the first bad byte is named by line, column and offset.
/// 4. **Shape**: XML (first significant byte `<`) or JSON (`{`, or `[` which the JSON reader
///    refuses as an array); anything else is neither.
///
/// XML then goes through ``XMLPrecheck`` (declared encoding, nesting depth).
enum NoticeBytes {
    /// The largest notice read: 8 MiB. The largest real notices, IGWN alerts carrying a
    /// base64 multi-order sky map, are about 1 MB; libxml2 refuses a single text node over
    /// 10,000,000 bytes, so every XML notice under this limit is within the parser's own.
    static let maximumByteCount = 8 << 20

    /// The deepest nesting of XML elements or JSON objects and arrays read: 64 levels. A
    /// VOEvent nests 8 deep (`VOEvent/WhereWhen/…/Value2/C1`), a VOEvent turned into JSON about 10.
    static let maximumDepth = 64

    /// What the bytes are, once checked.
    enum Syntax: Equatable {
        case xml
        case json
    }

    /// Checks the bytes and tells XML from JSON.
    ///
    /// - Throws: ``AlertFormatError`` `.unrecognised` (empty, or neither XML nor JSON),
    ///   `.tooLarge` (over ``maximumByteCount``), `.encoding` (UTF-16/32, or bytes that are
    ///   not UTF-8); for XML also what ``XMLPrecheck/check(_:)`` throws.
    static func check(_ data: Data) throws(AlertFormatError) -> Syntax {
        guard data.count <= maximumByteCount else {
            throw AlertFormatError(
                .tooLarge, format: nil,
                "the notice is \(byteCountText(data.count)), more than the \(byteCountText(maximumByteCount)) Starling reads (real notices are under 2 MB)")
        }
        let syntax = try withBytes(of: data) { (bytes) throws(AlertFormatError) -> Syntax in
            if let encoding = wideEncoding(bytes) {
                throw AlertFormatError(.encoding, format: nil, "the notice is \(encoding); Starling reads notices in UTF-8")
            }
            var start = 0
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }  // UTF-8 byte-order mark
            if let bad = firstInvalidUTF8(bytes, from: start) {
                let (line, column) = position(of: bad, in: bytes)
                throw AlertFormatError(
                    .encoding, format: nil,
                    "byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at line \(line), column \(column) (offset \(bad)) is not valid UTF-8; Starling reads notices in UTF-8")
            }
            var index = start
            while index < bytes.count, isXMLWhitespace(bytes[index]) { index += 1 }
            guard index < bytes.count else { throw AlertFormatError(.unrecognised, format: nil, "the notice is empty") }
            switch bytes[index] {
            case UInt8(ascii: "<"): return .xml
            case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
            default:
                let head = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<min(bytes.count, index + 16)]), as: UTF8.self)
                throw AlertFormatError(
                    .unrecognised, format: nil, "neither XML nor JSON: it starts with '\(head.debugDescription.dropFirst().dropLast())', not '<' or '{'")
            }
        }
        if syntax == .xml { try XMLPrecheck.check(data) }
        return syntax
    }

    /// Runs `body` over the bytes of `data`, keeping its typed error (`Data.withUnsafeBytes`
    /// rethrows untyped).
    static func withBytes<T>(
        of data: Data, _ body: (UnsafeBufferPointer<UInt8>) throws(AlertFormatError) -> T
    ) throws(AlertFormatError) -> T {
        let result: Result<T, AlertFormatError> = data.withUnsafeBytes { raw in
            Result { () throws(AlertFormatError) -> T in try body(raw.bindMemory(to: UInt8.self)) }
        }
        return try result.get()
    }

    static func isXMLWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// `3.1 MiB`, `512 KiB`, `87 bytes`.
    static func byteCountText(_ count: Int) -> String {
        if count >= 1 << 20 { return String(format: "%.1f MiB", Double(count) / Double(1 << 20)) }
        if count >= 1 << 10 { return String(format: "%.0f KiB", Double(count) / Double(1 << 10)) }
        return "\(count) byte\(count == 1 ? "" : "s")"
    }

    /// The name of a UTF-16 or UTF-32 encoding, from its byte-order mark or, without one, from
    /// the zero bytes beside an ASCII first character; `nil` for anything else.
    static func wideEncoding(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.starts(with: prefix) }
        if starts([0x00, 0x00, 0xFE, 0xFF]) { return "UTF-32 (big-endian, byte-order mark 00 00 FE FF)" }
        if starts([0xFF, 0xFE, 0x00, 0x00]) { return "UTF-32 (little-endian, byte-order mark FF FE 00 00)" }
        if starts([0xFE, 0xFF]) { return "UTF-16 (big-endian, byte-order mark FE FF)" }
        if starts([0xFF, 0xFE]) { return "UTF-16 (little-endian, byte-order mark FF FE)" }
        // Without a mark: an ASCII character with zero bytes around it (XML 1.0 Appendix F).
        guard bytes.count >= 4 else { return nil }
        let (a, b, c, d) = (bytes[0], bytes[1], bytes[2], bytes[3])
        if a == 0, b == 0, c == 0, d != 0 { return "UTF-32 (big-endian, no byte-order mark)" }
        if a != 0, b == 0, c == 0, d == 0 { return "UTF-32 (little-endian, no byte-order mark)" }
        if a == 0, b != 0, c == 0, d != 0 { return "UTF-16 (big-endian, no byte-order mark)" }
        if a != 0, b == 0, c != 0, d == 0 { return "UTF-16 (little-endian, no byte-order mark)" }
        return nil
    }

    /// The offset of the first byte that does not begin a well-formed UTF-8 sequence (Unicode
    /// 15, Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or `nil`.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Int? {
        var index = start
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // The allowed range of the second byte, and the sequence length, by lead byte.
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            guard (low...high).contains(bytes[index + 1]) else { return index }
            for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return index }
            index += length
        }
        return nil
    }

    /// The 1-based line and column (in bytes) of an offset.
    static func position(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return (line, offset - lineStart + 1)
    }
}
