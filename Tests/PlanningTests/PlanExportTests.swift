import Foundation
import StarlingCore
import StarlingTestSupport
import Testing

@testable import Planning

/// Which readers this machine has (asked once).
enum PlanExportReaders {
    static let python = ChildProcess.status(of: "/usr/bin/env", arguments: ["python3", "-c", "pass"]) == 0
    static let icalendar = ChildProcess.status(of: "/usr/bin/env", arguments: ["python3", "-c", "import icalendar"]) == 0
}

/// Each export of a night plan, read back by the format's own parser (Python's csv module,
/// the icalendar package) or by a line-for-line port of the receiving tool's reader (N.I.N.A.
/// Target Scheduler's CSV loader, KStars' scheduler and capture readers) in
/// Fixtures/read_plan_export.py, and compared with the plan it came from.
@Suite(.enabled(if: PlanExportReaders.python, "python3 is needed to read the exports back (Fixtures/read_plan_export.py)"))
struct PlanExportTests {

    /// A name with everything that breaks a naive writer: a comma, quotes, XML's `&` and `<`,
    /// a semicolon and a non-ASCII letter.
    static let awkwardName = "NGC 5194, \"Whirlpool\" & <M51a>; Strudelnebel ü"

    /// Xinglong's plan for the night of 2026-11-23 from the shipped nearby-galaxies catalog,
    /// mixed filters and exposure lengths; its first observation swapped for one of an
    /// awkwardly named target with two exposure sets (g 2×120 s, r 3×300 s), as a follow-up.
    static func plan() throws -> (plan: NightPlan, site: Site) {
        let site = try #require(try PlanningTestSupport.network().site("xinglong"))
        let catalog = try PlanningTestSupport.layout.loadCatalog(named: "nearby_galaxies")
        let night = try SiteNight(site: site, localDate: CalendarDate("2026-11-23")!)
        let requests = PlanningTestSupport.requests(for: catalog.targets, seed: 3, mixed: true)
        var entries = try NightScheduler(site: site, telescope: site.telescopes[0]).schedule(requests, night: night).entries
        try #require(entries.count >= 5)
        let first = entries[0]
        let awkward = Target(id: "ngc5194-m51a", name: awkwardName, coordinates: first.request.target.coordinates, kind: .galaxy)
        let request = ObservationRequest(
            id: "follow-up:ngc5194", target: awkward,
            exposures: [ExposureSpec(filter: Filter("g"), exposureSeconds: 120, count: 2), ExposureSpec(filter: Filter("r"), exposureSeconds: 300, count: 3)],
            kind: .followUp)
        entries[0] = PlannedObservation(
            request: request, start: first.start, end: first.end, altitudeStart: first.altitudeStart, altitudeEnd: first.altitudeEnd,
            airmass: first.airmass, merit: first.merit, reason: "follow-up, highest merit; the Moon is 80° away — Ümlaut and ✓ test long enough to fold")
        let plan = NightPlan(
            id: "plan-xinglong-test", telescopeID: site.telescopes[0].id, siteID: site.id, night: CalendarDate("2026-11-23")!,
            createdAt: Date(timeIntervalSince1970: 1_795_400_000), entries: entries, ranking: .deterministic)
        return (plan, site)
    }

    /// Writes the plan in a format into a fresh folder and reads the main file back with the script.
    static func roundTrip<T: Decodable>(_ format: PlanExportFormat, reader: String, as type: T.Type, plan: NightPlan, site: Site) async throws -> (T, [String]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-export-\(UUID().uuidString)").path
        let written = try PlanExportWriter(format: format).write(plan, at: site, to: folder + "/")
        let result = try await ChildProcess.run(
            "/usr/bin/env", arguments: ["python3", PlanningTestSupport.fixtures + "/read_plan_export.py", reader, written[0]], ceiling: .seconds(300))
        let message = String(decoding: result.error, as: UTF8.self)
        try #require(result.status == 0, "\(reader) reader refused \(written[0]): \(message)")
        return (try JSONDecoder().decode(type, from: result.output), written)
    }

    struct CSVRows: Decodable { let rows: [[String: String]] }

    @Test func csvHasOneRowPerExposureSetThatPythonsCSVReaderReadsBackIntact() async throws {
        let (plan, site) = try Self.plan()
        let (read, _) = try await Self.roundTrip(.csv, reader: "csv", as: CSVRows.self, plan: plan, site: site)
        let expected = plan.entries.flatMap { entry in entry.request.exposures.map { (entry, $0) } }
        #expect(read.rows.count == expected.count)
        for (row, (entry, exposure)) in zip(read.rows, expected) {
            #expect(Set(row.keys) == Set(PlanCSV.columns))
            #expect(row["target_name"] == entry.request.target.name)
            #expect(row["start_utc"] == ISO8601.string(from: entry.start, fractionalSeconds: false))
            #expect(row["end_utc"] == ISO8601.string(from: entry.end, fractionalSeconds: false))
            #expect(row["filter"] == exposure.filter.name)
            #expect(Double(row["exposure_s"] ?? "") == exposure.exposureSeconds)
            #expect(Int(row["count"] ?? "") == exposure.count)
            #expect(abs((Double(row["ra_deg"] ?? "") ?? .nan) - entry.request.target.coordinates.rightAscension.degrees) < 1e-6)
            #expect(abs((Double(row["dec_deg"] ?? "") ?? .nan) - entry.request.target.coordinates.declination.degrees) < 1e-6)
            // The sexagesimal columns say the same position (to their 0.01 s and 0.1″).
            let ra = try #require(Sexagesimal.parse(row["ra_hms"] ?? "", unit: .hours))
            let dec = try #require(Sexagesimal.parse(row["dec_dms"] ?? "", unit: .degrees))
            #expect(abs(ra.degrees - entry.request.target.coordinates.rightAscension.degrees) * 3600 < 0.1)
            #expect(abs(dec.degrees - entry.request.target.coordinates.declination.degrees) * 3600 < 0.06)
            #expect(row["reason"] == entry.reason)
            #expect(row["kind"] == entry.request.kind.rawValue)
        }
        #expect(read.rows[0]["target_name"] == Self.awkwardName)
    }

    struct ICalendarFile: Decodable {
        let version: String
        let events: [Event]
        struct Event: Decodable {
            let uid: String, start: Double, end: Double, stamp: Double, summary: String, location: String
            let latitude: Double, longitude: Double, description: String, categories: [String]
        }
    }

    @Test(.enabled(if: PlanExportReaders.icalendar, "the icalendar package is not installed (scripts/install-deps --test, or pip install icalendar)"))
    func iCalendarParsesWithTheICalendarPackageAsOneUTCEventPerObservation() async throws {
        let (plan, site) = try Self.plan()
        let (read, _) = try await Self.roundTrip(.ical, reader: "ical", as: ICalendarFile.self, plan: plan, site: site)
        #expect(read.version == "2.0")
        #expect(read.events.count == plan.entries.count)
        #expect(Set(read.events.map(\.uid)).count == plan.entries.count)
        for (event, entry) in zip(read.events, plan.entries) {
            // iCalendar's UTC form carries whole seconds.
            #expect(event.start == entry.start.timeIntervalSince1970.rounded())
            #expect(event.end == entry.end.timeIntervalSince1970.rounded())
            #expect(event.stamp == plan.createdAt.timeIntervalSince1970)
            #expect(event.summary.hasPrefix(entry.request.target.name + " · "))
            #expect(event.location == site.name)
            #expect(abs(event.latitude - site.location.latitude.degrees) < 1e-6)
            #expect(abs(event.longitude - site.location.longitude.degrees) < 1e-6)
            #expect(event.categories == [entry.request.kind.rawValue])
            #expect(event.description.hasSuffix(entry.reason))
        }
        #expect(read.events[0].summary == Self.awkwardName + " · g 2×120 s, r 3×300 s")
    }

    struct NINATargets: Decodable {
        let header: [String]
        let targets: [Target]
        struct Target: Decodable { let name: String, ra_deg: Double, dec_deg: Double, rotation: Double, roi: Double, type: String? }
    }

    @Test func ninaTargetSchedulerImportReadsEachTargetOnceAtItsPosition() async throws {
        let (plan, site) = try Self.plan()
        let (read, _) = try await Self.roundTrip(.nina, reader: "nina", as: NINATargets.self, plan: plan, site: site)
        #expect(read.header == NINATargetSchedulerCSV.columns)
        var seen: Set<TargetID> = []
        let targets = plan.entries.filter { seen.insert($0.request.target.id).inserted }
        #expect(read.targets.count == targets.count)
        for (row, entry) in zip(read.targets, targets) {
            let target = entry.request.target
            #expect(row.name == target.name)
            // HH:MM:SS.ss and ±DD:MM:SS.s: within 0.075″ in RA and 0.05″ in Dec, as N.I.N.A. reads them.
            #expect(abs(row.ra_deg - target.coordinates.rightAscension.degrees) * 3600 < 0.1)
            #expect(abs(row.dec_deg - target.coordinates.declination.degrees) * 3600 < 0.06)
            #expect(row.rotation == 0)
            #expect(row.roi == 100)
            #expect(row.type == entry.request.kind.rawValue)
        }
    }

    struct SequenceQueue: Decodable {
        let version: String
        let observer: String?
        let jobs: [Job]
        let not_jobs: [String]
        struct Job: Decodable { let exposure_s: Double, filter: String?, type: String?, count: Int, delay_s: Double, target: String?, encoding: String? }
    }

    /// Checks that a sequence holds these observations' exposure sets, in order, as light frames.
    static func expectSequence(_ sequence: SequenceQueue, holds entries: [PlannedObservation]) {
        #expect(sequence.not_jobs.isEmpty)
        let expected = entries.flatMap { entry in entry.request.exposures.map { (entry.request.target.name, $0) } }
        #expect(sequence.jobs.count == expected.count)
        for (job, (name, exposure)) in zip(sequence.jobs, expected) {
            #expect(job.exposure_s == exposure.exposureSeconds)
            #expect(job.filter == exposure.filter.name)
            #expect(job.count == exposure.count)
            #expect(job.type == "Light")
            #expect(job.encoding == "FITS")
            #expect(job.delay_s == 0)
            #expect(job.target == name)
        }
    }

    @Test func ekosSequenceQueueHoldsTheNightsExposureSetsInOrderAsKStarsReadsThem() async throws {
        let (plan, site) = try Self.plan()
        let (read, _) = try await Self.roundTrip(.ekosESQ, reader: "esq", as: SequenceQueue.self, plan: plan, site: site)
        #expect(read.version == EkosSequenceQueue.formatVersion)
        #expect(read.observer == plan.telescopeID.rawValue)
        Self.expectSequence(read, holds: plan.entries)
    }

    struct SchedulerList: Decodable {
        let version: String
        let jobs: [Job]
        struct Job: Decodable {
            let name: String, group: String, ra_hours: Double, dec_deg: Double, position_angle: Double, sequence: String
            let startup: String, start: Double, minimum_altitude_deg: Double?, moon_separation_deg: Double?, flags: [String]
            let completion: String, steps: [String], sequence_file: SequenceQueue
        }
    }

    @Test func ekosSchedulerListStartsEachJobAtItsSlotWithItsOwnSequence() async throws {
        let (plan, site) = try Self.plan()
        let (read, written) = try await Self.roundTrip(.ekosESL, reader: "esl", as: SchedulerList.self, plan: plan, site: site)
        #expect(read.version == EkosSchedulerList.formatVersion)
        #expect(read.jobs.count == plan.entries.count)
        #expect(written.count == plan.entries.count + 1)
        #expect(Array(written.dropFirst()) == read.jobs.map(\.sequence))
        for (job, entry) in zip(read.jobs, plan.entries) {
            let request = entry.request
            #expect(job.name == request.target.name)
            #expect(job.group == plan.telescopeID.rawValue)
            // J2000RA in hours and J2000DE in degrees, to 1e-7 h (1.5 mas) and 1e-6° (3.6 mas).
            #expect(abs(job.ra_hours - request.target.coordinates.rightAscension.hours) < 1e-7)
            #expect(abs(job.dec_deg - request.target.coordinates.declination.degrees) < 1e-6)
            #expect(job.position_angle == 0)
            #expect(job.startup == "At")
            #expect(job.start == entry.start.timeIntervalSince1970.rounded())
            #expect(abs((job.minimum_altitude_deg ?? .nan) - request.constraints.minimumAltitude.degrees) < 0.01)
            #expect(abs((job.moon_separation_deg ?? .nan) - request.constraints.minimumMoonSeparation.degrees) < 0.01)
            #expect(job.flags == ["EnforceTwilight", "EnforceWeather"])
            #expect(job.completion == "Sequence")
            #expect(job.steps == ["Track", "Align"])
            #expect(job.sequence.hasPrefix("/"))
            Self.expectSequence(job.sequence_file, holds: [entry])
        }
    }

    @Test func anEmptyPlanExportsFilesThatStillParse() async throws {
        let (full, site) = try Self.plan()
        let plan = NightPlan(
            id: full.id, telescopeID: full.telescopeID, siteID: full.siteID, night: full.night, createdAt: full.createdAt, entries: [],
            ranking: .deterministic, notes: ["clouded out"])
        #expect(try await Self.roundTrip(.csv, reader: "csv", as: CSVRows.self, plan: plan, site: site).0.rows.isEmpty)
        #expect(try await Self.roundTrip(.nina, reader: "nina", as: NINATargets.self, plan: plan, site: site).0.targets.isEmpty)
        #expect(try await Self.roundTrip(.ekosESQ, reader: "esq", as: SequenceQueue.self, plan: plan, site: site).0.jobs.isEmpty)
        #expect(try await Self.roundTrip(.ekosESL, reader: "esl", as: SchedulerList.self, plan: plan, site: site).0.jobs.isEmpty)
        if PlanExportReaders.icalendar {
            #expect(try await Self.roundTrip(.ical, reader: "ical", as: ICalendarFile.self, plan: plan, site: site).0.events.isEmpty)
        }
    }
}

/// What the writer decides without any reader: file names, folding, refusals.
struct PlanExportWriterTests {
    @Test func aFolderDestinationNamesTheFileByTelescopeNightAndFormat() throws {
        let (plan, site) = try PlanExportTests.plan()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for format in PlanExportFormat.allCases {
            let written = try PlanExportWriter(format: format).write(plan, at: site, to: folder.path)
            #expect(written[0] == folder.appendingPathComponent(PlanExportWriter(format: format).defaultFileName(for: plan)).path)
            #expect(written.allSatisfy { FileManager.default.fileExists(atPath: $0) })
        }
        // Every format keeps its own file: the two CSVs do not overwrite each other.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasSuffix("-sequences") }
        let stem = "plan-\(plan.telescopeID)-2026-11-23"
        #expect(Set(names) == [stem + ".csv", stem + ".ics", stem + "-nina.csv", stem + ".esl", stem + ".esq"])
        let esl = folder.appendingPathComponent("plan-\(plan.telescopeID)-2026-11-23.esl").path
        #expect(PlanExportWriter.sequenceFolder(forSchedulerList: esl) == folder.appendingPathComponent("plan-\(plan.telescopeID)-2026-11-23-sequences").path)
    }

    @Test func iCalendarLinesAreFoldedWithinSeventyFiveOctetsWithoutSplittingACharacter() throws {
        let (plan, site) = try PlanExportTests.plan()
        let text = PlanICalendar().export(plan, at: site)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.last == "")
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        #expect(lines.contains { $0.hasPrefix(" ") })
        // Unfolding (RFC 5545 §3.1: drop each CRLF followed by one space) gives back the whole text.
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("Ümlaut and ✓ test long enough to fold"))
        #expect(!text.contains("\n\n"))
    }

    @Test func anUnwritableDestinationIsRefusedWithItsPath() throws {
        let (plan, site) = try PlanExportTests.plan()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("plan-export-\(UUID().uuidString)")
        try Data("not a folder".utf8).write(to: file)
        // A path under a regular file: its folder cannot be made.
        let error = #expect(throws: PlanExportError.self) { try PlanExportWriter(format: .csv).write(plan, at: site, to: file.path + "/sub/plan.csv") }
        #expect(error?.path.hasPrefix(file.path) == true)
        #expect(error?.reason.contains("destination") == true)
    }
}
