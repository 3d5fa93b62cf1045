import Foundation
import Testing

@testable import Persistence
@testable import StarlingCore

/// Builds the domain values the store tests save and read back.
enum Sample {
    static let t0 = Date(timeIntervalSince1970: 1_795_469_400)  // 2026-11-23T21:30:00Z

    static func target(_ id: String) -> Target {
        Target(
            id: TargetID(id), name: id.uppercased(),
            coordinates: try! EquatorialCoordinates(rightAscensionDegrees: 41.2, declinationDegrees: 18.4), kind: .galaxy)
    }

    static func request(_ id: String, target: String = "ngc1023") -> ObservationRequest {
        ObservationRequest(id: RequestID(id), target: Self.target(target), exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 60, count: 2)])
    }

    static func observation(_ id: String, target: String = "ngc1023", at offset: Double = 0, outcome: Observation.Outcome = .completed, site: String = "teide") -> Observation {
        let start = t0.addingTimeInterval(offset)
        let frames = (0..<2).map { index in
            FrameRecord(
                id: FrameID("\(id)-f\(index)"), observationID: ObservationID(id), telescopeID: "teide-1m-a", path: "/frames/\(id)-\(index).fits",
                imageType: .light, filter: Filter("r"), exposureSeconds: 60, started: start.addingTimeInterval(Double(index) * 70),
                pointing: try! EquatorialCoordinates(rightAscensionDegrees: 41.2, declinationDegrees: 18.4), airmass: 1.2)
        }
        return Observation(
            id: ObservationID(id), requestID: RequestID("r-\(id)"), telescopeID: "teide-1m-a", siteID: SiteID(site), targetID: TargetID(target),
            started: start, ended: start.addingTimeInterval(150), outcome: outcome, frames: outcome == .completed ? frames : [])
    }

    static func alertRecord(_ id: String, event: String = "GRB-1", serial: Int = 1) -> AlertRecord {
        let alert = Alert(
            id: AlertID(id), eventID: event, eventTime: t0, mission: "Swift", noticeType: "BAT_GRB_Pos",
            position: try! EquatorialCoordinates(rightAscensionDegrees: 41.225, declinationDegrees: 18.412),
            errorRegion: .circle(radius: .arcminutes(3)), kind: .gammaRayBurst, serial: serial)
        return AlertRecord(id: AlertID(id), receivedAt: t0.addingTimeInterval(40), transport: "test", format: "voevent-2.0", raw: Data("<xml/>".utf8), alert: alert)
    }
}

struct SQLiteStoreTests {
    let store: SQLiteStore

    init() throws { store = try SQLiteStore.inMemory() }

    @Test func alertIsStoredOnceAndDuplicatesAreReported() async throws {
        let inserted = try await store.insertAlerts([Sample.alertRecord("a1"), Sample.alertRecord("a2"), Sample.alertRecord("a1")])
        #expect(inserted == [true, true, false])
        let stored = try #require(try await store.alert("a1"))
        #expect(abs((stored.alert?.position?.rightAscension.degrees ?? 0) - 41.225) < 1e-9)
        #expect(stored.raw == Data("<xml/>".utf8))
        #expect(stored.status == .received)
    }

    @Test func markingAnAlertIsExactlyOnce() async throws {
        _ = try await store.insertAlert(Sample.alertRecord("a1"))
        #expect(try await store.unprocessedAlerts(limit: 10).map(\.id) == ["a1"])
        #expect(try await store.markAlert("a1", status: .processed, note: "assigned to teide-1m-a") == true)
        #expect(try await store.markAlert("a1", status: .ignored, note: "second time") == false)
        #expect(try await store.alert("a1")?.note == "assigned to teide-1m-a")
        #expect(try await store.unprocessedAlerts(limit: 10).isEmpty)
    }

    @Test func unparseableNoticesAreKeptWithTheirRawText() async throws {
        let record = AlertRecord(
            id: "digest:abc", receivedAt: Sample.t0, transport: "folder:/tmp", format: "unknown", raw: Data("garbage".utf8), alert: nil,
            status: .refused, note: "not XML or JSON")
        _ = try await store.insertAlert(record)
        let back = try #require(try await store.alert("digest:abc"))
        #expect(back.alert == nil)
        #expect(back.status == .refused)
        #expect(String(decoding: back.raw, as: UTF8.self) == "garbage")
    }

    @Test func eventChainIsReadInOrderOfReceipt() async throws {
        _ = try await store.insertAlerts([Sample.alertRecord("s2", event: "S1", serial: 2), Sample.alertRecord("s1", event: "S1", serial: 1), Sample.alertRecord("x", event: "OTHER")])
        #expect(try await store.alerts(event: "S1").map(\.id) == ["s2", "s1"])
    }

    @Test func observationAndItsFramesRoundTrip() async throws {
        let observation = Sample.observation("o1")
        try await store.saveObservation(observation)
        let window = DateInterval(start: Sample.t0.addingTimeInterval(-10), duration: 3600)
        #expect(try await store.observations(startedIn: window, site: nil) == [observation])
        #expect(try await store.observations(startedIn: window, site: "xinglong").isEmpty)
        let frames = try await store.frames(startedIn: window, site: "teide")
        #expect(frames.map(\.frame.id) == ["o1-f0", "o1-f1"])
        #expect(frames.allSatisfy { $0.quality == nil })
        #expect(try await store.frame("o1-f1")?.path == "/frames/o1-1.fits")
    }

    @Test func frameQualityIsJoinedToItsFrame() async throws {
        try await store.saveObservation(Sample.observation("o1"))
        let quality = FrameQuality(frameID: "o1-f0", measuredAt: Sample.t0, fwhmPixels: 2.4, fwhmArcseconds: 2.47, sourceCount: 812)
        try await store.saveFrameQuality(quality)
        try await store.saveFrameQuality(FrameQuality(frameID: "o1-f1", measuredAt: Sample.t0, status: .corrupt("truncated at byte 2880")))
        let frames = try await store.frames(startedIn: DateInterval(start: Sample.t0, duration: 3600), site: nil)
        #expect(frames[0].quality == quality)
        #expect(frames[1].quality?.status == .corrupt("truncated at byte 2880"))
    }

    @Test func lastVisitCountsOnlyCompletedObservations() async throws {
        try await store.saveObservation(Sample.observation("o1", target: "ngc1", at: 0))
        try await store.saveObservation(Sample.observation("o2", target: "ngc1", at: 3600))
        try await store.saveObservation(
            Sample.observation("o3", target: "ngc2", at: 100, outcome: .refused(Reason(.belowHorizon, "altitude 7° below 20°"))))
        let visits = try await store.lastVisits(before: Sample.t0.addingTimeInterval(86_400))
        #expect(visits == [TargetID("ngc1"): Sample.t0.addingTimeInterval(3600)])
        #expect(try await store.lastVisits(before: Sample.t0.addingTimeInterval(10)) == [TargetID("ngc1"): Sample.t0])
    }

    @Test func refusedObservationKeepsItsReason() async throws {
        let reason = Reason(.tooCloseToSun, "target 12.0° from the Sun, limit 30.0°")
        try await store.saveObservation(Sample.observation("o1", outcome: .refused(reason)))
        let back = try await store.observations(of: "r-o1")
        #expect(back.first?.outcome == .refused(reason))
    }

    @Test func latestPlanPerTelescopeWins() async throws {
        let night = CalendarDate("2026-11-23")!
        func plan(_ id: String, _ telescope: String, _ created: Double) -> NightPlan {
            NightPlan(
                id: PlanID(id), telescopeID: TelescopeID(telescope), siteID: "teide", night: night,
                createdAt: Sample.t0.addingTimeInterval(created), entries: [], ranking: .deterministic)
        }
        try await store.savePlan(plan("p1", "teide-1m-a", 0))
        try await store.savePlan(plan("p2", "teide-lco-b", 0))
        try await store.savePlan(plan("p3", "teide-1m-a", 600))
        #expect(try await store.latestPlans(night: night, site: nil).map(\.id) == ["p3", "p2"])
        #expect(try await store.plans(telescope: "teide-1m-a", night: night).map(\.id) == ["p1", "p3"])
        #expect(try await store.latestPlans(night: night.adding(days: 1), site: nil).isEmpty)
    }

    @Test func openAssignmentsExcludeFinishedOnes() async throws {
        func assignment(_ id: String, _ state: Assignment.State) -> Assignment {
            Assignment(
                id: AssignmentID(id), alertID: "a1", telescopeID: "teide-1m-a", siteID: "teide", request: Sample.request("fu-\(id)"),
                plannedStart: Sample.t0, leaseExpiry: Sample.t0.addingTimeInterval(120), state: state, reason: "earliest dark start")
        }
        try await store.saveAssignment(assignment("x1", .offered))
        try await store.saveAssignment(assignment("x2", .completed))
        try await store.saveAssignment(assignment("x1", .accepted))
        #expect(try await store.openAssignments().map(\.state) == [.accepted])
        #expect(try await store.assignments(alert: "a1").count == 2)
    }

    @Test func journalIsReadPerSiteInTimeOrder() async throws {
        try await store.appendJournal([
            JournalEntry(time: Sample.t0.addingTimeInterval(60), subject: "teide-1m-a", siteID: "teide", kind: .fault, message: "mount stalled"),
            JournalEntry(time: Sample.t0, subject: "teide", siteID: "teide", kind: .weather, message: "cloud 80%"),
            JournalEntry(time: Sample.t0, subject: "lulin", siteID: "lulin", kind: .safety, message: "closed for rain"),
        ])
        let teide = try await store.journal(in: DateInterval(start: Sample.t0, duration: 3600), site: "teide")
        #expect(teide.map(\.message) == ["cloud 80%", "mount stalled"])
    }

    @Test func frameQualityAndObservationAreReadById() async throws {
        try await store.saveObservation(Sample.observation("o1"))
        #expect(try await store.frameQuality(of: "o1-f0") == nil)
        let modelled = FrameQuality(frameID: "o1-f0", measuredAt: Sample.t0, fwhmArcseconds: 1.4, transparency: 0.8, source: .model)
        try await store.saveFrameQuality(modelled)
        #expect(try await store.frameQuality(of: "o1-f0") == modelled)
        #expect(try await store.observation("o1")?.frames.count == 2)
        #expect(try await store.observation("nope") == nil)
    }

    @Test func stateChangeLinesReadBackAsTransitions() async throws {
        let entry = JournalEntry.stateChange(
            telescope: "teide-1m-a", site: "teide", from: .opening, to: .idle, at: Sample.t0, reason: "enclosure open: dusk")
        try await store.appendJournal([entry, JournalEntry(time: Sample.t0, subject: "teide", siteID: "teide", kind: .weather, message: "idle → closed")])
        let back = try await store.journal(in: DateInterval(start: Sample.t0, duration: 60), site: "teide")
        #expect(back.count == 2)
        let transition = try #require(back[0].telescopeStateChange)
        #expect(transition.from == .opening && transition.to == .idle)
        #expect(back[0].subject == "teide-1m-a")
        #expect(back[1].telescopeStateChange == nil)  // not a state-change entry
        let bare = JournalEntry(time: Sample.t0, subject: "x", kind: .stateChange, message: "closed → parking")
        #expect(bare.telescopeStateChange == nil)  // not a state
    }

    @Test func reviewsAreKeptInOrder() async throws {
        try await store.saveReview(Review(subject: .frame("f1"), decision: .flagged, note: "satellite trail", reviewer: "pi", reviewedAt: Sample.t0))
        try await store.saveReview(Review(subject: .frame("f1"), decision: .approved, note: "", reviewer: "pi", reviewedAt: Sample.t0.addingTimeInterval(60)))
        #expect(try await store.reviews(of: .frame("f1")).map(\.decision) == [.flagged, .approved])
        #expect(try await store.reviews(of: .observation("f1")).isEmpty)
    }
}

/// The file-backed store keeps what it acknowledged across a reopen, and refuses files it
/// cannot use with a clear error.
struct SQLiteFileStoreTests {
    @Test func committedDataSurvivesReopening() async throws {
        let directory = NSTemporaryDirectory() + "starling-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/night.sqlite"
        do {
            let store = try SQLiteStore(path: path)
            _ = try await store.insertAlert(Sample.alertRecord("a1"))
            try await store.saveObservation(Sample.observation("o1"))
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.unprocessedAlerts(limit: 5).map(\.id) == ["a1"])
        #expect(try await reopened.observations(of: "r-o1").count == 1)
    }

    @Test func commitsAreSyncedToDiskWithWriteAheadLogging() async throws {
        let directory = NSTemporaryDirectory() + "starling-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/night.sqlite")
        #expect(try await store.writerPragma("journal_mode") == "wal")
        #expect(try await store.writerPragma("synchronous") == "2", "synchronous = FULL: the log is synced at every commit")
        #expect(try await store.writerPragma("wal_autocheckpoint") == "0", "checkpoints run in the background")
    }

    @Test func theWriteAheadLogStaysSmallWhileCommitsGoOn() async throws {
        let directory = NSTemporaryDirectory() + "starling-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/alerts.sqlite"
        let store = try SQLiteStore(path: path)
        let raw = Data(repeating: 0x41, count: 3000)  // a notice's size: each commit adds pages to the log
        var largest = 0
        for index in 0..<2000 {
            var record = Sample.alertRecord("a\(index)", event: "E\(index)")
            record = AlertRecord(id: record.id, receivedAt: record.receivedAt, transport: record.transport, format: record.format, raw: raw, alert: record.alert)
            _ = try await store.insertAlerts([record])
            if index % 100 == 99 {
                let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
                largest = max(largest, size)
            }
        }
        // Without checkpoints the log would hold every commit: 2,000 × (3 kB notice + index pages) > 16 MB.
        #expect(largest < 4_000_000, "write-ahead log reached \(largest) bytes")
        #expect(try await store.unprocessedAlerts(limit: 3000).count == 2000)
    }

    @Test func notADatabaseIsRefusedClearly() throws {
        let path = NSTemporaryDirectory() + "starling-notdb-" + UUID().uuidString
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try SQLiteStore(path: path)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return [.incompatible, .cannotOpen].contains(error.code) && error.message.contains(path)
        }
    }

    @Test func missingFolderGivesCannotOpen() {
        #expect {
            try SQLiteStore(path: "/nonexistent-folder/x.sqlite")
        } throws: { error in
            (error as? StoreError)?.code == .cannotOpen
        }
    }
}

struct DecisionTests {
    @Test func aDecisionIsRecordedOnceWithItsAssignments() async throws {
        let store = try SQLiteStore.inMemory()
        _ = try await store.insertAlert(Sample.alertRecord("a1"))
        let assignment = Assignment(
            id: "a1#teide-1m-a", alertID: "a1", telescopeID: "teide-1m-a", siteID: "teide", request: Sample.request("fu-a1"),
            plannedStart: Sample.t0, leaseExpiry: Sample.t0.addingTimeInterval(120), state: .offered, reason: "earliest dark start")
        #expect(try await store.recordDecision(alert: "a1", status: .processed, note: "1 telescope", assignments: [assignment]))
        // A restarted coordinator deciding again writes nothing.
        let again = assignment.with(state: .offered)
        #expect(try await store.recordDecision(alert: "a1", status: .processed, note: "again", assignments: [again, again]) == false)
        #expect(try await store.assignments(alert: "a1").count == 1)
        #expect(try await store.alert("a1")?.note == "1 telescope")
        #expect(try await store.unprocessedAlerts(limit: 5).isEmpty)
    }
}

struct RunStoreTests {
    @Test func checkpointsOnlyMoveForwardAndFinishIsRecorded() async throws {
        let store = try SQLiteStore.inMemory()
        #expect(try await store.run("tonight-2026-11-23-1") == nil)
        try await store.checkpoint(run: "tonight-2026-11-23-1", reached: Sample.t0, startedAt: Sample.t0)
        try await store.checkpoint(run: "tonight-2026-11-23-1", reached: Sample.t0.addingTimeInterval(3600), startedAt: Sample.t0)
        try await store.checkpoint(run: "tonight-2026-11-23-1", reached: Sample.t0.addingTimeInterval(60), startedAt: Sample.t0)
        var progress = try #require(try await store.run("tonight-2026-11-23-1"))
        #expect(progress.reached == Sample.t0.addingTimeInterval(3600))
        #expect(!progress.isFinished)
        try await store.finishRun("tonight-2026-11-23-1", at: Sample.t0.addingTimeInterval(7200))
        progress = try #require(try await store.run("tonight-2026-11-23-1"))
        #expect(progress.isFinished && progress.reached == Sample.t0.addingTimeInterval(7200))
    }
}
