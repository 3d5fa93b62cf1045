public import Logging
public import StarlingCore

/// Builds a telescope's devices from its ``DriverConfiguration``: INDI or ASCOM Alpaca.
///
/// The simulator is not built here: it belongs to the simulator module and needs the sky
/// scene, the clock and the site's weather. Pass a closure that builds it, or handle
/// `.simulator` before calling; without one, `.simulator` throws `.refused`.
///
/// ```swift
/// let devices = try DeviceDriverFactory.makeDevices(for: telescope, site: site.location)
/// try await devices.mount.connect()
/// ```
public enum DeviceDriverFactory {
    /// The devices for a telescope.
    /// - Parameters:
    ///   - telescope: its driver configuration says which driver and which devices.
    ///   - site: where it stands (INDI mounts get it on connect, and it refines the JNow conversion).
    ///   - logger: handed to the INDI or Alpaca client.
    ///   - simulator: builds the simulator's devices for `.simulator`.
    /// - Throws: ``DriverError`` `.refused` when the configuration cannot make a telescope's
    ///   devices (no dome named, or `.simulator` without a closure).
    public static func makeDevices(
        for telescope: Telescope, site: GeodeticLocation? = nil,
        logger: Logger = Logger(label: "starling.drivers", factory: { _ in SwiftLogNoOpLogHandler() }),
        simulator: ((Telescope) throws(DriverError) -> TelescopeDevices)? = nil
    ) throws(DriverError) -> TelescopeDevices {
        switch telescope.driver {
        case .simulator:
            guard let simulator else {
                throw DriverError(.refused, device: .mount, "telescope \(telescope.id) uses the simulator: build it with the simulator, not DeviceDriverFactory")
            }
            return try simulator(telescope)
        case .indi(let configuration):
            return try makeDevices(indi: configuration, site: site, logger: logger)
        case .alpaca(let configuration):
            return makeDevices(alpaca: configuration, site: site)
        }
    }

    /// The INDI devices named in a configuration, sharing one ``INDIClient``.
    /// - Throws: ``DriverError`` `.refused` when no dome device is named (an enclosure is required).
    public static func makeDevices(
        indi configuration: INDIConfiguration, site: GeodeticLocation? = nil, timeouts: INDIDriverTimeouts = INDIDriverTimeouts(),
        logger: Logger = Logger(label: "starling.indi", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(DriverError) -> TelescopeDevices {
        guard let dome = configuration.domeDevice else {
            throw DriverError(
                .refused, device: .enclosure,
                "the INDI configuration for \(configuration.host):\(configuration.port) names no dome_device; a telescope needs an enclosure driver")
        }
        let client = INDIClient(configuration: configuration, logger: logger)
        return TelescopeDevices(
            mount: INDIMount(client: client, device: configuration.mountDevice, site: site, timeouts: timeouts),
            camera: INDICamera(client: client, device: configuration.cameraDevice, timeouts: timeouts),
            enclosure: INDIDome(client: client, device: dome, timeouts: timeouts),
            focuser: configuration.focuserDevice.map { INDIFocuser(client: client, device: $0, timeouts: timeouts) },
            filterWheel: configuration.filterWheelDevice.map { INDIFilterWheel(client: client, device: $0, timeouts: timeouts) },
            weather: configuration.weatherDevice.map { INDIWeather(client: client, device: $0) })
    }

    /// The Alpaca devices numbered in a configuration, sharing one ``AlpacaClient``; weather
    /// combines the ObservingConditions and SafetyMonitor devices.
    public static func makeDevices(
        alpaca configuration: AlpacaConfiguration, site: GeodeticLocation? = nil, timeouts: AlpacaDriverTimeouts = AlpacaDriverTimeouts()
    ) -> TelescopeDevices {
        let client = AlpacaClient(configuration: configuration)
        let weather: AlpacaWeather? =
            configuration.observingConditionsNumber == nil && configuration.safetyMonitorNumber == nil
            ? nil
            : AlpacaWeather(
                client: client, observingConditions: configuration.observingConditionsNumber, safetyMonitor: configuration.safetyMonitorNumber)
        return TelescopeDevices(
            mount: AlpacaTelescope(client: client, number: configuration.telescopeNumber, site: site, timeouts: timeouts),
            camera: AlpacaCamera(client: client, number: configuration.cameraNumber, timeouts: timeouts),
            enclosure: AlpacaDome(client: client, number: configuration.domeNumber ?? 0, timeouts: timeouts),
            focuser: configuration.focuserNumber.map { AlpacaFocuser(client: client, number: $0, timeouts: timeouts) },
            filterWheel: configuration.filterWheelNumber.map { AlpacaFilterWheel(client: client, number: $0, timeouts: timeouts) },
            weather: weather)
    }
}
