public import Foundation

/// Reads a notice in any format Starling knows and normalises it to an ``StarlingCore/Alert``.
///
/// The format is recognised from the bytes: XML whose root is a `VOEvent` (2.0 or 1.1); JSON
/// that is an IGWN alert (`superevent_id`), a VOEvent turned into JSON (`ivorn` with
/// `What`/`WhereWhen`), a GCN Kafka notice (`$schema` under `gcn/notices`, or
/// `trigger_time`), a survey broker's alert (ZTF, LSST, ANTARES), or a target of opportunity
/// (``TargetOfOpportunity``).
///
/// ```swift
/// let notice = try AlertParser.parse(Data(contentsOf: url))
/// print(notice.alert.eventID, notice.alert.position as Any, notice.remarks)
/// ```
///
/// Parsing is a pure function of the bytes: the same notice always gives the same alert.
public enum AlertParser {
    /// Parses a notice. Any bytes at all may be given: nothing traps, everything refused says why.
    ///
    /// The bytes are checked before a parser sees them (at most 8 MiB, UTF-8, XML nested at
    /// most 64 deep); see `docs/alerts.md`, "What is refused".
    ///
    /// - Returns: the alert, its format, and the deviations from the format that were accepted.
    /// - Throws: ``AlertFormatError`` saying why the notice cannot be used: too large or too
    ///   deep (`.tooLarge`), not UTF-8 (`.encoding`), not XML or JSON (`.malformed`/`.unrecognised`),
    ///   a document that is not a notice (`.unsupported`), or a notice missing what every alert
    ///   needs or stating the impossible (`.missingField`, `.invalidValue`).
    public static func parse(_ data: Data) throws(AlertFormatError) -> ParsedNotice {
        switch try NoticeBytes.check(data) {
        case .xml: return try parseXML(data)
        case .json: return try parseJSON(data)
        }
    }

    /// The format a notice appears to be in, without parsing it fully: what a refused notice is
    /// recorded as.
    public static func guessFormat(_ data: Data) -> AlertFormat {
        guard let first = data.prefix(64).first(where: { !NoticeBytes.isXMLWhitespace($0) && ![0xEF, 0xBB, 0xBF].contains($0) }) else {
            return .unknown
        }
        switch first {
        case UInt8(ascii: "<"):
            let head = String(decoding: data.prefix(2048), as: UTF8.self)
            return head.contains("VOEvent/v1.1") ? .voevent11 : (head.contains("VOEvent") ? .voevent20 : .unknown)
        case UInt8(ascii: "{"):
            let head = String(decoding: data.prefix(4096), as: UTF8.self)
            if head.contains("\"superevent_id\"") { return .igwnJSON }
            if head.contains("\"ivorn\"") { return .voeventJSON }
            if head.contains("\"target_of_opportunity\"") { return .manual }
            return .gcnJSON
        default:
            return .unknown
        }
    }

    private static func parseXML(_ data: Data) throws(AlertFormatError) -> ParsedNotice {
        switch try VOEventXMLReader.read(data) {
        case .other(let name, let namespace):
            if name == "Transport" {
                throw AlertFormatError(.unsupported, format: nil, "a VOEvent Transport Protocol message, not a VOEvent")
            }
            throw AlertFormatError(.unrecognised, format: nil, "XML with root element '\(name)'\(namespace.map { " (\($0))" } ?? ""), not a VOEvent")
        case .voevent(let document):
            let version = document.namespaceVersion ?? document.version
            let format: AlertFormat
            switch version {
            case "2.0": format = .voevent20
            case "1.1": format = .voevent11
            default:
                throw AlertFormatError(
                    .unsupported, format: nil,
                    "VOEvent version '\(version ?? "none")' (Starling reads 2.0 and 1.1)")
            }
            var notice = try VOEventNormalizer.normalize(document, format: format)
            if !document.quirks.isEmpty {
                notice = ParsedNotice(alert: notice.alert, format: notice.format, remarks: document.quirks + notice.remarks)
            }
            return notice
        }
    }

    private static func parseJSON(_ data: Data) throws(AlertFormatError) -> ParsedNotice {
        let json = try JSONValue.parse(data)
        switch json {
        case .object: break
        case .array(let items):
            throw AlertFormatError(
                .unsupported, format: nil, "a JSON array of \(items.count) item\(items.count == 1 ? "" : "s"), not a notice: a notice is one JSON object (send one per message or file)")
        default:
            throw AlertFormatError(.unrecognised, format: nil, "JSON that is not an object")
        }
        if IGWNAlert.matches(json) { return try IGWNAlert.parse(json) }
        if TargetOfOpportunity.matches(json) { return try TargetOfOpportunity.parse(json) }
        if ObservationRequestNotice.matches(json) { return try ObservationRequestNotice.parse(data) }
        if VOEventJSONReader.matches(json) {
            let document = VOEventJSONReader.read(json)
            guard document.version == nil || document.version == "2.0" || document.version == "1.1" else {
                throw AlertFormatError(.unsupported, format: .voeventJSON, "VOEvent version '\(document.version ?? "")' (Starling reads 2.0 and 1.1)")
            }
            let notice = try VOEventNormalizer.normalize(document, format: .voeventJSON)
            return notice
        }
        if BrokerAlert.matches(json) { return try BrokerAlert.parse(json) }
        if GCNJSONNotice.matches(json) { return try GCNJSONNotice.parse(json, raw: data) }
        let keys = (json.object?.keys.sorted() ?? []).prefix(6).joined(separator: ", ")
        throw AlertFormatError(
            .unrecognised, format: nil,
            "JSON with keys \(keys) is not a GCN, IGWN, VOEvent or broker notice")
    }
}
