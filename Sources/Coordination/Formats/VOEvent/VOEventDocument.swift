import Foundation

/// What Starling reads from a VOEvent, whichever way it came (XML, or XML turned into JSON):
/// the packet's identity, its `What` parameters and its `WhereWhen` position.
///
/// Element paths follow the IVOA VOEvent 2.0 recommendation (§3); VOEvent 1.1 has the same
/// elements in another namespace.
struct VOEventDocument: Sendable {
    /// One `<Param>`, with the `<Group>` it sits in.
    struct Param: Sendable, Hashable {
        var name: String?
        var value: String?
        var unit: String?
        var ucd: String?
        var dataType: String?
        /// The enclosing group's `name` (or `type` when it has no name).
        var group: String?
        var groupType: String?
    }

    /// A cited earlier notice (`<Citations><EventIVORN cite="…">`).
    struct Citation: Sendable, Hashable {
        var ivorn: String
        var cite: String
    }

    var ivorn: String?
    var role: String?
    /// The `version` attribute.
    var version: String?
    /// `2.0` or `1.1` from the root element's namespace, or `nil` without one.
    var namespaceVersion: String?
    var whoDate: String?
    var authorShortName: String?
    var params: [Param] = []
    var isoTime: String?
    var coordSystemID: String?
    var positionUnit: String?
    var c1: String?
    var c2: String?
    var errorRadius: String?
    var howDescriptions: [String] = []
    var concepts: [String] = []
    var importance: String?
    var citations: [Citation] = []
    /// Departures from the schema noticed while reading (`attribute datatype read as dataType`).
    var quirks: [String] = []
    /// Elements that must appear once but appeared again (`C1`, `Error2Radius`, …): which of
    /// the values is meant cannot be known, so the packet is refused.
    var duplicates: [String] = []

    /// The first parameter with this name (case-insensitive), in any group.
    func param(_ name: String) -> Param? {
        let lowered = name.lowercased()
        return params.first { $0.name?.lowercased() == lowered }
    }

    /// The trimmed value of the first parameter with this name, if not empty.
    func value(_ name: String) -> String? {
        guard let value = param(name)?.value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Parameters of a group (by name or type, case-insensitive).
    func params(inGroup group: String) -> [Param] {
        let lowered = group.lowercased()
        return params.filter { $0.group?.lowercased() == lowered || $0.groupType?.lowercased() == lowered }
    }
}
