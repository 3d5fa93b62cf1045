public import Coordination
public import Foundation
public import Observatory
public import Persistence
import Reporting
public import StarlingCore
import Synchronization
import Logging
import Requests

/// The running network as the HTTP API and the dashboard see it: its configuration, its
/// store, its clock, the telescopes' live state, the event stream, and the few things people
/// may ask of it (submit an alert, close or open a telescope).
///
/// Everything here only reads or posts to mailboxes: a request never waits on an agent's work.
public struct LiveNetwork: Sendable {
    /// The sites and telescopes that run.
    public let network: ObservatoryNetwork
    /// Where everything is stored.
    public let store: any Store
    /// The network's clock (wall, or simulated and paced).
    public let clock: any UTCClock
    /// Where frames and reports are written.
    public let outputDirectory: String
    /// Where the Reporter writes reports (`<night>/<site or network>/report.html`).
    public let reportsDirectory: String

    /// Observers' request groups (the OCS request API).
    public let requests: RequestDesk

    private let router: MessageRouter
    private let telescopes: [TelescopeID: TelescopeAgent]
    private let intake: AlertIntake
    private let phase: PhaseBox

    /// Where the network is in its life.
    public enum Phase: String, Sendable, Hashable, Codable {
        case starting, running, stopping
    }

    init(
        network: ObservatoryNetwork, store: any Store, clock: any UTCClock, outputDirectory: String, router: MessageRouter,
        telescopes: [TelescopeID: TelescopeAgent], intake: AlertIntake, reportsDirectory: String, proposals: ProposalBook,
        maximumAttempts: Int, logger: Logger
    ) {
        self.network = network
        self.store = store
        self.clock = clock
        self.outputDirectory = outputDirectory
        self.router = router
        self.telescopes = telescopes
        self.intake = intake
        self.reportsDirectory = reportsDirectory
        let phase = PhaseBox()
        self.phase = phase
        requests = RequestDesk(
            network: network, proposals: proposals, store: store, intake: intake, maximumAttempts: maximumAttempts, logger: logger,
            isRunning: { phase.value.withLock { $0 } == .running })
    }

    /// Whether the agents are running (for `/ready`).
    public var currentPhase: Phase { phase.value.withLock { $0 } }

    func markReady() { phase.value.withLock { $0 = .running } }
    func markStopping() { phase.value.withLock { $0 = .stopping } }

    /// The phase, shared by every copy of the value.
    private final class PhaseBox: Sendable {
        let value = Mutex(Phase.starting)
    }

    /// Every event from now on, in order (see ``MessageRouter/events(buffer:)``).
    public func events(buffer: Int = 10_000) -> AsyncStream<NetworkEvent> { router.events(buffer: buffer) }

    /// What each telescope is doing now, in network order.
    public func statuses() async -> [TelescopeStatus] {
        var result: [TelescopeStatus] = []
        for site in network.sites {
            for telescope in site.telescopes {
                if let agent = telescopes[telescope.id] { result.append(await agent.status()) }
            }
        }
        return result
    }

    /// What one telescope is doing now; `nil` for an unknown telescope.
    public func status(of id: TelescopeID) async -> TelescopeStatus? {
        await telescopes[id]?.status()
    }

    /// Posts a command to a telescope's agent; returns `false` for an unknown telescope.
    @discardableResult
    public func send(_ command: TelescopeCommand, to id: TelescopeID) -> Bool {
        guard let agent = telescopes[id] else { return false }
        agent.send(command)
        return true
    }

    /// Stores an alert notice (durably) and hands it to the coordinator.
    ///
    /// - Parameter transport: where it came from, e.g. `http:<token name>`.
    /// - Returns: `nil` while the network is not running (starting, or stopping): nothing was
    ///   stored, and the sender should try again.
    /// - Throws: ``Persistence/StoreError`` when the notice could not be stored.
    public func submitAlert(_ raw: Data, transport: String) async throws(StoreError) -> IntakeReceipt? {
        guard currentPhase == .running else { return nil }
        return try await intake.submit(raw, transport: transport)
    }

    /// The counts so far (observations, frames, follow-ups, faults, telescopes open).
    public var counts: MessageRouter.Counts { router.counts }

    /// The folder of a night's report (`site` `nil`: the network's).
    public func reportDirectory(night: CalendarDate, site: SiteID?) -> String {
        Reporter.reportDirectory(under: reportsDirectory, night: night, site: site)
    }

    /// Whether a night's report has been written.
    public func hasReport(night: CalendarDate, site: SiteID?) -> Bool {
        FileManager.default.fileExists(atPath: reportDirectory(night: night, site: site) + "/report.html")
    }
}
