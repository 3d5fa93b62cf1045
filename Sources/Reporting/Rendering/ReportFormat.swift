import Foundation
import StarlingCore

/// How numbers, times and durations are written in reports: fixed decimals without
/// locale machinery (reports read the same everywhere), times in UTC.
enum ReportFormat {
    private static let gregorianUTC: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        return calendar
    }()

    /// `HH:MM` in UTC.
    static func utcTime(_ date: Date) -> String {
        let parts = gregorianUTC.dateComponents([.hour, .minute], from: date)
        return pad(parts.hour ?? 0) + ":" + pad(parts.minute ?? 0)
    }

    /// `YYYY-MM-DD HH:MM` in UTC.
    static func utcDateTime(_ date: Date) -> String {
        let parts = gregorianUTC.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return "\(parts.year ?? 0)-\(pad(parts.month ?? 0))-\(pad(parts.day ?? 0)) \(pad(parts.hour ?? 0)):\(pad(parts.minute ?? 0))"
    }

    /// `HH:MM` in a time zone.
    static func localTime(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = gregorianUTC
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return pad(parts.hour ?? 0) + ":" + pad(parts.minute ?? 0)
    }

    /// A number with fixed decimals, or `—` when absent.
    static func number(_ value: Double?, _ decimals: Int) -> String {
        guard let value, value.isFinite else { return "—" }
        return formatFixed(value, decimals: decimals)
    }

    /// A fraction as a whole percentage, or `—`.
    static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return "—" }
        return formatFixed(fraction * 100, decimals: 0) + " %"
    }

    /// A probability as a percentage precise enough to tell small ones apart: `0.46 %`, `65.1 %`.
    static func probability(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return formatFixed(value * 100, decimals: value < 0.1 ? 2 : 1) + " %"
    }

    /// Hours with one decimal and `h`.
    static func hours(_ hours: Double) -> String { formatFixed(hours, decimals: 1) + " h" }

    /// A delay in seconds as `42 s`, `3 min 05 s` or `2 h 10 min`.
    static func delay(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        let whole = Int(seconds.rounded())
        if abs(whole) < 120 { return "\(whole) s" }
        if abs(whole) < 7200 { return "\(whole / 60) min \(pad(abs(whole) % 60)) s" }
        return "\(whole / 3600) h \(pad(abs(whole) / 60 % 60)) min"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// A file-name-safe form of an id: letters, digits, `-`, `_` and `.` kept, others as `_`.
    static func fileName(_ id: String) -> String {
        let safe = id.unicodeScalars.map { scalar -> Character in
            let allowed = CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || "-_.".unicodeScalars.contains(scalar)
            return allowed ? Character(scalar) : "_"
        }
        let name = String(safe)
        return name.isEmpty || name.hasPrefix(".") ? "_" + name : name
    }
}
