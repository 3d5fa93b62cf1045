import ArgumentParser
import Foundation
import Logging
import Observatory
import Orchestration
import Persistence
import Reporting
import StarlingCore

extension Starling {
    /// `starling night`: a whole simulated night of the array.
    struct Night: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a simulated night of the array: all four agents, a scenario's weather, faults and alerts.",
            discussion: """
                Every telescope of the scenario's sites is run by its TelescopeAgent over the simulator; the \
                PlannerAgent plans the array before the first dusk and re-plans after faults, follow-ups and \
                closures; the NetworkCoordinator takes the scenario's alert files at their times and assigns \
                follow-ups; the Reporter measures frames and writes the reports at the end. Everything runs on \
                one simulated clock and one store. Run the same command again after an interruption and \
                it resumes from the store. See docs/night.md.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("The scenario file (default: simulations/tonight.yaml).", valueName: "SCENARIO.yaml"))
        var scenario: String?

        @Option(help: ArgumentHelp("Run the scenario on the night beginning on this local date instead (its events move by the same number of days).", valueName: "YYYY-MM-DD"))
        var date: DateArgument?

        @Option(help: StoreArgument.help("The store; an unfinished run in it is resumed", default: "OUT/starling.sqlite"), transform: StoreArgument.parse)
        var db: StoreLocation?

        @Option(help: ArgumentHelp("Where frames and reports go.", valueName: "DIR"))
        var out: String = "out/night"

        @Option(help: "The seed (default: the scenario's).")
        var seed: UInt64?

        @Option(help: ArgumentHelp("Render pixels for one survey frame in N per telescope, and every follow-up or requested frame; model the rest (0: model every frame).", valueName: "N"))
        var renderEvery: Int = 250

        @Flag(help: "Print only the summary, no progress.")
        var quiet = false

        /// Swift seeds its hash function afresh in every process, so anything that iterates a
        /// hashed collection may order ties differently from run to run. A night must be the
        /// same for the same seed, so the command runs itself again with hashing fixed
        /// (`SWIFT_DETERMINISTIC_HASHING`), unless it already is.
        static func makeHashingDeterministic() {
            guard ProcessInfo.processInfo.environment["SWIFT_DETERMINISTIC_HASHING"] == nil else { return }
            setenv("SWIFT_DETERMINISTIC_HASHING", "1", 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            // Only reached if the exec failed: go on, merely less reproducible.
        }

        func validate() throws {
            guard renderEvery >= 0 else { throw ValidationError("--render-every must be 0 or more") }
        }

        func run() async throws {
            Self.makeHashingDeterministic()
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            let path = scenario ?? layout.defaultScenario
            var loaded = try loadOrExit { () throws(ConfigErrors) in
                try Scenario.load(path: path, context: Scenario.Context(network: network, catalogNames: layout.catalogNames))
            }
            if let date { loaded = loaded.moved(to: date.date) }
            if let seed { loaded = loaded.with(seed: seed) }
            let catalog = try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: loaded.catalog) }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var logger = Logger(label: "starling.night")
            logger.logLevel = .error
            let configuration = NightRunConfiguration(
                scenario: loaded, network: network, catalog: catalog, store: db ?? .sqlite(path: "\(out)/starling.sqlite"), outputDirectory: out,
                rendering: RenderingPolicy(renderingOneIn: renderEvery), logger: logger)
            let host = NightHost(configuration: configuration)
            let telescopes = configuration.sites.reduce(0) { $0 + $1.telescopes.count }
            if !quiet && !options.json {
                let span = (try? NightHost(configuration: configuration).span()).map { " (\(NightSpan.minute($0.start)) – \(NightSpan.minute($0.end)) UTC)" } ?? ""
                print("Night of \(loaded.date)\(span), \(loaded.name), seed \(loaded.seed): \(configuration.sites.count) sites, \(telescopes) telescopes")
            }
            let interactive = isatty(STDOUT_FILENO) != 0
            let result: NightHost.Result
            do {
                result = try await host.run { progress in
                    guard !quiet && !options.json else { return }
                    let line = NightText.progressLine(progress, telescopes: telescopes)
                    if interactive {
                        FileHandle.standardOutput.write(Data(("\r" + line).utf8))
                    } else {
                        print(line)
                    }
                }
            } catch {
                if interactive { print("") }
                printError("starling night: \(error)")
                throw ExitCode(1)
            }
            if interactive && !quiet && !options.json { print("") }
            if options.json {
                try printJSON(NightRunDocument(result))
            } else {
                print(NightText.summary(result))
            }
        }
    }
}

/// The text output of `starling night`.
enum NightText {
    static func progressLine(_ progress: NightProgress, telescopes: Int) -> String {
        let percent = Int((progress.fraction * 100).rounded(.down))
        let time = ISO8601.string(from: progress.now, fractionalSeconds: false)
        return String(
            format: "[%3d%%] %@  open %d/%d  observations %d (%d completed)  frames %d  follow-ups %d  faults %d  %.1f s",
            percent, time, progress.openTelescopes, telescopes, progress.observations, progress.completed, progress.frames,
            progress.assignments, progress.faults, progress.wallSeconds)
    }

    /// A probability in per cent, with two decimals below 10 %.
    static func percent(_ value: Double) -> String { String(format: value < 0.1 ? "%.2f %%" : "%.1f %%", value * 100) }

    static func summary(_ result: NightHost.Result) -> String {
        let summary = result.summary
        var lines: [String] = []
        if let resumed = result.resumedFrom {
            lines.append("Resumed from \(ISO8601.string(from: resumed, fractionalSeconds: false)) (an earlier run stopped there).")
        }
        lines.append("Night of \(summary.night): \(summary.completed) of \(summary.planned) planned observations completed, \(summary.frames) frames (\(summary.framesRendered) rendered and measured, \(summary.framesModelled) modelled).")
        var table = TextTable(headers: ["site", "dark h", "open h", "planned", "completed", "frames"], rightAligned: [1, 2, 3, 4, 5])
        for site in summary.sites {
            table.append([
                site.site.rawValue, String(format: "%.1f", site.darkHours), String(format: "%.1f", site.openHours), "\(site.planned)",
                "\(site.completed)", "\(site.frames)",
            ])
        }
        lines.append(table.render())
        lines.append("By telescope, as a share of its site's astronomical darkness:")
        var telescopes = TextTable(headers: ["telescope", "dark h", "open", "exposing", "completed"], rightAligned: [1, 2, 3, 4])
        for line in summary.telescopes {
            telescopes.append([
                line.telescope.rawValue, String(format: "%.1f", line.darkHours), line.openFraction.map(percent) ?? "-",
                line.exposingFraction.map(percent) ?? "-", "\(line.completed)",
            ])
        }
        lines.append(telescopes.render())
        if summary.followUps.isEmpty {
            lines.append("Follow-ups: none.")
        } else {
            lines.append("Follow-ups:")
            var followUps = TextTable(headers: ["alert", "telescope", "site", "state", "alert→first frame", "frames"], rightAligned: [4, 5])
            for line in summary.followUps {
                followUps.append([
                    line.alert, line.telescope.rawValue, line.site.rawValue, line.state,
                    line.secondsFromAlertToFirstFrame.map { String(format: "%.0f s", $0) } ?? "-", "\(line.frames)",
                ])
            }
            lines.append(followUps.render())
        }
        for line in summary.coverage {
            func figures(_ f: NightReport.CoverageFigures, _ noun: String) -> String {
                String(format: "%@ (3-D %@) in %d %@ over %.1f deg²", percent(f.probability), f.probabilityWithDistance.map(percent) ?? "-", f.footprints, noun, f.areaSquareDegrees)
            }
            lines.append("Coverage of \(line.alert)" + (line.regionAreaSquareDegrees.map { String(format: " (90 %% region %.1f deg²)", $0) } ?? "") + ":")
            lines.append("  planned \(figures(line.planned, "fields")); done \(figures(line.done, "frames"))")
            for telescope in line.byTelescope {
                lines.append("    \(telescope.telescopeID.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) planned \(percent(telescope.planned.probability)) in \(telescope.planned.footprints), done \(percent(telescope.done.probability)) in \(telescope.done.footprints)")
            }
        }
        if !summary.losses.isEmpty {
            lines.append("Lost (planned, not done), by cause:")
            for loss in summary.losses {
                lines.append(String(format: "  %@: %d observations, %.1f h planned", loss.cause, loss.count, loss.plannedHours))
            }
        }
        lines.append("Frames: \(summary.renderingNote).")
        lines.append("Reports: \(result.reports.first?.html ?? "none")")
        for report in result.reports.dropFirst() { lines.append("         \(report.html)") }
        lines.append(String(format: "Wall time %.1f s.", result.wallSeconds))
        return lines.joined(separator: "\n")
    }
}

/// `starling night --json`.
struct NightRunDocument: Encodable {
    let night: String
    let resumed_from_utc: String?
    let planned: Int
    let completed: Int
    let frames: Int
    let frames_rendered: Int
    let frames_modelled: Int
    let rendering: String
    let sites: [SiteEntry]
    let telescopes: [TelescopeEntry]
    let follow_ups: [FollowUpEntry]
    let coverage: [CoverageEntry]
    let losses: [LossEntry]
    let reports: [String]
    let wall_seconds: Double

    struct SiteEntry: Encodable {
        let site: String
        let dark_hours: Double
        let open_hours: Double
        let planned: Int
        let completed: Int
        let frames: Int
    }

    struct TelescopeEntry: Encodable {
        let telescope: String
        let site: String
        let dark_hours: Double
        let open_fraction: Double?
        let exposure_dark_hours: Double
        let exposing_fraction: Double?
        let completed: Int
    }

    struct FollowUpEntry: Encodable {
        let alert: String
        let telescope: String
        let site: String
        let state: String
        let seconds_from_alert_to_first_frame: Double?
        let frames: Int
    }

    struct CoverageEntry: Encodable {
        struct Figures: Encodable {
            let footprints: Int
            let probability: Double
            let probability_with_distance: Double?
            let area_square_degrees: Double
            init(_ f: NightReport.CoverageFigures) {
                footprints = f.footprints
                probability = f.probability
                probability_with_distance = f.probabilityWithDistance
                area_square_degrees = f.areaSquareDegrees
            }
        }
        struct Telescope: Encodable {
            let telescope: String
            let planned: Figures
            let done: Figures
        }
        let alert: String
        let region_90_area_square_degrees: Double?
        let planned: Figures
        let done: Figures
        let by_telescope: [Telescope]
    }

    struct LossEntry: Encodable {
        let cause: String
        let count: Int
        let planned_hours: Double
    }

    init(_ result: NightHost.Result) {
        let summary = result.summary
        night = summary.night.description
        resumed_from_utc = result.resumedFrom.map { ISO8601.string(from: $0, fractionalSeconds: false) }
        planned = summary.planned
        completed = summary.completed
        frames = summary.frames
        frames_rendered = summary.framesRendered
        frames_modelled = summary.framesModelled
        rendering = summary.renderingNote
        sites = summary.sites.map {
            SiteEntry(site: $0.site.rawValue, dark_hours: $0.darkHours, open_hours: $0.openHours, planned: $0.planned, completed: $0.completed, frames: $0.frames)
        }
        telescopes = summary.telescopes.map {
            TelescopeEntry(
                telescope: $0.telescope.rawValue, site: $0.site.rawValue, dark_hours: $0.darkHours, open_fraction: $0.openFraction,
                exposure_dark_hours: $0.exposureDarkHours, exposing_fraction: $0.exposingFraction, completed: $0.completed)
        }
        follow_ups = summary.followUps.map {
            FollowUpEntry(
                alert: $0.alert, telescope: $0.telescope.rawValue, site: $0.site.rawValue, state: $0.state,
                seconds_from_alert_to_first_frame: $0.secondsFromAlertToFirstFrame, frames: $0.frames)
        }
        coverage = summary.coverage.map { line in
            CoverageEntry(
                alert: line.alert, region_90_area_square_degrees: line.regionAreaSquareDegrees, planned: .init(line.planned), done: .init(line.done),
                by_telescope: line.byTelescope.map { .init(telescope: $0.telescopeID.rawValue, planned: .init($0.planned), done: .init($0.done)) })
        }
        losses = summary.losses.map { LossEntry(cause: $0.cause, count: $0.count, planned_hours: $0.plannedHours) }
        reports = result.reports.map(\.html)
        wall_seconds = result.wallSeconds
    }
}
