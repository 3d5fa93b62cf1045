import Foundation
import Imaging
import Sky
import Testing

@testable import Observatory
@testable import StarlingCore

/// The `alpaca-simulators` package (PyPI) on a free loopback port.
enum AlpacaSimulator {
    static let executable = DriverTestPaths.executable(named: "alpaca-simulators")

    static func start() async throws -> ServerProcess {
        let port = try freeLoopbackPort()
        return try await ServerProcess(
            name: "alpaca-simulators", executable: try #require(executable),
            arguments: ["--host", "127.0.0.1", "--port", "\(port)"], port: port)
    }
}

/// The Alpaca drivers against the real alpaca-simulators server: every device it has.
@Suite(
    .serialized,
    .enabled(if: AlpacaSimulator.executable != nil, "alpaca-simulators is not installed (scripts/install-deps --test pip-installs it)"))
struct AlpacaIntegrationTests {
    /// Real devices move in real time; the ceiling is for a machine busy with other work.
    @Test(.timeLimit(.minutes(20)))
    func sessionUnparksOpensSlewsExposesWritesClosesAndParks() async throws {
        let server = try await AlpacaSimulator.start()
        defer { server.stop() }
        let configuration = AlpacaConfiguration(port: server.port)
        let devices = try DeviceDriverFactory.makeDevices(
            for: Telescope(
                id: TelescopeID("alpaca-sim"), name: "Alpaca simulator", apertureMeters: 0.4, focalLengthMillimeters: 2000,
                camera: Camera(name: "sim", widthPixels: 1024, heightPixels: 1024, pixelSizeMicrons: 10, gain: 1, readNoise: 5, fullWell: 65_535, readoutSeconds: 1), filters: [], driver: .alpaca(configuration)))
        try await devices.mount.connect()
        try await devices.camera.connect()
        try await devices.enclosure.connect()
        try await #require(devices.focuser).connect()
        try await #require(devices.filterWheel).connect()
        try await #require(devices.weather).connect()

        // The simulator starts parked, and refuses a slew while parked (0x408 with HTTP 200).
        #expect(try await devices.mount.status().isParked)
        let client = AlpacaClient(configuration: configuration)
        let latitude = try #require(try await client.get(.telescope, 0, "sitelatitude", kind: .mount).value.double)
        let longitude = try #require(try await client.get(.telescope, 0, "sitelongitude", kind: .mount).value.double)
        let site = try GeodeticLocation(latitude: .degrees(latitude), longitude: .degrees(longitude), elevationMeters: 0)
        let target = try Observer(location: site).frame(at: Date()).equatorial(of: HorizontalCoordinates(altitude: .degrees(60), azimuth: .degrees(180)))
        do {
            try await devices.mount.slew(to: target)
            Issue.record("a parked mount must refuse to slew")
        } catch {
            #expect(error.code == .refused)
            #expect(error.message.contains("Parked"))
        }

        try await devices.mount.unpark()
        #expect(try await devices.mount.status().isParked == false)
        try await devices.enclosure.open()
        #expect(try await devices.enclosure.state() == .open)
        try await devices.enclosure.rotate(toAzimuth: .degrees(180))

        try await devices.mount.slew(to: target)
        let status = try await devices.mount.status()
        #expect(try #require(status.pointing).separation(from: target).degrees < 0.01)
        #expect(status.isTracking && !status.isSlewing)

        let focuser = try #require(devices.focuser)
        try await focuser.move(to: 10_200)
        #expect(try await focuser.position() == 10_200)
        let wheel = try #require(devices.filterWheel)
        let filters = try await wheel.filters()
        #expect(filters.map(\.name) == ["Red", "Green", "Blue", "Clear", "Luminance"])
        try await wheel.select(filters[1])
        #expect(try await wheel.currentFilter() == filters[1])

        let weather = try #require(try await devices.weather?.reading())
        #expect(weather.sensorSaysSafe == true)
        #expect(weather.windSpeedMetersPerSecond != nil && weather.temperatureCelsius != nil && weather.cloudFraction != nil)

        // A dark frame needs no star catalog: it works offline, through ImageBytes.
        let dark = try await devices.camera.expose(CameraExposure(exposureSeconds: 1, imageType: .dark, binning: 4))
        guard case .frame(let frame) = dark else { Issue.record("an Alpaca camera returns pixels"); return }
        #expect(frame.image.width == 256 && frame.image.height == 256)
        let path = NSTemporaryDirectory() + "starling-alpaca-\(server.port).fits"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try frame.write(to: path)
        let reread = try FITSFrame(path: path)
        #expect(reread.image.width == 256 && reread.metadata.exposureSeconds == 1)

        // A light frame asks the network for Gaia stars: offline the simulator's camera goes
        // to CameraState 5, which the driver reports as a device fault; online it is a frame.
        // While the simulator waits on that query (slowly on a busy machine) it may stop
        // answering, which the driver reports as a lost connection or a timeout.
        do {
            let light = try await devices.camera.expose(CameraExposure(exposureSeconds: 1, binning: 4))
            if case .frame(let lightFrame) = light { #expect(lightFrame.image.width == 256) }
        } catch {
            switch error.code {
            case .deviceFault: #expect(error.message.contains("CameraState 5"))
            case .disconnected, .timeout: #expect(error.message.contains("camera 0"))
            default: Issue.record("a light frame offline fails as a device fault or a lost server, not \(error)")
            }
        }

        try await devices.enclosure.close()
        #expect(try await devices.enclosure.state() == .closed)
        try await devices.mount.park()
        #expect(try await devices.mount.status().isParked)
        await devices.mount.disconnect()
    }

    @Test(.timeLimit(.minutes(20)))
    func unreachableServerIsADisconnectionAndUnknownDeviceIsRefused() async throws {
        let port = try freeLoopbackPort()
        let focuser = AlpacaFocuser(client: AlpacaClient(host: "127.0.0.1", port: port, requestTimeout: .seconds(2)))
        do {
            _ = try await focuser.position()
            Issue.record("nothing listens on \(port)")
        } catch {
            #expect(error.code == .disconnected)
        }
        let server = try await AlpacaSimulator.start()
        defer { server.stop() }
        let missing = AlpacaFocuser(client: AlpacaClient(host: "127.0.0.1", port: server.port), number: 7)
        do {
            try await missing.connect()
            Issue.record("focuser 7 is not configured")
        } catch {
            #expect(error.code == .refused)
            #expect(error.message.contains("focuser 7"))
        }
    }
}
