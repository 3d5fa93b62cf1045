import Foundation
import StarlingCore
import Testing

@testable import Service

/// `/api/plans` answers are kept until a plan changes, and an answer read before the change is
/// never put back after it.
struct PlanResponseCacheTests {
    let night = CalendarDate(year: 2026, month: 11, day: 23)!
    var key: PlanResponseCache.Key { .init(nights: ["la-palma": night], telescope: nil) }

    func plan() -> NightPlan {
        NightPlan(id: "p", telescopeID: "la-palma-1m-a", siteID: "la-palma", night: night, createdAt: Date(), entries: [], ranking: .deterministic)
    }

    @Test func anAnswerIsKeptUntilAPlanIsMadeOrRestored() {
        let cache = PlanResponseCache()
        cache.store(Data("[1]".utf8), for: key, readAt: cache.generation)
        #expect(cache.answer(for: key) == Data("[1]".utf8))
        cache.observe(.planner(.planningFailed(telescope: nil, reason: "no targets", at: Date())))
        #expect(cache.answer(for: key) != nil, "a failed planning changes no plan")
        cache.observe(.planner(.planMade(plan())))
        #expect(cache.answer(for: key) == nil)
        cache.store(Data("[2]".utf8), for: key, readAt: cache.generation)
        cache.observe(.planner(.planRestored(plan())))
        #expect(cache.answer(for: key) == nil)
    }

    @Test func anAnswerReadBeforeAPlanChangedIsNotKept() {
        let cache = PlanResponseCache()
        let readAt = cache.generation
        cache.observe(.planner(.planMade(plan())))
        cache.store(Data("[stale]".utf8), for: key, readAt: readAt)
        #expect(cache.answer(for: key) == nil)
    }

    @Test func eachSiteNightAndFilterHasItsOwnAnswer() {
        let cache = PlanResponseCache()
        let other = PlanResponseCache.Key(nights: ["la-palma": night], telescope: "la-palma-1m-a")
        cache.store(Data("[all]".utf8), for: key, readAt: cache.generation)
        #expect(cache.answer(for: other) == nil)
    }
}
