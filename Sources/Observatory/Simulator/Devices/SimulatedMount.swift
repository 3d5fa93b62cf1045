import Foundation
import Synchronization
public import StarlingCore

/// The simulated mount: slews on its own axes (hour angle and declination, or azimuth and
/// altitude) at the configured rate with acceleration, both axes at once, the one with the
/// larger angle setting the time (``StarlingCore/MountModel/moveSeconds(from:to:)``, the model
/// the planners time slews by); tracks, parks at the zenith, stalls on a fault.
///
/// It enforces no limits: like the INDI simulator, it would happily slew below the horizon.
/// Keeping the telescope safe is the agent's job.
public struct SimulatedMount: MountDriver {
    let simulation: SimulatedTelescope

    public func connect() async throws(DriverError) {
        try simulation.checkFaults(.mount, affectedBy: [])
    }

    public func disconnect() async {}

    public func status() async throws(DriverError) -> MountStatus {
        try simulation.checkFaults(.mount, affectedBy: [])
        let now = simulation.now
        simulation.applyStalls(at: now)
        return simulation.state.withLock { state in
            MountStatus(
                pointing: state.mount.pointing(at: now) ?? simulation.zenith(at: now),
                isSlewing: state.mount.slew.map { now < $0.end } ?? false,
                isTracking: state.mount.isTracking, isParked: state.mount.isParked)
        }
    }

    public func unpark() async throws(DriverError) {
        try simulation.checkFaults(.mount, affectedBy: [])
        let now = simulation.now
        simulation.state.withLock { state in
            guard state.mount.isParked else { return }
            state.mount.isParked = false
            state.mount.rest = simulation.zenith(at: now)
            state.mount.slew = nil
            state.mount.isTracking = false
            state.mount.trackingStoppedAt = now
        }
    }

    public func park() async throws(DriverError) {
        simulation.applyStalls(at: simulation.now)
        try simulation.checkFaults(.mount, affectedBy: [.stall])
        let now = simulation.now
        guard let zenith = simulation.zenith(at: now) else { return }
        let alreadyParked = simulation.state.withLock { $0.mount.isParked }
        if alreadyParked { return }
        simulation.releaseDome(at: now)
        try await move(to: zenith, what: "park")
        simulation.state.withLock { state in
            state.mount.isParked = true
            state.mount.isTracking = false
            state.mount.rest = nil
            state.mount.slew = nil
        }
    }

    public func slew(to target: EquatorialCoordinates) async throws(DriverError) {
        try simulation.checkFaults(.mount, affectedBy: [])
        let parked = simulation.state.withLock { $0.mount.isParked }
        if parked { throw DriverError(.refused, device: .mount, "the mount is parked; unpark it first") }
        try await move(to: target, what: "slew")
        simulation.state.withLock { state in
            state.mount.isTracking = true
            state.mount.trackingStoppedAt = nil
        }
    }

    public func abortSlew() async throws(DriverError) {
        let alarm = simulation.state.withLock { $0.mountAlarm }
        alarm?.ring()
    }

    /// Moves both axes to `target`, taking the configured time; a stall fault stops the
    /// mount part-way, and the driver reports it once it sees no progress.
    private func move(to target: EquatorialCoordinates, what: String) async throws(DriverError) {
        let start = simulation.now
        let model = simulation.telescope.mount
        let alarm = Alarm()
        let origin = simulation.state.withLock { $0.mount.pointing(at: start) } ?? simulation.zenith(at: start) ?? target
        let seconds = model.moveSeconds(from: simulation.position(of: origin, at: start), to: simulation.position(of: target, at: start))
        let end = simulation.state.withLock { state -> Date in
            let from = state.mount.pointing(at: start) ?? origin
            let end = start.addingTimeInterval(seconds)
            state.mount.slew = (from, target, start, end)
            state.mount.isParked = false
            state.mount.isTracking = false
            state.mount.trackingStoppedAt = nil
            state.mountAlarm = alarm
            return end
        }
        if let stall = simulation.fault(.stall, on: .mount, before: end) {
            try await simulation.wait(until: stall, orUntil: alarm, device: .mount, what: what)
            stop(at: simulation.now)
            try await simulation.wait(
                until: simulation.now.addingTimeInterval(simulation.options.stallDetectionSeconds), orUntil: alarm, device: .mount, what: what)
            throw DriverError(.deviceFault, device: .mount, "simulated stall: the mount stopped moving during the \(what) and made no progress for \(Int(simulation.options.stallDetectionSeconds)) s")
        }
        do {
            try await simulation.wait(until: end, orUntil: alarm, device: .mount, what: what)
        } catch {
            stop(at: simulation.now)
            throw error
        }
        try simulation.checkFaults(.mount, affectedBy: [])
    }

    /// Stops the mount where it is now (an abort or a stall).
    private func stop(at date: Date) {
        simulation.state.withLock { state in
            state.mount.rest = state.mount.pointing(at: date)
            state.mount.slew = nil
            state.mount.isTracking = false
            state.mount.trackingStoppedAt = date
        }
    }
}
