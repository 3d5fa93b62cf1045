package import Foundation

extension Date {
    /// The time of day as `HH:mm` (24-hour) in a time zone: the times in tables and reasons.
    package func hourMinute(in zone: TimeZone = .gmt) -> String {
        formatted(Date.VerbatimFormatStyle(
            format: "\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)", timeZone: zone,
            calendar: Calendar(identifier: .gregorian)))
    }

    /// The time of day as `HH:mm:ss` (24-hour) in a time zone.
    package func hourMinuteSecond(in zone: TimeZone = .gmt) -> String {
        formatted(Date.VerbatimFormatStyle(
            format: "\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits)",
            timeZone: zone, calendar: Calendar(identifier: .gregorian)))
    }
}
