public import Foundation

/// Checks IANA time-zone names against the system's tz database: canonical names pass,
/// deprecated aliases (`US/Hawaii`, `Chile/Continental`) are reported with the canonical
/// name to use instead, and each zone's reference position allows a hemisphere check.
///
/// Reads `zone1970.tab`, `zone.tab` and `tzdata.zi` from `/usr/share/zoneinfo` (Debian's
/// tzdata); without them only `TimeZone(identifier:)` is consulted.
public struct TimeZoneNames: Sendable {
    /// Canonical zone names with the latitude of their reference city, degrees.
    private let canonicalLatitudes: [String: Double]
    /// Alias → canonical target, from the tz database's `L` (link) lines.
    private let links: [String: String]

    /// The names read from this machine's tz database (read once per process).
    public static let system = TimeZoneNames(directory: "/usr/share/zoneinfo")

    /// Reads the tables from a zoneinfo directory.
    public init(directory: String) {
        var latitudes: [String: Double] = ["UTC": 0, "Etc/UTC": 0]
        for table in ["zone1970.tab", "zone.tab"] {
            guard let text = try? String(contentsOfFile: directory + "/" + table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let fields = line.split(separator: "\t")
                guard fields.count >= 3 else { continue }
                latitudes[String(fields[2])] = Self.latitude(fromISO6709: String(fields[1]))
            }
        }
        var links: [String: String] = [:]
        if let text = try? String(contentsOfFile: directory + "/tzdata.zi", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("L ") {
                let fields = line.split(separator: " ")
                if fields.count == 3 { links[String(fields[2])] = String(fields[1]) }
            }
        }
        self.canonicalLatitudes = latitudes
        self.links = links
    }

    /// What a name is in the tz database.
    public enum Verdict: Sendable, Equatable {
        /// A canonical zone name.
        case canonical(TimeZone)
        /// A deprecated alias of the given canonical name.
        case alias(of: String)
        /// Not a zone name at all.
        case unknown
    }

    /// Classifies a zone name.
    public func verdict(for name: String) -> Verdict {
        if canonicalLatitudes[name] != nil, let zone = TimeZone(identifier: name) { return .canonical(zone) }
        if let target = links[name] {
            // Follow chains of links to the canonical name.
            var canonical = target
            var hops = 0
            while let next = links[canonical], hops < 5 { canonical = next; hops += 1 }
            return .alias(of: canonical)
        }
        if canonicalLatitudes.isEmpty, let zone = TimeZone(identifier: name) { return .canonical(zone) }
        return .unknown
    }

    /// The latitude of a canonical zone's reference city, degrees, if known.
    public func referenceLatitude(of name: String) -> Double? { canonicalLatitudes[name] }

    /// Parses the `±DDMM[SS]` latitude half of an ISO 6709 pair such as `+3114+12128`.
    private static func latitude(fromISO6709 text: String) -> Double? {
        let characters = Array(text)
        guard let end = characters.dropFirst().firstIndex(where: { $0 == "+" || $0 == "-" }) else { return nil }
        let part = String(characters[0..<end])
        let sign: Double = part.hasPrefix("-") ? -1 : 1
        let digits = part.dropFirst()
        guard digits.count >= 4, let degrees = Double(digits.prefix(2)), let minutes = Double(digits.dropFirst(2).prefix(2)) else {
            return nil
        }
        let seconds = digits.count >= 6 ? Double(digits.dropFirst(4).prefix(2)) ?? 0 : 0
        return sign * (degrees + minutes / 60 + seconds / 3600)
    }
}
