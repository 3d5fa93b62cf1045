import Foundation
public import Logging
public import Persistence
public import Planning
public import StarlingCore
import Synchronization

/// Hosts the planner for one command: plans a night of some telescopes on the wall clock and
/// hands back the plans, as `starling plan` shows them (no telescope runs).
///
/// ```swift
/// let plans = try await PlanningHost(network: network, catalog: catalog, store: store, logger: logger)
///     .plan(localDate: CalendarDate("2026-11-23")!, telescopes: nil)
/// ```
public struct PlanningHost: Sendable {
    public let network: ObservatoryNetwork
    public let catalog: TargetCatalog
    public let store: any PlanStore & ObservationStore
    public let model: (any ReasoningModel)?
    public let logger: Logger

    /// - Parameters:
    ///   - store: where the plans are stored, and observations (cadence) read from.
    ///   - model: a reasoning model to re-rank candidates, or `nil` for the deterministic core.
    public init(
        network: ObservatoryNetwork, catalog: TargetCatalog, store: any PlanStore & ObservationStore, model: (any ReasoningModel)? = nil,
        logger: Logger
    ) {
        self.network = network
        self.catalog = catalog
        self.store = store
        self.model = model
        self.logger = logger
    }

    /// Plans the night that begins on `localDate` at each site.
    ///
    /// - Parameter telescopes: the telescopes to plan, `nil` for all.
    /// - Returns: one plan per telescope, in network order.
    /// - Throws: ``PlanningHostError`` with the planner's reason when it could not plan.
    public func plan(localDate: CalendarDate, telescopes: Set<TelescopeID>?) async throws(PlanningHostError) -> [NightPlan] {
        let clock = WallClock()
        let outcome = Mutex<(plans: [NightPlan], failure: String?)>(([], nil))
        let planner = PlannerAgent(network: network, catalog: catalog, store: store, clock: clock, logger: logger, model: model) { event in
            switch event {
            case .planMade(let plan), .planRestored(let plan): outcome.withLock { $0.plans.append(plan) }
            case .planningFailed(_, let reason, _): outcome.withLock { $0.failure = reason }
            }
        }
        let tasks = AgentTasks(clock: clock, logger: logger)
        tasks.start("planner", .network, planner)
        planner.send(.planNight(localDate: localDate, telescopes: telescopes))
        planner.stop(reason: "the plans are made")
        await tasks.waitUntilFinished(.network)
        let (plans, failure) = outcome.withLock { ($0.plans, $0.failure) }
        if let failure { throw PlanningHostError(description: failure) }
        return plans
    }
}

/// Why the planner could not plan, in its words.
public struct PlanningHostError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
