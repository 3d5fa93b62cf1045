public import StarlingCore

/// A filter wheel on an INDI server (`Filter Simulator`): `FILTER_SLOT`
/// (`FILTER_SLOT_VALUE`, 1-based) and `FILTER_NAME` (`FILTER_SLOT_NAME_1`…).
public struct INDIFilterWheel: FilterWheelDriver, INDIDeviceDriver {
    public static let deviceKind = DeviceKind.filterWheel
    public let client: INDIClient
    public let device: String
    public let timeouts: INDIDriverTimeouts

    public init(client: INDIClient, device: String, timeouts: INDIDriverTimeouts = INDIDriverTimeouts()) {
        self.client = client
        self.device = device
        self.timeouts = timeouts
    }

    public func filters() async throws(DriverError) -> [Filter] {
        try await client.connectDevice(device, kind: .filterWheel)
        let names = try await client.require("FILTER_NAME", of: device, kind: .filterWheel)
        // Slot order is the number after FILTER_SLOT_NAME_, not the order of the elements.
        let slots = names.elements.compactMap { element -> (Int, String)? in
            guard case .text(let text) = element.value, let slot = Int(element.name.split(separator: "_").last ?? "") else { return nil }
            return (slot, text)
        }
        return slots.sorted { $0.0 < $1.0 }.map { Filter($0.1) }
    }

    public func currentFilter() async throws(DriverError) -> Filter? {
        let all = try await filters()
        let slot = try await client.require("FILTER_SLOT", of: device, kind: .filterWheel)
        guard let value = slot.number("FILTER_SLOT_VALUE") else { return nil }
        let index = Int(value.rounded()) - 1
        return all.indices.contains(index) ? all[index] : nil
    }

    public func select(_ filter: Filter) async throws(DriverError) {
        let all = try await filters()
        guard let index = all.firstIndex(of: filter) else {
            throw DriverError(
                .refused, device: .filterWheel,
                "\(device) has no filter '\(filter.name)' (FILTER_NAME: \(all.map(\.name).joined(separator: ", ")))")
        }
        let slot = index + 1
        let current = try await client.require("FILTER_SLOT", of: device, kind: .filterWheel)
        if current.number("FILTER_SLOT_VALUE").map({ Int($0.rounded()) }) == slot, current.state != .busy { return }
        try await client.command(
            numbers: [("FILTER_SLOT_VALUE", Double(slot))], to: "FILTER_SLOT", of: device, kind: .filterWheel, timeout: timeouts.filterWheel,
            what: "the wheel to reach slot \(slot) (\(filter.name))",
            until: { $0.state == .ok && $0.number("FILTER_SLOT_VALUE").map { Int($0.rounded()) } == slot })
    }
}
