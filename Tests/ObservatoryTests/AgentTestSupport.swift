import Foundation
import Imaging
import Logging
import Persistence
import Sky
import StarlingCore
import Synchronization

@testable import Observatory

/// Helpers for running a telescope agent over the simulator on a simulation clock.
enum AgentTestSupport {
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let layout = ProjectLayout(root: packageRoot)

    static func network() throws -> ObservatoryNetwork { try layout.loadNetwork() }

    /// A site and one of its telescopes from `sites/`.
    static func site(_ id: String) throws -> (Site, Telescope) {
        let network = try network()
        guard let site = network.site(SiteID(id)), let telescope = site.telescopes.first else {
            throw SetupError("no site '\(id)' with telescopes in sites/")
        }
        return (site, telescope)
    }

    /// Evening astronomical twilight and morning twilight of a local date at a site.
    static func darkHours(site: Site, date: CalendarDate) throws -> (dusk: Date, dawn: Date) {
        let windows = try NightWindows.compute(site: site, date: date)
        guard let dusk = windows.nautical.dusk.date, let dawn = windows.nautical.dawn.date else {
            throw SetupError("no nautical night at \(site.id) on \(date)")
        }
        return (dusk, dawn)
    }

    static func temporaryDirectory(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "starling-observatory-\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A target that transits near the zenith at `date` at a site (hour angle `hours` east/west).
    static func target(near site: Site, at date: Date, hourAngleHours: Double = 0, altitudeOffset: Double = 0, name: String = "field") throws -> Target {
        let frame = try Observer(site: site).frame(at: date)
        let ra = (frame.localSiderealTime.degrees - 15 * hourAngleHours).truncatingRemainder(dividingBy: 360)
        let dec = max(-89, min(89, site.location.latitude.degrees - altitudeOffset))
        return Target(
            id: TargetID(name), name: name, coordinates: try EquatorialCoordinates(rightAscensionDegrees: (ra + 360).truncatingRemainder(dividingBy: 360), declinationDegrees: dec),
            kind: .galaxy, priority: 5)
    }

    static func request(_ target: Target, seconds: Double = 60, count: Int = 1, filter: String? = nil, telescope: Telescope, kind: ObservationRequest.Kind = .survey, id: String? = nil) -> ObservationRequest {
        ObservationRequest(
            id: RequestID(id ?? "req:\(target.id)"), target: target,
            exposures: [ExposureSpec(filter: filter.map(Filter.init) ?? telescope.filters[0], exposureSeconds: seconds, count: count)],
            constraints: ObservingConstraints(minimumAltitude: .degrees(20), maximumAirmass: 3, minimumMoonSeparation: .degrees(5), darkness: .nautical),
            kind: kind)
    }
}

/// A renderer that only models frames (and renders a small flat frame when asked): lets agent
/// tests run without the pixel renderer's cost.
struct FlatFrameRenderer: FrameRendering {
    func render(_ scene: ExposureScene) -> FITSFrame {
        var metadata = FrameMetadata(header: FITSHeader(cards: []))
        metadata.exposureSeconds = scene.exposureSeconds
        metadata.observationStart = scene.start
        metadata.pointing = scene.pointing
        metadata.filter = scene.filter.name
        let level = Float(100 + 500 * scene.openFraction)
        return FITSFrame(image: FloatImage(width: 32, height: 32, repeating: level), metadata: metadata)
    }

    func model(_ scene: ExposureScene) -> (metadata: FrameMetadata, quality: ModelledFrameQuality) {
        var metadata = FrameMetadata(header: FITSHeader(cards: []))
        metadata.exposureSeconds = scene.exposureSeconds
        metadata.pointing = scene.pointing
        let quality = ModelledFrameQuality(
            backgroundADU: 100 + 500 * scene.openFraction, noiseADU: 10, fwhmPixels: 2, fwhmArcseconds: scene.zenithSeeing.arcseconds,
            ellipticity: scene.pointingAtEnd == nil ? 0.05 : 0.8, sourceCount: Int(300 * scene.openFraction * (1 - scene.cloudFraction)),
            saturatedFraction: 0, limitingMagnitude: 20, zeroPoint: 25, transparency: scene.openFraction * (1 - scene.cloudFraction))
        return (metadata, quality)
    }
}

/// Collects an agent's events.
final class EventLog: Sendable {
    private let storage = Mutex<[TelescopeEvent]>([])

    var handler: EventHandler<TelescopeEvent> { { [self] event in storage.withLock { $0.append(event) } } }
    var events: [TelescopeEvent] { storage.withLock { $0 } }

    var observations: [Observation] {
        events.compactMap { if case .observationEnded(let observation) = $0 { observation } else { nil } }
    }

    var states: [(TelescopeState, Date, String)] {
        events.compactMap { if case .stateChanged(_, _, let to, let at, let reason) = $0 { (to, at, reason) } else { nil } }
    }

    var faults: [(DeviceKind, Reason)] {
        events.compactMap { if case .faultOccurred(_, let device, let reason, _) = $0 { (device, reason) } else { nil } }
    }

    var recoveries: [DeviceKind] {
        events.compactMap { if case .faultRecovered(_, let device, _) = $0 { device } else { nil } }
    }
}

/// One telescope, its simulator and its agent on a simulation clock.
struct AgentHarness {
    let clock: SimulationClock
    let simulated: SimulatedTelescope
    let agent: TelescopeAgent
    let log: EventLog
    let timeline: WeatherTimeline
    let store: SQLiteStore?

    init(
        site: Site, telescope: Telescope, start: Date, hours: Double = 14, weather: WeatherScenario = WeatherScenario(defaultModel: .clear),
        faults: [DeviceFault] = [], renderer: any FrameRendering = FlatFrameRenderer(), rendering: RenderingPolicy = .none,
        store: SQLiteStore? = nil, framesDirectory: String? = nil, seed: UInt64 = 1
    ) {
        clock = SimulationClock(start: UTCInstant(start))
        timeline = WeatherTimeline(site: site, scenario: weather, span: DateInterval(start: start, duration: hours * 3600), seed: seed)
        simulated = SimulatedTelescope(
            telescope: telescope, site: site, clock: clock, weather: timeline, renderer: renderer,
            options: SimulatorOptions(rendering: rendering, seed: seed))
        for fault in faults { simulated.inject(fault) }
        log = EventLog()
        self.store = store
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        agent = TelescopeAgent(
            telescope: telescope, site: site, devices: simulated.devices, clock: clock, store: store,
            framesDirectory: framesDirectory ?? AgentTestSupport.temporaryDirectory("frames"), logger: logger, events: log.handler)
    }

    func run(until date: Date) async {
        await clock.run(until: UTCInstant(date))
    }

    /// Starts the agent's `run()` on the harness's clock.
    func start() {
        let agent = self.agent
        running.set(clock.spawn(named: "\(agent.telescope.id)") { try? await agent.run() })
    }

    /// Asks the agent to stop and runs the clock until it has closed, parked and returned.
    func stop(reason: String = "end of test") async {
        agent.stop(reason: reason)
        while !running.isFinished { await clock.run(until: clock.now.advanced(by: .seconds(60))) }
    }

    let running = RunningTask()
}

/// The task an agent's `run()` runs in, and whether it has returned.
final class RunningTask: Sendable {
    private let state = Mutex<(task: Task<Void, Never>?, finished: Bool)>((nil, false))

    func set(_ task: Task<Void, Never>) {
        state.withLock { $0.task = task }
        Task { [self] in
            await task.value
            state.withLock { $0.finished = true }
        }
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// Waits for the task (wall clock only: under a simulation clock, drive the clock instead).
    func wait() async { await state.withLock { $0.task }?.value }
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
