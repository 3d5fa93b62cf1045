public import Foundation
public import Logging
public import Observatory
public import Persistence
public import StarlingCore

/// What a night run is asked to do.
public struct NightRunConfiguration: Sendable {
    /// The scenario: date, seed, sites, weather changes, faults and alerts.
    public var scenario: Scenario
    /// The array.
    public var network: ObservatoryNetwork
    /// The survey catalog.
    public var catalog: TargetCatalog
    /// The store: a SQLite file (created with its folder) or a PostgreSQL database. Running
    /// again over the same store resumes an unfinished run.
    public var store: StoreLocation
    /// Where frames (`<out>/frames/`) and reports (`<out>/reports/`) go.
    public var outputDirectory: String
    /// Which simulated frames get pixels (the rest are modelled; the report says which).
    public var rendering: RenderingPolicy
    /// Progress is reported (and the run checkpointed) every this many simulated seconds.
    public var checkpointSeconds: Double
    /// The logger for the run; agents log through it with their own metadata.
    public var logger: Logger

    public init(
        scenario: Scenario, network: ObservatoryNetwork, catalog: TargetCatalog, store: StoreLocation, outputDirectory: String,
        rendering: RenderingPolicy = .sample(everyNth: 250), checkpointSeconds: Double = 1800,
        logger: Logger = Logger(label: "starling.night")
    ) {
        self.scenario = scenario
        self.network = network
        self.catalog = catalog
        self.store = store
        self.outputDirectory = outputDirectory
        self.rendering = rendering
        self.checkpointSeconds = checkpointSeconds
        self.logger = logger
    }

    /// The sites the scenario runs.
    public var sites: [Site] { network.sites.filter { scenario.sites.includes($0.id) && !$0.telescopes.isEmpty } }

    /// The part of the array the scenario runs: what the planner plans, the coordinator
    /// assigns to and the reports cover.
    public var runningNetwork: ObservatoryNetwork { ObservatoryNetwork(sites: sites) }
}

/// How far a run has got, for a progress display.
public struct NightProgress: Sendable {
    /// Simulated time now.
    public let now: Date
    /// The run's simulated span.
    public let span: DateInterval
    /// Fraction of the span done, 0…1.
    public var fraction: Double { min(1, max(0, now.timeIntervalSince(span.start) / max(span.duration, 1))) }
    public let observations: Int
    public let completed: Int
    public let frames: Int
    public let openTelescopes: Int
    public let assignments: Int
    public let faults: Int
    /// Wall-clock seconds since the run started.
    public let wallSeconds: Double
}
