import Foundation
import Synchronization
public import StarlingCore

/// The simulated dome or roll-off roof: opens and closes in the configured time, turns a
/// dome at the configured rate, and sticks on a fault (state `.error`).
public struct SimulatedEnclosure: EnclosureDriver {
    let simulation: SimulatedTelescope

    public func connect() async throws(DriverError) {
        try simulation.checkFaults(.enclosure, affectedBy: [])
    }

    public func disconnect() async {}

    public func state() async throws(DriverError) -> EnclosureState {
        try simulation.checkFaults(.enclosure, affectedBy: [])
        return simulation.state.withLock { $0.enclosure.state }
    }

    public func open() async throws(DriverError) {
        try await move(opening: true)
    }

    public func close() async throws(DriverError) {
        try await move(opening: false)
    }

    /// Turns the dome at its constant rate the shorter way round, from where it faces now;
    /// once there it follows the telescope (it is slaved) until the mount parks.
    public func rotate(toAzimuth azimuth: Angle) async throws(DriverError) {
        let model = simulation.telescope.enclosure
        guard model.kind == .dome else { return }
        try simulation.checkFaults(.enclosure, affectedBy: [.stuck])
        simulation.releaseDome(at: simulation.now)
        let seconds = abs((azimuth - currentAzimuth()).normalizedSigned.degrees) / max(model.rotationDegreesPerSecond, 0.1)
        try await simulation.wait(until: simulation.now.addingTimeInterval(seconds), device: .enclosure, what: "dome rotation")
        simulation.state.withLock { state in
            state.domeAzimuth = azimuth
            state.isDomeSlaved = true
        }
    }

    public func azimuth() async throws(DriverError) -> Angle? {
        guard simulation.telescope.enclosure.kind == .dome else { return nil }
        try simulation.checkFaults(.enclosure, affectedBy: [])
        return simulation.domeAzimuth(at: simulation.now)
    }

    private func currentAzimuth() -> Angle { simulation.state.withLock { $0.domeAzimuth } }

    private func move(opening: Bool) async throws(DriverError) {
        try simulation.checkFaults(.enclosure, affectedBy: [])
        let model = simulation.telescope.enclosure
        let target: EnclosureState = opening ? .open : .closed
        let current = simulation.state.withLock { $0.enclosure.state }
        if current == target { return }
        let start = simulation.now
        let seconds = opening ? model.openSeconds : model.closeSeconds
        let end = start.addingTimeInterval(seconds)
        if let stuck = simulation.fault(.stuck, on: .enclosure, before: end) {
            try await simulation.wait(until: stuck, device: .enclosure, what: opening ? "opening" : "closing")
            simulation.state.withLock { state in
                if state.enclosure.state == .open { state.enclosure.closing(at: simulation.now) }
                state.enclosure.state = .error
            }
            throw DriverError(.deviceFault, device: .enclosure, "simulated fault: the \(model.kind.rawValue) is stuck while \(opening ? "opening" : "closing")")
        }
        simulation.state.withLock { state in
            if opening { state.enclosure.state = .opening } else { state.enclosure.closing(at: start) }
        }
        try await simulation.wait(until: end, device: .enclosure, what: opening ? "opening" : "closing")
        try simulation.checkFaults(.enclosure, affectedBy: [])
        simulation.state.withLock { state in
            if opening { state.enclosure.opened(at: simulation.now) } else { state.enclosure.state = .closed }
        }
    }
}
