public import Foundation
import Coordination
import Logging
import Observatory
import Persistence
import Planning
public import Reporting
import Sky
import StarlingCore

/// Hosts a scenario's night of the array: every telescope's agent over the simulator, the
/// planner, the network coordinator with its intake, and the Reporter, on one simulation clock
/// and one SQLite store, talking only through their messages.
///
/// The daily cycle: the array plan before the first dusk (each site's night in its own time
/// zone), every agent opening at dusk when its weather is safe and observing its plan
/// (re-planned after faults, follow-ups and closures), follow-ups interrupting as the
/// coordinator decides, closing at dawn; the reports once every site's night is over.
///
/// Restart: the store is the truth. Run again with the same store and the night resumes at
/// the latest instant the store recorded anything (an observation's end, a journal line, an
/// alert, a plan), so nothing stored is done again: each telescope carries on with its stored
/// plan, an observation that was running when the process died keeps its record as
/// interrupted (`Reason.Code.interrupted`) and its slot may be taken again, the coordinator
/// reloads its open assignments and offers them again, the intake hands on the alerts it had
/// not finished, and frames stored without a measurement are measured.
public struct NightHost: Sendable {
    public let configuration: NightRunConfiguration

    public init(configuration: NightRunConfiguration) {
        self.configuration = configuration
    }

    /// The outcome of a run.
    public struct Result: Sendable {
        public let summary: NightSummary
        /// The network report and each site's.
        public let reports: [ReportFiles]
        /// Where this run resumed an earlier, unfinished one.
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
        try Self.span(of: configuration.scenario, sites: configuration.sites)
    }

    /// A scenario's simulated span at some sites (see ``span()``).
    static func span(of scenario: Scenario, sites: [Site]) throws -> DateInterval {
        if let start = scenario.start, let end = scenario.end { return DateInterval(start: start, end: end) }
        var first = Date.distantFuture, last = Date.distantPast
        for site in sites {
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
        guard let result = try await run(abandoningAt: nil, progress: progress) else {
            throw NightRunError("the night stopped before its end")
        }
        return result
    }

    /// Runs the night, or, with `abandoningAt`, runs it until that simulated instant and then
    /// walks away without stopping anything, as a killed process would (tests of resuming).
    ///
    /// - Returns: `nil` when abandoned.
    func run(abandoningAt abandon: Date?, progress: @escaping @Sendable (NightProgress) -> Void = { _ in }) async throws -> Result? {
        let wallStart = Date()
        let scenario = configuration.scenario
        let logger = configuration.logger
        let span = try span()
        for folder in [configuration.outputDirectory, URL(fileURLWithPath: configuration.databasePath).deletingLastPathComponent().path] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let store = try SQLiteStore(path: configuration.databasePath)
        let previous = try await store.run(runID)
        var resumeAt: Date?
        if let previous, !previous.isFinished {
            resumeAt = max(previous.reached, try await RecordedTime.latest(around: span, in: store, network: configuration.runningNetwork))
        }
        if previous?.isFinished == true {
            logger.notice("This night already ran to the end; building its reports again", metadata: ["run.id": "\(runID)"])
        }
        let start = resumeAt ?? span.start
        let clock = SimulationClock(start: UTCInstant(start))
        let world = SimulatedWorld(scenario: scenario, sites: configuration.sites, catalog: configuration.catalog, span: span, rendering: configuration.rendering)
        let agents = NetworkAgents(
            network: configuration.runningNetwork, catalog: configuration.catalog, store: store, clock: clock, logger: logger,
            options: .init(framesDirectory: configuration.outputDirectory + "/frames", reportsDirectory: configuration.outputDirectory + "/reports")
        ) { telescope, site in world.devices(for: telescope, at: site, clock: clock) }
        let tasks = AgentTasks(clock: clock, logger: logger)

        if previous?.isFinished != true {
            try await store.checkpoint(run: runID, reached: start, startedAt: previous?.startedAt ?? wallStart)
            try await agents.start(in: tasks)
            world.feedWeather(to: agents.coordinator, on: clock, until: span.end)
            world.injectAlerts(into: agents.intake, on: clock, logger: logger)
            if let resumeAt {
                logger.notice("Resuming the night", metadata: ["run.id": "\(runID)", "resume.at": "\(ISO8601.string(from: resumeAt))"])
                agents.planner.send(.resume(at: resumeAt))
                agents.reporter.send(.measureUnmeasured(DateInterval(start: span.start, end: resumeAt)))
            } else {
                agents.planner.send(.planNight(localDate: scenario.date, telescopes: nil))
            }
            let checkpoints = CheckpointTask(
                runID: runID, store: store, router: agents.router, clock: clock, span: span, every: configuration.checkpointSeconds,
                wallStart: wallStart, logger: logger, progress: progress)
            clock.spawn(named: "checkpoints") { await checkpoints.run() }
            if let abandon, abandon < span.end {
                await clock.run(until: UTCInstant(abandon))
                return nil
            }
            await clock.run(until: UTCInstant(span.end))
            // Telescopes close, park and answer what they hold; the planner and the
            // coordinator take their last events; then the reports.
            tasks.stop(.telescopes, reason: "end of the simulated night")
            await tasks.waitUntilFinished(.telescopes, driving: clock)
            tasks.stop(.network, reason: "end of the simulated night")
            await tasks.waitUntilFinished(.network, driving: clock)
            await agents.intake.stop()
        } else {
            tasks.start("reporter", .reporter, agents.reporter)
        }
        agents.reporter.send(.buildNightReport(date: scenario.date, site: nil))
        for site in configuration.sites { agents.reporter.send(.buildNightReport(date: scenario.date, site: site.id)) }
        tasks.stop(.reporter, reason: "the night's reports are written")
        await tasks.waitUntilFinished(.reporter, driving: clock)
        tasks.stop(.router, reason: "end of the simulated night")
        await tasks.waitUntilFinished(.router, driving: clock)
        if !tasks.failed.isEmpty { throw NightRunError("agents failed: \(tasks.failed.joined(separator: "; "))") }
        if previous?.isFinished != true { try await store.finishRun(runID, at: span.end) }

        let reports = await agents.reporter.writtenReports
        guard reports.count == configuration.sites.count + 1 else {
            throw NightRunError("only \(reports.count) of \(configuration.sites.count + 1) reports were written (see the log)")
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
            let counts = router.counts
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
