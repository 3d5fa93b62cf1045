public import Foundation

/// An instant in UTC, the time every agent, plan and record speaks.
///
/// Both ``WallClock`` and ``SimulationClock`` tell time in `UTCInstant`s, so code written
/// against ``UTCClock`` runs unchanged in production and in a simulated night.
public struct UTCInstant: InstantProtocol, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z (POSIX time; leap seconds not counted).
    public let secondsSince1970: Double

    public init(secondsSince1970: Double) { self.secondsSince1970 = secondsSince1970 }
    public init(_ date: Date) { self.secondsSince1970 = date.timeIntervalSince1970 }

    /// The instant as a Foundation `Date`.
    public var date: Date { Date(timeIntervalSince1970: secondsSince1970) }

    public func advanced(by duration: Duration) -> UTCInstant {
        UTCInstant(secondsSince1970: secondsSince1970 + duration.seconds)
    }

    public func duration(to other: UTCInstant) -> Duration {
        .seconds(other.secondsSince1970 - secondsSince1970)
    }

    public static func < (lhs: UTCInstant, rhs: UTCInstant) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }

    /// ISO 8601 with milliseconds, e.g. `2026-11-23T18:42:07.125Z`.
    public var description: String { ISO8601.string(from: date) }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

/// ISO 8601 formatting and lenient parsing of UTC instants.
public enum ISO8601 {
    /// Formats with milliseconds and a `Z`.
    public static func string(from date: Date, fractionalSeconds: Bool = true) -> String {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: fractionalSeconds, timeZone: .gmt)
        return date.formatted(style)
    }

    /// Whether `HH:mm:ss` after the `T` are an hour < 24, a minute < 60 and a second < 61
    /// (a leap second).
    private static func clockFieldsInRange(_ text: String) -> Bool {
        let clock = Array(text.dropFirst(11).prefix(8))
        func number(_ range: Range<Int>) -> Int? { range.upperBound <= clock.count ? Int(String(clock[range])) : nil }
        guard let hour = number(0..<2), let minute = number(3..<5) else { return false }
        let second = number(6..<8) ?? 0
        return hour < 24 && minute < 60 && second < 61
    }

    /// Parses `2026-11-23T18:42:07Z`, with or without fractional seconds, with `Z`, an offset
    /// or no zone (read as UTC), with a space instead of `T`, and without seconds
    /// (`2026-11-23 14:00`, as people type it).
    ///
    /// - Returns: the instant, or `nil` when the text is not an ISO 8601 date-time.
    public static func date(from text: String) -> Date? {
        var normalized = text.trimmingWhitespace()
        guard normalized.count >= 16 else { return nil }
        if normalized.count > 10 {
            let index = normalized.index(normalized.startIndex, offsetBy: 10)
            if normalized[index] == " " { normalized.replaceSubrange(index...index, with: "T") }
        }
        // `HH:mm` without seconds: add them.
        let clock = Array(normalized.dropFirst(11).prefix(6))
        if clock.count >= 5, clock[0].isNumber, clock[1].isNumber, clock[2] == ":", clock[3].isNumber, clock[4].isNumber,
            clock.count == 5 || clock[5] != ":"
        {
            normalized.insert(contentsOf: ":00", at: normalized.index(normalized.startIndex, offsetBy: 16))
        }
        // Foundation's parser rolls an out-of-range field over (25:00 becomes 01:00 the next
        // day, 02-30 becomes 03-02): refuse them instead.
        guard CalendarDate(String(normalized.prefix(10))) != nil, Self.clockFieldsInRange(normalized) else { return nil }
        let hasZone = normalized.hasSuffix("Z") || normalized.dropFirst(19).contains("+")
            || normalized.dropFirst(19).contains("-")
        if !hasZone { normalized += "Z" }
        for fractional in [false, true] {
            let style = Date.ISO8601FormatStyle(includingFractionalSeconds: fractional, timeZone: .gmt)
            if let date = try? style.parse(normalized) { return date }
        }
        // Fractions with more or fewer than three digits: parse the whole seconds, add the fraction.
        if let dot = normalized.firstIndex(of: ".") {
            var end = normalized.index(after: dot)
            while end < normalized.endIndex, normalized[end].isNumber { end = normalized.index(after: end) }
            let fraction = Double("0" + normalized[dot..<end]) ?? 0
            let trimmed = String(normalized[..<dot]) + String(normalized[end...])
            let style = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)
            if let date = try? style.parse(trimmed) { return date.addingTimeInterval(fraction) }
        }
        return nil
    }
}
