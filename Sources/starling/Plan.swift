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
    /// `starling plan`: every telescope's night beginning on a local date.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan every telescope's night beginning on a local date (or one site's, or one telescope's).",
            discussion: """
                Each site plans the night that begins on the date in its own time zone, as observers say \
                "the night of the 23rd". Survey requests: one 300-s exposure per catalog target in the \
                first of r, R, V, g, clear the telescope has; astronomical night, altitude ≥ 30°, airmass \
                ≤ 2, Moon ≥ 20°. With --model, a reasoning model at STARLING_MODEL_BASE_URL re-ranks each \
                telescope's best candidates (see docs/planning.md); on any failure the deterministic \
                ranking stands and the plan says why.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: "The local date the night begins on, YYYY-MM-DD.")
        var date: String

        @Option(help: "Plan only this site's telescopes.")
        var site: String?

        @Option(help: "Plan only this telescope.")
        var telescope: String?

        @Option(help: "The catalog in catalogs/ to plan from.")
        var catalog: String = "nearby_galaxies"

        @Flag(help: "Let the reasoning model re-rank candidates (STARLING_MODEL_* environment variables).")
        var model = false

        @Option(help: ArgumentHelp("Also write a PNG timeline per site into this folder.", valueName: "DIR"))
        var out: String?

        @Option(help: ArgumentHelp("The SQLite store: last visits for cadence come from it and plans are saved in it.", valueName: "PATH"))
        var db: String?

        func validate() throws {
            guard CalendarDate(date) != nil else { throw ValidationError("--date '\(date)' is not a YYYY-MM-DD date") }
        }

        func run() async throws {
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            guard layout.catalogNames.contains(catalog) else {
                throw ValidationError("no catalog '\(catalog)' in \(layout.catalogsDirectory) (have: \(layout.catalogNames.joined(separator: ", ")))")
            }
            let targets = try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: catalog) }
            var chosen: Set<TelescopeID>?
            if let site {
                guard let found = network.site(SiteID(site)) else { throw ValidationError("no site '\(site)' (see `starling sites`)") }
                chosen = Set(found.telescopes.map(\.id))
            }
            if let telescope {
                guard let (found, _) = network.locate(TelescopeID(telescope)) else {
                    throw ValidationError("no telescope '\(telescope)' (see `starling sites`)")
                }
                if let site, found.id.rawValue != site { throw ValidationError("telescope '\(telescope)' is not at site '\(site)'") }
                chosen = [TelescopeID(telescope)]
            }
            var reasoningModel: (any ReasoningModel)?
            if model {
                do {
                    reasoningModel = ChatCompletionsModel(configuration: try ChatCompletionsModel.Configuration.fromEnvironment())
                } catch {
                    throw ValidationError("--model: \(error.message)")
                }
            }
            let store: SQLiteStore
            do throws(StoreError) {
                if let db { store = try SQLiteStore(path: db) } else { store = try SQLiteStore.inMemory() }
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
            var logger = Logger(label: "starling.planner")
            logger.logLevel = .warning
            let host = PlanningHost(network: network, catalog: targets, store: store, model: reasoningModel, logger: logger)
            let plans: [NightPlan]
            do {
                plans = try await host.plan(localDate: CalendarDate(date)!, telescopes: chosen)
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
            if options.json {
                try printJSON(PlanDocument(date: date, catalog: catalog, plans: plans, network: network))
            } else {
                print(PlanText.render(plans: plans, network: network))
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
    static func render(plans: [NightPlan], network: ObservatoryNetwork) -> String {
        var blocks: [String] = []
        for plan in plans {
            let zone = network.site(plan.siteID)?.timeZone ?? .gmt
            var header = "\(plan.telescopeID) at \(plan.siteID), night of \(plan.night) (\(zone.identifier)): \(plan.entries.count) observations, ranked \(rankingName(plan.ranking))"
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
    let date: String
    let catalog: String
    let plan_count: Int
    let observation_count: Int
    let plans: [Telescope]

    struct Telescope: Encodable {
        let telescope: String
        let site: String
        let night: String
        let created_utc: String
        let ranking: Ranking
        let notes: [String]
        let observations: [Observation]
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

    init(date: String, catalog: String, plans: [NightPlan], network: ObservatoryNetwork) {
        func rounded(_ value: Double, _ digits: Double) -> Double { (value * digits).rounded() / digits }
        func utc(_ date: Date) -> String { ISO8601.string(from: date, fractionalSeconds: false) }
        self.date = date
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
                telescope: plan.telescopeID.rawValue, site: plan.siteID.rawValue, night: plan.night.description, created_utc: utc(plan.createdAt),
                ranking: Ranking(source: source, model: model, reasoning_trace: trace), notes: plan.notes,
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
