public import Foundation
public import Logging
public import Observatory
public import Persistence
public import StarlingCore
import Synchronization

/// Hosts one observation: a telescope's agent carries out one request, over the coupled
/// simulator on a simulation clock or over the telescope's real devices on the wall clock,
/// then closes, parks and stops.
///
/// ```swift
/// let host = ObservationHost(site: site, telescope: telescope, request: request, framesDirectory: "frames")
/// let result = await host.run(on: .simulator(start: midnight, weather: .clear, seed: 1, galaxies: nil))
/// print(result.observation?.outcome)
/// ```
public struct ObservationHost: Sendable {
    /// Where the agent's devices come from.
    public enum Devices: Sendable {
        /// The coupled simulator, on a simulation clock that starts at `start`: every frame
        /// rendered with pixels (stars, the catalog's galaxies, sky, clouds, noise, a TAN WCS).
        case simulator(start: Date, weather: WeatherScenario.Model, seed: UInt64, galaxies: TargetCatalog?)
        /// Real devices (see ``connectDevices(for:at:)``), on the wall clock.
        case real(TelescopeDevices)
    }

    /// How the request went.
    public struct Result: Sendable {
        /// How the request ended; `nil` only if the agent never answered within the limit.
        public let observation: Observation?
        /// Every event of the agent, in order.
        public let events: [TelescopeEvent]
        /// When the agent had closed, parked and stopped.
        public let ended: Date
    }

    public let site: Site
    public let telescope: Telescope
    public let request: ObservationRequest
    public let framesDirectory: String
    public let store: (any ObservationStore)?
    public let logger: Logger

    /// - Parameters:
    ///   - framesDirectory: frames go to `<framesDirectory>/<night>/<telescope>/`.
    ///   - store: where the observation and modelled frame metrics are stored, if anywhere.
    public init(
        site: Site, telescope: Telescope, request: ObservationRequest, framesDirectory: String, store: (any ObservationStore)? = nil,
        logger: Logger = Logger(label: "starling.observe")
    ) {
        self.site = site
        self.telescope = telescope
        self.request = request
        self.framesDirectory = framesDirectory
        self.store = store
        self.logger = logger
    }

    /// Connects a telescope's configured real devices (INDI or Alpaca) and reads the names of
    /// its filter wheel's filters.
    ///
    /// - Returns: the telescope with the wheel's filters (if it reports any), and its devices.
    /// - Throws: ``Observatory/DriverError`` when the devices cannot be made or the wheel cannot be read.
    public static func connectDevices(for telescope: Telescope, at site: Site) async throws(DriverError) -> (Telescope, Devices) {
        let devices = try DeviceDriverFactory.makeDevices(for: telescope, site: site.location)
        var connected = telescope
        if let wheel = devices.filterWheel {
            try await wheel.connect()
            let names = try await wheel.filters()
            if !names.isEmpty { connected = telescope.replacing(filters: names) }
        }
        return (connected, .real(devices))
    }

    /// Carries out the request and returns once the agent has closed, parked and stopped (or
    /// a generous limit for the request has passed).
    public func run(on devices: Devices) async -> Result {
        switch devices {
        case .simulator(let start, let weather, let seed, let galaxies):
            return await runSimulated(start: start, weather: weather, seed: seed, galaxies: galaxies)
        case .real(let devices):
            return await runReal(devices)
        }
    }

    /// How long the request may take: opening, slewing and settling take minutes; the
    /// exposures their own time.
    private var limitSeconds: Double {
        let frames = request.exposures.reduce(0.0) { total, spec in
            total + Double(spec.count) * (spec.exposureSeconds + telescope.camera.readoutSeconds + telescope.filterChangeSeconds)
        }
        return 3600 + frames
    }

    private func runSimulated(start: Date, weather: WeatherScenario.Model, seed: UInt64, galaxies catalog: TargetCatalog?) async -> Result {
        let galaxies = catalog?.targets.compactMap(FieldGalaxy.init(target:)) ?? []
        let clock = SimulationClock(start: UTCInstant(start))
        let limit = start.addingTimeInterval(limitSeconds)
        let timeline = WeatherTimeline(
            site: site, scenario: WeatherScenario(defaultModel: weather), span: DateInterval(start: start, end: limit.addingTimeInterval(7200)), seed: seed)
        let simulated = SimulatedTelescope(
            telescope: telescope, site: site, clock: clock, weather: timeline, renderer: SimulatedFrameRenderer(galaxies: galaxies),
            options: SimulatorOptions(rendering: .all, seed: seed))
        let log = EventLog()
        let tasks = AgentTasks(clock: clock, logger: logger)
        let agent = makeAgent(devices: simulated.devices, clock: clock, log: log)
        tasks.start(telescope.id.rawValue, .telescopes, agent)
        agent.send(.observe(request))
        while log.observation == nil, clock.currentDate < limit {
            await clock.run(until: UTCInstant(clock.currentDate.addingTimeInterval(30)))
        }
        agent.stop(reason: stopReason(observed: log.observation != nil, limit: limit))
        await tasks.waitUntilFinished(.telescopes, driving: clock)
        return Result(observation: log.observation, events: log.events, ended: clock.currentDate)
    }

    private func runReal(_ devices: TelescopeDevices) async -> Result {
        let clock = WallClock()
        let limit = clock.currentDate.addingTimeInterval(limitSeconds)
        let log = EventLog()
        let tasks = AgentTasks(clock: clock, logger: logger)
        let agent = makeAgent(devices: devices, clock: clock, log: log)
        tasks.start(telescope.id.rawValue, .telescopes, agent)
        agent.send(.observe(request))
        let ended = await log.waitForObservation(until: limit)
        agent.stop(reason: stopReason(observed: ended, limit: limit))
        await tasks.waitUntilFinished(.telescopes)
        return Result(observation: log.observation, events: log.events, ended: clock.currentDate)
    }

    private func makeAgent(devices: TelescopeDevices, clock: any UTCClock, log: EventLog) -> TelescopeAgent {
        TelescopeAgent(
            telescope: telescope, site: site, devices: devices, clock: clock, store: store, framesDirectory: framesDirectory, logger: logger,
            events: log.record)
    }

    private func stopReason(observed: Bool, limit: Date) -> String {
        observed ? "observation done" : "the observation did not end by \(ISO8601.string(from: limit, fractionalSeconds: false))"
    }
}

/// An agent's events as they come, and a way to wait for its observation on the wall clock.
private final class EventLog: Sendable {
    private struct State {
        var events: [TelescopeEvent] = []
        var waiter: CheckedContinuation<Bool, Never>?
        var timedOut = false
        var hasObservation: Bool { events.contains { if case .observationEnded = $0 { true } else { false } } }
    }

    private let state = Mutex(State())

    var record: EventHandler<TelescopeEvent> {
        { [self] event in
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                state.events.append(event)
                guard case .observationEnded = event else { return nil }
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: true)
        }
    }

    var events: [TelescopeEvent] { state.withLock { $0.events } }

    var observation: Observation? {
        events.lazy.compactMap { if case .observationEnded(let observation) = $0 { observation } else { nil } }.first
    }

    /// Waits (wall clock) until the observation ends or `limit` passes; returns whether it ended.
    func waitForObservation(until limit: Date) async -> Bool {
        let timer = Task { [self] in
            try? await Task.sleep(for: .seconds(max(0, limit.timeIntervalSinceNow)))
            let waiter = state.withLock { state in
                state.timedOut = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let answer: Bool? = state.withLock { state in
                if state.hasObservation { return true }
                if state.timedOut { return false }
                state.waiter = continuation
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }
}
