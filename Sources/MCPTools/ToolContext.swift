import Foundation
public import Logging
public import Orchestration
public import Persistence
import Planning
import Requests
public import StarlingCore

/// Where the tools find their answers: the running network (`starling serve`), or a store and
/// the configuration (`starling mcp`).
///
/// Every tool asks the same questions of either; only what needs the agents themselves
/// (telescopes' live state, submitting and cancelling observers' requests) needs ``live``,
/// and a tool without it says so in its result.
public struct ToolContext: Sendable {
    /// The sites and telescopes.
    public let network: ObservatoryNetwork
    /// Plans, observations, frames, alerts, assignments, reviews, request groups.
    public let store: any Store
    /// Where the Reporter writes night reports (`<night>/<site or network>/report.*`).
    public let reportsDirectory: String
    /// The catalogs targets are looked up in by name, in order (loaded once).
    public let catalogs: [(name: String, catalog: TargetCatalog)]
    /// The survey catalog a plan is computed from when none is stored (`nil`: none computed).
    public let surveyCatalog: TargetCatalog?
    /// The observers' proposals.
    public let proposals: ProposalBook
    /// The network's clock (wall, or simulated and paced) or the wall clock.
    public let clock: any UTCClock
    /// The running network, when the tools are served by `starling serve`.
    public let live: LiveNetwork?
    public let logger: Logger

    /// The tools of the running network: its store, clock, reports and agents.
    public init(live: LiveNetwork, catalogs: [(name: String, catalog: TargetCatalog)], surveyCatalog: TargetCatalog?, logger: Logger) {
        network = live.network
        store = live.store
        reportsDirectory = live.reportsDirectory
        self.catalogs = catalogs
        self.surveyCatalog = surveyCatalog
        proposals = live.requests.validator.proposals
        clock = live.clock
        self.live = live
        self.logger = logger
    }

    /// The tools over a store and the configuration, on the wall clock, with no agent running.
    public init(
        network: ObservatoryNetwork, store: any Store, reportsDirectory: String, catalogs: [(name: String, catalog: TargetCatalog)],
        surveyCatalog: TargetCatalog?, proposals: ProposalBook, logger: Logger
    ) {
        self.network = network
        self.store = store
        self.reportsDirectory = reportsDirectory
        self.catalogs = catalogs
        self.surveyCatalog = surveyCatalog
        self.proposals = proposals
        clock = WallClock()
        live = nil
        self.logger = logger
    }

    /// Now, on the context's clock.
    var now: Date { clock.currentDate }

    /// The running network, or the refusal a tool gives without it.
    func requireLive(for tool: String, doing what: String) throws(ToolError) -> LiveNetwork {
        guard let live else {
            throw ToolError(
                .needsLiveNetwork,
                "\(tool) \(what), which needs the running network: connect the assistant to `starling serve`'s MCP endpoint (http://HOST:PORT/mcp, see docs/mcp.md); `starling mcp` answers from the store and the configuration only")
        }
        return live
    }

    /// A site by id or name, or the refusal naming the nearest.
    func site(_ name: String, argument: String = "site") throws(ToolError) -> Site {
        do {
            return try network.site(named: name)
        } catch {
            throw ToolError(.notFound, "\(argument): \(error.description)")
        }
    }

    /// A telescope by id or name, or the refusal naming the nearest.
    func telescope(_ name: String, argument: String = "telescope") throws(ToolError) -> (site: Site, telescope: Telescope) {
        do {
            return try network.telescope(named: name)
        } catch {
            throw ToolError(.notFound, "\(argument): \(error.description)")
        }
    }

    /// The night a site is in now, or begins next (local noon to the next local noon).
    func tonight(at site: Site) -> CalendarDate { SiteNight.localDate(containing: now, at: site) }
}
