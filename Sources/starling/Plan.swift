import ArgumentParser
import Foundation
import Imaging
import Logging
import Orchestration
import Persistence
import Planning
import Sky
import StarlingCore

extension Starling {
    /// `starling plan`: every telescope's plan for a night.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan every telescope's night (or one site's, or one telescope's).",
            discussion: """
                The night is the one that begins on --date at each site (the night of the 23rd: \
                2026-11-23), as for every command; without --date, tonight at each site. Survey \
                requests: one 300-s exposure per catalog target in the first of r, R, V, g, clear the \
                telescope has; astronomical night, altitude ≥ 30°, airmass ≤ 2, Moon ≥ 20°. Where \
                that leaves telescopes idle, targets get spare visits (up to 8 a night across the \
                array, in g, then i, worth less than any due visit). With \
                --model, a reasoning model at STARLING_MODEL_BASE_URL re-ranks each telescope's best \
                candidates (see docs/planning.md); on any failure the deterministic ranking stands and \
                the plan says why. With --export and --export-to, one telescope's plan is also \
                written for another tool: csv (a spreadsheet), ical (a calendar), nina (N.I.N.A. \
                Target Scheduler's target import), ekos-esl (a KStars/Ekos scheduler list, with one \
                .esq sequence per observation in a folder beside it) or ekos-esq (the night's exposures \
                as one Ekos capture sequence); docs/planning.md says what each holds and in which units.
                """)

        @OptionGroup var options: GlobalOptions

        @OptionGroup var night: NightOptions

        @Option(help: ArgumentHelp("Plan only this site's telescopes.", valueName: "ID"))
        var site: String?

        @Option(help: ArgumentHelp("Plan only this telescope.", valueName: "ID"))
        var telescope: String?

        @Option(help: ArgumentHelp("The catalog in catalogs/ to plan from.", valueName: "NAME"))
        var catalog: String = "nearby_galaxies"

        @Flag(help: "Let the reasoning model re-rank candidates (STARLING_MODEL_* environment variables).")
        var model = false

        @Option(help: ArgumentHelp("Also write a PNG timeline per site into this folder.", valueName: "DIR"))
        var out: String?

        @Option(help: ArgumentHelp("Also write the plan in this format for another tool (needs --telescope and --export-to).", valueName: "FORMAT"))
        var export: PlanExportFormat?

        @Option(help: ArgumentHelp("Where --export writes: a file, or a folder to name it in (plan-<telescope>-<night>.<ext>; -nina.csv for nina).", valueName: "PATH"))
        var exportTo: String?

        @Option(
            help: StoreArgument.help("The store last visits for cadence come from and plans are saved in (default: none, plans are not kept)"),
            transform: StoreArgument.parse)
        var db: StoreLocation?

        func validate() throws {
            if export != nil, telescope == nil { throw ValidationError("--export writes one telescope's plan: name it with --telescope ID (see `starling sites`).") }
            if export != nil, exportTo == nil { throw ValidationError("--export needs --export-to PATH: the file (or folder) to write.") }
            if export == nil, exportTo != nil { throw ValidationError("--export-to needs --export FORMAT: one of \(PlanExportFormat.allCases.map(\.rawValue).joined(separator: ", ")).") }
        }

        func run() async throws {
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            guard layout.catalogNames.contains(catalog) else {
                throw ValidationError("--catalog: \(UnknownNameError(kind: "catalog", name: catalog, scope: "in \(layout.catalogsDirectory)", known: layout.catalogNames))")
            }
            let targets = try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: catalog) }
            let chosenSite = try site.map { name in try lookUp("--site") { () throws(UnknownNameError) in try network.site(named: name) } }
            let chosen: [(site: Site, telescopes: Set<TelescopeID>)]
            if let telescope {
                let found = try lookUp("--telescope") { () throws(UnknownNameError) in try network.telescope(named: telescope, at: chosenSite) }
                chosen = [(found.site, [found.telescope.id])]
            } else {
                chosen = (chosenSite.map { [$0] } ?? network.sites).map { ($0, Set($0.telescopes.map(\.id))) }
            }
            var reasoningModel: (any ReasoningModel)?
            if model {
                do {
                    reasoningModel = ChatCompletionsModel(configuration: try ChatCompletionsModel.Configuration.fromEnvironment())
                } catch {
                    throw ValidationError("--model: \(error.message)")
                }
            }
            let store: any Store
            if let db {
                store = try await openStore(db)
            } else {
                do throws(StoreError) { store = try SQLiteStore.inMemory() } catch {
                    printError(error.description)
                    throw ExitCode(1)
                }
            }
            var logger = Logger(label: "starling.planner")
            logger.logLevel = .warning
            let host = PlanningHost(network: network, catalog: targets, store: store, model: reasoningModel, logger: logger)
            // One night per site: --date, else tonight there; sites sharing a date plan together.
            let now = WallClock().currentDate
            let byDate = Dictionary(grouping: chosen, by: { night.localDate(at: $0.site, now: now) })
            var plans: [NightPlan] = []
            var spans: [SiteID: NightSpan] = [:]
            for (date, sites) in byDate.sorted(by: { $0.key < $1.key }) {
                for entry in sites { spans[entry.site.id] = try NightSpan.of(entry.site, date: date) }
                do {
                    plans += try await host.plan(localDate: date, telescopes: sites.reduce(into: Set()) { $0.formUnion($1.telescopes) })
                } catch {
                    printError(error.description)
                    throw ExitCode(1)
                }
            }
            if byDate.count > 1 {
                // West to east, as the network lists sites, whatever night each planned.
                let order = Dictionary(uniqueKeysWithValues: network.sites.enumerated().map { ($1.id, $0) })
                plans.sort { (order[$0.siteID] ?? 0, $0.telescopeID.rawValue) < (order[$1.siteID] ?? 0, $1.telescopeID.rawValue) }
            }
            if options.json {
                try printJSON(PlanDocument(date: night.date?.date, catalog: catalog, plans: plans, spans: spans))
            } else {
                print(PlanText.render(plans: plans, network: network, spans: spans))
            }
            if let export, let exportTo {
                for plan in plans {
                    guard let site = network.site(plan.siteID) else { continue }
                    do throws(PlanExportError) {
                        let written = try PlanExportWriter(format: export).write(plan, at: site, to: exportTo)
                        if !options.json { for path in written { print("wrote \(path)") } }
                    } catch {
                        printError(error.description)
                        throw ExitCode(1)
                    }
                }
            }
            if let out {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                for (siteID, sitePlans) in Dictionary(grouping: plans, by: \.siteID).sorted(by: { $0.key < $1.key }) {
                    guard let site = network.site(siteID) else { continue }
                    let plot = try TimelinePlot(site: site, plans: sitePlans)
                    let path = "\(out)/plan-\(siteID)-\(sitePlans[0].night).png"
                    try PNGEncoder.encode(gray: plot.pixels, width: plot.width, height: plot.height).write(to: URL(fileURLWithPath: path))
                    if !options.json { print("wrote \(path)") }
                }
            }
        }
    }
}

/// The text output: a table per telescope.
enum PlanText {
    static func render(plans: [NightPlan], network: ObservatoryNetwork, spans: [SiteID: NightSpan]) -> String {
        var blocks: [String] = []
        for plan in plans {
            let zone = network.site(plan.siteID)?.timeZone ?? .gmt
            let night = spans[plan.siteID].map { "night of \(plan.night) (\($0.utcText))" } ?? "night of \(plan.night)"
            var header = "\(plan.telescopeID) at \(plan.siteID), \(night), local time \(zone.identifier): \(plan.entries.count) observations, ranked \(rankingName(plan.ranking))"
            for note in plan.notes { header += "\n  \(note)" }
            var table = TextTable(headers: ["start UTC", "local", "end UTC", "target", "filter", "exp s", "alt°", "airmass", "merit", "reason"], rightAligned: [5, 6, 7, 8])
            for entry in plan.entries {
                let exposure = entry.request.exposures[0]
                table.append([
                    clock(entry.start, .gmt), clock(entry.start, zone), clock(entry.end, .gmt), entry.request.target.name, exposure.filter.name,
                    String(format: "%.0f", exposure.exposureSeconds * Double(exposure.count)), String(format: "%.1f", entry.altitudeStart.degrees),
                    String(format: "%.2f", entry.airmass), String(format: "%.2f", entry.merit), entry.reason,
                ])
            }
            blocks.append(header + (plan.entries.isEmpty ? "" : "\n" + table.render()))
        }
        return blocks.joined(separator: "\n\n")
    }

    static func rankingName(_ ranking: NightPlan.RankingSource) -> String {
        switch ranking {
        case .deterministic: "deterministic"
        case .model(let name, _): "by model \(name)"
        }
    }

    static func clock(_ date: Date, _ zone: TimeZone) -> String { date.hourMinute(in: zone) }
}

/// `starling plan --json`.
struct PlanDocument: Encodable {
    /// `--date`; `nil` when each site planned its own tonight.
    let date: String?
    let catalog: String
    let plan_count: Int
    let observation_count: Int
    let plans: [Telescope]

    struct Telescope: Encodable {
        let telescope: String
        let site: String
        let night: String
        let night_start_utc: String?
        let night_end_utc: String?
        let created_utc: String
        let ranking: Ranking
        /// What the reasoning model was asked and what came of it; `null` without `--model`.
        let model_consultation: Consultation?
        let notes: [String]
        let observations: [Observation]
    }

    struct Consultation: Encodable {
        let model: String
        let seconds: Double
        let candidate_count: Int
        let verdict: String
        let repairs: [String]
        let failure_code: String?
        let failure: String?
        let order_changed: Bool
        let schedule_changed: Bool
        let deterministic_merit: Double
        let planned_merit: Double
    }

    struct Ranking: Encodable {
        let source: String
        let model: String?
        let reasoning_trace: String?
    }

    struct Observation: Encodable {
        let telescope: String
        let site: String
        let target: String
        let name: String
        let ra_deg: Double
        let dec_deg: Double
        let start_utc: String
        let end_utc: String
        let filter: String
        let exposure_s: Double
        let altitude_start_deg: Double
        let altitude_end_deg: Double
        let airmass: Double
        let merit: Double
        let ranking: String
        let reason: String
    }

    init(date: CalendarDate?, catalog: String, plans: [NightPlan], spans: [SiteID: NightSpan]) {
        func rounded(_ value: Double, _ digits: Double) -> Double { (value * digits).rounded() / digits }
        func utc(_ date: Date) -> String { ISO8601.string(from: date, fractionalSeconds: false) }
        self.date = date?.description
        self.catalog = catalog
        plan_count = plans.count
        observation_count = plans.reduce(0) { $0 + $1.entries.count }
        self.plans = plans.map { plan in
            let source: String, model: String?, trace: String?
            switch plan.ranking {
            case .deterministic: (source, model, trace) = ("deterministic", nil, nil)
            case .model(let name, let reasoning): (source, model, trace) = ("model", name, reasoning)
            }
            return Telescope(
                telescope: plan.telescopeID.rawValue, site: plan.siteID.rawValue, night: plan.night.description,
                night_start_utc: spans[plan.siteID]?.startUTC, night_end_utc: spans[plan.siteID]?.endUTC, created_utc: utc(plan.createdAt),
                ranking: Ranking(source: source, model: model, reasoning_trace: trace),
                model_consultation: plan.modelConsultation.map { asked in
                    Consultation(
                        model: asked.model, seconds: rounded(asked.seconds, 1000), candidate_count: asked.candidateCount, verdict: asked.verdict.rawValue,
                        repairs: asked.repairs, failure_code: asked.failureCode, failure: asked.failure, order_changed: asked.orderChanged,
                        schedule_changed: asked.scheduleChanged, deterministic_merit: rounded(asked.deterministicMerit, 1000),
                        planned_merit: rounded(asked.plannedMerit, 1000))
                },
                notes: plan.notes,
                observations: plan.entries.map { entry in
                    let target = entry.request.target
                    let exposures = entry.request.exposures
                    return Observation(
                        telescope: plan.telescopeID.rawValue, site: plan.siteID.rawValue, target: target.id.rawValue, name: target.name,
                        ra_deg: rounded(target.coordinates.rightAscension.degrees, 1e6), dec_deg: rounded(target.coordinates.declination.degrees, 1e6),
                        start_utc: utc(entry.start), end_utc: utc(entry.end), filter: exposures[0].filter.name,
                        exposure_s: exposures.reduce(0) { $0 + $1.exposureSeconds * Double($1.count) },
                        altitude_start_deg: rounded(entry.altitudeStart.degrees, 100), altitude_end_deg: rounded(entry.altitudeEnd.degrees, 100),
                        airmass: rounded(entry.airmass, 1000), merit: rounded(entry.merit, 1000), ranking: source, reason: entry.reason)
                })
        }
    }
}
