import Foundation
public import Imaging
public import Logging
public import Persistence
public import StarlingCore
import Synchronization

/// The agent that turns frames into quality metrics and nights into reports.
///
/// Orchestration routes each `TelescopeEvent.frameWritten` to it as
/// `ReporterCommand.measure(_:)` and, at dawn, sends `.buildNightReport(date:site:)`.
/// ``send(_:)`` only queues the command and rings the agent's alarm, so a telescope agent
/// never waits for a frame to be measured: the measuring runs in the Reporter's own task,
/// started on its clock by ``start()``, one command at a time in the order sent (a report
/// asked for after some frames includes their measurements).
///
/// Reports go to `<outputDirectory>/<date>/<site id>/` (or `…/network/`): `report.html`,
/// `report.md`, `report.json`, `plots/`, `thumbnails/`.
///
/// ```swift
/// let reporter = Reporter(store: store, clock: clock, logger: logger,
///                         configuration: .init(outputDirectory: "reports", network: network, surveyCatalog: catalog))
/// await reporter.start()
/// reporter.send(.measure(frame))                              // from the frameWritten route
/// reporter.send(.buildNightReport(date: night, site: "teide")) // at dawn
/// let files = try await reporter.buildNightReport(date: night, site: nil)   // or directly
/// ```
///
/// A frame whose file is missing or unreadable is stored as `missing` or `corrupt`, never
/// dropped. A frame the simulator has already described with modelled metrics (`source:
/// model`) and wrote no file for keeps those metrics.
public actor Reporter {
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
    /// Commands sent and not yet handled, oldest first.
    private let mailbox = Mutex<[ReporterCommand]>([])
    /// Rung by ``send(_:)`` to wake the worker.
    private let alarm = Alarm()
    private var worker: Task<Void, Never>?
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

    /// Creates the agent; call ``start()`` to have it handle commands sent with ``send(_:)``.
    ///
    /// - Parameters:
    ///   - store: where frames, their quality, plans, observations, journal and reviews are.
    ///   - clock: the agent's time (measurement and report times; where its task runs).
    ///   - logger: a logger with the agent's metadata (Orchestration hands it a copy).
    ///   - configuration: output folder, network, survey catalog, reference stars, options.
    public init(store: any Store, clock: any UTCClock, logger: Logger, configuration: Configuration) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
        self.measurer = FrameMeasurer(
            network: configuration.network, references: configuration.references, options: configuration.analysis)
    }

    // MARK: Messages

    /// Queues a command and wakes the agent. Returns at once.
    public nonisolated func send(_ command: ReporterCommand) {
        mailbox.withLock { $0.append(command) }
        alarm.ring()
    }

    /// Commands sent and not yet handled.
    public nonisolated var pendingCommandCount: Int { mailbox.withLock { $0.count } }

    /// Starts the agent's task on its clock (once; later calls do nothing).
    public func start() {
        guard worker == nil else { return }
        worker = clock.spawn(named: "reporter") { [self] in await run() }
        logger.debug("Reporter started", metadata: ["report.directory": "\(configuration.outputDirectory)"])
    }

    /// Stops the agent's task after the command in hand; commands still queued stay queued.
    public func stop() async {
        guard let worker else { return }
        worker.cancel()
        alarm.ring()
        await worker.value
        self.worker = nil
    }

    /// What the agent has done so far.
    public var statistics: Counts { counts }

    /// The reports written through commands, oldest first.
    public var writtenReports: [ReportFiles] { reports }

    /// Handles commands until cancelled, sleeping on the clock while the mailbox is empty
    /// (so a simulation clock counts the agent as waiting, not running).
    private nonisolated func run() async {
        while !Task.isCancelled {
            let batch = mailbox.withLock { mailbox in
                defer { mailbox.removeAll() }
                return mailbox
            }
            guard !batch.isEmpty else {
                do {
                    _ = try await clock.sleep(until: clock.now.advanced(by: .seconds(86_400)), orUntil: alarm)
                } catch {
                    return  // cancelled: stop() was called
                }
                continue
            }
            for command in batch {
                await handle(command)
            }
        }
    }

    private nonisolated func handle(_ command: ReporterCommand) async {
        switch command {
        case .measure(let frame):
            do {
                _ = try await measure(frame)
            } catch {
                logger.error("Frame quality not stored", metadata: ["frame.id": "\(frame.id)", "error": "\(error)"])
            }
        case .buildNightReport(let date, let site):
            do {
                let files = try await buildNightReport(date: date, site: site)
                await record(files)
            } catch {
                await recordFailedReport()
                logger.error(
                    "Night report failed", metadata: ["report.night": "\(date)", "site.id": "\(site?.rawValue ?? "network")", "error": "\(error)"])
            }
        }
    }

    private func record(_ files: ReportFiles) {
        counts.reportsWritten += 1
        reports.append(files)
    }

    private func recordFailedReport() { counts.reportsFailed += 1 }

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
        let directory = configuration.outputDirectory + "/\(date)/" + ReportFormat.fileName(site?.rawValue ?? "network")
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
