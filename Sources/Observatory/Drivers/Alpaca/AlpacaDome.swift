public import StarlingCore

/// A dome or roof on an Alpaca server (`/api/v1/dome/N`): `shutterstatus` (0 open, 1 closed,
/// 2 opening, 3 closing, 4 error), `openshutter`, `closeshutter`, `slewtoazimuth` (`Azimuth`),
/// `slewing`, `cansetazimuth`.
public struct AlpacaDome: EnclosureDriver {
    let device: AlpacaDevice
    public let timeouts: AlpacaDriverTimeouts

    public init(client: AlpacaClient, number: Int = 0, timeouts: AlpacaDriverTimeouts = AlpacaDriverTimeouts()) {
        device = AlpacaDevice(client: client, type: .dome, number: number, kind: .enclosure)
        self.timeouts = timeouts
    }

    public func connect() async throws(DriverError) { try await device.connect() }

    public func disconnect() async { await device.disconnect() }

    /// The enclosure state for an ASCOM `ShutterState`.
    public static func state(shutterStatus: Int) -> EnclosureState {
        switch shutterStatus {
        case 0: .open
        case 1: .closed
        case 2: .opening
        case 3: .closing
        default: .error
        }
    }

    public func state() async throws(DriverError) -> EnclosureState {
        Self.state(shutterStatus: try await device.get("shutterstatus").int ?? 4)
    }

    public func open() async throws(DriverError) { try await move(open: true) }

    public func close() async throws(DriverError) { try await move(open: false) }

    private func move(open: Bool) async throws(DriverError) {
        let target: EnclosureState = open ? .open : .closed
        if try await state() == target { return }
        try await device.put(open ? "openshutter" : "closeshutter")
        let name = device.name
        try await device.poll(every: timeouts.pollInterval, timeout: timeouts.enclosure, what: "the shutter to \(open ? "open" : "close")") {
            () async throws(DriverError) in
            let state = try await self.state()
            if state == .error { throw DriverError(.deviceFault, device: .enclosure, "\(name) reports ShutterState 4 (error)") }
            return state == target
        }
    }

    public func rotate(toAzimuth azimuth: Angle) async throws(DriverError) {
        guard try await device.get("cansetazimuth").bool == true else { return }
        try await device.put("slewtoazimuth", [("Azimuth", String(azimuth.normalizedPositive.degrees))])
        try await device.poll(every: timeouts.pollInterval, timeout: timeouts.enclosure, what: "the dome to reach azimuth \(azimuth.degrees)°") {
            () async throws(DriverError) in
            try await !device.bool("slewing")
        }
    }
}
