public import StarlingCore

/// A focuser on an INDI server (`Focuser Simulator`): `ABS_FOCUS_POSITION`
/// (`FOCUS_ABSOLUTE_POSITION`, steps).
public struct INDIFocuser: FocuserDriver, INDIDeviceDriver {
    public static let deviceKind = DeviceKind.focuser
    public let client: INDIClient
    public let device: String
    public let timeouts: INDIDriverTimeouts

    public init(client: INDIClient, device: String, timeouts: INDIDriverTimeouts = INDIDriverTimeouts()) {
        self.client = client
        self.device = device
        self.timeouts = timeouts
    }

    public func position() async throws(DriverError) -> Int {
        try await client.connectDevice(device, kind: .focuser)
        let vector = try await client.require("ABS_FOCUS_POSITION", of: device, kind: .focuser)
        guard let value = vector.number("FOCUS_ABSOLUTE_POSITION") else {
            throw DriverError(.protocolError, device: .focuser, "\(device).ABS_FOCUS_POSITION has no FOCUS_ABSOLUTE_POSITION")
        }
        return Int(value.rounded())
    }

    public func move(to position: Int) async throws(DriverError) {
        try await client.connectDevice(device, kind: .focuser)
        let current = try await client.require("ABS_FOCUS_POSITION", of: device, kind: .focuser)
        if current.number("FOCUS_ABSOLUTE_POSITION").map({ Int($0.rounded()) }) == position, current.state != .busy { return }
        try await client.command(
            numbers: [("FOCUS_ABSOLUTE_POSITION", Double(position))], to: "ABS_FOCUS_POSITION", of: device, kind: .focuser,
            timeout: timeouts.focuser, what: "the move to step \(position)",
            until: { $0.state == .ok && $0.number("FOCUS_ABSOLUTE_POSITION").map { abs($0 - Double(position)) < 0.5 } == true })
    }
}
