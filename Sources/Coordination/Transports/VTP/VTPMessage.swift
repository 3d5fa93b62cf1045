import Foundation
import StarlingCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Messages of the VOEvent Transport Protocol (IVOA Note "VOEvent Transport Protocol",
/// Allan & Denny 2009; Swinbank 2014): every message is a 4-byte big-endian length followed by
/// that many bytes of XML, either a VOEvent or a `Transport` element whose `role` is
/// `iamalive`, `ack`, `nak` or `authenticate`.
enum VTPMessage {
    static let transportNamespace = "http://www.telescope-networks.org/xml/Transport/v1.1"

    /// What a received frame is.
    enum Kind: Equatable {
        /// A `Transport` message with its role and `Origin`.
        case transport(role: String, origin: String?)
        /// A VOEvent, with its `ivorn` attribute if it has one.
        case voevent(ivorn: String?)
        /// Not XML, or XML of another kind.
        case unknown
    }

    /// Reads just enough of a frame to route it. A frame that fails ``NoticeBytes``'s checks
    /// (not UTF-8, too deep, …) is `.unknown` without reaching `XMLParser`, which traps on some
    /// such bytes; the intake then stores it as refused, with the reason.
    static func classify(_ data: Data) -> Kind {
        do {
            guard try NoticeBytes.check(data) == .xml else { return .unknown }
        } catch {
            return .unknown
        }
        let parser = XMLParser(data: data)
        let delegate = Classifier()
        parser.delegate = delegate
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        _ = parser.parse()
        switch delegate.root {
        case "Transport": return .transport(role: delegate.role ?? "", origin: delegate.origin)
        case "VOEvent": return .voevent(ivorn: delegate.ivorn)
        default: return .unknown
        }
    }

    /// A reply: `iamalive`, `ack`, `nak` or `authenticate`, with `Origin` the peer's IVORN (or
    /// the acknowledged event's) and `Response` ours.
    static func transport(role: String, origin: String, response: String, timestamp: Date, meta: [(name: String, value: String)] = [], result: String? = nil) -> Data {
        var xml = "<?xml version='1.0' encoding='UTF-8'?>\n"
        xml += "<trn:Transport xmlns:trn=\"\(transportNamespace)\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        xml += "version=\"1.0\" role=\"\(role.xmlEscaped())\" "
        xml += "xsi:schemaLocation=\"http://telescope-networks.org/schema/Transport/v1.1 http://www.telescope-networks.org/schema/Transport-v1.1.xsd\">"
        xml += "<Origin>\(origin.xmlEscaped())</Origin><Response>\(response.xmlEscaped())</Response>"
        xml += "<TimeStamp>\(timestampText(timestamp))</TimeStamp>"
        if !meta.isEmpty || result != nil {
            xml += "<Meta>"
            for item in meta { xml += "<Param name=\"\(item.name.xmlEscaped())\" value=\"\(item.value.xmlEscaped())\"/>" }
            if let result { xml += "<Result>\(result.xmlEscaped())</Result>" }
            xml += "</Meta>"
        }
        xml += "</trn:Transport>"
        return Data(xml.utf8)
    }

    /// A message framed for the wire: its length as 4 big-endian bytes, then the bytes.
    static func frame(_ payload: Data) -> Data {
        var length = UInt32(payload.count).bigEndian
        var framed = Data(bytes: &length, count: 4)
        framed.append(payload)
        return framed
    }

    /// The length announced by a frame's 4-byte header.
    static func length(ofHeader header: Data) -> Int {
        header.prefix(4).reduce(0) { ($0 << 8) | Int($1) }
    }

    /// `2024-03-01T10:00:01Z`: VTP time stamps are whole seconds.
    static func timestampText(_ date: Date) -> String { ISO8601.string(from: date, fractionDigits: 0) }

    private final class Classifier: NSObject, XMLParserDelegate {
        var root: String?
        var role: String?
        var ivorn: String?
        var origin: String?
        private var depth = 0
        private var inOrigin = false

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            depth += 1
            if root == nil {
                root = elementName
                role = attributes["role"]
                ivorn = attributes["ivorn"]
                if elementName == "VOEvent" { parser.abortParsing() }
            } else if depth == 2, elementName == "Origin" {
                inOrigin = true
                origin = ""
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inOrigin { origin? += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            if inOrigin, elementName == "Origin" {
                inOrigin = false
                origin = origin?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            depth -= 1
        }
    }
}
