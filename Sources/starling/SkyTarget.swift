import ArgumentParser
import Foundation
import Sky
import StarlingCore

extension Starling.Sky {
    struct SkyTarget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "target",
            abstract: "When a target rises, transits and sets at a site, and when it is observable tonight.",
            discussion: """
                Observable means: astronomical night, altitude ≥ 30°, airmass ≤ 2, above the site's horizon \
                mask and at least 20° from the Moon (Starling's default constraints). The chart shows the \
                target's altitude from sunset to sunrise.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp("The site (see `starling sites`).", valueName: "ID"))
        var site: String

        @OptionGroup var night: NightOptions

        @OptionGroup var targetOptions: TargetOptions

        func run() async throws {
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            let site = try lookUp("--site") { () throws(UnknownNameError) in try network.site(named: self.site) }
            let date = night.localDate(at: site, now: WallClock().currentDate)
            let (target, catalog) = try targetOptions.resolve(in: layout)
            let label = catalog.map { "\(target.name) (\($0))" } ?? target.name
            let visibility: TargetVisibility
            do {
                visibility = try TargetVisibility(site: site, date: date, target: target.coordinates)
            } catch {
                printError("cannot compute \(label) from \(site.id) on the night of \(date): \(error)")
                throw ExitCode(1)
            }
            if options.json {
                try printJSON(visibility.document(label: label))
            } else {
                print(visibility.text(label: label))
            }
        }
    }
}

/// How `starling sky target` shows Sky's ``TargetVisibility``: text with a chart, or JSON.
extension TargetVisibility {
    func clock(_ date: Date?, zone: TimeZone = .gmt) -> String {
        date?.hourMinute(in: zone) ?? "—"
    }

    func text(label: String) -> String {
        var lines = ["\(label) from \(site.id), \(NightSpan(windows: windows, site: site.id).text); times UTC / local \(site.timeZone.identifier)"]
        if passage.isAlwaysUp { lines.append("circumpolar: above the horizon all night") }
        if passage.isNeverUp { lines.append("never rises at this site") }
        lines.append("rise     \(clock(passage.rise)) / \(clock(passage.rise, zone: site.timeZone))")
        lines.append("transit  \(clock(passage.transit)) / \(clock(passage.transit, zone: site.timeZone))   altitude \(String(format: "%.1f", passage.maximumAltitude.degrees))°")
        lines.append("set      \(clock(passage.set)) / \(clock(passage.set, zone: site.timeZone))")
        let spans = observableIntervals.map { "\(clock($0.start))–\(clock($0.end))" }
        lines.append(String(format: "observable %.1f h", observableHours) + (spans.isEmpty ? " (never, with altitude ≥ 30°, airmass ≤ 2, astronomical night, Moon ≥ 20°)" : ": " + spans.joined(separator: ", ")))
        lines.append("")
        lines.append(contentsOf: chart())
        return lines.joined(separator: "\n")
    }

    /// A text chart: altitude (rows, 90° at the top) against time (columns of 30 minutes).
    func chart() -> [String] {
        let columnStep = 6  // 6 × 5 min = 30 min per column
        let columns = stride(from: 0, to: instants.count, by: columnStep).map { $0 }
        var rows: [String] = []
        for level in stride(from: 80, through: 0, by: -10) {
            var row = String(format: "%3d° |", level)
            for index in columns {
                let altitude = altitudes[index]
                let dark = (windows.darkInterval(.astronomical)?.contains(instants[index])) ?? false
                row += altitude >= Double(level) && altitude < Double(level + 10) ? "*" : (altitude >= Double(level) ? "|" : (dark ? " " : "."))
            }
            rows.append(row)
        }
        rows.append("     +" + String(repeating: "-", count: columns.count))
        var axis = "      "
        // A time label every 3 hours (6 columns), each label 5 characters wide.
        for (number, index) in columns.enumerated() where number % 6 == 0 {
            axis += clock(instants[index]).padding(toLength: 6, withPad: " ", startingAt: 0)
        }
        rows.append(axis)
        rows.append("      UTC; one column per 30 min; '.' marks twilight")
        return rows
    }

    struct Document: Encodable {
        let target: String
        let site: String
        let date: String
        let night_start_utc: String
        let night_end_utc: String
        let rise_utc: String?
        let transit_utc: String?
        let set_utc: String?
        let maximum_altitude_deg: Double
        let circumpolar: Bool
        let never_rises: Bool
        let observable_hours: Double
        let observable_windows_utc: [[String]]
        let altitude_track: [Sample]

        struct Sample: Encodable {
            let utc: String
            let altitude_deg: Double
        }
    }

    func document(label: String) -> Document {
        func utc(_ date: Date?) -> String? { date.map { ISO8601.string(from: $0, fractionalSeconds: false) } }
        let span = NightSpan(windows: windows, site: site.id)
        return Document(
            target: label, site: site.id.rawValue, date: windows.localDate.description, night_start_utc: span.startUTC,
            night_end_utc: span.endUTC, rise_utc: utc(passage.rise),
            transit_utc: utc(passage.transit), set_utc: utc(passage.set),
            maximum_altitude_deg: (passage.maximumAltitude.degrees * 100).rounded() / 100, circumpolar: passage.isAlwaysUp,
            never_rises: passage.isNeverUp, observable_hours: (observableHours * 100).rounded() / 100,
            observable_windows_utc: observableIntervals.map { [utc($0.start)!, utc($0.end)!] },
            altitude_track: zip(instants, altitudes).map { Document.Sample(utc: utc($0)!, altitude_deg: ($1 * 100).rounded() / 100) })
    }
}
