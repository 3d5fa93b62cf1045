public import Foundation
import Coordination
import Logging
import Observatory
import Persistence
import Planning
public import Reporting
import Sky
import SkyMaps
import StarlingCore

/// Runs a scenario's night of the array: every telescope's agent over the simulator, the
/// planner, the network coordinator and the Reporter, on one simulation clock and one
/// SQLite store, talking only through their messages.
///
/// The daily cycle: the array plan before the first dusk (each site's night in its own time
/// zone), every agent opening at dusk when its weather is safe and observing its plan
/// (re-planned after faults, follow-ups and closures), follow-ups interrupting as the
/// coordinator decides, closing at dawn; the reports once every site's night is over.
///
/// Restart: the run checkpoints its simulated time in the store. Run again with the same
/// store and it resumes from the last checkpoint: observations already stored stay, the
/// planner re-plans from there without repeating what is done, the coordinator reloads open
/// assignments and the intake hands on unfinished alerts.
public struct NightRunner: Sendable {
    public let configuration: NightRunConfiguration

    public init(configuration: NightRunConfiguration) {
        self.configuration = configuration
    }

    /// The outcome of a run.
    public struct Result: Sendable {
        public let summary: NightSummary
        /// The network report and each site's.
        public let reports: [ReportFiles]
        /// Whether this run resumed an earlier, unfinished one.
        public let resumedFrom: Date?
        public let wallSeconds: Double
    }

    /// The run's id in the store: the scenario, its date and seed.
    public var runID: String {
        let scenario = configuration.scenario
        return "night:\(scenario.name):\(scenario.date):\(scenario.seed)"
    }

    /// The simulated span: the scenario's, else an hour before the first site's sunset to an
    /// hour after the last site's sunrise of the night that begins on the scenario's date.
    public func span() throws -> DateInterval {
        let scenario = configuration.scenario
        if let start = scenario.start, let end = scenario.end { return DateInterval(start: start, end: end) }
        var first = Date.distantFuture, last = Date.distantPast
        for site in configuration.sites {
            let windows = try NightWindows.compute(site: site, date: scenario.date)
            first = min(first, (windows.sunset.date ?? windows.window.start).addingTimeInterval(-3600))
            last = max(last, (windows.sunrise.date ?? windows.window.end).addingTimeInterval(3600))
        }
        guard first < last else { throw NightRunError("the scenario has no site with telescopes to run") }
        return DateInterval(start: scenario.start ?? first, end: scenario.end ?? last)
    }

    /// Runs the night (or resumes it), writes the reports, and summarises.
    ///
    /// - Parameter progress: called at every checkpoint, from the run's task.
    public func run(progress: @escaping @Sendable (NightProgress) -> Void = { _ in }) async throws -> Result {
        let wallStart = Date()
        let scenario = configuration.scenario
        let logger = configuration.logger
        let span = try span()
        for folder in [configuration.outputDirectory, URL(fileURLWithPath: configuration.databasePath).deletingLastPathComponent().path] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let store = try SQLiteStore(path: configuration.databasePath)
        let previous = try await store.run(runID)
        if let previous, previous.isFinished {
            logger.notice("This night already ran to the end; building its reports again", metadata: ["run.id": "\(runID)"])
        }
        let resumeAt = previous.flatMap { $0.isFinished ? nil : $0.reached }
        let start = resumeAt ?? span.start
        let clock = SimulationClock(start: UTCInstant(start))
        let framesDirectory = configuration.outputDirectory + "/frames"
        let reportsDirectory = configuration.outputDirectory + "/reports"

        let router = MessageRouter(store: store, clock: clock, logger: logger)
        let host = try ArrayHost(configuration: configuration, span: span, clock: clock, store: store, router: router, framesDirectory: framesDirectory)
        let reporter = Reporter(
            store: store, clock: clock, logger: logger.with(component: "reporter"),
            configuration: Reporter.Configuration(
                outputDirectory: reportsDirectory, network: configuration.runningNetwork, surveyCatalog: configuration.catalog,
                skyMaps: SkyMapOptions(source: SkyMapLoader(reader: FITSSkyMapReader()), galaxies: configuration.catalog.targets)))
        await router.connect(planner: host.planner, coordinator: host.coordinator, reporter: reporter)

        if previous?.isFinished != true {
            try await store.checkpoint(run: runID, reached: start, startedAt: previous?.startedAt ?? wallStart)
            // The agents and the coordinator wake up on the clock; alerts and weather are fed in.
            try await host.start(resumingAt: resumeAt, reporter: reporter)
            let checkpoints = CheckpointTask(
                runID: runID, store: store, router: router, clock: clock, span: span, every: configuration.checkpointSeconds,
                wallStart: wallStart, logger: logger, progress: progress)
            clock.spawn(named: "checkpoints") { await checkpoints.run() }
            await clock.run(until: UTCInstant(span.end))
            // Every agent closes, parks and answers what it still holds; the Reporter catches up.
            await host.stop()
            await clock.run(until: UTCInstant(span.end.addingTimeInterval(3600)))
            while reporter.pendingCommandCount > 0 {
                await clock.run(until: UTCInstant(clock.currentDate.addingTimeInterval(3600)))
            }
            await reporter.stop()
            await router.flushJournal()
            try await store.finishRun(runID, at: span.end)
        }

        var reports: [ReportFiles] = []
        reports.append(try await reporter.buildNightReport(date: scenario.date, site: nil))
        for site in configuration.sites {
            reports.append(try await reporter.buildNightReport(date: scenario.date, site: site.id))
        }
        let summary = NightSummary(report: reports[0].report, rendering: configuration.rendering)
        return Result(summary: summary, reports: reports, resumedFrom: resumeAt, wallSeconds: Date().timeIntervalSince(wallStart))
    }
}

/// Why a night cannot run.
public struct NightRunError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Reports progress and checkpoints the run on the simulated timeline.
struct CheckpointTask: Sendable {
    let runID: String
    let store: any Store
    let router: MessageRouter
    let clock: SimulationClock
    let span: DateInterval
    let every: Double
    let wallStart: Date
    let logger: Logger
    let progress: @Sendable (NightProgress) -> Void

    func run() async {
        while clock.currentDate < span.end {
            let next = min(span.end, clock.currentDate.addingTimeInterval(every))
            do { try await clock.sleep(until: next) } catch { return }
            await router.flushJournal()
            let now = clock.currentDate
            do {
                try await store.checkpoint(run: runID, reached: now, startedAt: wallStart)
            } catch {
                // A checkpoint that fails only costs a longer resume; say so and go on.
                logger.warning("Checkpoint not stored", metadata: ["run.id": "\(runID)", "store.error": "\(error)"])
            }
            let counts = await router.counts
            progress(NightProgress(
                now: now, span: span, observations: counts.observations, completed: counts.completed, frames: counts.frames,
                openTelescopes: counts.open.count, assignments: counts.assignments, faults: counts.faults,
                wallSeconds: Date().timeIntervalSince(wallStart)))
            if let crashAfter = ProcessInfo.processInfo.environment["STARLING_CRASH_AT_FRACTION"].flatMap(Double.init),
                now.timeIntervalSince(span.start) / span.duration >= crashAfter
            {
                // Test aid: die as a killed process would, right after a checkpoint.
                kill(getpid(), SIGKILL)
            }
        }
    }
}

extension Logger {
    /// The same logger with its messages marked as one component's (`component` metadata).
    func with(component: String) -> Logger {
        var copy = self
        copy[metadataKey: "component"] = "\(component)"
        return copy
    }
}
