import Foundation
public import StarlingCore

/// A night plan as an iCalendar file (RFC 5545), for people: one event per planned
/// observation, to open beside one's own calendar.
///
/// Each `VEVENT` has a `UID` made of the plan id and the observation's place in it, a
/// `DTSTAMP` of when the plan was made, `DTSTART`/`DTEND` in iCalendar's UTC form
/// (`20261124T051200Z`, RFC 5545 §3.3.5 form #2), a `SUMMARY` with the target, filter and
/// exposures, the site as `LOCATION` and `GEO` (latitude;longitude in decimal degrees,
/// §3.8.1.6), the kind of request as `CATEGORIES`, and a `DESCRIPTION` with RA (hours,
/// sexagesimal) and Dec (degrees, sexagesimal), altitude, airmass and the scheduler's reason.
/// Text is escaped (§3.3.11) and lines longer than 75 octets folded (§3.1), with CRLF ends.
public struct PlanICalendar: NightPlanExporter {
    public static let fileExtension = "ics"

    public init() {}

    public func export(_ plan: NightPlan, at site: Site) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Starling//Night plan export//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:" + Self.text("\(plan.telescopeID) at \(site.name), night of \(plan.night)"),
        ]
        for (index, entry) in plan.entries.enumerated() {
            let target = entry.request.target
            let exposures = entry.request.exposures.map { "\($0.filter.name) \($0.count)×\(formatFixed($0.exposureSeconds, decimals: 0)) s" }
            let description = [
                "RA \(Sexagesimal.format(target.coordinates.rightAscension, unit: .hours, secondsDecimals: 2)) "
                    + "Dec \(Sexagesimal.format(target.coordinates.declination, unit: .degrees)) (ICRS)",
                "Exposures: " + exposures.joined(separator: ", "),
                "Altitude \(formatFixed(entry.altitudeStart.degrees, decimals: 1))° → \(formatFixed(entry.altitudeEnd.degrees, decimals: 1))°, "
                    + "airmass ≤ \(formatFixed(entry.airmass, decimals: 2)), merit \(formatFixed(entry.merit, decimals: 2))",
                entry.reason,
            ]
            lines += [
                "BEGIN:VEVENT",
                "UID:\(Self.text(plan.id.rawValue))-\(index + 1)@starling",
                "DTSTAMP:" + Self.utc(plan.createdAt),
                "DTSTART:" + Self.utc(entry.start),
                "DTEND:" + Self.utc(entry.end),
                "SUMMARY:" + Self.text("\(target.name) · " + exposures.joined(separator: ", ")),
                "LOCATION:" + Self.text(site.name),
                "GEO:\(formatFixed(site.location.latitude.degrees, decimals: 6));\(formatFixed(site.location.longitude.degrees, decimals: 6))",
                "CATEGORIES:" + Self.text(entry.request.kind.rawValue),
                "DESCRIPTION:" + Self.text(description.joined(separator: "\n")),
                "TRANSP:TRANSPARENT",
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map { Self.folded($0) + "\r\n" }.joined()
    }

    /// A UTC instant in iCalendar's DATE-TIME form: `YYYYMMDDTHHMMSSZ` (whole seconds).
    static func utc(_ date: Date) -> String {
        ISO8601.string(from: date, fractionalSeconds: false).filter { $0 != "-" && $0 != ":" }
    }

    /// TEXT escaped as RFC 5545 §3.3.11 says: backslash, semicolon and comma escaped, a line break as `\n`.
    static func text(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case ";": escaped += "\\;"
            case ",": escaped += "\\,"
            case "\n", "\r\n", "\r": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A content line folded after at most 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
    static func folded(_ line: String) -> String {
        var result = "", octets = 0
        for character in line {
            let size = String(character).utf8.count
            // Continuation lines start with one space, which counts towards their 75 octets.
            if octets + size > 75 {
                result += "\r\n "
                octets = 1
            }
            result.append(character)
            octets += size
        }
        return result
    }
}
