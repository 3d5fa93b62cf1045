import ArgumentParser
import Coordination
import Foundation
import SkyMaps
import StarlingCore

extension Starling.Alert {
    struct Parse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the normalised alert of each notice file, or why it was refused.",
            discussion: "Exits 1 if any notice was refused. With --json prints one JSON document with an entry per file.")

        @OptionGroup var options: GlobalOptions

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
                    let notice = try AlertParser.parse(data)
                    entries.append(ParseEntry(file: file, notice: notice, skyMap: await Self.skyMapSummary(notice, raw: data, file: file)))
                } catch {
                    entries.append(ParseEntry(file: file, refusal: error.description, format: AlertParser.guessFormat(data)))
                }
            }
            if options.json {
                // Notice times carry fractions of a second; keep them (printJSON's ISO 8601 drops them).
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .custom { date, encoder in
                    var container = encoder.singleValueContainer()
                    try container.encode(ParseEntry.timeText(date))
                }
                print(String(decoding: try encoder.encode(ParseDocument(entries: entries)), as: UTF8.self))
            } else {
                for entry in entries { print(entry.text) }
            }
            if entries.contains(where: { $0.refused != nil }) { throw ExitCode(1) }
        }
    }
}

extension Starling.Alert.Parse {
    /// A summary of the alert's sky map when it is inside the notice or on disk (URLs are not
    /// downloaded here); `nil` when the alert has no such map.
    static func skyMapSummary(_ notice: ParsedNotice, raw: Data, file: String) async -> SkyMapSummary? {
        guard case .skyMap(let reference) = notice.alert.errorRegion else { return nil }
        if case .url = SkyMapLocation(reference) { return nil }
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        do {
            let map = try await SkyMapLoader(reader: FITSSkyMapReader(), baseDirectory: folder).skyMap(for: notice.alert, raw: raw)
            let peak = map.mostProbableDirection
            return SkyMapSummary(
                pixels: map.pixels.count, area50_deg2: map.credibleRegion(probability: 0.5).areaSquareDegrees,
                area90_deg2: map.credibleRegion(probability: 0.9).areaSquareDegrees, peak_ra_deg: peak.rightAscension.degrees,
                peak_dec_deg: peak.declination.degrees, distance_mean_mpc: map.distanceMeanMegaparsecs,
                distance_std_mpc: map.distanceStandardDeviationMegaparsecs, unreadable: nil)
        } catch {
            return SkyMapSummary(
                pixels: nil, area50_deg2: nil, area90_deg2: nil, peak_ra_deg: nil, peak_dec_deg: nil, distance_mean_mpc: nil,
                distance_std_mpc: nil, unreadable: error.description)
        }
    }
}

/// What `alert parse` says about a sky map it could read.
struct SkyMapSummary: Encodable {
    let pixels: Int?
    let area50_deg2: Double?
    let area90_deg2: Double?
    let peak_ra_deg: Double?
    let peak_dec_deg: Double?
    let distance_mean_mpc: Double?
    let distance_std_mpc: Double?
    let unreadable: String?

    var text: String {
        if let unreadable { return "cannot read the map: \(unreadable)" }
        var text = String(format: "%d pixels, 50%% in %.1f deg², 90%% in %.1f deg², peak %.3f %+.3f", pixels ?? 0, area50_deg2 ?? 0, area90_deg2 ?? 0, peak_ra_deg ?? 0, peak_dec_deg ?? 0)
        if let mean = distance_mean_mpc { text += String(format: ", distance %.1f ± %.1f Mpc", mean, distance_std_mpc ?? 0) }
        return text
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
    let sky_map: SkyMapSummary?
    let refused: String?

    init(file: String, notice: ParsedNotice, skyMap: SkyMapSummary?) {
        self.file = file
        format = notice.format.rawValue
        alert = notice.alert
        has_position = notice.alert.hasPosition
        remarks = notice.remarks
        sky_map = skyMap
        refused = nil
    }

    init(file: String, refusal: String, format: AlertFormat? = nil) {
        self.file = file
        self.format = format?.rawValue
        alert = nil
        has_position = nil
        remarks = nil
        sky_map = nil
        refused = refusal
    }

    /// A time to the precision notices give: milliseconds (`…52.810Z` for GCN's `52.81`), or
    /// microseconds when the instant is not a whole millisecond (LVK's `05.017147`).
    static func timeText(_ date: Date) -> String {
        let microseconds = (date.timeIntervalSince1970 * 1e6).rounded()
        let isWholeMillisecond = microseconds.truncatingRemainder(dividingBy: 1000) == 0
        return ISO8601.string(from: date, fractionDigits: isWholeMillisecond ? 3 : 6)
    }

    /// The text form: a header line per file, then the alert's facts.
    var text: String {
        guard let alert else { return "\(file): refused: \(refused ?? "")" }
        var lines = ["\(file): \(format ?? "") \(alert.id.rawValue)"]
        lines.append("  event      \(alert.eventID) (\(alert.mission) \(alert.noticeType), serial \(alert.serial)\(alert.isRetraction ? ", RETRACTION" : ""))")
        lines.append("  kind       \(alert.kind.rawValue), role \(alert.role.rawValue)")
        lines.append("  time       \(Self.timeText(alert.eventTime))\(alert.issuedTime.map { " (issued \(Self.timeText($0)))" } ?? "")")
        if let position = alert.position {
            lines.append("  position   \(position) (\(String(format: "%.5f", position.rightAscension.degrees)), \(String(format: "%+.5f", position.declination.degrees)))")
        } else {
            lines.append("  position   none")
        }
        switch alert.errorRegion {
        case .none: lines.append("  error      none")
        case .circle(let radius):
            let containment = alert.errorContainment.map { String(format: " (%.0f%% containment)", $0 * 100) } ?? " (containment unstated: 90% assumed)"
            var line = "  error      circle \(String(format: "%.4f", radius.degrees))°\(containment)"
            if let stated = alert.errorContainment, stated != 0.9, let radius90 = alert.errorRadius(containing: 0.9) {
                line += String(format: "; 90%%: %.4f°", radius90.degrees)
            }
            lines.append(line)
        case .skyMap(let reference): lines.append("  error      sky map \(reference.location)")
        }
        if let sky_map { lines.append("  sky map    \(sky_map.text)") }
        if let distance = alert.distance {
            lines.append("  distance   \(distance.meanMegaparsecs) Mpc\(distance.sigmaMegaparsecs.map { " ± \($0)" } ?? "")")
        }
        if let far = alert.falseAlarmRateHertz { lines.append("  FAR        \(far) Hz") }
        if let significance = alert.significance { lines.append("  signif.    \(significance) σ") }
        if let veto = alert.followUpVeto {
            lines.append("  follow-up  NOT FOLLOWED: \(veto)")
        } else if !alert.hasPosition {
            lines.append("  (no position: recorded, not scheduled)")
        }
        for remark in remarks ?? [] { lines.append("  note       \(remark)") }
        return lines.joined(separator: "\n")
    }
}
