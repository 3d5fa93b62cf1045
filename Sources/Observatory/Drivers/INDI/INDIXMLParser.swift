import StarlingCore

/// One XML element of the INDI stream: its name, attributes, children and text.
///
/// Text is entity-decoded but not trimmed: INDI servers put values on their own lines
/// (`<oneNumber name="RA">\n16.69\n</oneNumber>`), so readers trim where they need to.
public struct INDIXMLElement: Sendable, Hashable {
    public var name: String
    public var attributes: [String: String]
    public var children: [INDIXMLElement]
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [INDIXMLElement] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// An attribute's value, or `nil` when the element lacks it.
    public subscript(attribute: String) -> String? { attributes[attribute] }
}

/// An incremental parser for the subset of XML that INDI speaks: a stream of top-level
/// elements with attributes, nested elements and text, no namespaces and no DTD.
///
/// INDI has no document root: the stream is a sequence of elements, each complete when its
/// closing tag arrives, and a TCP read may end anywhere (inside a tag, an attribute, an
/// entity, or a megabyte of base64 BLOB). Foundation's `XMLParser` wants a whole document,
/// so this small tokenizer takes bytes as they come and hands back each top-level element
/// as soon as it is complete. Text is accumulated as bytes, and its size is bounded as it arrives.
///
/// ```swift
/// var parser = INDIXMLParser()
/// for element in try parser.feed(bytes) { … }
/// ```
public struct INDIXMLParser: Sendable {
    private struct Open: Sendable {
        var name: String
        var attributes: [String: String]
        var children: [INDIXMLElement] = []
        var text: [UInt8] = []
    }

    private var buffer: [UInt8] = []
    private var stack: [Open] = []
    /// The largest text one element may hold (a BLOB of a big camera is tens of megabytes
    /// of base64); beyond it the stream is judged corrupt rather than filling memory.
    public let maximumTextBytes: Int

    public init(maximumTextBytes: Int = 512 << 20) {
        self.maximumTextBytes = maximumTextBytes
    }

    /// Whether the parser holds a partial element (bytes of an unfinished tag or open elements).
    public var isInsideElement: Bool { !stack.isEmpty || !buffer.isEmpty }

    /// Feeds bytes read from the stream and returns the top-level elements they complete.
    /// - Throws: ``DriverError`` `.protocolError` when the bytes are not well-formed INDI XML
    ///   (mismatched closing tag, a text too large); the stream cannot be followed after that,
    ///   so the connection (and its parser) is dropped.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(DriverError) -> [INDIXMLElement] {
        buffer.append(contentsOf: bytes)
        var completed: [INDIXMLElement] = []
        var position = 0
        let count = buffer.count
        defer {
            if position >= count { buffer.removeAll(keepingCapacity: true) } else if position > 0 { buffer.removeFirst(position) }
        }
        while position < count {
            // Text up to the next tag.
            guard let lessThan = buffer[position...].firstIndex(of: UInt8(ascii: "<")) else {
                try appendText(position..<count)
                position = count
                break
            }
            if lessThan > position { try appendText(position..<lessThan) }
            position = lessThan
            // A complete tag? Find its '>' outside quotes; comments and declarations end differently.
            guard let (end, kind) = tagEnd(from: lessThan) else { break }  // wait for more bytes
            let tagBytes = buffer[(lessThan + 1)..<end]  // between '<' and '>'
            position = end + 1
            switch kind {
            case .skip: continue
            case .close:
                let name = String(decoding: tagBytes.dropFirst(), as: UTF8.self).trimmingWhitespace()
                guard let open = stack.popLast() else {
                    throw DriverError(.protocolError, device: .mount, "INDI stream has a closing tag </\(name)> with no element open")
                }
                guard open.name == name else {
                    throw DriverError(.protocolError, device: .mount, "INDI stream closes <\(open.name)> with </\(name)>")
                }
                let element = INDIXMLElement(
                    name: open.name, attributes: open.attributes, children: open.children, text: Self.decodeEntities(open.text))
                if stack.isEmpty { completed.append(element) } else { stack[stack.count - 1].children.append(element) }
            case .open(let selfClosing):
                let (name, attributes) = try Self.parseTag(selfClosing ? tagBytes.dropLast() : tagBytes)
                if selfClosing {
                    let element = INDIXMLElement(name: name, attributes: attributes)
                    if stack.isEmpty { completed.append(element) } else { stack[stack.count - 1].children.append(element) }
                } else {
                    stack.append(Open(name: name, attributes: attributes))
                }
            }
        }
        return completed
    }

    private enum TagKind { case open(selfClosing: Bool), close, skip }

    /// The index of the '>' ending the tag that starts at `start`, or `nil` if it has not arrived.
    private func tagEnd(from start: Int) -> (Int, TagKind)? {
        let count = buffer.count
        guard start + 1 < count else { return nil }
        let second = buffer[start + 1]
        if second == UInt8(ascii: "!") {
            // A comment `<!-- … -->` (or a declaration, ended by '>').
            if start + 3 < count, buffer[start + 2] == UInt8(ascii: "-"), buffer[start + 3] == UInt8(ascii: "-") {
                var index = start + 4
                while index + 2 < count {
                    if buffer[index] == UInt8(ascii: "-"), buffer[index + 1] == UInt8(ascii: "-"), buffer[index + 2] == UInt8(ascii: ">") {
                        return (index + 2, .skip)
                    }
                    index += 1
                }
                return nil
            }
            if start + 3 >= count { return nil }
            guard let end = buffer[(start + 2)...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
            return (end, .skip)
        }
        var quote: UInt8? = nil
        var index = start + 1
        while index < count {
            let byte = buffer[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                if second == UInt8(ascii: "?") { return (index, .skip) }
                if second == UInt8(ascii: "/") { return (index, .close) }
                return (index, .open(selfClosing: buffer[index - 1] == UInt8(ascii: "/")))
            }
            index += 1
        }
        return nil
    }

    /// Adds text to the open element; checked as it arrives, so a runaway element is refused
    /// before it fills memory, not when its closing tag finally comes.
    private mutating func appendText(_ range: Range<Int>) throws(DriverError) {
        // Text between top-level elements (newlines) belongs to nobody.
        guard let top = stack.last else { return }
        guard top.text.count + range.count <= maximumTextBytes else {
            throw DriverError(.protocolError, device: .camera, "INDI element <\(top.name)> holds more than \(maximumTextBytes) bytes of text")
        }
        stack[stack.count - 1].text.append(contentsOf: buffer[range])
    }

    /// Splits `name attr="value" attr2='value'` into the name and attributes.
    private static func parseTag(_ bytes: ArraySlice<UInt8>) throws(DriverError) -> (String, [String: String]) {
        var index = bytes.startIndex
        let end = bytes.endIndex
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        while index < end, !isSpace(bytes[index]) { index += 1 }
        let name = String(decoding: bytes[bytes.startIndex..<index], as: UTF8.self)
        guard !name.isEmpty else { throw DriverError(.protocolError, device: .mount, "INDI stream has a tag without a name") }
        var attributes: [String: String] = [:]
        while index < end {
            while index < end, isSpace(bytes[index]) { index += 1 }
            guard index < end else { break }
            let nameStart = index
            while index < end, bytes[index] != UInt8(ascii: "="), !isSpace(bytes[index]) { index += 1 }
            let attributeName = String(decoding: bytes[nameStart..<index], as: UTF8.self)
            while index < end, isSpace(bytes[index]) { index += 1 }
            guard index < end, bytes[index] == UInt8(ascii: "=") else {
                throw DriverError(.protocolError, device: .mount, "INDI tag <\(name)> has attribute '\(attributeName)' without a value")
            }
            index += 1
            while index < end, isSpace(bytes[index]) { index += 1 }
            guard index < end, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw DriverError(.protocolError, device: .mount, "INDI tag <\(name)> has attribute '\(attributeName)' without quotes")
            }
            let quote = bytes[index]
            index += 1
            let valueStart = index
            while index < end, bytes[index] != quote { index += 1 }
            attributes[attributeName] = decodeEntities(Array(bytes[valueStart..<index]))
            index += 1
        }
        return (name, attributes)
    }

    /// Decodes XML's five named entities and numeric character references.
    static func decodeEntities(_ bytes: [UInt8]) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "&"), let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                output.append(byte)
                index += 1
                continue
            }
            let entity = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
            var replacement: String?
            switch entity {
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "amp": replacement = "&"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let code = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
                    replacement = String(Character(scalar))
                } else if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) {
                    replacement = String(Character(scalar))
                }
            }
            if let replacement {
                output.append(contentsOf: Array(replacement.utf8))
                index = semicolon + 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
