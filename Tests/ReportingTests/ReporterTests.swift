import Foundation
import InMemoryLogging
import Logging
import Persistence
import StarlingCore
import Synchronization
import Testing

@testable import Reporting

/// The Reporter agent on a simulation clock: commands are queued and handled in its own
/// task, in order, without the sender waiting.
struct ReporterTests {
    @Test func measuresFramesSentToItAndWritesTheNightReport() async throws {
        let folder = try TemporaryDirectory()
        let night = try await SimulatedNight.make(in: folder.path + "/data")
        let clock = SimulationClock(start: UTCInstant(night.reportTime))
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "starling.reporter") { _ in handler }
        let events = Mutex<[ReporterEvent]>([])
        let reporter = Reporter(
            store: night.store, clock: clock, logger: logger,
            configuration: .init(outputDirectory: folder.path + "/reports", network: night.network, surveyCatalog: night.catalog, references: night.references)
        ) { event in events.withLock { $0.append(event) } }
        let running = clock.spawn(named: "reporter") { try? await reporter.run() }

        // Every frame of the night, as the frameWritten route would send them, then the report.
        let frames = try await night.store.frames(startedIn: DateInterval(start: night.teideDark.start.addingTimeInterval(-86_400), duration: 3 * 86_400), site: nil)
        #expect(frames.count == 19)
        for (frame, _) in frames { reporter.send(.measure(frame)) }
        reporter.send(.buildNightReport(date: night.night, site: "teide"))
        #expect(reporter.pendingCommandCount == 20)  // queued: send never waits for the work
        await clock.run(until: clock.now.advanced(by: .seconds(60)))
        #expect(reporter.pendingCommandCount == 0)

        let statistics = await reporter.statistics
        #expect(statistics.measured == 16)
        #expect(statistics.unreadable == 2)
        #expect(statistics.modelled == 1)
        #expect(statistics.reportsWritten == 1 && statistics.reportsFailed == 0)

        // The simulator's modelled metrics were kept, not overwritten by "missing".
        let modelled = try #require(try await night.store.frameQuality(of: night.modelledFrame))
        #expect(modelled.source == .model && modelled.fwhmArcseconds == 1.67)
        #expect(try await night.store.frameQuality(of: night.missingFrame)?.status == .missing)
        let corrupt = try #require(try await night.store.frameQuality(of: night.corruptFrame))
        if case .corrupt = corrupt.status {} else { Issue.record("the truncated frame was stored as \(corrupt.status)") }
        // Measured at the clock's time, not the system's.
        #expect(try await night.store.frameQuality(of: "teide-1m-a-a1-f0")?.measuredAt == night.reportTime)

        let reports = await reporter.writtenReports
        let report = try #require(reports.first)
        #expect(report.directory.hasSuffix("/reports/2026-11-23/teide"))
        #expect(FileManager.default.fileExists(atPath: report.html) && FileManager.default.fileExists(atPath: report.json))
        #expect(report.report.totals.framesUnmeasured == 0)

        let entries = handler.entries
        #expect(entries.filter { $0.message == "Frame measured" }.count == 16)
        #expect(entries.contains { $0.level == .warning && $0.message == "Frame file missing" && $0.metadata["frame.id"] == "\(night.missingFrame)" })
        #expect(entries.contains { $0.level == .warning && $0.message == "Frame file unreadable" })
        #expect(entries.contains { $0.message == "Night report written" && $0.metadata["site.id"] == "teide" })

        // Every measurement and the report went out as events.
        let sent = events.withLock { $0 }
        #expect(sent.filter { if case .frameMeasured = $0 { true } else { false } }.count == 18)
        #expect(sent.contains { if case .reportWritten(_, let site, let path, _) = $0 { site == "teide" && path == report.html } else { false } })
        reporter.stop(reason: "test over")
        await clock.run(until: clock.now.advanced(by: .seconds(1)))
        await running.value
    }

    @Test func stoppingHandlesWhatIsQueuedFirst() async throws {
        let folder = try TemporaryDirectory()
        let night = try await SimulatedNight.make(in: folder.path + "/data")
        let clock = SimulationClock(start: UTCInstant(night.reportTime))
        let reporter = Reporter(
            store: night.store, clock: clock, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            configuration: .init(outputDirectory: folder.path + "/reports", network: night.network, surveyCatalog: night.catalog))
        let frames = try await night.store.frames(startedIn: DateInterval(start: night.teideDark.start.addingTimeInterval(-86_400), duration: 3 * 86_400), site: nil)
        for (frame, _) in frames { reporter.send(.measure(frame)) }
        reporter.stop(reason: "test over")
        let running = clock.spawn(named: "reporter") { try? await reporter.run() }
        await clock.run(until: clock.now.advanced(by: .seconds(60)))
        await running.value
        #expect(reporter.pendingCommandCount == 0)
        let statistics = await reporter.statistics
        #expect(statistics.measured + statistics.unreadable + statistics.modelled == frames.count)
    }

    @Test func framesLeftUnmeasuredAreMeasuredOnRequest() async throws {
        let folder = try TemporaryDirectory()
        let night = try await SimulatedNight.make(in: folder.path + "/data")
        let clock = SimulationClock(start: UTCInstant(night.reportTime))
        let reporter = Reporter(
            store: night.store, clock: clock, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            configuration: .init(outputDirectory: folder.path + "/reports", network: night.network, surveyCatalog: night.catalog))
        let span = DateInterval(start: night.teideDark.start.addingTimeInterval(-86_400), duration: 3 * 86_400)
        let before = try await night.store.frames(startedIn: span, site: nil)
        let unmeasured = before.filter { $0.quality == nil }.count
        #expect(unmeasured > 0)
        let running = clock.spawn(named: "reporter") { try? await reporter.run() }
        reporter.send(.measureUnmeasured(span))
        reporter.stop(reason: "test over")
        await clock.run(until: clock.now.advanced(by: .seconds(60)))
        await running.value
        let after = try await night.store.frames(startedIn: span, site: nil)
        #expect(after.allSatisfy { $0.quality != nil })
        let statistics = await reporter.statistics
        #expect(statistics.measured + statistics.unreadable == unmeasured)
    }

    @Test func aReportForAnUnknownSiteFailsAndIsLogged() async throws {
        let folder = try TemporaryDirectory()
        let clock = SimulationClock(start: UTCInstant(Date(timeIntervalSince1970: 1_795_500_000)))
        let handler = InMemoryLogHandler()
        let reporter = Reporter(
            store: try SQLiteStore.inMemory(), clock: clock, logger: Logger(label: "test") { _ in handler },
            configuration: .init(outputDirectory: folder.path, network: ObservatoryNetwork(sites: try SimulatedNight.sites())))
        let running = clock.spawn(named: "reporter") { try? await reporter.run() }
        reporter.send(.buildNightReport(date: CalendarDate(year: 2026, month: 11, day: 23)!, site: "atlantis"))
        await clock.run(until: clock.now.advanced(by: .seconds(1)))
        #expect(await reporter.statistics.reportsFailed == 1)
        let failure = try #require(handler.entries.first { $0.level == .error })
        #expect(failure.message == "Night report failed")
        #expect("\(failure.metadata["error"] ?? "")".contains("atlantis"))
        reporter.stop(reason: "test over")
        await clock.run(until: clock.now.advanced(by: .seconds(1)))
        await running.value
    }
}
