public import StarlingCore

/// A dome on an INDI server (`Dome Simulator`): `DOME_SHUTTER` (`SHUTTER_OPEN`/`SHUTTER_CLOSE`),
/// `DOME_PARK` (`PARK`/`UNPARK`), `ABS_DOME_POSITION` (`DOME_ABSOLUTE_POSITION`, degrees).
///
/// The shutter's state: `SHUTTER_OPEN` On and `Ok` is open, `SHUTTER_CLOSE` On and `Ok` (or
/// neither On while `Idle`: the simulator before its first command) is closed, `Busy` is
/// opening or closing by the switch that is On, `Alert` is an error. A parked dome refuses to
/// open in INDI, so ``open()`` unparks it first; parking closes the shutter (the simulator's
/// `SHUTTER_CLOSE_ON_PARK` policy), which is why ``close()`` only closes the shutter.
public struct INDIDome: EnclosureDriver, INDIDeviceDriver {
    public static let deviceKind = DeviceKind.enclosure
    public let client: INDIClient
    public let device: String
    public let timeouts: INDIDriverTimeouts

    public init(client: INDIClient, device: String, timeouts: INDIDriverTimeouts = INDIDriverTimeouts()) {
        self.client = client
        self.device = device
        self.timeouts = timeouts
    }

    public func state() async throws(DriverError) -> EnclosureState {
        try await client.connectDevice(device, kind: .enclosure)
        return Self.state(of: try await client.require("DOME_SHUTTER", of: device, kind: .enclosure))
    }

    /// The enclosure state a `DOME_SHUTTER` vector describes.
    public static func state(of shutter: INDIVector) -> EnclosureState {
        let open = shutter.isOn("SHUTTER_OPEN") == true
        let close = shutter.isOn("SHUTTER_CLOSE") == true
        switch shutter.state {
        case .alert: return .error
        case .busy: return open ? .opening : close ? .closing : .error
        case .ok, .idle:
            if open && !close { return .open }
            if close && !open { return .closed }
            return shutter.state == .idle ? .closed : .error
        }
    }

    public func open() async throws(DriverError) {
        try await client.connectDevice(device, kind: .enclosure)
        if let park = await client.property("DOME_PARK", of: device), park.isOn("PARK") == true {
            try await client.command(
                switches: [("UNPARK", true)], to: "DOME_PARK", of: device, kind: .enclosure, timeout: timeouts.enclosure,
                what: "the dome to unpark", until: { $0.isOn("UNPARK") == true && $0.state != .busy })
        }
        try await moveShutter(open: true)
    }

    public func close() async throws(DriverError) {
        try await client.connectDevice(device, kind: .enclosure)
        try await moveShutter(open: false)
    }

    private func moveShutter(open: Bool) async throws(DriverError) {
        let shutter = try await client.require("DOME_SHUTTER", of: device, kind: .enclosure)
        let target: EnclosureState = open ? .open : .closed
        if Self.state(of: shutter) == target { return }
        let element = open ? "SHUTTER_OPEN" : "SHUTTER_CLOSE"
        try await client.command(
            switches: [(element, true)], to: "DOME_SHUTTER", of: device, kind: .enclosure, timeout: timeouts.enclosure,
            what: "the shutter to \(open ? "open" : "close")", until: { Self.state(of: $0) == target })
    }

    public func rotate(toAzimuth azimuth: Angle) async throws(DriverError) {
        try await client.connectDevice(device, kind: .enclosure)
        let degrees = azimuth.normalizedPositive.degrees
        let current = try await client.require("ABS_DOME_POSITION", of: device, kind: .enclosure)
        if let value = current.number("DOME_ABSOLUTE_POSITION"), abs(value - degrees) < 0.5, current.state != .busy { return }
        try await client.command(
            numbers: [("DOME_ABSOLUTE_POSITION", degrees)], to: "ABS_DOME_POSITION", of: device, kind: .enclosure, timeout: timeouts.enclosure,
            what: "the dome to turn to azimuth \(degrees)°",
            until: { vector in
                guard vector.state == .ok, let value = vector.number("DOME_ABSOLUTE_POSITION") else { return false }
                let delta = abs(value - degrees).truncatingRemainder(dividingBy: 360)
                return min(delta, 360 - delta) < 1
            })
    }
}
