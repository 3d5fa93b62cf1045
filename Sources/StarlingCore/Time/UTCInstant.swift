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
    /// Formats with milliseconds (or whole seconds) and a `Z`, rounded to the nearest
    /// millisecond: `2018-01-16T00:36:52.810Z` for an instant read from `…52.81`.
    ///
    /// Rounded, not truncated: a `Date` holds `…52.81` as `…52.80999994`, which truncation
    /// (Foundation's `ISO8601FormatStyle`) would print as `.809`.
    public static func string(from date: Date, fractionalSeconds: Bool = true) -> String {
        string(from: date, fractionDigits: fractionalSeconds ? 3 : 0)
    }

    /// Formats rounded to `fractionDigits` (0…6) decimals of a second, with a `Z`:
    /// `2019-04-25T08:18:05.017147Z` with 6.
    public static func string(from date: Date, fractionDigits: Int) -> String {
        let digits = min(6, max(0, fractionDigits))
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = (date.timeIntervalSince1970 * Double(scale)).rounded()
        // Dates beyond ±290,000 years (or not finite) cannot be split into integers; Foundation formats them.
        guard scaled.isFinite, abs(scaled) < 9e18 else {
            return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: digits > 0, timeZone: .gmt))
        }
        let total = Int64(scaled)
        let seconds = floorDivision(total, scale)
        let fraction = total - seconds * scale
        let days = floorDivision(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = CivilCalendar.date(daysSince1970: Int(days))
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
        if digits > 0 {
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text + "Z"
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> Int64 {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
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

/// The proleptic Gregorian calendar as day counts since 1970-01-01, without a `Calendar`
/// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms": `days_from_civil`,
/// `civil_from_days`).
package enum CivilCalendar {
    /// Days since 1970-01-01 of a date.
    package static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01.
    package static func date(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
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

    /// The number of days in a month (1…12) of a year.
    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
