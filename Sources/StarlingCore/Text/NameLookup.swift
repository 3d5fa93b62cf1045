/// Looking up a name someone typed among the names Starling knows, and saying plainly when
/// it is not one: the nearest known name when it is likely a typo ("did you mean"), else the
/// list. `starling validate` suggests field names with it; the CLI suggests site, telescope,
/// filter and catalog names with it.
public enum NameLookup {
    /// The known name nearest a mistyped one, when it is close enough to be a typo: at most
    /// two edits away, or a third of the name's length for long names. Case is ignored.
    ///
    /// - Returns: the suggestion, or `nil` when no known name is that close.
    public static func suggestion(for name: String, among known: some Sequence<String>) -> String? {
        let typed = name.lowercased()
        let limit = max(2, typed.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in known where abs(candidate.count - typed.count) <= limit {
            let distance = editDistance(typed, candidate.lowercased())
            if distance <= limit, best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        return best?.name
    }

    /// Levenshtein distance between two strings, in characters.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// A name that is not one of the known ones: a site, telescope, filter, catalog or target.
///
/// Its ``description`` is the line the CLI prints, e.g.
/// `no site 'haleakla' (did you mean 'haleakala'?)` or
/// `no filter 'Ha' on la-palma-1m-a (it has u, g, r, i, z)`.
public struct UnknownNameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of thing was looked up: `site`, `telescope`, `filter`, …
    public let kind: String
    /// The name as typed.
    public let name: String
    /// Where it was looked up, e.g. `on la-palma-1m-a`; `nil` for the whole array.
    public let scope: String?
    /// The names that are known there.
    public let known: [String]
    /// The known name nearest the typed one, when it looks like a typo.
    public let suggestion: String?
    /// The names that all match ignoring case when none matches exactly (e.g. `Ha` on a
    /// wheel with `HA` and `ha`).
    public let candidates: [String]
    /// Whether the description lists the known names when there is no suggestion (not for
    /// thousands of catalog names).
    public let listsKnown: Bool

    public init(kind: String, name: String, scope: String? = nil, known: [String], candidates: [String] = [], listsKnown: Bool = true) {
        self.kind = kind
        self.name = name
        self.scope = scope
        self.known = listsKnown ? known : []
        self.candidates = candidates
        self.listsKnown = listsKnown
        suggestion = candidates.isEmpty ? NameLookup.suggestion(for: name, among: known) : nil
    }

    public var description: String {
        let place = scope.map { " \($0)" } ?? ""
        if !candidates.isEmpty {
            return "\(kind) '\(name)'\(place) is ambiguous: it matches \(candidates.map { "'\($0)'" }.joined(separator: " and ")); type one exactly"
        }
        if let suggestion { return "no \(kind) '\(name)'\(place) (did you mean '\(suggestion)'?)" }
        let list = known.count > 30 ? known.prefix(30).joined(separator: ", ") + ", …" : known.joined(separator: ", ")
        return "no \(kind) '\(name)'\(place)" + (known.isEmpty ? "" : " (known: \(list))")
    }
}
