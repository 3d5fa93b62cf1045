import ArgumentParser
import Foundation
import Sky
import StarlingCore

extension Starling.Sky {
    struct SkyNight: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "night",
            abstract: "The night's sunset, twilights, sunrise, and the Moon, at one site or all of them.",
            discussion: """
                Times are for the night that begins on the given local date in the site's own time zone, \
                shown in UTC and local time. Twilights are the Sun's centre at −6° (civil), −12° (nautical) \
                and −18° (astronomical); sunset and sunrise at −0.8333°. A night with no astronomical \
                darkness (high latitude in summer) says so.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp("One site (see `starling sites`); every site when left out.", valueName: "ID"))
        var site: String?

        @Flag(help: "Every site in the array, west to east (the default without --site).")
        var all = false

        @OptionGroup var night: NightOptions

        func validate() throws {
            if all && site != nil { throw ValidationError("give --site ID or --all, not both") }
        }

        func run() async throws {
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            let sites = try site.map { name in [try lookUp("--site") { () throws(UnknownNameError) in try network.site(named: name) }] } ?? network.sites
            let now = WallClock().currentDate
            var documents: [NightDocument] = []
            for site in sites {
                do throws(SkyError) {
                    documents.append(NightDocument(site: site, windows: try NightWindows.compute(site: site, date: night.localDate(at: site, now: now))))
                } catch {
                    printError("cannot compute the night at \(site.id): \(error)")
                    throw ExitCode(1)
                }
            }
            if options.json {
                try printJSON(site == nil ? AnyEncodable(documents) : AnyEncodable(documents[0]))
                return
            }
            if site != nil {
                print(documents[0].longText)
            } else {
                var table = TextTable(
                    headers: ["site", "night of", "dark from (UTC)", "dark until (UTC)", "hours", "local", "moon"], rightAligned: [4, 6])
                for document in documents { table.append(document.row) }
                let dates = Set(documents.map(\.date))
                print(
                    "Astronomical night (Sun below -18°) at each site, "
                        + (dates.count == 1 ? "night of \(dates.first!) (the local date it begins on)" : "tonight (nights counted from local noon)"))
                print(table.render())
            }
        }
    }
}

/// One site's night, for text and JSON (`starling sky night --json`, documented in docs/cli.md).
struct NightDocument: Encodable {
    let site: String
    let date: String
    let timezone: String
    let night_start_utc: String
    let night_end_utc: String
    let sunset_utc: String?
    let civil_dusk_utc: String?
    let nautical_dusk_utc: String?
    let astronomical_dusk_utc: String?
    let astronomical_dawn_utc: String?
    let nautical_dawn_utc: String?
    let civil_dawn_utc: String?
    let sunrise_utc: String?
    let astronomical_night_hours: Double
    let note: String?
    let moonrise_utc: String?
    let moonset_utc: String?
    let moon_illumination: Double
    /// Not encoded (absent from CodingKeys): the text forms use it.
    private let windows: NightWindows

    enum CodingKeys: String, CodingKey {
        case site, date, timezone, night_start_utc, night_end_utc, sunset_utc, civil_dusk_utc, nautical_dusk_utc, astronomical_dusk_utc, astronomical_dawn_utc,
            nautical_dawn_utc, civil_dawn_utc, sunrise_utc, astronomical_night_hours, note, moonrise_utc, moonset_utc, moon_illumination
    }

    init(site: Site, windows: NightWindows) {
        func utc(_ event: SunEvent) -> String? { event.date.map { ISO8601.string(from: $0, fractionalSeconds: false) } }
        self.site = site.id.rawValue
        date = windows.localDate.description
        timezone = site.timeZone.identifier
        let span = NightSpan(windows: windows, site: site.id)
        night_start_utc = span.startUTC
        night_end_utc = span.endUTC
        sunset_utc = utc(windows.sunset)
        civil_dusk_utc = utc(windows.civil.dusk)
        nautical_dusk_utc = utc(windows.nautical.dusk)
        astronomical_dusk_utc = utc(windows.astronomical.dusk)
        astronomical_dawn_utc = utc(windows.astronomical.dawn)
        nautical_dawn_utc = utc(windows.nautical.dawn)
        civil_dawn_utc = utc(windows.civil.dawn)
        sunrise_utc = utc(windows.sunrise)
        let dark = windows.darkInterval(.astronomical)
        astronomical_night_hours = ((dark?.duration ?? 0) / 36).rounded() / 100
        switch windows.astronomical.dusk {
        case .sunStaysAbove: note = "no astronomical night: the Sun stays above -18°"
        case .sunStaysBelow: note = "polar night: the Sun stays below -18° all day"
        case .at: note = nil
        }
        moonrise_utc = windows.moonrise.map { ISO8601.string(from: $0, fractionalSeconds: false) }
        moonset_utc = windows.moonset.map { ISO8601.string(from: $0, fractionalSeconds: false) }
        moon_illumination = (windows.moonIllumination * 1000).rounded() / 1000
        self.windows = windows
    }

    private func local(_ date: Date?) -> String {
        date?.hourMinute(in: windows.timeZone) ?? "—"
    }

    private func utcTime(_ date: Date?) -> String {
        guard let date else { return "—" }
        return date.formatted(Date.VerbatimFormatStyle(format: "\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)", timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
    }

    var row: [String] {
        let dark = windows.darkInterval(.astronomical)
        let localSpan = dark.map { "\(local($0.start))–\(local($0.end))" } ?? (note ?? "")
        return [site, date, utcTime(dark?.start), utcTime(dark?.end), String(format: "%.1f", astronomical_night_hours), localSpan,
                "\(Int((moon_illumination * 100).rounded()))%"]
    }

    var longText: String {
        let w = windows
        func line(_ label: String, _ event: SunEvent) -> String {
            switch event {
            case .at(let date): "\(label.padding(toLength: 22, withPad: " ", startingAt: 0))\(utcTime(date)) UTC   \(local(date)) local"
            default: "\(label.padding(toLength: 22, withPad: " ", startingAt: 0))\(event)"
            }
        }
        var lines = ["\(site): \(NightSpan(windows: w, site: SiteID(site)).text), local time \(timezone)"]
        lines.append(line("sunset", w.sunset))
        lines.append(line("civil dusk", w.civil.dusk))
        lines.append(line("nautical dusk", w.nautical.dusk))
        lines.append(line("astronomical dusk", w.astronomical.dusk))
        lines.append(line("astronomical dawn", w.astronomical.dawn))
        lines.append(line("nautical dawn", w.nautical.dawn))
        lines.append(line("civil dawn", w.civil.dawn))
        lines.append(line("sunrise", w.sunrise))
        lines.append(String(format: "astronomical night    %.2f h", astronomical_night_hours))
        lines.append("moonrise              \(w.moonrise.map { "\(utcTime($0)) UTC   \(local($0)) local" } ?? "none in this night")")
        lines.append("moonset               \(w.moonset.map { "\(utcTime($0)) UTC   \(local($0)) local" } ?? "none in this night")")
        lines.append("moon illumination     \(Int((moon_illumination * 100).rounded()))% at local midnight")
        if let note { lines.append(note) }
        return lines.joined(separator: "\n")
    }
}

/// Type erasure for printing either one document or a list as JSON.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
