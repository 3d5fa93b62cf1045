import Coordination
import Foundation
import Logging
import Persistence
import StarlingCore
import Testing

@testable import Orchestration

/// The router on its own: every event becomes the commands it calls for, posted to mailboxes
/// (never an inline call into an agent), and the journal lines it implies.
struct MessageRouterTests {
    let start = Date(timeIntervalSince1970: 1_795_500_000)
    let telescope = TelescopeID("la-palma-1m-a")
    let site = SiteID("la-palma")

    /// A router whose destinations are plain mailboxes, on a simulation clock.
    struct Harness {
        let clock: SimulationClock
        let store: SQLiteStore
        let router: MessageRouter
        let telescope = Mailbox<TelescopeCommand>()
        let planner = Mailbox<PlannerCommand>()
        let coordinator = Mailbox<CoordinatorCommand>()
        let reporter = Mailbox<ReporterCommand>()

        init(start: Date, telescope: TelescopeID, site: SiteID, configuration: MessageRouter.Configuration = .init()) throws {
            clock = SimulationClock(start: UTCInstant(start))
            store = try SQLiteStore.inMemory()
            router = MessageRouter(store: store, clock: clock, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, configuration: configuration)
            router.register(telescope: telescope, site: site, receiver: self.telescope)
            router.connect(planner: planner, coordinator: coordinator, reporter: reporter)
        }
    }

    func request(_ id: String) -> ObservationRequest {
        ObservationRequest(
            id: RequestID(id), target: Target(id: "t", name: "t", coordinates: try! EquatorialCoordinates(rightAscensionDegrees: 10, declinationDegrees: 20), kind: .galaxy),
            exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 60, count: 1)])
    }

    func assignment(_ id: String, request: ObservationRequest) -> Assignment {
        Assignment(
            id: AssignmentID(id), alertID: "alert", telescopeID: telescope, siteID: site, request: request, plannedStart: start,
            leaseExpiry: start.addingTimeInterval(120), state: .offered, reason: "test")
    }

    @Test func aFrameGoesToTheReporterAndEveryTelescopeEventToTheCoordinator() throws {
        let harness = try Harness(start: start, telescope: telescope, site: site)
        let frame = FrameRecord(
            id: "f1", observationID: "o1", telescopeID: telescope, path: "/tmp/f1.fits", imageType: .light, filter: Filter("r"),
            exposureSeconds: 60, started: start, pointing: nil, airmass: 1.1)
        harness.router.route(.telescope(.frameWritten(frame)))
        let measured = harness.reporter.takeAll()
        #expect(measured.count == 1)
        if case .measure(let sent)? = measured.first { #expect(sent == frame) } else { Issue.record("expected .measure, got \(measured)") }
        #expect(harness.coordinator.takeAll().count == 1)
        #expect(harness.planner.count == 0 && harness.telescope.count == 0)
        #expect(harness.router.counts.frames == 1)
    }

    @Test func aPlanGoesToItsTelescope() throws {
        let harness = try Harness(start: start, telescope: telescope, site: site)
        let plan = NightPlan(id: "p1", telescopeID: telescope, siteID: site, night: CalendarDate("2026-11-23")!, createdAt: start, entries: [], ranking: .deterministic)
        harness.router.route(.planner(.planMade(plan)))
        let commands = harness.telescope.takeAll()
        if case .load(let loaded)? = commands.first { #expect(loaded.id == plan.id) } else { Issue.record("expected .load, got \(commands)") }
    }

    @Test func assignmentsAndTheirCancellationGoToTheTelescope() throws {
        let harness = try Harness(start: start, telescope: telescope, site: site)
        let made = assignment("a1", request: request("followup-1"))
        harness.router.route(.coordinator(.assignmentMade(made)))
        harness.router.route(.coordinator(.assignmentChanged("a1", to: .cancelled, reason: "retracted by the alert", at: start)))
        harness.router.route(.coordinator(.assignmentChanged("a1", to: .completed, reason: "done", at: start)))
        let commands = harness.telescope.takeAll()
        #expect(commands.count == 2, "a completed assignment needs no command")
        if case .followUp(let sent)? = commands.first { #expect(sent.id == "a1") } else { Issue.record("expected .followUp, got \(commands)") }
        if case .cancelFollowUp(let id, let reason)? = commands.last {
            #expect(id == "a1" && reason.code == .retracted)
        } else {
            Issue.record("expected .cancelFollowUp, got \(commands)")
        }
    }

    @Test func staleTelescopesAreReplannedAndOthersAreNot() throws {
        let harness = try Harness(start: start, telescope: telescope, site: site)
        // A recovered device: re-plan at once.
        harness.router.route(.telescope(.faultRecovered(telescope: telescope, device: .camera, at: start)))
        // A follow-up that ended: re-plan; a survey observation that ended: no.
        harness.router.route(.coordinator(.assignmentMade(assignment("a1", request: request("followup-1")))))
        _ = harness.telescope.takeAll()
        for requestID in ["followup-1", "survey-1"] {
            let observation = Observation(
                id: ObservationID("o-\(requestID)"), requestID: RequestID(requestID), telescopeID: telescope, siteID: site, targetID: "t",
                started: start, ended: start, outcome: .completed, frames: [])
            harness.router.route(.telescope(.observationEnded(observation)))
        }
        // Reopening soon after a plan: no re-plan.
        let plan = NightPlan(id: "p1", telescopeID: telescope, siteID: site, night: CalendarDate("2026-11-23")!, createdAt: start, entries: [], ranking: .deterministic)
        harness.router.route(.planner(.planMade(plan)))
        harness.router.route(.telescope(.stateChanged(telescope: telescope, from: .opening, to: .idle, at: start, reason: "open")))
        let replans = harness.planner.takeAll().compactMap { if case .replan(let id, _, let reason) = $0 { "\(id): \(reason)" } else { nil } }
        #expect(replans == ["la-palma-1m-a: camera recovered", "la-palma-1m-a: follow-up followup-1 ended (completed)"])
    }

    @Test func aTelescopeReopeningLongAfterItsPlanIsReplanned() async throws {
        let harness = try Harness(start: start, telescope: telescope, site: site)
        let plan = NightPlan(id: "p1", telescopeID: telescope, siteID: site, night: CalendarDate("2026-11-23")!, createdAt: start, entries: [], ranking: .deterministic)
        harness.router.route(.planner(.planMade(plan)))
        harness.clock.advanceTime(to: UTCInstant(start.addingTimeInterval(3600)))
        harness.router.route(.telescope(.stateChanged(telescope: telescope, from: .opening, to: .idle, at: start.addingTimeInterval(3600), reason: "open")))
        let replans = harness.planner.takeAll()
        #expect(replans.count == 1)
        if case .replan(_, let from, let reason)? = replans.first {
            #expect(reason == "reopened after a closure")
            #expect(from == start.addingTimeInterval(3600))
        }
    }

    @Test func journalLinesAreWrittenInBatchesAndAtStop() async throws {
        let harness = try Harness(start: start, telescope: telescope, site: site, configuration: .init(journalBatch: 3, journalFlushSeconds: 3600))
        let router = harness.router
        let running = harness.clock.spawn(named: "router") { try? await router.run() }
        await harness.clock.run(until: harness.clock.now)
        let states: [(TelescopeState, TelescopeState)] = [(.parked, .opening), (.opening, .idle), (.idle, .slewing), (.slewing, .exposing)]
        for (index, (from, to)) in states.enumerated() {
            router.route(.telescope(.stateChanged(telescope: telescope, from: from, to: to, at: start.addingTimeInterval(Double(index)), reason: "test")))
        }
        // Three lines make a batch: written at once, without waiting for the flush interval.
        await harness.clock.run(until: harness.clock.now)
        let span = DateInterval(start: start.addingTimeInterval(-60), duration: 7200)
        #expect(try await harness.store.journal(in: span, site: site).count >= 3)
        router.stop(reason: "test over")
        await harness.clock.run(until: harness.clock.now.advanced(by: .seconds(1)))
        await running.value
        let journal = try await harness.store.journal(in: span, site: site)
        #expect(journal.count == 4)
        #expect(journal.compactMap(\.telescopeStateChange).map(\.to) == [.opening, .idle, .slewing, .exposing])
    }

    @Test func subscribersSeeEveryEventInOrderAndTheStreamEndsWithTheRouter() async throws {
        let harness = try Harness(start: start, telescope: telescope, site: site)
        let router = harness.router
        let events = router.events()
        let running = harness.clock.spawn(named: "router") { try? await router.run() }
        for index in 0..<5 {
            router.route(.telescope(.safetyActionTaken(telescope: telescope, action: "action \(index)", at: start)))
        }
        router.stop(reason: "test over")
        await harness.clock.run(until: harness.clock.now.advanced(by: .seconds(1)))
        await running.value
        var actions: [String] = []
        for await event in events {
            if case .telescope(.safetyActionTaken(_, let action, _)) = event { actions.append(action) }
        }
        #expect(actions == (0..<5).map { "action \($0)" })
    }
}
