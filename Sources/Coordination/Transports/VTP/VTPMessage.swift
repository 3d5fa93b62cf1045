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

    /// Reads just enough of a frame to route it.
    static func classify(_ data: Data) -> Kind {
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

    static func timestampText(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds.quotientAndRemainderFloor(dividingBy: 86_400)
        let (year, month, day) = civil(fromDays: days.quotient)
        let second = days.remainder
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, second / 3600, second / 60 % 60, second % 60)
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }


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

extension Int {
    /// Quotient and remainder rounding toward −∞ (the remainder is never negative).
    fileprivate func quotientAndRemainderFloor(dividingBy divisor: Int) -> (quotient: Int, remainder: Int) {
        var (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}
