public import StarlingCore

/// A filter wheel on an Alpaca server (`/api/v1/filterwheel/N`): `names`, `position` (0-based,
/// −1 while moving), PUT `position` (`Position`).
public struct AlpacaFilterWheel: FilterWheelDriver {
    let device: AlpacaDevice
    public let timeouts: AlpacaDriverTimeouts

    public init(client: AlpacaClient, number: Int = 0, timeouts: AlpacaDriverTimeouts = AlpacaDriverTimeouts()) {
        device = AlpacaDevice(client: client, type: .filterwheel, number: number, kind: .filterWheel)
        self.timeouts = timeouts
    }

    public func connect() async throws(DriverError) { try await device.connect() }

    public func disconnect() async { await device.disconnect() }

    public func filters() async throws(DriverError) -> [Filter] {
        let value = try await device.get("names")
        guard let names = value.array?.compactMap(\.string) else {
            throw DriverError(.protocolError, device: .filterWheel, "\(device.name): names is \(value), not a list of strings")
        }
        return names.map { Filter($0) }
    }

    public func currentFilter() async throws(DriverError) -> Filter? {
        let all = try await filters()
        guard let position = try await device.get("position").int, all.indices.contains(position) else { return nil }
        return all[position]
    }

    public func select(_ filter: Filter) async throws(DriverError) {
        let all = try await filters()
        guard let index = all.firstIndex(of: filter) else {
            throw DriverError(.refused, device: .filterWheel, "\(device.name) has no filter '\(filter.name)' (names: \(all.map(\.name).joined(separator: ", ")))")
        }
        try await device.put("position", [("Position", String(index))])
        try await device.poll(every: timeouts.pollInterval, timeout: timeouts.filterWheel, what: "the wheel to reach \(filter.name) (slot \(index))") {
            () async throws(DriverError) in
            try await device.get("position").int == index
        }
    }
}
