import Foundation
import Persistence
import PersistencePostgres
import PersistenceTesting
import Testing

@testable import StarlingCore

/// What every store promises, checked on each (``StoreKind``): SQLite and PostgreSQL must give
/// the same answers to the same calls.
struct StoreContractTests {
    // MARK: Alerts

    @Test(arguments: StoreKind.allCases)
    func alertIsStoredOnceAndDuplicatesAreReported(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        let inserted = try await store.insertAlerts([Sample.alertRecord("a1"), Sample.alertRecord("a2"), Sample.alertRecord("a1")])
        #expect(inserted == [true, true, false])
        #expect(try await store.insertAlerts([Sample.alertRecord("a2"), Sample.alertRecord("a3")]) == [false, true])
        let stored = try #require(try await store.alert("a1"))
        #expect(abs((stored.alert?.position?.rightAscension.degrees ?? 0) - 41.225) < 1e-9)
        #expect(stored.raw == Data("<xml/>".utf8))
        #expect(stored.status == .received)
        // The rest comes back as written (a position through JSON, to its codec's precision, above).
        let sample = Sample.alertRecord("a1")
        #expect(stored.receivedAt == sample.receivedAt && stored.alert?.eventTime == sample.alert?.eventTime)
        #expect(stored.transport == sample.transport && stored.format == sample.format && stored.note == sample.note)
    }

    @Test(arguments: StoreKind.allCases)
    func markingAnAlertIsExactlyOnce(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        _ = try await store.insertAlert(Sample.alertRecord("a1"))
        #expect(try await store.unprocessedAlerts(limit: 10).map(\.id) == ["a1"])
        #expect(try await store.markAlert("a1", status: .processed, note: "assigned to teide-1m-a") == true)
        #expect(try await store.markAlert("a1", status: .ignored, note: "second time") == false)
        #expect(try await store.markAlert("never-stored", status: .ignored, note: "") == false)
        #expect(try await store.alert("a1")?.note == "assigned to teide-1m-a")
        #expect(try await store.unprocessedAlerts(limit: 10).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func unprocessedAlertsComeOldestFirstUpToTheLimit(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        _ = try await store.insertAlerts((0..<5).map { Sample.alertRecord("n\(4 - $0)", event: "E\($0)") })
        try await store.markAlert("n3", status: .processed, note: "")
        #expect(try await store.unprocessedAlerts(limit: 3).map(\.id) == ["n4", "n2", "n1"])
    }

    @Test(arguments: StoreKind.allCases)
    func unparseableNoticesAreKeptWithTheirRawText(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        let record = AlertRecord(
            id: "digest:abc", receivedAt: Sample.t0, transport: "folder:/tmp", format: "unknown", raw: Data("garbage\u{0}\u{FF}".utf8), alert: nil,
            status: .refused, note: "not XML or JSON")
        _ = try await store.insertAlert(record)
        let back = try #require(try await store.alert("digest:abc"))
        #expect(back.alert == nil)
        #expect(back.status == .refused)
        #expect(back.raw == Data("garbage\u{0}\u{FF}".utf8), "the raw notice is kept byte for byte")
    }

    @Test(arguments: StoreKind.allCases)
    func textFromOutsideIsStoredWhateverItHolds(_ kind: StoreKind) async throws {
        // A notice's fields come from outside: non-ASCII text, and a NUL, which PostgreSQL's text
        // cannot hold and SQLite would cut the text at (both keep it as U+FFFD). Neither may make
        // the write fail or two notices one.
        let store = try await kind.freshStore()
        let id = AlertID("ivo://nasa.gsfc.gcn/SWIFT#BAT\u{0}_1")
        let record = AlertRecord(
            id: id, receivedAt: Sample.t0, transport: "vtp://兴隆:8099", format: "voevent-2.0", raw: Data("<xml/>".utf8), alert: nil,
            status: .refused, note: "Wrong role \u{0}«test» — Ångström")
        #expect(try await store.insertAlert(record))
        #expect(try await store.insertAlert(record) == false, "found again by the same id")
        let back = try #require(try await store.alert(id), "found by the id it was stored under")
        #expect(back.transport == "vtp://兴隆:8099")
        #expect(back.note == "Wrong role \u{FFFD}«test» — Ångström", "a NUL is kept as U+FFFD in every store, not cut off")
        #expect(try await store.markAlert(id, status: .ignored, note: "") == false)
        let sibling = AlertRecord(
            id: "ivo://nasa.gsfc.gcn/SWIFT#BAT\u{0}_2", receivedAt: Sample.t0, transport: "test", format: "voevent-2.0", raw: Data(), alert: nil)
        #expect(try await store.insertAlert(sibling), "ids that differ after a NUL are different notices")
    }

    @Test(arguments: StoreKind.allCases)
    func eventChainIsReadInOrderOfReceipt(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        _ = try await store.insertAlerts([
            Sample.alertRecord("s2", event: "S1", serial: 2), Sample.alertRecord("s1", event: "S1", serial: 1), Sample.alertRecord("x", event: "OTHER"),
        ])
        #expect(try await store.alerts(event: "S1").map(\.id) == ["s2", "s1"])
        let window = DateInterval(start: Sample.t0, duration: 60)
        #expect(try await store.alerts(receivedIn: window).map(\.id) == ["s2", "s1", "x"])
        #expect(try await store.alerts(receivedIn: DateInterval(start: Sample.t0, duration: 40)).isEmpty, "the end of an interval is excluded")
    }

    @Test(arguments: StoreKind.allCases)
    func instantsReadBackTheSameInEitherStoreToAFractionOfAMicrosecond(_ kind: StoreKind) async throws {
        // Seconds since 1970 in double precision in both stores (a timestamptz would round to
        // whole microseconds): the same Date from either, within 0.3 µs of the one written.
        let store = try await kind.freshStore()
        let received = Sample.t0.addingTimeInterval(0.123_456_789)
        let record = Sample.alertRecord("a1")
        _ = try await store.insertAlert(
            AlertRecord(id: record.id, receivedAt: received, transport: record.transport, format: record.format, raw: record.raw, alert: record.alert))
        let back = try #require(try await store.alert("a1")?.receivedAt)
        #expect(back == Date(timeIntervalSince1970: received.timeIntervalSince1970))
        #expect(abs(back.timeIntervalSince(received)) < 3e-7)
    }

    // MARK: Observations and frames

    @Test(arguments: StoreKind.allCases)
    func observationAndItsFramesRoundTrip(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        let observation = Sample.observation("o1")
        try await store.saveObservation(observation)
        let window = DateInterval(start: Sample.t0.addingTimeInterval(-10), duration: 3600)
        #expect(try await store.observations(startedIn: window, site: nil) == [observation])
        #expect(try await store.observations(startedIn: window, site: "xinglong").isEmpty)
        let frames = try await store.frames(startedIn: window, site: "teide")
        #expect(frames.map(\.frame.id) == ["o1-f0", "o1-f1"])
        #expect(frames.allSatisfy { $0.quality == nil })
        #expect(try await store.frame("o1-f1")?.path == "/frames/o1-1.fits")
        #expect(try await store.observationCount(telescope: "teide-1m-a") == 1)
        #expect(try await store.observationCount(telescope: "lulin-1m") == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func savingAnObservationAgainReplacesItAndItsFrames(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        try await store.saveObservation(Sample.observation("o1"))
        let refused = Sample.observation("o1", outcome: .refused(Reason(.weatherUnsafe, "cloud 90%")))
        try await store.saveObservation(refused)
        let window = DateInterval(start: Sample.t0.addingTimeInterval(-10), duration: 3600)
        #expect(try await store.observations(startedIn: window, site: nil) == [refused])
        #expect(try await store.frames(startedIn: window, site: nil).isEmpty, "the first version's frames went with it")
        #expect(try await store.observationCount(telescope: "teide-1m-a") == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func frameQualityIsJoinedToItsFrame(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        try await store.saveObservation(Sample.observation("o1"))
        let quality = FrameQuality(frameID: "o1-f0", measuredAt: Sample.t0, fwhmPixels: 2.4, fwhmArcseconds: 2.47, sourceCount: 812)
        try await store.saveFrameQuality(quality)
        try await store.saveFrameQuality(FrameQuality(frameID: "o1-f1", measuredAt: Sample.t0, status: .corrupt("truncated at byte 2880")))
        let frames = try await store.frames(startedIn: DateInterval(start: Sample.t0, duration: 3600), site: nil)
        #expect(frames[0].quality == quality)
        #expect(frames[1].quality?.status == .corrupt("truncated at byte 2880"))
    }

    @Test(arguments: StoreKind.allCases)
    func frameQualityAndObservationAreReadById(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        try await store.saveObservation(Sample.observation("o1"))
        #expect(try await store.frameQuality(of: "o1-f0") == nil)
        let modelled = FrameQuality(frameID: "o1-f0", measuredAt: Sample.t0, fwhmArcseconds: 1.4, transparency: 0.8, source: .model)
        try await store.saveFrameQuality(modelled)
        #expect(try await store.frameQuality(of: "o1-f0") == modelled)
        let remeasured = FrameQuality(frameID: "o1-f0", measuredAt: Sample.t0.addingTimeInterval(60), fwhmArcseconds: 1.5, sourceCount: 90)
        try await store.saveFrameQuality(remeasured)
        #expect(try await store.frameQuality(of: "o1-f0") == remeasured, "a later measurement replaces the earlier one")
        #expect(try await store.observation("o1")?.frames.count == 2)
        #expect(try await store.observation("nope") == nil)
        #expect(try await store.frame("nope") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func lastVisitCountsOnlyCompletedObservations(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        try await store.saveObservation(Sample.observation("o1", target: "ngc1", at: 0))
        try await store.saveObservation(Sample.observation("o2", target: "ngc1", at: 3600))
        try await store.saveObservation(
            Sample.observation("o3", target: "ngc2", at: 100, outcome: .refused(Reason(.belowHorizon, "altitude 7° below 20°"))))
        let visits = try await store.lastVisits(before: Sample.t0.addingTimeInterval(86_400))
        #expect(visits == [TargetID("ngc1"): Sample.t0.addingTimeInterval(3600)])
        #expect(try await store.lastVisits(before: Sample.t0.addingTimeInterval(10)) == [TargetID("ngc1"): Sample.t0])
    }

    @Test(arguments: StoreKind.allCases)
    func refusedObservationKeepsItsReason(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        let reason = Reason(.tooCloseToSun, "target 12.0° from the Sun, limit 30.0°")
        try await store.saveObservation(Sample.observation("o1", outcome: .refused(reason)))
        let back = try await store.observations(of: "r-o1")
        #expect(back.first?.outcome == .refused(reason))
    }

    @Test(arguments: StoreKind.allCases)
    func observationsComeInStartOrderThenByIdByteForByte(_ kind: StoreKind) async throws {
        // Ids compare byte by byte in both stores ("B" < "_" < "a"), whatever PostgreSQL's locale.
        let store = try await kind.freshStore()
        for id in ["a2", "_1", "B3"] { try await store.saveObservation(Sample.observation(id, at: 0)) }
        try await store.saveObservation(Sample.observation("A0", at: -60))
        let window = DateInterval(start: Sample.t0.addingTimeInterval(-3600), duration: 7200)
        #expect(try await store.observations(startedIn: window, site: nil).map(\.id) == ["A0", "B3", "_1", "a2"])
    }

    @Test(arguments: StoreKind.allCases)
    func aRequestIsStoredAndReplaced(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        try await store.saveRequest(Sample.request("r1"))
        try await store.saveRequest(Sample.request("r1", target: "ngc2"))
        // No read of requests in the protocol: what matters is that storing again does not fail.
        try await store.saveObservation(Sample.observation("o1"))
        #expect(try await store.observations(of: "r-o1").count == 1)
    }

    // MARK: Plans

    @Test(arguments: StoreKind.allCases)
    func latestPlanPerTelescopeWins(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        let night = CalendarDate("2026-11-23")!
        try await store.savePlan(Sample.plan("p1", "teide-1m-a", night: night, created: 0))
        try await store.savePlan(Sample.plan("p2", "teide-lco-b", night: night, created: 0))
        try await store.savePlan(Sample.plan("p3", "teide-1m-a", night: night, created: 600))
        #expect(try await store.latestPlans(night: night, site: nil).map(\.id) == ["p3", "p2"])
        #expect(try await store.latestPlans(night: night, site: "teide").map(\.id) == ["p3", "p2"])
        #expect(try await store.latestPlans(night: night, site: "lulin").isEmpty)
        #expect(try await store.plans(telescope: "teide-1m-a", night: night).map(\.id) == ["p1", "p3"])
        #expect(try await store.latestPlans(night: night.adding(days: 1), site: nil).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func aPlanStoredAgainBecomesTheLatest(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        let night = CalendarDate("2026-11-23")!
        try await store.savePlan(Sample.plan("p1", "teide-1m-a", night: night, created: 0))
        try await store.savePlan(Sample.plan("p2", "teide-1m-a", night: night, created: 600))
        try await store.savePlan(Sample.plan("p1", "teide-1m-a", night: night, created: 0))
        #expect(try await store.plans(telescope: "teide-1m-a", night: night).map(\.id) == ["p2", "p1"])
        #expect(try await store.latestPlans(night: night, site: nil).map(\.id) == ["p1"])
    }

    // MARK: Assignments and decisions

    @Test(arguments: StoreKind.allCases)
    func openAssignmentsExcludeFinishedOnes(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        try await store.saveAssignment(Sample.assignment("x1", .offered))
        try await store.saveAssignment(Sample.assignment("x2", .completed))
        try await store.saveAssignment(Sample.assignment("x1", .accepted))
        #expect(try await store.openAssignments().map(\.state) == [.accepted])
        #expect(try await store.assignments(alert: "a1").count == 2)
        #expect(try await store.assignments(alert: nil).map(\.id) == ["x1", "x2"])
        #expect(try await store.assignments(alert: "a9").isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func aDecisionIsRecordedOnceWithItsAssignments(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        _ = try await store.insertAlert(Sample.alertRecord("a1"))
        let assignment = Sample.assignment("a1#teide-1m-a", .offered)
        #expect(try await store.recordDecision(alert: "a1", status: .processed, note: "1 telescope", assignments: [assignment]))
        // A restarted coordinator deciding again writes nothing.
        let again = assignment.with(state: .offered)
        #expect(try await store.recordDecision(alert: "a1", status: .processed, note: "again", assignments: [again, again]) == false)
        #expect(try await store.assignments(alert: "a1").count == 1)
        #expect(try await store.alert("a1")?.note == "1 telescope")
        #expect(try await store.unprocessedAlerts(limit: 5).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func decisionsInABatchAreEachRecordedOnlyIfTheirNoticeIsUndecided(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        _ = try await store.insertAlerts([Sample.alertRecord("a1"), Sample.alertRecord("a2", event: "GRB-2")])
        try await store.markAlert("a1", status: .ignored, note: "test notice")
        let line = { (alert: String) in
            JournalEntry(time: Sample.t0, subject: alert, siteID: "teide", kind: .decision, message: "assigned \(alert)")
        }
        let recorded = try await store.recordDecisions([
            AlertDecision(alert: "a1", status: .processed, note: "late", assignments: [Sample.assignment("late", .offered)], journal: [line("a1")]),
            AlertDecision(alert: "a2", status: .processed, note: "assigned", assignments: [Sample.assignment("x2", .offered, alert: "a2")], journal: [line("a2")]),
            AlertDecision(alert: "missing", status: .processed, note: "", assignments: []),
        ])
        #expect(recorded == [false, true, false])
        #expect(try await store.assignments(alert: nil).map(\.id) == ["x2"])
        let journal = try await store.journal(in: DateInterval(start: Sample.t0, duration: 60), site: nil)
        #expect(journal.map(\.message) == ["assigned a2"], "journal lines are written only with their decision")
        #expect(try await store.alert("a1")?.note == "test notice")
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentDecisionsOnOneNoticeRecordExactlyOne(_ kind: StoreKind) async throws {
        // Coordinators racing on the same notice (several connections to PostgreSQL): one wins.
        let store = try await kind.freshStore()
        _ = try await store.insertAlert(Sample.alertRecord("a1"))
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try await store.recordDecision(
                        alert: "a1", status: .processed, note: "decider \(index)", assignments: [Sample.assignment("a1#\(index)", .offered)])
                }
            }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(wins == 1)
        let assignments = try await store.assignments(alert: "a1")
        #expect(assignments.count == 1)
        #expect(try await store.alert("a1")?.note == "decider \(assignments[0].id.rawValue.dropFirst(3))")
    }

    // MARK: Journal and reviews

    @Test(arguments: StoreKind.allCases)
    func journalIsReadPerSiteInTimeOrder(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        try await store.appendJournal([
            JournalEntry(time: Sample.t0.addingTimeInterval(60), subject: "teide-1m-a", siteID: "teide", kind: .fault, message: "mount stalled"),
            JournalEntry(time: Sample.t0, subject: "teide", siteID: "teide", kind: .weather, message: "cloud 80%"),
            JournalEntry(time: Sample.t0, subject: "lulin", siteID: "lulin", kind: .safety, message: "closed for rain"),
            JournalEntry(time: Sample.t0, subject: "network", kind: .note, message: "no site"),
        ])
        try await store.appendJournal([])
        let teide = try await store.journal(in: DateInterval(start: Sample.t0, duration: 3600), site: "teide")
        #expect(teide.map(\.message) == ["cloud 80%", "mount stalled"])
        let all = try await store.journal(in: DateInterval(start: Sample.t0, duration: 3600), site: nil)
        #expect(all.map(\.message) == ["cloud 80%", "closed for rain", "no site", "mount stalled"], "same instant: in the order written")
        #expect(all[2].siteID == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func stateChangeLinesReadBackAsTransitions(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
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

    @Test(arguments: StoreKind.allCases)
    func reviewsAreKeptInOrder(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        try await store.saveReview(Review(subject: .frame("f1"), decision: .flagged, note: "satellite trail", reviewer: "pi", reviewedAt: Sample.t0))
        try await store.saveReview(Review(subject: .frame("f1"), decision: .approved, note: "", reviewer: "pi", reviewedAt: Sample.t0.addingTimeInterval(60)))
        #expect(try await store.reviews(of: .frame("f1")).map(\.decision) == [.flagged, .approved])
        #expect(try await store.reviews(of: .observation("f1")).isEmpty)
        #expect(try await store.reviews(madeIn: DateInterval(start: Sample.t0.addingTimeInterval(30), duration: 60)).map(\.decision) == [.approved])
    }

    // MARK: Runs and tokens

    @Test(arguments: StoreKind.allCases)
    func checkpointsOnlyMoveForwardAndFinishIsRecorded(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
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
        try await store.finishRun("tonight-2026-11-23-1", at: Sample.t0)
        #expect(try await store.run("tonight-2026-11-23-1")?.reached == Sample.t0.addingTimeInterval(7200), "finishing never moves back")
    }

    @Test(arguments: StoreKind.allCases)
    func tokensAreFoundByDigestListedAndRevokedOnce(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        let first = APIToken(id: "t1", name: "night-observer", role: .observer, digest: String(repeating: "a", count: 64), createdAt: Sample.t0)
        let second = APIToken(id: "t0", name: "ops", role: .operator, digest: String(repeating: "b", count: 64), createdAt: Sample.t0.addingTimeInterval(1))
        try await store.saveToken(second)
        try await store.saveToken(first)
        #expect(try await store.tokens().map(\.id) == ["t1", "t0"], "oldest first")
        #expect(try await store.token(digest: first.digest) == first)
        #expect(try await store.token(digest: String(repeating: "c", count: 64)) == nil)
        await #expect {
            try await store.saveToken(APIToken(id: "t2", name: "copy", role: .viewer, digest: first.digest, createdAt: Sample.t0))
        } throws: { error in
            (error as? StoreError)?.code == .failed
        }
        #expect(try await store.revokeToken(id: "t1", at: Sample.t0.addingTimeInterval(60)))
        #expect(try await store.revokeToken(id: "t1", at: Sample.t0.addingTimeInterval(120)))
        #expect(try await store.token(digest: first.digest)?.revokedAt == Sample.t0.addingTimeInterval(60), "the first revocation stands")
        #expect(try await store.revokeToken(id: "nope", at: Sample.t0) == false)
    }

    // MARK: Request groups

    static func requestGroup(name: String, requests: Int) throws -> RequestGroup {
        let target = RequestedTarget(name: "NGC 1068", coordinates: try EquatorialCoordinates(rightAscensionDegrees: 40.67, declinationDegrees: -0.013))
        let request = RequestGroup.Request(
            id: 0, target: target, exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 120, count: 3)], constraints: ObservingConstraints(),
            window: DateInterval(start: Sample.t0, duration: 86_400), telescopeClass: "1m0", instrumentType: "1M0-IMAGER", durationSeconds: 420)
        return RequestGroup(
            id: 0, name: name, proposalID: "P1", submitter: "tom", mode: .normal, ippValue: 1.05, created: Sample.t0, cancelled: nil,
            requests: Array(repeating: request, count: requests))
    }

    @Test(arguments: StoreKind.allCases)
    func requestGroupsAreNumberedAndFoundByTheirRequests(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        let first = try await store.insertRequestGroup(try Self.requestGroup(name: "first", requests: 2))
        let second = try await store.insertRequestGroup(try Self.requestGroup(name: "second", requests: 1))
        #expect(first.id >= 1 && second.id > first.id, "group ids rise")
        let requestIDs = (first.requests + second.requests).map(\.id)
        #expect(Set(requestIDs).count == 3 && requestIDs.allSatisfy { $0 >= 1 } && requestIDs == requestIDs.sorted(), "request ids are unique and rise")
        #expect(try await store.requestGroup(id: first.id) == first)
        #expect(try await store.requestGroup(containingRequest: second.requests[0].id) == second)
        #expect(try await store.requestGroup(containingRequest: 999_999) == nil)
        #expect(try await store.requestGroups().map(\.name) == ["first", "second"])
    }

    @Test(arguments: StoreKind.allCases)
    func cancellingARequestGroupKeepsTheFirstInstant(_ kind: StoreKind) async throws {
        let store = try await kind.freshStore()
        let group = try await store.insertRequestGroup(try Self.requestGroup(name: "g", requests: 1))
        let cancelled = try await store.cancelRequestGroup(id: group.id, at: Sample.t0.addingTimeInterval(60))
        #expect(cancelled?.cancelled == Sample.t0.addingTimeInterval(60))
        _ = try await store.cancelRequestGroup(id: group.id, at: Sample.t0.addingTimeInterval(120))
        #expect(try await store.requestGroup(id: group.id)?.cancelled == Sample.t0.addingTimeInterval(60), "the first cancellation stands")
        #expect(try await store.cancelRequestGroup(id: 424_242, at: Sample.t0) == nil)
    }

    // MARK: Reopening

    @Test(arguments: StoreKind.allCases)
    func committedDataSurvivesReopening(_ kind: StoreKind) async throws {
        let folder = try TemporaryFolder()
        let location = try await kind.freshLocationOrSkip(in: folder.path)
        do {
            let store = try await location.open(logger: .quiet)
            _ = try await store.insertAlert(Sample.alertRecord("a1"))
            try await store.saveObservation(Sample.observation("o1"))
            if let postgres = store as? PostgresStore { await postgres.close() }
        }
        let reopened = try await location.open(logger: .quiet)
        #expect(try await reopened.unprocessedAlerts(limit: 5).map(\.id) == ["a1"])
        #expect(try await reopened.observations(of: "r-o1").count == 1)
    }
}
