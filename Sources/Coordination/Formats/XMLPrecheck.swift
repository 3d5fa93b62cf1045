import Foundation

/// Checks XML bytes that ``NoticeBytes`` found to be UTF-8, before `XMLParser` sees them: the
/// encoding the XML declaration names, the markup Foundation cannot take, and how deeply
/// elements nest.
///
/// - The declared encoding must be UTF-8 (or US-ASCII, a subset): libxml2 would otherwise
///   re-decode the bytes as that encoding, and the names it passes to Foundation would no
///   longer be the bytes checked here.
/// - No document type declaration (`<!DOCTYPE …>`): notices have none (VOEvent is defined by
///   an XML Schema), and Foundation's `XMLParser` dereferences a null pointer (SIGSEGV) on
///   declarations whose optional parts are absent (`<!ATTLIST a b CDATA #IMPLIED>`, a
///   `<!NOTATION>`, an unparsed `<!ENTITY>`, a processing instruction in the subset).
/// - No processing instruction without data (`<?x?>`): the same null pointer. Both found by
///   `scripts/fuzz` (Fuzz/Regressions/voevent).
/// - Elements may nest at most ``NoticeBytes/maximumDepth`` levels: libxml2 stops at 256
///   and says only that the document is not well-formed.
///
/// The scan is a small state machine over the bytes that skips comments, CDATA sections and
/// quoted attribute values; on anything malformed it stops and leaves the verdict to the XML
/// parser.
enum XMLPrecheck {
    /// Encodings whose bytes are UTF-8 (the names XML declarations use, compared without case).
    static let utf8Encodings: Set<String> = ["utf-8", "utf8", "us-ascii", "ascii"]

    /// - Throws: ``AlertFormatError`` `.encoding` for another declared encoding, `.tooLarge`
    ///   for nesting deeper than the limit.
    static func check(_ data: Data) throws(AlertFormatError) {
        try NoticeBytes.withBytes(of: data) { (bytes) throws(AlertFormatError) in
            if let encoding = declaredEncoding(bytes), !utf8Encodings.contains(encoding.lowercased()) {
                throw AlertFormatError(
                    .encoding, format: nil, "the XML declaration names encoding '\(encoding)'; Starling reads notices in UTF-8")
            }
            switch scan(bytes, depthLimit: NoticeBytes.maximumDepth) {
            case .none:
                break
            case .tooDeep(let offset):
                let (line, column) = NoticeBytes.position(of: offset, in: bytes)
                throw AlertFormatError(
                    .tooLarge, format: nil,
                    "elements nest more than \(NoticeBytes.maximumDepth) levels deep (line \(line), column \(column)); a VOEvent nests 8")
            case .documentType(let offset):
                let (line, column) = NoticeBytes.position(of: offset, in: bytes)
                throw AlertFormatError(
                    .unsupported, format: nil,
                    "a document type declaration <!DOCTYPE …> (line \(line), column \(column)): notices have none, and Starling does not read them")
            case .emptyInstruction(let target, let offset):
                let (line, column) = NoticeBytes.position(of: offset, in: bytes)
                throw AlertFormatError(
                    .unsupported, format: nil,
                    "a processing instruction <?\(target)?> without data (line \(line), column \(column)), which Starling's XML parser cannot take")
            }
        }
    }

    /// What the scan finds that stops the bytes before the parser.
    enum Finding: Equatable {
        case tooDeep(offset: Int)
        case documentType(offset: Int)
        case emptyInstruction(target: String, offset: Int)
    }

    /// The `encoding` of a leading `<?xml … ?>` declaration, if it has one.
    static func declaredEncoding(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count, NoticeBytes.isXMLWhitespace(bytes[index]) { index += 1 }
        guard bytes[index...].starts(with: Array("<?xml".utf8)) else { return nil }
        let end = min(bytes.count, index + 512)
        guard let close = (index..<end).first(where: { bytes[$0] == UInt8(ascii: "?") && $0 + 1 < end && bytes[$0 + 1] == UInt8(ascii: ">") })
        else { return nil }
        let declaration = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<close]), as: UTF8.self)
        guard let key = declaration.range(of: "encoding") else { return nil }
        var rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote })
    }

    /// The first start tag nesting deeper than `depthLimit`, document type declaration or
    /// processing instruction without data, or `nil`.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, depthLimit: Int) -> Finding? {
        let count = bytes.count
        var index = 0
        var depth = 0

        /// The index just past `terminator` at or after `from`, or `count` when absent.
        func skip(past terminator: [UInt8], from: Int) -> Int {
            var position = from
            while position + terminator.count <= count {
                if bytes[position] == terminator[0], bytes[position..<position + terminator.count].elementsEqual(terminator) {
                    return position + terminator.count
                }
                position += 1
            }
            return count
        }

        while index < count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            let next = index + 1 < count ? bytes[index + 1] : 0
            switch next {
            case UInt8(ascii: "?"):
                // The target runs to a blank or to `?>`; with no blank before `?>` there is no data.
                var end = index + 2
                while end < count, !NoticeBytes.isXMLWhitespace(bytes[end]), bytes[end] != UInt8(ascii: "?") { end += 1 }
                if end + 1 < count, bytes[end] == UInt8(ascii: "?"), bytes[end + 1] == UInt8(ascii: ">") {
                    let target = String(decoding: UnsafeBufferPointer(rebasing: bytes[index + 2..<end]), as: UTF8.self)
                    return .emptyInstruction(target: target, offset: index)
                }
                index = skip(past: Array("?>".utf8), from: index + 2)
            case UInt8(ascii: "!"):
                if bytes[index...].starts(with: Array("<!--".utf8)) {
                    index = skip(past: Array("-->".utf8), from: index + 4)
                } else if bytes[index...].starts(with: Array("<![CDATA[".utf8)) {
                    index = skip(past: Array("]]>".utf8), from: index + 9)
                } else if bytes[index...].starts(with: Array("<!DOCTYPE".utf8)) {
                    return .documentType(offset: index)
                } else {
                    index = skipDeclaration(bytes, from: index + 2)
                }
            case UInt8(ascii: "/"):
                depth -= 1
                index = skip(past: [UInt8(ascii: ">")], from: index + 2)
            default:
                let start = index
                // A start tag: find its '>' outside quoted attribute values.
                var position = index + 1
                var quote: UInt8 = 0
                while position < count {
                    let byte = bytes[position]
                    if quote != 0 {
                        if byte == quote { quote = 0 }
                    } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                        quote = byte
                    } else if byte == UInt8(ascii: ">") {
                        break
                    }
                    position += 1
                }
                guard position < count else { return nil }  // unterminated: the parser says so
                if bytes[position - 1] != UInt8(ascii: "/") {
                    depth += 1
                    if depth > depthLimit { return .tooDeep(offset: start) }
                }
                index = position + 1
            }
        }
        return nil
    }

    /// Skips a `<!…>` declaration outside a document type declaration (which the scan refuses
    /// before), with brackets and quoted literals; returns the index past its closing `>`.
    private static func skipDeclaration(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var position = start
        var brackets = 0
        var quote: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = byte
                case UInt8(ascii: "["): brackets += 1
                case UInt8(ascii: "]"): brackets -= 1
                case UInt8(ascii: ">") where brackets <= 0: return position + 1
                default: break
                }
            }
            position += 1
        }
        return bytes.count
    }
}
