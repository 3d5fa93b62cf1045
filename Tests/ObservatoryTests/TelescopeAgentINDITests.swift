import Foundation
import Imaging
import Logging
import Sky
import StarlingCore
import Testing

@testable import Observatory

/// A telescope agent on the wall clock over an indiserver running Debian's six simulators, at
/// a site where it is local midnight now (the tests run whenever they run).
struct INDIAgentHarness {
    let server: INDIServer
    let telescope: Telescope
    let site: Site
    let devices: TelescopeDevices
    let filters: [Filter]
    let agent: TelescopeAgent
    let log = EventLog()
    let framesDirectory = AgentTestSupport.temporaryDirectory("indi-frames")

    init(configuration: TelescopeAgentConfiguration = TelescopeAgentConfiguration()) async throws {
        server = try await INDIServer()
        let indi = INDIConfiguration(port: server.port)
        // The telescope's filters are the INDI wheel's, read from the wheel itself.
        let probe = INDIClient(configuration: indi)
        let wheel = INDIFilterWheel(client: probe, device: try #require(indi.filterWheelDevice))
        try await wheel.connect()
        filters = try await wheel.filters()
        await probe.disconnect()

        let (_, model) = try AgentTestSupport.site("la-palma")
        telescope = Telescope(
            id: TelescopeID("indi-sim"), name: "INDI simulators", apertureMeters: model.apertureMeters,
            focalLengthMillimeters: model.focalLengthMillimeters, camera: model.camera, filters: filters, mount: model.mount,
            enclosure: model.enclosure, filterChangeSeconds: 5, throughput: model.throughput, safety: model.safety, driver: .indi(indi))
        site = try Self.midnightSite(telescope: telescope)
        devices = try DeviceDriverFactory.makeDevices(for: telescope, site: site.location)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        agent = TelescopeAgent(
            telescope: telescope, site: site, devices: devices, clock: WallClock(), store: nil, framesDirectory: framesDirectory,
            logger: logger, configuration: configuration, events: log.handler)
    }

    /// Longitude 15° × (24 h − UTC hours), latitude 20° N: local midnight now.
    static func midnightSite(telescope: Telescope) throws -> Site {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.hour, .minute, .second], from: Date())
        let utcHours = Double(parts.hour!) + Double(parts.minute!) / 60 + Double(parts.second!) / 3600
        var longitude = 15 * (24 - utcHours)
        if longitude > 180 { longitude -= 360 }
        let location = try GeodeticLocation(latitude: .degrees(20), longitude: .degrees(longitude), elevationMeters: 2000)
        return Site(
            id: SiteID("indi-midnight"), name: "INDI test site at local midnight", location: location, timeZone: TimeZone(identifier: "UTC")!,
            telescopes: [telescope])
    }

    /// A request for a field at an altitude in the south now.
    func request(_ name: String, altitude: Double = 70, seconds: Double = 2, count: Int = 1) throws -> ObservationRequest {
        let frame = try Observer(site: site).frame(at: Date())
        let field = try frame.equatorial(of: HorizontalCoordinates(altitude: .degrees(altitude), azimuth: .degrees(180)))
        return ObservationRequest(
            id: RequestID("req:\(name)"), target: Target(id: TargetID(name), name: name, coordinates: field, kind: .galaxy),
            exposures: [ExposureSpec(filter: filters[1], exposureSeconds: seconds, count: count)],
            constraints: ObservingConstraints(minimumAltitude: .degrees(20), maximumAirmass: 3, minimumMoonSeparation: .degrees(0), darkness: .nautical),
            kind: .survey)
    }

    let running = RunningTask()

    /// Starts the agent's `run()` on the wall clock.
    func start() {
        let agent = self.agent
        running.set(Task { try? await agent.run() })
    }

    /// Asks the agent to stop and waits until it has closed, parked and returned.
    func shutdown() async {
        agent.stop(reason: "test finished")
        await running.wait()
    }

    /// Shuts the agent down (close and park), disconnects and kills the server.
    func finish() async {
        await shutdown()
        if let client = (devices.mount as? INDIMount)?.client { await client.disconnect() }
        server.stop()
        try? FileManager.default.removeItem(atPath: framesDirectory)
    }
}

/// The telescope agent running a real INDI observatory exactly as it runs the simulator.
@Suite(
    .serialized,
    .enabled(if: INDIServer.executable != nil, "indiserver is not installed (scripts/install-deps --test installs indi-bin)"))
struct TelescopeAgentINDITests {
    @Test(.timeLimit(.minutes(20)))
    func agentRunsAShortObservationThroughINDIAndClosesOnShutdown() async throws {
        let harness = try await INDIAgentHarness()
        defer { harness.server.stop() }
        harness.start()
        harness.agent.send(.observe(try harness.request("indi-field")))
        let observation = try await eventually { harness.log.observations.first }
        #expect(observation.outcome == .completed, "\(observation.outcome)")
        let record = try #require(observation.frames.first)
        #expect(observation.frames.count == 1)
        // The FITS the agent wrote holds the INDI camera's pixels.
        let files = FileManager.default.enumerator(atPath: harness.framesDirectory)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".fits") } ?? []
        let written = try FITSFrame(path: harness.framesDirectory + "/" + (try #require(files.first)))
        #expect(written.image.width == 1280 && written.image.height == 1024)
        #expect(written.metadata.filter == harness.filters[1].name)
        #expect(record.filter == harness.filters[1])
        #expect(harness.log.states.contains { $0.0 == .opening })
        #expect(harness.log.states.contains { $0.0 == .slewing } && harness.log.states.contains { $0.0 == .exposing })

        // With no work left the agent closes and parks (at once, or on shutdown): the hardware agrees.
        await harness.shutdown()
        #expect(harness.log.states.last?.0 == .parked)
        #expect(try await harness.devices.enclosure.state() == .closed)
        #expect(try await harness.devices.mount.status().isParked)
        await harness.finish()
    }

    @Test(.timeLimit(.minutes(20)))
    func agentClosesWithinTheDeadlineWhenTheWeatherSimulatorAlerts() async throws {
        let harness = try await INDIAgentHarness(configuration: TelescopeAgentConfiguration(safetyPollSeconds: 2))
        defer { harness.server.stop() }
        harness.start()
        harness.agent.send(.observe(try harness.request("long-field", seconds: 60, count: 3)))
        _ = try await eventually { harness.log.states.contains { $0.0 == .exposing } ? true : nil }

        // Rain and gale on the simulator's own knob, applied at once.
        let alertAt = Date()
        let client = try #require((harness.devices.mount as? INDIMount)?.client)
        try await client.send(
            numbers: [("Weather", 1), ("Wind", 80), ("Precip", 20)], to: "WEATHER_CONTROL", of: "Weather Simulator", kind: .weather)
        try await client.send(switches: [("REFRESH", true)], to: "WEATHER_REFRESH", of: "Weather Simulator", kind: .weather)

        let parked = try await eventually { harness.log.states.first { $0.0 == .parked && $0.1 > alertAt } }
        #expect(parked.1.timeIntervalSince(alertAt) <= harness.telescope.safety.closeDeadlineSeconds)
        #expect(try await harness.devices.enclosure.state() == .closed)
        let observation = try #require(harness.log.observations.first)
        guard case .aborted(let reason) = observation.outcome else { Issue.record("expected an abort, got \(observation.outcome)"); return }
        #expect(reason.code == .weatherUnsafe)
        await harness.finish()
    }

    @Test(.timeLimit(.minutes(20)))
    func agentReportsTheCCDDriverKilledMidExposureAndRecoversOnceItIsBack() async throws {
        let harness = try await INDIAgentHarness(configuration: TelescopeAgentConfiguration(retryBaseSeconds: 3))
        defer { harness.server.stop() }
        harness.start()
        harness.agent.send(.observe(try harness.request("first", seconds: 20)))
        _ = try await eventually { harness.log.states.contains { $0.0 == .exposing } ? true : nil }
        let camera = try #require((harness.devices.camera as? INDICamera)?.client)
        try await waitUntilWaiting(camera, device: "CCD Simulator", on: ["CCD_EXPOSURE"])
        try harness.server.kill(driver: "indi_simulator_ccd")
        // The next request waits in the queue while the agent recovers the camera.
        harness.agent.send(.observe(try harness.request("second")))

        let failed = try await eventually { harness.log.observations.first }
        guard case .failed(let reason) = failed.outcome else { Issue.record("expected a failure, got \(failed.outcome)"); return }
        #expect(reason.code == .deviceFault)
        #expect(reason.detail.contains("CCD Simulator"))
        #expect(harness.log.faults.contains { $0.0 == .camera })
        // indiserver restarts the driver; the agent's recovery probe (a bias) reconnects it.
        _ = try await eventually { harness.log.recoveries.contains(.camera) ? true : nil }
        let second = try await eventually { harness.log.observations.count >= 2 ? harness.log.observations[1] : nil }
        #expect(second.outcome == .completed, "\(second.outcome)")
        await harness.finish()
    }

    @Test(.timeLimit(.minutes(20)))
    func agentRefusesATargetBelowTheHorizonBeforeTheMountMoves() async throws {
        let harness = try await INDIAgentHarness()
        defer { harness.server.stop() }
        let client = try #require((harness.devices.mount as? INDIMount)?.client)
        try await harness.devices.mount.connect()
        let below = try harness.request("below", altitude: -30)
        harness.start()
        harness.agent.send(.observe(below))
        let observation = try await eventually { harness.log.observations.first }
        guard case .refused(let reason) = observation.outcome else { Issue.record("expected a refusal, got \(observation.outcome)"); return }
        #expect(reason.code == .belowHorizon)
        #expect(!harness.log.states.contains { $0.0 == .slewing })
        // The INDI mount was never sent the target: once still (it may be unparking), it points
        // far from it. (Its coordinates are of the date; the target's ICRS: < 1° apart.)
        let still = try await eventually { () async -> INDIVector? in
            guard let vector = await client.property("EQUATORIAL_EOD_COORD", of: "Telescope Simulator"), vector.state != .busy else { return nil }
            return vector
        }
        let pointing = try EquatorialCoordinates(
            rightAscensionDegrees: try #require(still.number("RA")) * 15, declinationDegrees: try #require(still.number("DEC")))
        #expect(pointing.separation(from: below.target.coordinates).degrees > 10, "\(pointing)")
        await harness.finish()
    }
}
