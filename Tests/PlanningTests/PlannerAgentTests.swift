import Foundation
import Logging
import Persistence
import StarlingCore
import Synchronization
import Testing

@testable import Planning

/// The agent end to end: plans stored and announced, re-plans that leave done work out,
/// and the reasoning model's failures recorded while the deterministic plan stands.
struct PlannerAgentTests {
    static let date = CalendarDate("2026-11-23")!

    /// Collects the events an agent emits.
    final class EventLog: Sendable {
        private let events = Mutex<[PlannerEvent]>([])
        func append(_ event: PlannerEvent) { events.withLock { $0.append(event) } }
        var plans: [NightPlan] { events.withLock { $0.compactMap { if case .planMade(let plan) = $0 { plan } else { nil } } } }
        var restored: [NightPlan] { events.withLock { $0.compactMap { if case .planRestored(let plan) = $0 { plan } else { nil } } } }
        var failures: [String] { events.withLock { $0.compactMap { if case .planningFailed(_, let reason, _) = $0 { reason } else { nil } } } }
    }

    /// Starts the agent's `run()` on the clock.
    func start(_ agent: PlannerAgent, on clock: SimulationClock) async {
        clock.spawn(named: "planner") { try? await agent.run() }
        await clock.run(until: clock.now)
    }

    /// Sends a command and lets the agent carry it out at the clock's current instant.
    func perform(_ command: PlannerCommand, by agent: PlannerAgent, on clock: SimulationClock) async {
        agent.send(command)
        await clock.run(until: clock.now)
    }

    func makeAgent(
        store: SQLiteStore, clock: SimulationClock, model: (any ReasoningModel)? = nil, log: EventLog, sites: Set<SiteID>? = nil
    ) throws -> PlannerAgent {
        let whole = try PlanningTestSupport.network()
        let network = sites.map { chosen in ObservatoryNetwork(sites: whole.sites.filter { chosen.contains($0.id) }) } ?? whole
        let catalog = try PlanningTestSupport.layout.loadCatalog(named: "nearby_galaxies")
        return PlannerAgent(
            network: network, catalog: catalog, store: store, clock: clock, logger: Logger(label: "test.planner"), model: model) { event in
                log.append(event)
            }
    }

    @Test func planningANightStoresAndAnnouncesEveryPlan() async throws {
        let store = try SQLiteStore.inMemory()
        let clock = SimulationClock(start: UTCInstant(ISO8601.date(from: "2026-11-23T08:00:00Z")!))
        let log = EventLog()
        let agent = try makeAgent(store: store, clock: clock, log: log)
        let telescopes: Set<TelescopeID> = ["xinglong-1m-a", "xinglong-1m-b"]
        await start(agent, on: clock)
        await perform(.planNight(localDate: Self.date, telescopes: telescopes), by: agent, on: clock)
        let plans = log.plans
        #expect(Set(plans.map(\.telescopeID)) == telescopes)
        for plan in plans {
            #expect(abs(plan.createdAt.timeIntervalSince(clock.now.date)) < 1e-3)
            #expect(plan.entries.count > 50)
            #expect(plan.ranking == .deterministic)
        }
        // No target on both telescopes.
        let a = Set(plans[0].entries.map(\.request.target.id)), b = Set(plans[1].entries.map(\.request.target.id))
        #expect(a.isDisjoint(with: b))
        let stored = try await store.latestPlans(night: Self.date, site: "xinglong")
        #expect(Set(stored.map(\.id)) == Set(plans.map(\.id)))
    }

    @Test func replanKeepsDoneObservationsOut() async throws {
        let store = try SQLiteStore.inMemory()
        let clock = SimulationClock(start: UTCInstant(ISO8601.date(from: "2026-11-23T08:00:00Z")!))
        let log = EventLog()
        let agent = try makeAgent(store: store, clock: clock, log: log)
        await start(agent, on: clock)
        await perform(.planNight(localDate: Self.date, telescopes: ["xinglong-1m-a"]), by: agent, on: clock)
        let first = try #require(log.plans.first)
        // The first ten observations were done; a cloud then cost an hour.
        let done = Array(first.entries.prefix(10))
        for (index, entry) in done.enumerated() {
            try await store.saveObservation(Observation(
                id: ObservationID("obs-\(index)"), requestID: entry.request.id, telescopeID: "xinglong-1m-a", siteID: "xinglong",
                targetID: entry.request.target.id, started: entry.start, ended: entry.end, outcome: .completed, frames: []))
        }
        let from = done.last!.end.addingTimeInterval(3600)
        clock.advanceTime(to: UTCInstant(from))
        await perform(.replan(telescope: "xinglong-1m-a", from: from, reason: "clouds"), by: agent, on: clock)
        let replanned = try #require(log.plans.last)
        #expect(replanned.id != first.id)
        #expect(abs(replanned.createdAt.timeIntervalSince(from)) < 1e-3, "the plan is stamped with the clock's time")
        #expect(!replanned.entries.isEmpty)
        for entry in replanned.entries {
            #expect(entry.start >= from, "\(entry.request.target.id) starts before the re-plan instant")
            #expect(!done.contains { $0.request.target.id == entry.request.target.id }, "\(entry.request.target.id) was already observed")
        }
        #expect(try await store.plans(telescope: "xinglong-1m-a", night: Self.date).count == 2)
        #expect(log.plans.count == 2)
    }

    @Test func replanAfterARestartPlansTheLocalNightThatContainsTheInstant() async throws {
        // 01:00 UTC on 11-24 is 03:00 at Wise, in the night that began on 11-23 there; the
        // planner has prepared nothing (as after a restart).
        let store = try SQLiteStore.inMemory()
        let from = try #require(ISO8601.date(from: "2026-11-24T01:00:00Z"))
        let clock = SimulationClock(start: UTCInstant(from))
        let log = EventLog()
        let agent = try makeAgent(store: store, clock: clock, log: log)
        await start(agent, on: clock)
        await perform(.replan(telescope: "wise-1m-a", from: from, reason: "resumed after a restart"), by: agent, on: clock)
        let replanned = try #require(log.plans.first)
        #expect(replanned.night == Self.date, "the night that began on 2026-11-23 at Wise, not the next one")
        #expect(!replanned.entries.isEmpty)
        for entry in replanned.entries { #expect(entry.start >= from && entry.end <= from.addingTimeInterval(6 * 3600)) }
    }

    /// A command and a stop sent together while the agent sleeps wake it once (the rings fold
    /// into one): it must carry out the command and then stop, not sleep again.
    @Test func aStopSentRightAfterACommandStopsTheAgentOnceTheCommandIsDone() async throws {
        let clock = SimulationClock(start: UTCInstant(ISO8601.date(from: "2026-11-23T08:00:00Z")!))
        let log = EventLog()
        let agent = try makeAgent(store: try SQLiteStore.inMemory(), clock: clock, log: log, sites: ["xinglong"])
        let returned = Mutex(false)
        clock.spawn(named: "planner") {
            try? await agent.run()
            returned.withLock { $0 = true }
        }
        await clock.run(until: clock.now)
        agent.send(.planNight(localDate: Self.date, telescopes: ["xinglong-1m-a"]))
        agent.stop(reason: "test over")
        await clock.run(until: clock.now.advanced(by: .seconds(60)))
        #expect(log.plans.count == 1)
        #expect(returned.withLock { $0 }, "the agent went back to sleep with a stop pending")
    }

    @Test func anUnknownTelescopeIsReportedAsAPlanningFailure() async throws {
        let clock = SimulationClock(start: UTCInstant(secondsSince1970: 1.8e9))
        let log = EventLog()
        let agent = try makeAgent(store: try SQLiteStore.inMemory(), clock: clock, log: log)
        await start(agent, on: clock)
        await perform(.replan(telescope: "no-such-telescope", from: Date(timeIntervalSince1970: 1.8e9), reason: "test"), by: agent, on: clock)
        #expect(log.plans.isEmpty)
        #expect(log.failures.count == 1)
        #expect(log.failures.first?.contains("no-such-telescope") == true)
    }

    @Test func resumingAnnouncesTheStoredPlansAgainAndPlansTelescopesThatHadNone() async throws {
        let store = try SQLiteStore.inMemory()
        let clock = SimulationClock(start: UTCInstant(ISO8601.date(from: "2026-11-23T08:00:00Z")!))
        let first = EventLog()
        let agent = try makeAgent(store: store, clock: clock, log: first, sites: ["xinglong"])
        await start(agent, on: clock)
        await perform(.planNight(localDate: Self.date, telescopes: ["xinglong-1m-a"]), by: agent, on: clock)
        let stored = try #require(first.plans.first)

        // A new agent (a restarted process) over the same store, in the middle of the night.
        let midnight = try #require(ISO8601.date(from: "2026-11-23T16:00:00Z"))
        clock.advanceTime(to: UTCInstant(midnight))
        let log = EventLog()
        let restarted = try makeAgent(store: store, clock: clock, log: log, sites: ["xinglong"])
        await start(restarted, on: clock)
        await perform(.resume(at: midnight), by: restarted, on: clock)
        #expect(log.restored.map(\.id) == [stored.id], "xinglong-1m-a carries on with the plan it had")
        let fresh = log.plans.filter { $0.siteID == "xinglong" }
        #expect(!fresh.contains { $0.telescopeID == "xinglong-1m-a" })
        #expect(fresh.contains { $0.telescopeID == "xinglong-1m-b" }, "a telescope with no stored plan is planned from the instant")
        #expect(fresh.allSatisfy { plan in plan.entries.allSatisfy { $0.start >= midnight } })
    }

    /// A model that answers as scripted.
    struct ScriptedModel: ReasoningModel {
        let name = "scripted"
        let answer: @Sendable ([String]) throws(ModelError) -> RankingAnswer
        func rank(_ request: RankingRequest) async throws(ModelError) -> RankingAnswer { try answer(request.candidates.map(\.id)) }
    }

    @Test func modelFailureLeavesTheDeterministicPlanAndSaysWhy() async throws {
        let failing = ScriptedModel { _ throws(ModelError) in throw ModelError(.badJSON, "not JSON") }
        let store = try SQLiteStore.inMemory()
        let clock = SimulationClock(start: UTCInstant(ISO8601.date(from: "2026-11-23T08:00:00Z")!))
        let log = EventLog()
        let agent = try makeAgent(store: store, clock: clock, model: failing, log: log)
        await start(agent, on: clock)
        await perform(.planNight(localDate: Self.date, telescopes: ["xinglong-1m-a"]), by: agent, on: clock)
        let plan = try #require(log.plans.first)
        #expect(plan.ranking == .deterministic)
        #expect(plan.notes.contains { $0.contains("not used") && $0.contains("bad-json") })
        let consultation = try #require(plan.modelConsultation)
        #expect(consultation.verdict == .rejected && consultation.failureCode == "bad-json" && consultation.failure == "not JSON")
        #expect(consultation.plannedMerit == consultation.deterministicMerit && !consultation.scheduleChanged)
        #expect(consultation.candidateCount == 12)
    }

    @Test func modelRankingIsKeptWithItsTrace() async throws {
        let reversing = ScriptedModel { ids in
            RankingAnswer(ranking: ids.reversed().map { RankingAnswer.Entry(id: $0, reason: "why \($0)") }, reasoningTrace: "thinking")
        }
        let store = try SQLiteStore.inMemory()
        let clock = SimulationClock(start: UTCInstant(ISO8601.date(from: "2026-11-23T08:00:00Z")!))
        let log = EventLog()
        let agent = try makeAgent(store: store, clock: clock, model: reversing, log: log)
        await start(agent, on: clock)
        await perform(.planNight(localDate: Self.date, telescopes: ["xinglong-1m-a"]), by: agent, on: clock)
        let plan = try #require(log.plans.first)
        #expect(plan.ranking == .model(name: "scripted", reasoningTrace: "thinking"))
        #expect(plan.entries.contains { $0.reason.hasPrefix("model: why ") })
        let consultation = try #require(plan.modelConsultation)
        #expect(consultation.verdict == .accepted && consultation.orderChanged && consultation.repairs.isEmpty)
        // The entries carry the core's merit (the model's weighting taken back out), so the
        // plan's merit compares with the deterministic plan's.
        #expect(abs(consultation.plannedMerit - plan.entries.reduce(0) { $0 + $1.merit }) < 1e-9)
        #expect(consultation.scheduleChanged)
        #expect(plan.notes.contains { $0.hasPrefix("ranked by scripted in ") })
        // The consultation is kept with the stored plan.
        let stored = try await store.latestPlans(night: Self.date, site: "xinglong")
        #expect(stored.first { $0.telescopeID == "xinglong-1m-a" }?.modelConsultation == consultation)
    }

    /// A model that takes a moment over each question and records how many it had at once.
    final class SlotCountingModel: ReasoningModel {
        let name = "one-slot"
        let concurrentRequests: Int
        let inFlight = Mutex<(now: Int, most: Int, asked: Int)>((0, 0, 0))

        init(concurrentRequests: Int) { self.concurrentRequests = concurrentRequests }

        func rank(_ request: RankingRequest) async throws(ModelError) -> RankingAnswer {
            inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now); $0.asked += 1 }
            try? await Task.sleep(for: .milliseconds(40))
            inFlight.withLock { $0.now -= 1 }
            return RankingAnswer(ranking: request.candidates.map { RankingAnswer.Entry(id: $0.id, reason: "as planned") }, reasoningTrace: nil)
        }
    }

    @Test(arguments: [1, 2])
    func neverAsksMoreQuestionsAtOnceThanTheModelTakes(slots: Int) async throws {
        let model = SlotCountingModel(concurrentRequests: slots)
        let store = try SQLiteStore.inMemory()
        let clock = SimulationClock(start: UTCInstant(ISO8601.date(from: "2026-11-23T08:00:00Z")!))
        let log = EventLog()
        let agent = try makeAgent(store: store, clock: clock, model: model, log: log)
        let telescopes: Set<TelescopeID> = ["xinglong-1m-a", "xinglong-1m-b", "xinglong-1m-c", "xinglong-1m-d"]
        await start(agent, on: clock)
        await perform(.planNight(localDate: Self.date, telescopes: telescopes), by: agent, on: clock)
        let counts = model.inFlight.withLock { $0 }
        #expect(counts.asked == 4)
        #expect(counts.most <= slots)
        // The model agrees with the core's order: the plan stands as the core made it and says so.
        for plan in log.plans {
            let consultation = try #require(plan.modelConsultation)
            #expect(consultation.verdict == .accepted && !consultation.orderChanged && !consultation.scheduleChanged, "\(plan.telescopeID)")
            #expect(consultation.plannedMerit == consultation.deterministicMerit)
            #expect(plan.notes.contains { $0.contains("the plan is unchanged") })
        }
    }
}
