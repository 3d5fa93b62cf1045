import Dispatch
import Foundation
import StarlingCore
import Testing

@testable import Planning

/// The array keeps its telescopes busy: where sites share a band of longitude (and so a sky),
/// one due visit per target leaves all but the best of them idle; spare visits in other
/// filters fill them without crowding out any due visit.
struct SpareVisitTests {
    /// The seven sites of the Asian band (26 telescopes), on the night of 2026-11-23, with the
    /// shipped nearby-galaxy catalog: the band where the first round left ten telescopes with
    /// nothing planned.
    static let band: [SiteID] = ["maidanak", "hanle", "ngari", "lenghu", "lijiang", "xinglong", "lulin"]

    /// The band planned with and without spare visits, on a thread of its own: planning the
    /// array is a long synchronous computation, and the test pool's threads are the whole
    /// suite's (a poll waiting on them would miss its deadline).
    static func plans() async throws -> (without: ArrayPlan, with: ArrayPlan) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let network = try PlanningTestSupport.network()
                    let catalog = try PlanningTestSupport.layout.loadCatalog(named: "nearby_galaxies").targets
                    let telescopes = Set(network.sites.filter { band.contains($0.id) }.flatMap(\.telescopes).map(\.id))
                    func plan(_ spare: SurveyPolicy.SpareVisits) throws -> ArrayPlan {
                        let configuration = ArrayPlanner.Configuration(survey: SurveyPolicy(spareVisits: spare))
                        return try ArrayPlanner(network: network, configuration: configuration)
                            .plan(.localDate(CalendarDate("2026-11-23")!), catalog: catalog, telescopes: telescopes)
                    }
                    return (try plan(.none), try plan(SurveyPolicy.SpareVisits()))
                })
            }
        }
    }

    @Test func everyTelescopeInACrowdedBandIsKeptBusyBySpareVisitsWorthLessInOtherFilters() async throws {
        let (without, with) = try await Self.plans()
        #expect(with.plans.count == 26)

        // The defect: with one visit per target, telescopes of the band stand idle.
        let idleWithout = without.plans.filter { $0.schedule.usedFraction < 0.2 }.map(\.telescope.id)
        #expect(idleWithout.count >= 5, "without spare visits: \(idleWithout)")
        let targetsWithoutSpare = without.plans.flatMap(\.schedule.entries).map(\.request.target.id)
        #expect(Set(targetsWithoutSpare).count == targetsWithoutSpare.count, "without spare visits no target is visited twice")

        // With spare visits every telescope of the band works most of its night (the plan's
        // share is of nautical darkness, of which the survey may use only the astronomical part).
        let used = with.plans.map { ($0.telescope.id, $0.schedule.usedFraction) }
        #expect(used.allSatisfy { $0.1 >= 0.6 }, "\(used.filter { $0.1 < 0.6 })")

        // Due visits are not crowded out: as many targets are planned (within the schedulers'
        // heuristic noise: other candidates send the local search down other paths).
        let targetsWith = Set(with.plans.flatMap(\.schedule.entries).map(\.request.target.id))
        #expect(Double(targetsWith.count) >= 0.99 * Double(Set(targetsWithoutSpare).count), "\(targetsWith.count) targets against \(Set(targetsWithoutSpare).count)")
        let requests = with.plans.flatMap(\.schedule.entries).map(\.request.id)
        #expect(Set(requests).count == requests.count, "no request twice")

        // Each spare visit takes its visit's filter (every telescope of the band has g and r:
        // a second visit is in g) and earns less than its target's due visit.
        let entries = with.plans.flatMap { plan in plan.schedule.entries.map { (plan.telescope, $0) } }
        let spare = entries.filter { $0.1.request.id.rawValue.contains("#") }
        #expect(!spare.isEmpty)
        let policy = SurveyPolicy()
        for (telescope, entry) in spare {
            let visit = Int(entry.request.id.rawValue.split(separator: "#").last!)!
            #expect(entry.request.exposures.first?.filter == policy.filter(for: telescope, visit: visit))
            if visit == 2 { #expect(entry.request.exposures.first?.filter.name == "g") }
            #expect(entry.request.kind == .survey)
        }
        let dueMerit = Dictionary(
            entries.filter { !$0.1.request.id.rawValue.contains("#") }.map { ($0.1.request.target.id, $0.1.merit) }, uniquingKeysWith: max)
        let compared = spare.compactMap { pair in dueMerit[pair.1.request.target.id].map { (pair.1.merit, $0) } }
        #expect(!compared.isEmpty)
        let higher = compared.filter { $0.0 > $0.1 }
        #expect(Double(higher.count) <= 0.02 * Double(compared.count), "\(higher.count) of \(compared.count) spare visits earn more than their due visit")
    }

    @Test(arguments: [(1, "r"), (2, "g"), (3, "i"), (4, "r")])
    func theVisitNumberChoosesTheFilter(visit: Int, expected: String) {
        // The test telescope has g, r and i: the due filter is r; spare visits take g, then i,
        // then r again when no other filter is left.
        #expect(SurveyPolicy().filter(for: PlanningTestSupport.surveyTelescope, visit: visit).name == expected)
    }

    @Test func spareVisitsWeighLessTheLaterTheyCome() throws {
        #expect(SurveyPolicy(spareVisits: .none).maximumVisitsPerNight == 1)
        let policy = SurveyPolicy()
        #expect(policy.meritWeight(visit: 1) == 1 && !policy.isSpare(visit: 1))
        #expect(abs(policy.meritWeight(visit: 2) - 0.05) < 1e-12 && abs(policy.meritWeight(visit: 3) - 0.025) < 1e-12)
        let target = try PlanningTestSupport.randomCatalog(count: 1, seed: 1)[0]
        let request = policy.request(for: target, on: PlanningTestSupport.surveyTelescope, night: CalendarDate("2026-11-23")!, visit: 3)
        #expect(request.id == RequestID("survey:\(target.id):2026-11-23#3"))
        #expect(request.exposures.first?.filter.name == "i")
    }
}
