import ArgumentParser
import Coordination
import Foundation
import SkyMaps
import StarlingCore

extension Starling.Alert {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which telescopes would observe an alert, when, which fields, and why.",
            discussion: """
                Runs the network coordinator's deterministic decision for one notice at a given instant, \
                with every telescope idle and closed and every site's weather safe unless told otherwise. \
                A field goes to the telescope that can start a good observation soonest: the site dark \
                (Sun ≤ −12°), the field ≥ 20° high (and above the mount limit and horizon mask) for the \
                whole block, the Moon ≥ 10° away, after slewing and opening the enclosure. A sky map's \
                fields are chosen inside its credible region with each telescope's own field of view and \
                scheduled across the array so the covered probability grows fastest.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("The notice file (VOEvent, GCN JSON, IGWN JSON).", valueName: "FILE"))
        var file: String

        @Option(help: ArgumentHelp("The decision instant, UTC: 2026-11-23T21:31:00Z or 2026-11-23 21:31 (default: the alert's event time).", valueName: "UTC"))
        var at: InstantArgument?

        @Option(help: ArgumentHelp("Sites whose weather is unsafe (repeatable).", valueName: "SITE"))
        var unsafe: [String] = []

        @Option(help: ArgumentHelp("Use only these sites (repeatable).", valueName: "SITE"))
        var pin: [String] = []

        @Option(help: ArgumentHelp("Never use these sites (repeatable).", valueName: "SITE"))
        var forbid: [String] = []

        @Option(help: ArgumentHelp("Prefer these sites, in order, when nearly as early (repeatable).", valueName: "SITE"))
        var prefer: [String] = []

        @Option(help: ArgumentHelp("For a sky map: the credible region to choose fields in, 0–1.", valueName: "LEVEL"))
        var credibleLevel: Double = 0.9

        @Option(help: ArgumentHelp("For a sky map: the most fields to plan.", valueName: "N"))
        var maximumFields: Int = SkyMapStrategy().maximumFields

        func validate() throws {
            guard (0...1).contains(credibleLevel) else { throw ValidationError("--credible-level \(credibleLevel) is not a probability: give 0.9 for the 90 % region") }
            guard maximumFields >= 0 else { throw ValidationError("--maximum-fields \(maximumFields) cannot be negative") }
        }

        func run() async throws {
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            func sites(_ names: [String], _ option: String) throws -> [SiteID] {
                try names.map { name in try lookUp(option) { () throws(UnknownNameError) in try network.site(named: name).id } }
            }
            let unsafe = try sites(unsafe, "--unsafe"), pin = try sites(pin, "--pin")
            let forbid = try sites(forbid, "--forbid"), prefer = try sites(prefer, "--prefer")
            let raw: Data
            do { raw = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                printError("\(file): cannot be read (\(error.localizedDescription))")
                throw ExitCode(1)
            }
            let alert: StarlingCore.Alert
            do { alert = try AlertParser.parse(raw).alert } catch {
                printError("\(file): refused: \(error)")
                throw ExitCode(1)
            }
            let now = at?.date ?? alert.eventTime
            var skyMap: HEALPixSkyMap?
            if case .skyMap = alert.errorRegion {
                do {
                    skyMap = try await SkyMapLoader(reader: FITSSkyMapReader(), baseDirectory: URL(fileURLWithPath: file).deletingLastPathComponent().path)
                        .skyMap(for: alert, raw: raw)
                } catch {
                    printError("\(file): sky map unreadable (\(error)); planning on the alert's position")
                }
            }
            var policy: SitePolicy?
            if !(pin.isEmpty && forbid.isEmpty && prefer.isEmpty) {
                policy = SitePolicy(
                    alertKind: alert.kind, preferred: prefer, forbidden: forbid, pinned: pin.isEmpty ? nil : pin)
            }
            var weather: [SiteID: WeatherSafety] = [:]
            for site in unsafe { weather[site] = .unsafe(["marked unsafe on the command line"]) }
            var sky = FollowUpPlanner.SkyCache()
            let planner = FollowUpPlanner(network: network)
            let decision: FollowUpDecision
            if let skyMap {
                let galaxies = try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: "nearby_galaxies") }.targets
                decision = CoveragePlanner(planner: planner, strategy: SkyMapStrategy(credibleLevel: credibleLevel, maximumFields: maximumFields))
                    .decide(alert: alert, skyMap: skyMap, galaxies: galaxies, now: now, statuses: [:], weather: weather, policy: policy, sky: &sky)
            } else {
                let sides = network.sites.flatMap(\.telescopes).map { min($0.fieldWidth, $0.fieldHeight) }.sorted()
                let fields = FieldSelection.fields(for: alert, fieldSide: sides[sides.count / 2])
                guard !fields.isEmpty else {
                    printError("\(file): the alert has no position to observe")
                    throw ExitCode(1)
                }
                decision = planner.decide(alert: alert, fields: fields, now: now, statuses: [:], weather: weather, policy: policy, sky: &sky)
            }
            let document = AlertPlanDocument(alert: alert, now: now, decision: decision)
            if options.json {
                try printJSON(document)
            } else {
                print(document.text)
            }
        }
    }
}

/// The answer of `starling alert plan` (documented in docs/alerts.md).
struct AlertPlanDocument: Encodable {
    struct Field: Encodable {
        let id: String
        let ra_deg: Double
        let dec_deg: Double
        let probability: Double
        let probability_with_distance: Double?
        let credible_level: Double?
        let label: String
    }

    struct Entry: Encodable {
        let field: String
        let telescope: String
        let site: String
        let start_utc: String
        let end_utc: String
        let ra_deg: Double
        let dec_deg: Double
        let altitude_deg: Double
        let airmass: Double
        let exposures: String
        let reason: String
    }

    let alert_id: String
    let event: String
    let kind: String
    let decided_at_utc: String
    let summary: String
    let fields: [Field]
    let assignments: [Entry]
    let unassigned: [String]
    let excluded: [String]

    init(alert: StarlingCore.Alert, now: Date, decision: FollowUpDecision) {
        alert_id = alert.id.rawValue
        event = alert.eventID
        kind = alert.kind.rawValue
        decided_at_utc = ISO8601.string(from: now, fractionalSeconds: false)
        summary = decision.summary
        fields = decision.fields.map {
            Field(
                id: $0.id, ra_deg: $0.center.rightAscension.degrees, dec_deg: $0.center.declination.degrees, probability: ($0.probability * 10_000).rounded() / 10_000,
                probability_with_distance: $0.probabilityWithDistance.map { ($0 * 10_000).rounded() / 10_000 }, credible_level: $0.credibleLevel, label: $0.label)
        }
        assignments = decision.assignments.map { planned in
            Entry(
                field: planned.field.id, telescope: planned.telescopeID.rawValue, site: planned.siteID.rawValue,
                start_utc: ISO8601.string(from: planned.start, fractionalSeconds: false), end_utc: ISO8601.string(from: planned.end, fractionalSeconds: false),
                ra_deg: planned.field.center.rightAscension.degrees, dec_deg: planned.field.center.declination.degrees,
                altitude_deg: (planned.altitude.degrees * 100).rounded() / 100, airmass: (planned.airmass * 1000).rounded() / 1000,
                exposures: planned.request.exposures.map { "\($0.count)×\(Int($0.exposureSeconds)) s \($0.filter)" }.joined(separator: ", "),
                reason: planned.reason)
        }
        unassigned = decision.unassigned.map { "\($0.field.id): \($0.reason)" }
        excluded = decision.exclusions
    }

    var text: String {
        var lines = ["\(kind) alert \(event) (\(alert_id)) at \(decided_at_utc): \(summary)"]
        var table = TextTable(headers: ["field", "telescope", "start (UTC)", "alt", "airmass", "exposures"], rightAligned: [3, 4])
        for entry in assignments {
            table.append([entry.field, entry.telescope, entry.start_utc, String(format: "%.1f°", entry.altitude_deg), String(format: "%.2f", entry.airmass), entry.exposures])
        }
        if !assignments.isEmpty { lines.append(table.render()) }
        for entry in assignments.prefix(5) { lines.append("\(entry.field) → \(entry.telescope): \(entry.reason)") }
        for line in unassigned { lines.append("unassigned \(line)") }
        if !excluded.isEmpty { lines.append("excluded: " + excluded.joined(separator: "; ")) }
        return lines.joined(separator: "\n")
    }
}
