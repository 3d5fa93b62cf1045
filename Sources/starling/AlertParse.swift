import ArgumentParser
import Coordination
import Foundation
import StarlingCore

extension Starling.Alert {
    struct Parse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the normalised alert of each notice file, or why it was refused.",
            discussion: "Exits 1 if any notice was refused. With --json prints one JSON document with an entry per file.")

        @Flag(help: "Print JSON instead of text.")
        var json = false

        @Argument(help: ArgumentHelp("Notice files (VOEvent XML or JSON).", valueName: "FILE"))
        var files: [String]

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("give at least one notice file") }
        }

        func run() async throws {
            var entries: [ParseEntry] = []
            for file in files {
                let data: Data
                do {
                    data = try Data(contentsOf: URL(fileURLWithPath: file))
                } catch {
                    entries.append(ParseEntry(file: file, refusal: "cannot read the file (\(error.localizedDescription))"))
                    continue
                }
                do {
                    entries.append(ParseEntry(file: file, notice: try AlertParser.parse(data)))
                } catch {
                    entries.append(ParseEntry(file: file, refusal: error.description, format: AlertParser.guessFormat(data)))
                }
            }
            if json {
                // Notice times carry fractions of a second; keep them (printJSON's ISO 8601 drops them).
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .custom { date, encoder in
                    var container = encoder.singleValueContainer()
                    try container.encode(ISO8601.string(from: date, fractionalSeconds: true))
                }
                print(String(decoding: try encoder.encode(ParseDocument(entries: entries)), as: UTF8.self))
            } else {
                for entry in entries { print(entry.text) }
            }
            if entries.contains(where: { $0.refused != nil }) { throw ExitCode(1) }
        }
    }
}

/// The JSON shape of `starling alert parse --json`.
struct ParseDocument: Encodable {
    let entries: [ParseEntry]
}

/// One file's result.
struct ParseEntry: Encodable {
    let file: String
    let format: String?
    let alert: Alert?
    let has_position: Bool?
    let remarks: [String]?
    let refused: String?

    init(file: String, notice: ParsedNotice) {
        self.file = file
        format = notice.format.rawValue
        alert = notice.alert
        has_position = notice.alert.hasPosition
        remarks = notice.remarks
        refused = nil
    }

    init(file: String, refusal: String, format: AlertFormat? = nil) {
        self.file = file
        self.format = format?.rawValue
        alert = nil
        has_position = nil
        remarks = nil
        refused = refusal
    }

    /// The text form: a header line per file, then the alert's facts.
    var text: String {
        guard let alert else { return "\(file): refused: \(refused ?? "")" }
        var lines = ["\(file): \(format ?? "") \(alert.id.rawValue)"]
        lines.append("  event      \(alert.eventID) (\(alert.mission) \(alert.noticeType), serial \(alert.serial)\(alert.isRetraction ? ", RETRACTION" : ""))")
        lines.append("  kind       \(alert.kind.rawValue), role \(alert.role.rawValue)")
        lines.append("  time       \(ISO8601.string(from: alert.eventTime))\(alert.issuedTime.map { " (issued \(ISO8601.string(from: $0)))" } ?? "")")
        if let position = alert.position {
            lines.append("  position   \(position) (\(String(format: "%.5f", position.rightAscension.degrees)), \(String(format: "%+.5f", position.declination.degrees)))")
        } else {
            lines.append("  position   none")
        }
        switch alert.errorRegion {
        case .none: lines.append("  error      none")
        case .circle(let radius):
            let containment = alert.errorContainment.map { String(format: " (%.0f%%)", $0 * 100) } ?? ""
            lines.append("  error      circle \(String(format: "%.4f", radius.degrees))°\(containment)")
        case .skyMap(let reference): lines.append("  error      sky map \(reference.location)")
        }
        if let distance = alert.distance {
            lines.append("  distance   \(distance.meanMegaparsecs) Mpc\(distance.sigmaMegaparsecs.map { " ± \($0)" } ?? "")")
        }
        if let far = alert.falseAlarmRateHertz { lines.append("  FAR        \(far) Hz") }
        if let significance = alert.significance { lines.append("  signif.    \(significance) σ") }
        if !alert.hasPosition { lines.append("  (no position: recorded, not scheduled)") }
        for remark in remarks ?? [] { lines.append("  note       \(remark)") }
        return lines.joined(separator: "\n")
    }
}
