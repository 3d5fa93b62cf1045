import StarlingCore

/// A focuser on an Alpaca server (`/api/v1/focuser/N`): `position`, `move` (`Position`), `ismoving`.
public struct AlpacaFocuser: FocuserDriver {
    let device: AlpacaDevice
    public let timeouts: AlpacaDriverTimeouts

    public init(client: AlpacaClient, number: Int = 0, timeouts: AlpacaDriverTimeouts = AlpacaDriverTimeouts()) {
        device = AlpacaDevice(client: client, type: .focuser, number: number, kind: .focuser)
        self.timeouts = timeouts
    }

    public func connect() async throws(DriverError) { try await device.connect() }

    public func disconnect() async { await device.disconnect() }

    public func position() async throws(DriverError) -> Int {
        guard let value = try await device.get("position").int else {
            throw DriverError(.protocolError, device: .focuser, "\(device.name): position is not a number")
        }
        return value
    }

    public func move(to position: Int) async throws(DriverError) {
        try await device.put("move", [("Position", String(position))])
        try await device.poll(every: timeouts.pollInterval, timeout: timeouts.focuser, what: "the move to step \(position)") { () async throws(DriverError) in
            let moving = try await device.bool("ismoving")
            let current = try await self.position()
            return !moving && current == position
        }
    }
}
