import Foundation
import Imaging
import Sky
import Synchronization
import Testing

@testable import Observatory
@testable import StarlingCore

#if canImport(Glibc)
import Glibc
#endif

/// An `indiserver` (Debian's indi-bin) with some of its simulator drivers on a free loopback port.
final class INDIServer: @unchecked Sendable {
    static let executable = DriverTestPaths.executable(named: "indiserver")
    static let allSimulators = [
        "indi_simulator_telescope", "indi_simulator_ccd", "indi_simulator_focus", "indi_simulator_wheel", "indi_simulator_dome",
        "indi_simulator_weather",
    ]

    let port: Int
    let drivers: [String]
    private(set) var process: ServerProcess?

    init(drivers: [String] = INDIServer.allSimulators, port: Int? = nil) async throws {
        self.port = try port ?? freeLoopbackPort()
        self.drivers = drivers
        try await start()
    }

    /// Starts (or restarts) indiserver on the same port.
    func start() async throws {
        let executable = try #require(Self.executable, "indiserver is not installed")
        // -u: a socket name of our own, so concurrent servers do not fight over /tmp/indiserver.
        process = try await ServerProcess(
            name: "indiserver", executable: executable, arguments: ["-v", "-p", "\(port)", "-u", "/tmp/starling-indi-\(port)"] + drivers,
            port: port)
    }

    func stop() {
        process?.stop()
        process = nil
    }

    /// Kills one driver process (SIGKILL), as a crash would.
    func kill(driver: String) throws {
        let pids = try #require(process).children(matching: driver)
        try #require(!pids.isEmpty, "no \(driver) process under indiserver")
        for pid in pids { Glibc.kill(pid, SIGKILL) }
    }

    var log: String { process?.log() ?? "" }

    deinit { stop() }
}

/// The INDI drivers against a real indiserver running Debian's simulators. Each test starts
/// its own server on a free port and kills it (and its drivers) on the way out.
@Suite(
    .serialized,
    .enabled(if: INDIServer.executable != nil, "indiserver is not installed (scripts/install-deps --test installs indi-bin)"))
struct INDIIntegrationTests {
    static let laPalma = try! GeodeticLocation(latitude: .degrees(28.758333), longitude: .degrees(-17.88), elevationMeters: 2327)

    /// A target 60° up in the south from La Palma now (ICRS).
    static func targetAboveHorizon() throws -> EquatorialCoordinates {
        let frame = try Observer(location: laPalma).frame(at: Date())
        return try frame.equatorial(of: HorizontalCoordinates(altitude: .degrees(60), azimuth: .degrees(180)))
    }

    @Test(.timeLimit(.minutes(20)))
    func sessionUnparksOpensSlewsExposesWritesClosesAndParks() async throws {
        let server = try await INDIServer()
        defer { server.stop() }
        let configuration = INDIConfiguration(port: server.port)
        let devices = try DeviceDriverFactory.makeDevices(indi: configuration, site: Self.laPalma)
        let client = try #require((devices.mount as? INDIMount)?.client)
        defer { Task { await client.disconnect() } }

        try await devices.mount.connect()
        try await devices.camera.connect()
        try await devices.enclosure.connect()
        try await #require(devices.focuser).connect()
        try await #require(devices.filterWheel).connect()
        try await #require(devices.weather).connect()

        try await devices.mount.unpark()
        #expect(try await devices.mount.status().isParked == false)

        try await devices.enclosure.open()
        #expect(try await devices.enclosure.state() == .open)

        let target = try Self.targetAboveHorizon()
        try await devices.mount.slew(to: target)
        let status = try await devices.mount.status()
        let pointing = try #require(status.pointing)
        #expect(pointing.separation(from: target).degrees < 0.1, "the mount reports where it was sent (ICRS ↔ JNow round trip)")
        #expect(status.isTracking)

        let focuser = try #require(devices.focuser)
        try await focuser.move(to: 42_000)
        #expect(try await focuser.position() == 42_000)

        let wheel = try #require(devices.filterWheel)
        let filters = try await wheel.filters()
        #expect(filters.count == 8)
        try await wheel.select(filters[2])
        #expect(try await wheel.currentFilter() == filters[2])

        let readout = try await devices.camera.expose(CameraExposure(exposureSeconds: 2))
        guard case .frame(let frame) = readout else { Issue.record("an INDI camera returns pixels"); return }
        #expect(frame.image.width == 1280 && frame.image.height == 1024)
        #expect(frame.metadata.exposureSeconds == 2)
        let path = NSTemporaryDirectory() + "starling-indi-\(server.port).fits"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try frame.write(to: path)
        let reread = try FITSFrame(path: path)
        #expect(reread.image.width == 1280 && reread.image.height == 1024)
        #expect(reread.image.pixels == frame.image.pixels)

        let weather = try #require(try await devices.weather?.reading())
        #expect(weather.sensorSaysSafe == true)

        try await devices.enclosure.close()
        #expect(try await devices.enclosure.state() == .closed)
        try await devices.mount.park()
        #expect(try await devices.mount.status().isParked)
    }

    @Test(.timeLimit(.minutes(20)))
    func cameraReportsItsDriverKilledMidExposureAndRecovers() async throws {
        let server = try await INDIServer(drivers: ["indi_simulator_ccd"])
        defer { server.stop() }
        let client = INDIClient(host: "127.0.0.1", port: server.port)
        defer { Task { await client.disconnect() } }
        let camera = INDICamera(client: client, device: "CCD Simulator")
        try await camera.connect()

        let exposure = Task { try await camera.expose(CameraExposure(exposureSeconds: 10)) }
        try await waitUntilWaiting(client, device: "CCD Simulator", on: ["CCD_EXPOSURE"])
        try server.kill(driver: "indi_simulator_ccd")
        do {
            _ = try await exposure.value
            Issue.record("the exposure cannot succeed once its driver is killed")
        } catch let error as DriverError {
            #expect(error.code == .deviceFault)
            #expect(error.device == .camera)
            #expect(error.message.contains("CCD Simulator"))
            // Reported as the driver's end, not as the exposure's timeout.
            #expect(error.message.contains("driver stopped or restarted"))
        }

        // indiserver restarts a dead driver (its -r option); the camera reconnects the device.
        let again = try await camera.expose(CameraExposure(exposureSeconds: 1))
        guard case .frame(let frame) = again else { Issue.record("expected a frame"); return }
        #expect(frame.image.width == 1280)
        #expect(server.log.contains("restart #0"))
    }

    @Test(.timeLimit(.minutes(20)))
    func abortsStopASlewAndAnExposureAtOnceButNotAPark() async throws {
        let server = try await INDIServer(drivers: ["indi_simulator_telescope", "indi_simulator_ccd"])
        defer { server.stop() }
        let client = INDIClient(host: "127.0.0.1", port: server.port)
        defer { Task { await client.disconnect() } }
        let mount = INDIMount(client: client, device: "Telescope Simulator", site: Self.laPalma)
        let camera = INDICamera(client: client, device: "CCD Simulator")
        try await mount.connect()
        try await camera.connect()
        try await mount.unpark()

        let slew = Task { try await mount.slew(to: try Self.targetAboveHorizon()) }
        try await waitUntilWaiting(client, device: "Telescope Simulator", on: ["EQUATORIAL_EOD_COORD"])
        try await mount.abortSlew()
        do {
            try await slew.value
            Issue.record("an aborted slew must not report arrival")
        } catch let error as DriverError {
            #expect(error.code == .aborted)
        }
        // The simulator settles its coordinates' state after the abort's reply; on a busy
        // machine that can come a moment later.
        _ = try await eventually { try await mount.status().isSlewing ? nil : true }

        let exposure = Task { try await camera.expose(CameraExposure(exposureSeconds: 30)) }
        try await waitUntilWaiting(client, device: "CCD Simulator", on: ["CCD_EXPOSURE"])
        try await camera.abortExposure()
        do {
            _ = try await exposure.value
            Issue.record("an aborted exposure must not return a frame")
        } catch let error as DriverError {
            #expect(error.code == .aborted)
        }
        // The camera takes the next exposure normally: a bias (0 s asks for the camera's shortest).
        guard case .frame = try await camera.expose(CameraExposure(exposureSeconds: 0, imageType: .bias)) else {
            Issue.record("expected a frame"); return
        }
        // The agent aborts "whatever runs" while it closes and parks: an abort with no slew
        // running must not stop the park (TELESCOPE_ABORT_MOTION would).
        let parking = Task { try await mount.park() }
        try await waitUntilWaiting(client, device: "Telescope Simulator", on: ["TELESCOPE_PARK"])
        try await mount.abortSlew()
        try await parking.value
        #expect(try await mount.status().isParked)
    }

    @Test(.timeLimit(.minutes(20)))
    func weatherDriverReportsUnsafeWhenTheSimulatorIsSetToAlert() async throws {
        let server = try await INDIServer(drivers: ["indi_simulator_weather"])
        defer { server.stop() }
        let client = INDIClient(host: "127.0.0.1", port: server.port)
        defer { Task { await client.disconnect() } }
        let weather = INDIWeather(client: client, device: "Weather Simulator")
        try await weather.connect()
        let calm = try await eventually { try await weather.reading() }
        #expect(calm.sensorSaysSafe == true)
        #expect(calm.isRaining == false)

        // WEATHER_PARAMETERS is read-only (the simulator only logs "Cannot set read-only
        // property"): the client refuses it up front, naming device and property.
        await #expect(throws: DriverError.self) {
            try await client.send(numbers: [("WEATHER_RAIN_HOUR", 10)], to: "WEATHER_PARAMETERS", of: "Weather Simulator", kind: .weather)
        }
        // The simulator's own knob is WEATHER_CONTROL; WEATHER_REFRESH applies it at once.
        try await client.send(
            numbers: [("Weather", 1), ("Temperature", 10), ("Wind", 80), ("Gust", 40), ("Precip", 20)], to: "WEATHER_CONTROL",
            of: "Weather Simulator", kind: .weather)
        try await client.send(switches: [("REFRESH", true)], to: "WEATHER_REFRESH", of: "Weather Simulator", kind: .weather)
        let storm = try await eventually { () async throws -> WeatherSnapshot? in
            let reading = try await weather.reading()
            return reading?.sensorSaysSafe == false ? reading : nil
        }
        #expect(storm.isRaining == true)
        #expect(abs((storm.windSpeedMetersPerSecond ?? 0) - 80 / 3.6) < 0.01)
    }

    @Test(.timeLimit(.minutes(20)))
    func droppedConnectionFailsTheWaitAndTheClientReconnects() async throws {
        let server = try await INDIServer(drivers: ["indi_simulator_dome", "indi_simulator_focus"])
        defer { server.stop() }
        let client = INDIClient(host: "127.0.0.1", port: server.port)
        defer { Task { await client.disconnect() } }
        let dome = INDIDome(client: client, device: "Dome Simulator")
        let focuser = INDIFocuser(client: client, device: "Focuser Simulator")
        try await dome.connect()
        try await focuser.connect()

        // A dropped TCP connection mid-wait: the wait fails at once with .disconnected. The
        // connection is dropped while the open waits on the dome; should the open finish
        // before that is seen (a busy machine), the dome is closed and the open tried again.
        var dropped = false
        for _ in 0..<5 where !dropped {
            let finished = Flag()
            let opening = Task {
                defer { finished.raise() }
                try await dome.open()
            }
            let waiting = try await eventually { () async -> Bool? in
                if await client.isWaiting(device: "Dome Simulator", properties: ["DOME_PARK", "DOME_SHUTTER"]) { return true }
                return finished.isRaised ? false : nil
            }
            guard waiting else {
                try await opening.value
                try await dome.close()
                continue
            }
            await client.dropConnection()
            dropped = true
            do {
                try await opening.value
                Issue.record("the open cannot finish over a dropped connection")
            } catch let error as DriverError {
                #expect(error.code == .disconnected)
                #expect(error.message.contains("Dome Simulator"))
            }
        }
        try #require(dropped, "the open never waited on the dome long enough to drop the connection")
        // …the client reconnects by itself, and the dome (which kept opening) is found open.
        _ = try await eventually { () async -> Bool? in
            let count = await client.connectionCount
            let connected = await client.isConnected
            return count >= 2 && connected ? true : nil
        }
        try await dome.open()
        #expect(try await dome.state() == .open)

        // The whole server restarts on the same port: the next command reconnects.
        server.stop()
        try await server.start()
        try await focuser.move(to: 30_000)
        #expect(try await focuser.position() == 30_000)
        #expect(await client.connectionCount >= 3)
        try await dome.close()
    }
}

/// Polls until `body` returns a value, or throws once `timeout` has passed: a ceiling generous
/// enough for a busy machine, so that only wrong behaviour fails a test.
func eventually<T>(timeout: Duration = .seconds(600), _ body: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try await body() { return value }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw ServerStartError(message: "condition not met within \(timeout)")
}

/// Waits until a driver call waits on one of these properties of a device: its command was
/// sent and the device has not finished it. What a test waits for before it interrupts the call.
func waitUntilWaiting(_ client: INDIClient, device: String, on properties: Set<String>) async throws {
    _ = try await eventually { await client.isWaiting(device: device, properties: properties) ? true : nil }
}

/// A flag one task raises and another reads.
final class Flag: Sendable {
    private let state = Mutex(false)
    func raise() { state.withLock { $0 = true } }
    var isRaised: Bool { state.withLock { $0 } }
}
