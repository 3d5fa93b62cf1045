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
        var plans: [NightPlan] { events.withLock { $0.map { if case .planMade(let plan) = $0 { plan } else { fatalError() } } } }
    }

    func makeAgent(store: SQLiteStore, clock: SimulationClock, model: (any ReasoningModel)? = nil, log: EventLog) throws -> PlannerAgent {
        let network = try PlanningTestSupport.network()
        let catalog = try PlanningTestSupport.layout.loadCatalog(named: "nearby_galaxies")
        return PlannerAgent(
            network: network, catalog: catalog, store: store, clock: clock, logger: Logger(label: "test.planner"), model: model) { event in
                log.append(event)
            }
    }

    @Test func planArrayStoresAndAnnouncesEveryPlan() async throws {
        let store = try SQLiteStore.inMemory()
        let clock = SimulationClock(start: UTCInstant(ISO8601.date(from: "2026-11-23T08:00:00Z")!))
        let log = EventLog()
        let agent = try makeAgent(store: store, clock: clock, log: log)
        let telescopes: Set<TelescopeID> = ["xinglong-1m-a", "xinglong-1m-b"]
        let plans = try await agent.planArray(.utcDate(Self.date), telescopes: telescopes)
        #expect(Set(plans.map(\.telescopeID)) == telescopes)
        #expect(log.plans.map(\.id) == plans.map(\.id))
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
        let first = try #require(try await agent.planArray(.utcDate(Self.date), telescopes: ["xinglong-1m-a"]).first)
        // The first ten observations were done; a cloud then cost an hour.
        let done = Array(first.entries.prefix(10))
        for (index, entry) in done.enumerated() {
            try await store.saveObservation(Observation(
                id: ObservationID("obs-\(index)"), requestID: entry.request.id, telescopeID: "xinglong-1m-a", siteID: "xinglong",
                targetID: entry.request.target.id, started: entry.start, ended: entry.end, outcome: .completed, frames: []))
        }
        let from = done.last!.end.addingTimeInterval(3600)
        clock.advanceTime(to: UTCInstant(from))
        let replanned = try await agent.replan(telescope: "xinglong-1m-a", from: from, reason: "clouds")
        #expect(replanned.id != first.id)
        #expect(abs(replanned.createdAt.timeIntervalSince(from)) < 1e-3, "the plan is stamped with the clock's time")
        #expect(!replanned.entries.isEmpty)
        for entry in replanned.entries {
            #expect(entry.start >= from, "\(entry.request.target.id) starts before the re-plan instant")
            #expect(!done.contains { $0.request.target.id == entry.request.target.id }, "\(entry.request.target.id) was already observed")
        }
        #expect(try await store.plans(telescope: "xinglong-1m-a", night: Self.date).count == 2)
        #expect(log.plans.last?.id == replanned.id)
    }

    @Test func replanAfterARestartPlansTheLocalNightThatContainsTheInstant() async throws {
        // 01:00 UTC on 11-24 is 03:00 at Wise, in the night that began on 11-23 there; the
        // planner has prepared nothing (as after a restart).
        let store = try SQLiteStore.inMemory()
        let from = try #require(ISO8601.date(from: "2026-11-24T01:00:00Z"))
        let clock = SimulationClock(start: UTCInstant(from))
        let agent = try makeAgent(store: store, clock: clock, log: EventLog())
        let replanned = try await agent.replan(telescope: "wise-1m-a", from: from, reason: "resumed after a restart")
        #expect(replanned.night == Self.date, "the night that began on 2026-11-23 at Wise, not the next one")
        #expect(!replanned.entries.isEmpty)
        for entry in replanned.entries { #expect(entry.start >= from && entry.end <= from.addingTimeInterval(6 * 3600)) }
    }

    @Test func unknownTelescopeIsAnError() async throws {
        let agent = try makeAgent(store: try SQLiteStore.inMemory(), clock: SimulationClock(start: UTCInstant(secondsSince1970: 1.8e9)), log: EventLog())
        await #expect(throws: PlanningError.self) { try await agent.handle(.replan(telescope: "no-such-telescope", from: Date(timeIntervalSince1970: 1.8e9), reason: "test")) }
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
        let agent = try makeAgent(store: store, clock: clock, model: failing, log: EventLog())
        let plan = try #require(try await agent.planArray(.utcDate(Self.date), telescopes: ["xinglong-1m-a"]).first)
        #expect(plan.ranking == .deterministic)
        #expect(plan.notes.contains { $0.contains("not used") && $0.contains("bad-json") })
    }

    @Test func modelRankingIsKeptWithItsTrace() async throws {
        let reversing = ScriptedModel { ids in
            RankingAnswer(ranking: ids.reversed().map { RankingAnswer.Entry(id: $0, reason: "why \($0)") }, reasoningTrace: "thinking")
        }
        let store = try SQLiteStore.inMemory()
        let clock = SimulationClock(start: UTCInstant(ISO8601.date(from: "2026-11-23T08:00:00Z")!))
        let agent = try makeAgent(store: store, clock: clock, model: reversing, log: EventLog())
        let plan = try #require(try await agent.planArray(.utcDate(Self.date), telescopes: ["xinglong-1m-a"]).first)
        #expect(plan.ranking == .model(name: "scripted", reasoningTrace: "thinking"))
        #expect(plan.entries.contains { $0.reason.hasPrefix("model: why ") })
    }
}
