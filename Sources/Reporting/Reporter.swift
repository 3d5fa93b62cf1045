import Foundation
public import Imaging
public import Logging
public import Persistence
public import StarlingCore

/// The agent that turns frames into quality metrics and nights into reports.
///
/// An ``StarlingCore/Agent``: Orchestration routes each `TelescopeEvent.frameWritten` to it as
/// `ReporterCommand.measure(_:)` and, at dawn, sends `.buildNightReport(date:site:)`.
/// ``send(_:)`` only queues the command, so a telescope agent never waits for a frame to be
/// measured: the measuring runs in ``run()``, one command at a time in the order sent (a report
/// asked for after some frames includes their measurements). ``stop(reason:)`` lets it handle
/// what is already queued, then ``run()`` returns. It reports every measurement and report as a
/// `ReporterEvent`.
///
/// Reports go to `<outputDirectory>/<date>/<site id>/` (or `…/network/`): `report.html`,
/// `report.md`, `report.json`, `plots/`, `thumbnails/`.
///
/// ```swift
/// let reporter = Reporter(store: store, clock: clock, logger: logger,
///                         configuration: .init(outputDirectory: "reports", network: network, surveyCatalog: catalog))
/// clock.spawn(named: "reporter") { try? await reporter.run() }
/// reporter.send(.measure(frame))                              // from the frameWritten route
/// reporter.send(.buildNightReport(date: night, site: "teide")) // at dawn
/// ```
///
/// A frame whose file is missing or unreadable is stored as `missing` or `corrupt`, never
/// dropped. A frame the simulator has already described with modelled metrics (`source:
/// model`) and wrote no file for keeps those metrics.
public actor Reporter: Agent {
    public typealias Command = ReporterCommand
    public typealias Event = ReporterEvent

    /// What the Reporter needs besides the store, clock and logger.
    public struct Configuration: Sendable {
        /// The folder reports are written under (`<outputDirectory>/<date>/<site or network>/`).
        public var outputDirectory: String
        /// The sites and telescopes: night windows, names, telescope models for zero points.
        public var network: ObservatoryNetwork
        /// The survey's targets and cadences; `nil` to take them from the night's plans.
        public var surveyCatalog: TargetCatalog?
        /// Stars of known magnitude for measuring transparency; `nil` to use only the
        /// telescope model's expected zero point (then no transparency is measured).
        public var references: ReferenceCatalog?
        /// Background and detection settings for measuring frames.
        public var analysis: FrameAnalysis.Options
        /// How reports are written (embedded images, table lengths, thumbnail size).
        public var writer: ReportWriter.Options
        /// The most thumbnails per report.
        public var maximumThumbnails: Int
        /// Where sky maps and host galaxies come from, for the coverage of sky-map follow-ups;
        /// `nil` leaves it out of the reports.
        public var skyMaps: SkyMapOptions?

        public init(
            outputDirectory: String, network: ObservatoryNetwork, surveyCatalog: TargetCatalog? = nil, references: ReferenceCatalog? = nil,
            analysis: FrameAnalysis.Options = FrameAnalysis.Options(), writer: ReportWriter.Options = ReportWriter.Options(),
            maximumThumbnails: Int = 24, skyMaps: SkyMapOptions? = nil
        ) {
            self.outputDirectory = outputDirectory
            self.network = network
            self.surveyCatalog = surveyCatalog
            self.references = references
            self.analysis = analysis
            self.writer = writer
            self.maximumThumbnails = maximumThumbnails
            self.skyMaps = skyMaps
        }
    }

    private let store: any Store
    private let clock: any UTCClock
    private let logger: Logger
    /// The configuration the Reporter was made with.
    public nonisolated let configuration: Configuration
    private let measurer: FrameMeasurer
    private let mailbox = Mailbox<ReporterCommand>()
    private let events: EventHandler<ReporterEvent>
    private var counts = Counts()
    private var reports: [ReportFiles] = []

    /// What the Reporter has done since it was made.
    public struct Counts: Sendable, Hashable {
        /// Frames measured from their pixels.
        public var measured = 0
        /// Frames recorded as missing or corrupt.
        public var unreadable = 0
        /// Frames left with the simulator's modelled metrics.
        public var modelled = 0
        /// Reports written, and reports that failed.
        public var reportsWritten = 0
        public var reportsFailed = 0
    }

    /// Creates the agent; ``run()`` handles the commands sent with ``send(_:)``.
    ///
    /// - Parameters:
    ///   - store: where frames, their quality, plans, observations, journal and reviews are.
    ///   - clock: the agent's time (measurement and report times; where its task runs).
    ///   - logger: a logger with the agent's metadata (Orchestration hands it a copy).
    ///   - configuration: output folder, network, survey catalog, reference stars, options.
    ///   - events: receives every `ReporterEvent`, from the agent's task.
    public init(
        store: any Store, clock: any UTCClock, logger: Logger, configuration: Configuration, events: @escaping EventHandler<ReporterEvent> = { _ in }
    ) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
        self.events = events
        self.measurer = FrameMeasurer(
            network: configuration.network, references: configuration.references, options: configuration.analysis)
    }

    // MARK: Agent

    /// Queues a command and wakes the agent. Returns at once.
    public nonisolated func send(_ command: ReporterCommand) { mailbox.post(command) }

    /// Asks the agent to handle what is already queued and then return from ``run()``.
    public nonisolated func stop(reason: String) { mailbox.requestStop(reason: reason) }

    /// Commands sent and not yet handled.
    public nonisolated var pendingCommandCount: Int { mailbox.count }

    /// What the agent has done so far.
    public var statistics: Counts { counts }

    /// The reports written through commands, oldest first.
    public var writtenReports: [ReportFiles] { reports }

    /// Handles commands until stopped (after the queue is empty) or cancelled, sleeping on the
    /// clock while the mailbox is empty (so a simulation clock counts the agent as waiting).
    public func run() async throws {
        logger.debug("Reporter started", metadata: ["report.directory": "\(configuration.outputDirectory)"])
        try await mailbox.runStoppingOnGracefulShutdown {
            while true {
                let batch = mailbox.takeAll()
                if batch.isEmpty {
                    if let reason = mailbox.stopReason {
                        logger.debug("Reporter stopped", metadata: ["reason": "\(reason)"])
                        return
                    }
                    try await mailbox.wait(on: clock)
                    continue
                }
                for command in batch { await handle(command) }
            }
        }
    }

    private func handle(_ command: ReporterCommand) async {
        switch command {
        case .measure(let frame):
            do {
                _ = try await measure(frame)
            } catch {
                logger.error("Frame quality not stored", metadata: ["frame.id": "\(frame.id)", "error": "\(error)"])
            }
        case .measureUnmeasured(let interval):
            do {
                let unmeasured = try await store.frames(startedIn: interval, site: nil).filter { $0.quality == nil }.map(\.frame)
                if !unmeasured.isEmpty { logger.notice("Measuring frames left unmeasured", metadata: ["frame.count": "\(unmeasured.count)"]) }
                for frame in unmeasured { _ = try await measure(frame) }
            } catch {
                logger.error("Unmeasured frames not caught up", metadata: ["error": "\(error)"])
            }
        case .buildNightReport(let date, let site):
            do {
                let files = try await buildNightReport(date: date, site: site)
                counts.reportsWritten += 1
                reports.append(files)
                events(.reportWritten(night: date, site: site, path: files.html, at: clock.currentDate))
            } catch {
                counts.reportsFailed += 1
                logger.error(
                    "Night report failed", metadata: ["report.night": "\(date)", "site.id": "\(site?.rawValue ?? "network")", "error": "\(error)"])
                events(.reportFailed(night: date, site: site, reason: error.description, at: clock.currentDate))
            }
        }
    }

    private func recordMeasurement(_ status: FrameQuality.Status, modelled: Bool) {
        if modelled {
            counts.modelled += 1
            return
        }
        switch status {
        case .measured: counts.measured += 1
        case .corrupt, .missing: counts.unreadable += 1
        }
    }

    // MARK: Work

    /// Where a night's report goes: `<outputDirectory>/<night>/<site id, or network>/`.
    public static func reportDirectory(under outputDirectory: String, night: CalendarDate, site: SiteID?) -> String {
        outputDirectory + "/\(night)/" + ReportFormat.fileName(site?.rawValue ?? "network")
    }

    /// Measures a frame and stores its quality now (the command does this in the agent's task).
    ///
    /// - Returns: the quality stored, or the simulator's modelled quality when the frame has
    ///   no file and already carries one.
    /// - Throws: ``ReportingError`` `.store` when the quality cannot be read or stored.
    @discardableResult
    public nonisolated func measure(_ frame: FrameRecord) async throws(ReportingError) -> FrameQuality {
        var metadata: Logger.Metadata = ["frame.id": "\(frame.id)", "telescope.id": "\(frame.telescopeID)", "fits.path": "\(frame.path)"]
        if !FileManager.default.fileExists(atPath: frame.path) {
            let existing: FrameQuality?
            do {
                existing = try await store.frameQuality(of: frame.id)
            } catch {
                throw ReportingError(error, while: "read the stored quality of frame \(frame.id)")
            }
            if let existing, existing.source == .model {
                logger.debug("Frame keeps its modelled quality", metadata: metadata)
                await recordMeasurement(existing.status, modelled: true)
                return existing
            }
        }
        let measurement = measurer.measure(frame, at: clock.currentDate)
        do {
            try await store.saveFrameQuality(measurement.quality)
        } catch {
            throw ReportingError(error, while: "store the quality of frame \(frame.id)")
        }
        await recordMeasurement(measurement.quality.status, modelled: false)
        events(.frameMeasured(measurement.quality))
        switch measurement.quality.status {
        case .measured:
            if let fwhm = measurement.quality.fwhmArcseconds { metadata["frame.fwhm_arcsec"] = "\(formatFixed(fwhm, decimals: 2))" }
            if let transparency = measurement.quality.transparency { metadata["frame.transparency"] = "\(formatFixed(transparency, decimals: 2))" }
            metadata["frame.sources"] = "\(measurement.quality.sourceCount ?? 0)"
            logger.info("Frame measured", metadata: metadata)
        case .missing:
            logger.warning("Frame file missing", metadata: metadata)
        case .corrupt(let reason):
            metadata["error"] = "\(reason)"
            logger.warning("Frame file unreadable", metadata: metadata)
        }
        return measurement.quality
    }

    /// Builds and writes a night's report now (the command does this in the agent's task).
    ///
    /// Frames without a stored quality are measured first.
    ///
    /// - Parameters:
    ///   - date: the local date the night begins on.
    ///   - site: one site, or `nil` for the network.
    /// - Returns: where the report went.
    /// - Throws: ``ReportingError`` when the store, the sky computation or writing fails.
    public nonisolated func buildNightReport(date: CalendarDate, site: SiteID?) async throws(ReportingError) -> ReportFiles {
        let builder = NightReportBuilder(
            store: store, network: configuration.network, surveyCatalog: configuration.surveyCatalog,
            options: .init(measurer: measurer, maximumThumbnails: configuration.maximumThumbnails, skyMaps: configuration.skyMaps))
        let report = try await builder.build(night: date, site: site, generatedAt: clock.currentDate)
        let directory = Self.reportDirectory(under: configuration.outputDirectory, night: date, site: site)
        let files = try ReportWriter(options: configuration.writer).write(report, to: directory)
        var metadata: Logger.Metadata = [
            "report.night": "\(date)", "report.path": "\(files.html)", "report.frames": "\(report.totals.frames)",
            "report.completed": "\(report.totals.completed)", "report.planned": "\(report.totals.planned)",
        ]
        if let site { metadata["site.id"] = "\(site)" }
        logger.info("Night report written", metadata: metadata)
        for skipped in files.skippedThumbnails {
            logger.warning("Thumbnail not drawn", metadata: ["frame.id": "\(skipped.frameID)", "error": "\(skipped.reason)"])
        }
        return files
    }
}
