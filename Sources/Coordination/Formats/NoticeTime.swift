package import Foundation
import StarlingCore

/// Times as notices write them, read to the microsecond without a `DateFormatter`.
///
/// Accepted: `YYYY-MM-DDThh:mm:ss[.f…][Z|±hh:mm|±hhmm]`, with a space instead of the `T`
/// (CHIME), without a zone (VOEvent `ISOTime` is UTC by definition; GCN JSON says UTC), and
/// `YYYY-MM-DD` alone (midnight). A leap second (`…:60`) is read as the first instant of
/// the next minute: `Date` counts no leap seconds. A UTC offset must be a real one: at most
/// ±14:00 (Kiribati's), with minutes under 60; `+25:00` would shift the time by a day.
///
/// The fraction is read as an integer over its power of ten, so `.81` is the `Double` nearest
/// 0.81 s, not a sum of rounded tenths and hundredths.
package enum NoticeTime {
    /// The largest UTC offset in use (Line Islands, UTC+14:00), in minutes.
    static let maximumOffsetMinutes = 14 * 60

    /// Parses an ISO 8601 time, returning `nil` when the text is not one.
    package static func parse(_ text: String) -> Date? {
        let bytes = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        var index = 0

        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }

        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
            let day = digits(2), (1...12).contains(month), (1...CivilCalendar.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var wholeSeconds = CivilCalendar.days(year: year, month: month, day: day) * 86_400
        if index == bytes.count { return Date(timeIntervalSince1970: Double(wholeSeconds)) }
        guard expect(UInt8(ascii: "T")) || expect(UInt8(ascii: " ")) else { return nil }
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2), expect(UInt8(ascii: ":")),
            let second = digits(2), hour < 24, minute < 60, second <= 60
        else { return nil }
        wholeSeconds += hour * 3600 + minute * 60 + second
        var fraction = 0.0
        if expect(UInt8(ascii: ".")) {
            // Up to 15 significant digits as an integer (exact in a Double), the rest ignored.
            var numerator: Int64 = 0
            var denominator: Int64 = 1
            var count = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if count < 15 {
                    numerator = numerator * 10 + Int64(bytes[index] - 48)
                    denominator *= 10
                }
                index += 1
                count += 1
            }
            guard count > 0 else { return nil }
            fraction = Double(numerator) / Double(denominator)
        }
        if index < bytes.count {
            if expect(UInt8(ascii: "Z")) {
            } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                let sign = bytes[index] == UInt8(ascii: "+") ? 1 : -1
                index += 1
                guard let offsetHours = digits(2) else { return nil }
                var offsetMinutes = 0
                if expect(UInt8(ascii: ":")) {
                    guard let minutes = digits(2) else { return nil }
                    offsetMinutes = minutes
                } else if index < bytes.count {
                    guard let minutes = digits(2) else { return nil }
                    offsetMinutes = minutes
                }
                let total = offsetHours * 60 + offsetMinutes
                guard offsetMinutes < 60, total <= maximumOffsetMinutes else { return nil }
                wholeSeconds -= sign * total * 60
            } else {
                return nil
            }
        }
        guard index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: Double(wholeSeconds) + fraction)
    }

    /// Why ``parse(_:)`` refused a time, for the refusal's message.
    static func problem(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let sign = trimmed.dropFirst(19).firstIndex(where: { $0 == "+" || $0 == "-" }) {
            let offset = trimmed[sign...]
            return "'\(text)' is not an ISO 8601 time (UTC offset \(offset): at most ±14:00, minutes under 60)"
        }
        return "'\(text)' is not an ISO 8601 time"
    }

    /// TAI − UTC in seconds at a UTC instant (IERS Bulletin C; 37 s since 2017-01-01).
    /// Used to bring times that VOEvents state in TT or TDB (Gaia's `TDB-ICRS-BARY`) to UTC.
    static func taiMinusUTC(at date: Date) -> Double {
        let seconds = date.timeIntervalSince1970
        // (first instant in force, seconds since 1970; TAI − UTC).
        for (start, offset) in leapSeconds.reversed() where seconds >= start { return offset }
        return 10
    }

    /// The step dates of TAI − UTC since 1972 (IERS Bulletin C 70; no step after 2017-01-01).
    private static let leapSeconds: [(Double, Double)] = [
        (63_072_000, 10), (78_796_800, 11), (94_694_400, 12), (126_230_400, 13), (157_766_400, 14),
        (189_302_400, 15), (220_924_800, 16), (252_460_800, 17), (283_996_800, 18), (315_532_800, 19),
        (362_793_600, 20), (394_329_600, 21), (425_865_600, 22), (489_024_000, 23), (567_993_600, 24),
        (631_152_000, 25), (662_688_000, 26), (709_948_800, 27), (741_484_800, 28), (773_020_800, 29),
        (820_454_400, 30), (867_715_200, 31), (915_148_800, 32), (1_136_073_600, 33), (1_230_768_000, 34),
        (1_341_100_800, 35), (1_435_708_800, 36), (1_483_228_800, 37),
    ]

    /// Converts an instant written in a VOEvent time scale to UTC: TT and TDB are ahead of
    /// UTC by 32.184 s + (TAI − UTC) (TDB differs from TT by < 2 ms, neglected); TAI by
    /// TAI − UTC; GPS by TAI − UTC − 19 s.
    static func toUTC(_ date: Date, scale: String) -> Date? {
        switch scale.uppercased() {
        case "UTC": return date
        case "TT", "TDB", "TCB", "TCG":
            // TCB and TCG are taken as TDB and TT: they run faster by 1.55e-8 and 7e-10 (IAU
            // 2006 B3), about 20 s and 1 s apart in the 2010s, immaterial to a follow-up of
            // the optical transients that use them (Gaia alerts).
            return date.addingTimeInterval(-(32.184 + taiMinusUTC(at: date)))
        case "TAI": return date.addingTimeInterval(-taiMinusUTC(at: date))
        case "GPS": return date.addingTimeInterval(-(taiMinusUTC(at: date) - 19))
        default: return nil
        }
    }
}
