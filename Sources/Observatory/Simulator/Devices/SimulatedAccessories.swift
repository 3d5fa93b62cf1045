import Foundation
import Synchronization
public import StarlingCore

/// The simulated focuser: moves at a fixed speed; stalls or sticks on a fault.
public struct SimulatedFocuser: FocuserDriver {
    let simulation: SimulatedTelescope

    public func connect() async throws(DriverError) { try simulation.checkFaults(.focuser, affectedBy: []) }
    public func disconnect() async {}

    public func position() async throws(DriverError) -> Int {
        try simulation.checkFaults(.focuser, affectedBy: [])
        return simulation.state.withLock { $0.focuserPosition }
    }

    public func move(to position: Int) async throws(DriverError) {
        try simulation.checkFaults(.focuser, affectedBy: [.stall, .stuck])
        let current = simulation.state.withLock { $0.focuserPosition }
        let seconds = Double(abs(position - current)) / max(simulation.options.focuserStepsPerSecond, 1)
        try await simulation.wait(until: simulation.now.addingTimeInterval(seconds), device: .focuser, what: "focus move")
        try simulation.checkFaults(.focuser, affectedBy: [.stall, .stuck])
        simulation.state.withLock { $0.focuserPosition = position }
    }
}

/// The simulated filter wheel: the telescope's filters in order, each change taking the
/// configured time; sticks on a fault.
public struct SimulatedFilterWheel: FilterWheelDriver {
    let simulation: SimulatedTelescope

    public func connect() async throws(DriverError) { try simulation.checkFaults(.filterWheel, affectedBy: []) }
    public func disconnect() async {}

    public func filters() async throws(DriverError) -> [Filter] {
        try simulation.checkFaults(.filterWheel, affectedBy: [])
        return simulation.telescope.filters
    }

    public func currentFilter() async throws(DriverError) -> Filter? {
        try simulation.checkFaults(.filterWheel, affectedBy: [])
        return simulation.state.withLock { $0.filter }
    }

    public func select(_ filter: Filter) async throws(DriverError) {
        guard simulation.telescope.filters.contains(filter) else {
            throw DriverError(.refused, device: .filterWheel, "no filter '\(filter.name)' in the wheel (\(simulation.telescope.filters.map(\.name).joined(separator: ", ")))")
        }
        try simulation.checkFaults(.filterWheel, affectedBy: [.stall, .stuck])
        if simulation.state.withLock({ $0.filter == filter }) { return }
        let seconds = simulation.telescope.filterChangeSeconds
        try await simulation.wait(until: simulation.now.addingTimeInterval(seconds), device: .filterWheel, what: "filter change")
        simulation.state.withLock { $0.filter = filter }
    }
}

/// The simulated weather sensor: the site's weather model as a sensor reads it, and no
/// reading while the feed is lost (by the scenario's weather or an injected fault).
public struct SimulatedWeatherSensor: WeatherDriver {
    let simulation: SimulatedTelescope

    public func connect() async throws(DriverError) { try simulation.checkFaults(.weather, affectedBy: []) }
    public func disconnect() async {}

    public func reading() async throws(DriverError) -> WeatherSnapshot? {
        try simulation.checkFaults(.weather, affectedBy: [])
        let now = simulation.now
        if simulation.fault(.feedLost, on: .weather, before: now.addingTimeInterval(1e-3)) != nil { return nil }
        return simulation.weather?.sensorReading(at: now)
    }
}
