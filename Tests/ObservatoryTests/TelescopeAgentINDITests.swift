import Foundation
import Imaging
import Logging
import Sky
import StarlingCore
import Testing

@testable import Observatory

/// The telescope agent running a real INDI observatory (indiserver with Debian's six
/// simulators) on the wall clock, exactly as it runs the simulator.
@Suite(
    .serialized,
    .enabled(if: INDIServer.executable != nil, "indiserver is not installed (scripts/install-deps --test installs indi-bin)"))
struct TelescopeAgentINDITests {
    /// A site where it is local midnight now (the tests run on wall time, whenever they run):
    /// longitude 15° × (24 h − UTC hours), latitude 20° N.
    static func midnightSite(telescope: Telescope) throws -> Site {
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.hour, .minute, .second], from: now)
        let utcHours = Double(parts.hour!) + Double(parts.minute!) / 60 + Double(parts.second!) / 3600
        var longitude = 15 * (24 - utcHours)
        if longitude > 180 { longitude -= 360 }
        let location = try GeodeticLocation(latitude: .degrees(20), longitude: .degrees(longitude), elevationMeters: 2000)
        return Site(
            id: SiteID("indi-midnight"), name: "INDI test site at local midnight", location: location, timeZone: TimeZone(identifier: "UTC")!,
            telescopes: [telescope])
    }

    @Test(.timeLimit(.minutes(4)))
    func agentRunsAShortObservationThroughINDIAndClosesOnShutdown() async throws {
        let server = try await INDIServer()
        defer { server.stop() }
        let indi = INDIConfiguration(port: server.port)

        // The telescope's filters are the INDI wheel's, read from the wheel itself.
        let probe = INDIClient(configuration: indi)
        let wheel = INDIFilterWheel(client: probe, device: try #require(indi.filterWheelDevice))
        try await wheel.connect()
        let filters = try await wheel.filters()
        await probe.disconnect()

        let (_, model) = try AgentTestSupport.site("la-palma")
        let telescope = Telescope(
            id: TelescopeID("indi-sim"), name: "INDI simulators", apertureMeters: model.apertureMeters,
            focalLengthMillimeters: model.focalLengthMillimeters, camera: model.camera, filters: filters, mount: model.mount,
            enclosure: model.enclosure, filterChangeSeconds: 5, throughput: model.throughput, safety: model.safety, driver: .indi(indi))
        let site = try Self.midnightSite(telescope: telescope)
        let devices = try DeviceDriverFactory.makeDevices(for: telescope, site: site.location)
        let framesDirectory = AgentTestSupport.temporaryDirectory("indi-frames")
        defer { try? FileManager.default.removeItem(atPath: framesDirectory) }
        let log = EventLog()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let agent = TelescopeAgent(
            telescope: telescope, site: site, devices: devices, clock: WallClock(), store: nil, framesDirectory: framesDirectory,
            logger: logger, events: log.handler)

        let now = Date()
        let frame = try Observer(site: site).frame(at: now)
        let field = try frame.equatorial(of: HorizontalCoordinates(altitude: .degrees(70), azimuth: .degrees(180)))
        let target = Target(id: TargetID("indi-field"), name: "indi-field", coordinates: field, kind: .galaxy)
        let request = ObservationRequest(
            id: RequestID("req:indi-field"), target: target,
            exposures: [ExposureSpec(filter: filters[1], exposureSeconds: 2, count: 1)],
            constraints: ObservingConstraints(minimumAltitude: .degrees(20), maximumAirmass: 3, minimumMoonSeparation: .degrees(0), darkness: .nautical),
            kind: .survey)

        await agent.start()
        await agent.send(.observe(request))
        let observation = try await eventually(timeout: .seconds(150)) { log.observations.first }
        #expect(observation.outcome == .completed, "\(observation.outcome)")
        let record = try #require(observation.frames.first)
        #expect(observation.frames.count == 1)
        // The FITS the agent wrote holds the INDI camera's pixels.
        let files = FileManager.default.enumerator(atPath: framesDirectory)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".fits") } ?? []
        let path = framesDirectory + "/" + (try #require(files.first))
        let written = try FITSFrame(path: path)
        #expect(written.image.width == 1280 && written.image.height == 1024)
        #expect(written.metadata.filter == filters[1].name)
        #expect(record.filter == filters[1])
        #expect(log.states.contains { $0.0 == .slewing } && log.states.contains { $0.0 == .exposing })
        #expect(try await devices.enclosure.state() == .open)

        await agent.shutdown(reason: "test finished")
        #expect(try await devices.enclosure.state() == .closed)
        #expect(try await devices.mount.status().isParked)
        if let client = (devices.mount as? INDIMount)?.client { await client.disconnect() }
    }
}
