import ArgumentParser
import Foundation
import StarlingCore

// Typed command-line values (STYLE.md: `ExpressibleByArgument` rather than strings checked
// by hand). Each parses what people type, refuses the rest (argument-parser then names the
// option and prints its help, which lists the accepted forms), and says how it was read.

/// A calendar date typed as `YYYY-MM-DD`.
struct DateArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let date: CalendarDate

    init?(argument: String) {
        guard let date = CalendarDate(argument) else { return nil }
        self.date = date
    }

    init(_ date: CalendarDate) { self.date = date }

    var description: String { date.description }
    static var defaultValueDescription: String { "YYYY-MM-DD" }
}

/// A UTC instant typed as ISO 8601 (`2026-11-23T14:00:00Z`, with an offset, without seconds)
/// or as people write it (`2026-11-23 14:00`, read as UTC).
struct InstantArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let date: Date
    let text: String

    init?(argument: String) {
        guard let date = ISO8601.date(from: argument) else { return nil }
        self.date = date
        text = argument
    }

    var description: String { text }
    /// The instant as Starling prints it, `2026-11-23T14:00:00Z`.
    var utc: String { ISO8601.string(from: date, fractionalSeconds: false) }
}

/// A right ascension: decimal degrees (`35.5`), or sexagesimal hours (`02:22:40`,
/// `02 22 40.5`, `2h22m40s`), or degrees written with `d` (`35d30m`).
struct RightAscensionArgument: ExpressibleByArgument, Sendable {
    let angle: Angle
    let text: String
    /// Whether the text was sexagesimal hours (else degrees).
    let isHours: Bool

    init?(argument: String) {
        let (angle, isHours) = AngleReading.read(argument, sexagesimalUnit: .hours)
        guard let angle, (0..<360).contains(angle.degrees) else { return nil }
        self.angle = angle
        self.text = argument
        self.isHours = isHours
    }

    /// How the text was understood, e.g. `--ra 02:22:40 read as hours: 35.66667°`.
    var reading: String {
        "--ra \(text) read as \(isHours ? "hours" : "degrees"): \(String(format: "%.5f", angle.degrees))° = \(Sexagesimal.format(angle, unit: .hours, secondsDecimals: 2))"
    }
}

/// A declination: decimal degrees (`-69.3`) or sexagesimal degrees (`-69:18:00`, `+41d16m09s`).
struct DeclinationArgument: ExpressibleByArgument, Sendable {
    let angle: Angle
    let text: String

    init?(argument: String) {
        let (angle, isHours) = AngleReading.read(argument, sexagesimalUnit: .degrees)
        guard let angle, !isHours, (-90...90).contains(angle.degrees) else { return nil }
        self.angle = angle
        self.text = argument
    }

    var isSexagesimal: Bool { AngleReading.isSexagesimal(text) }

    /// How the text was understood, e.g. `--dec -05:20:11 read as degrees: -5.33639°`.
    var reading: String { "--dec \(text) read as degrees: \(String(format: "%+.5f", angle.degrees))°" }
}

/// Reading an angle typed by a person: one number is degrees; several fields (or a unit
/// letter) are sexagesimal in the given unit unless an `h` or `d` says otherwise.
enum AngleReading {
    static func isSexagesimal(_ text: String) -> Bool {
        Double(text.trimmingCharacters(in: .whitespaces)) == nil
    }

    /// The angle and whether it was read as hours.
    static func read(_ text: String, sexagesimalUnit: Sexagesimal.Unit) -> (Angle?, Bool) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let degrees = Double(trimmed) { return (degrees.isFinite ? .degrees(degrees) : nil, false) }
        let lowered = trimmed.lowercased()
        let unit: Sexagesimal.Unit = lowered.contains("d") || lowered.contains("°") ? .degrees : sexagesimalUnit
        guard let angle = Sexagesimal.parse(trimmed, unit: unit) else { return (nil, false) }
        return (angle, lowered.contains("h") || unit == .hours)
    }
}

/// An http(s) URL given on the command line.
struct ServerURL: ExpressibleByArgument, Sendable {
    let url: URL

    init(url: URL) { self.url = url }

    init?(argument: String) {
        guard let url = URL(string: argument), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else { return nil }
        self.url = url
    }

    var defaultValueDescription: String { url.absoluteString }
}
