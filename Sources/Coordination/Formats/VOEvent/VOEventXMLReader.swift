import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads a VOEvent XML packet into a ``VOEventDocument`` with Foundation's `XMLParser`
/// (libxml2 underneath on Linux). Namespaces are processed, so `voe:VOEvent` and a default
/// namespace read alike; attribute names are matched case-insensitively, which accepts GECAM's
/// `datatype` for `dataType`.
enum VOEventXMLReader {
    /// The namespace URIs of the VOEvent versions Starling reads.
    static let namespaces = [
        "http://www.ivoa.net/xml/VOEvent/v2.0": "2.0",
        "http://www.ivoa.net/xml/VOEvent/v1.1": "1.1",
    ]

    /// The result of reading: a VOEvent, or another root element (a VTP `Transport` message).
    enum Root {
        case voevent(VOEventDocument)
        case other(localName: String, namespace: String?)
    }

    /// Parses the XML; throws `.malformed` when it is not well-formed.
    ///
    /// The bytes are checked first (``NoticeBytes/check(_:)``): `XMLParser` traps on names that
    /// are not UTF-8, so no unchecked byte reaches it, whoever calls this.
    static func read(_ data: Data) throws(AlertFormatError) -> Root {
        guard try NoticeBytes.check(data) == .xml else {
            throw AlertFormatError(.malformed, format: nil, "not XML (the first significant character is not '<')")
        }
        let parser = XMLParser(data: data)
        let delegate = Delegate()
        parser.delegate = delegate
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        guard parser.parse() else {
            let error = parser.parserError.map { String(describing: $0.localizedDescription) } ?? "unknown error"
            throw AlertFormatError(
                .malformed, format: nil, "not well-formed XML (line \(parser.lineNumber), column \(parser.columnNumber): \(error))")
        }
        guard let rootName = delegate.rootName else {
            throw AlertFormatError(.malformed, format: nil, "the XML document has no root element")
        }
        // libxml2's SAX parser reports success for a document cut off after its last complete
        // element; a truncated packet must not pass for a whole one.
        guard delegate.isRootClosed else {
            throw AlertFormatError(.malformed, format: nil, "the XML ends before its root element <\(rootName)> closes (truncated?)")
        }
        guard rootName == "VOEvent" else { return .other(localName: rootName, namespace: delegate.rootNamespace) }
        return .voevent(delegate.document)
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var document = VOEventDocument()
        var rootName: String?
        var rootNamespace: String?
        /// Whether the root element's end tag was read.
        var isRootClosed = false
        /// Local names of the open elements, outermost first.
        private var path: [String] = []
        private var text = ""
        private var groups: [(name: String?, type: String?)] = []
        /// The open `<Param>` awaiting a `<Value>` child (Gaia's form).
        private var openParam: VOEventDocument.Param?
        private var citeAttribute: String?
        private static let datatypeQuirk = "attribute 'datatype' read as 'dataType' (not in the VOEvent 2.0 schema)"

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let rawAttributeNames = Set(attributes.keys)
            let attributes = Dictionary(attributes.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            if rootName == nil {
                rootName = elementName
                rootNamespace = namespaceURI.flatMap { $0.isEmpty ? nil : $0 }
                if elementName == "VOEvent" {
                    document.ivorn = attributes["ivorn"]
                    document.role = attributes["role"]
                    document.version = attributes["version"]
                    document.namespaceVersion = rootNamespace.flatMap { VOEventXMLReader.namespaces[$0] }
                }
            }
            path.append(elementName)
            text = ""
            switch elementName {
            case "Group" where path.contains("What"):
                groups.append((attributes["name"], attributes["type"]))
            case "Param" where path.contains("What"):
                if attributes["datatype"] != nil, !rawAttributeNames.contains("dataType"), rawAttributeNames.contains("datatype"),
                    !document.quirks.contains(Self.datatypeQuirk)
                {
                    document.quirks.append(Self.datatypeQuirk)
                }
                let group = groups.last
                openParam = VOEventDocument.Param(
                    name: attributes["name"], value: attributes["value"], unit: attributes["unit"], ucd: attributes["ucd"],
                    dataType: attributes["datatype"], group: group?.name ?? group?.type, groupType: group?.type)
            case "AstroCoords":
                document.coordSystemID = document.coordSystemID ?? attributes["coord_system_id"]
            case "AstroCoordSystem":
                document.coordSystemID = document.coordSystemID ?? attributes["id"]
            case "Position2D":
                document.positionUnit = attributes["unit"]
            case "Why":
                document.importance = attributes["importance"]
            case "EventIVORN":
                citeAttribute = attributes["cite"]
            default:
                break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { text += String(decoding: CDATABlock, as: UTF8.self) }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            let content = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let parent = path.count >= 2 ? path[path.count - 2] : nil
            switch elementName {
            case "Group" where path.contains("What"):
                _ = groups.popLast()
            case "Value" where parent == "Param":
                if openParam?.value == nil || openParam?.value?.isEmpty == true { openParam?.value = content }
            case "Param":
                if let param = openParam { document.params.append(param) }
                openParam = nil
            case "Date" where parent == "Who":
                document.whoDate = content
            case "shortName" where parent == "Author":
                document.authorShortName = content
            case "ISOTime" where path.contains("WhereWhen"):
                if document.isoTime != nil { document.duplicates.append("ISOTime") }
                document.isoTime = document.isoTime ?? content
            case "C1" where parent == "Value2":
                if document.c1 != nil { document.duplicates.append("C1") }
                document.c1 = content
            case "C2" where parent == "Value2":
                if document.c2 != nil { document.duplicates.append("C2") }
                document.c2 = content
            case "Error2Radius":
                if document.errorRadius != nil { document.duplicates.append("Error2Radius") }
                document.errorRadius = content
            case "Description" where parent == "How":
                document.howDescriptions.append(content)
            case "Concept":
                document.concepts.append(content)
            case "EventIVORN":
                document.citations.append(.init(ivorn: content, cite: citeAttribute ?? ""))
            default:
                break
            }
            _ = path.popLast()
            if path.isEmpty { isRootClosed = true }
            text = ""
        }
    }
}
