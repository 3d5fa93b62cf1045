/// Reads a VOEvent that was converted to JSON element by element (the `xmltodict` layout:
/// elements as keys, attributes as keys with or without a leading `@`, text as `#text`,
/// repeated elements as arrays) into a ``VOEventDocument``.
enum VOEventJSONReader {
    /// Whether a JSON document looks like a VOEvent in this layout.
    static func matches(_ json: JSONValue) -> Bool {
        json.attribute("ivorn") != nil && (json["What"] != nil || json["WhereWhen"] != nil || json["Who"] != nil)
    }

    static func read(_ json: JSONValue) -> VOEventDocument {
        var document = VOEventDocument()
        document.ivorn = json.attribute("ivorn")
        document.role = json.attribute("role")
        document.version = json.attribute("version")
        document.namespaceVersion = document.version
        document.whoDate = json["Who"]?["Date"]?.text
        document.authorShortName = json["Who"]?["Author"]?["shortName"]?.text

        if let what = json["What"] {
            for param in what["Param"]?.elements ?? [] { document.params.append(Self.param(param, group: nil)) }
            for group in what["Group"]?.elements ?? [] {
                let name = group.attribute("name")
                let type = group.attribute("type")
                for param in group["Param"]?.elements ?? [] {
                    document.params.append(Self.param(param, group: (name ?? type, type)))
                }
            }
        }

        let location = json["WhereWhen"]?["ObsDataLocation"]?["ObservationLocation"]
        let coords = location?["AstroCoords"]
        document.coordSystemID = coords?.attribute("coord_system_id") ?? location?["AstroCoordSystem"]?.attribute("id")
        document.isoTime = Self.single(coords?["Time"]?["TimeInstant"]?["ISOTime"], "ISOTime", &document)
        if let position = coords?["Position2D"] {
            document.positionUnit = position.attribute("unit")
            document.c1 = Self.single(position["Value2"]?["C1"], "C1", &document)
            document.c2 = Self.single(position["Value2"]?["C2"], "C2", &document)
            document.errorRadius = Self.single(position["Error2Radius"], "Error2Radius", &document)
        }
        document.howDescriptions = (json["How"]?["Description"]?.elements ?? []).compactMap(\.text)
        if let why = json["Why"] {
            document.importance = why.attribute("importance")
            for inference in why["Inference"]?.elements ?? [] {
                document.concepts += (inference["Concept"]?.elements ?? []).compactMap(\.text)
            }
        }
        for citation in json["Citations"]?["EventIVORN"]?.elements ?? [] {
            if let ivorn = citation.text { document.citations.append(.init(ivorn: ivorn, cite: citation.attribute("cite") ?? "")) }
        }
        return document
    }

    /// The text of an element that must appear once; a repeated one (xmltodict's array) is
    /// recorded in ``VOEventDocument/duplicates``.
    private static func single(_ value: JSONValue?, _ name: String, _ document: inout VOEventDocument) -> String? {
        if case .array(let items)? = value, items.count > 1 { document.duplicates.append(name) }
        return value?.text
    }

    private static func param(_ json: JSONValue, group: (name: String?, type: String?)?) -> VOEventDocument.Param {
        VOEventDocument.Param(
            name: json.attribute("name"), value: json.attribute("value") ?? json["Value"]?.text, unit: json.attribute("unit"),
            ucd: json.attribute("ucd"), dataType: json.attribute("dataType") ?? json.attribute("datatype"), group: group?.name,
            groupType: group?.type)
    }
}

extension JSONValue {
    /// An XML attribute in xmltodict's layout: `name` or `@name`.
    fileprivate func attribute(_ name: String) -> String? {
        (self[name] ?? self["@" + name])?.text
    }

    /// An element's text: a string, or the `#text` of an element with attributes.
    fileprivate var text: String? {
        if case .object = self { return self["#text"]?.string }
        return string
    }
}
