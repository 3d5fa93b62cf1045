import Foundation
import Synchronization
import Sky
import StarlingCore

/// The simulated camera: exposes for the requested time and reads out in the camera's
/// readout time, then hands back the frame of what the telescope saw meanwhile: rendered with
/// pixels, or modelled, as the simulator's ``RenderingPolicy`` says. A timeout fault makes
/// the frame never arrive (the driver gives up after its timeout).
public struct SimulatedCamera: CameraDriver {
    let simulation: SimulatedTelescope

    public func connect() async throws(DriverError) {
        try simulation.checkFaults(.camera, affectedBy: [])
    }

    public func disconnect() async {}

    public func expose(_ exposure: CameraExposure) async throws(DriverError) -> CameraReadout {
        guard exposure.exposureSeconds >= 0, exposure.exposureSeconds.isFinite else {
            throw DriverError(.refused, device: .camera, "exposure time \(exposure.exposureSeconds) s is not a finite non-negative number")
        }
        try simulation.checkFaults(.camera, affectedBy: [])
        let alarm = Alarm()
        simulation.state.withLock { $0.cameraAlarm = alarm }
        let start = simulation.now
        let shutterClosed = start.addingTimeInterval(exposure.exposureSeconds)
        let readOut = shutterClosed.addingTimeInterval(simulation.telescope.camera.readoutSeconds)
        if simulation.fault(.timeout, on: .camera, before: readOut) != nil {
            let giveUp = readOut.addingTimeInterval(simulation.options.cameraTimeoutSeconds)
            try await simulation.wait(until: giveUp, orUntil: alarm, device: .camera, what: "exposure")
            throw DriverError(.timeout, device: .camera, "simulated timeout: no frame \(Int(simulation.options.cameraTimeoutSeconds)) s after the readout should have ended")
        }
        try await simulation.wait(until: shutterClosed, orUntil: alarm, device: .camera, what: "exposure")
        let scene = self.scene(for: exposure, from: start, to: shutterClosed)
        try await simulation.wait(until: readOut, orUntil: alarm, device: .camera, what: "readout")
        try simulation.checkFaults(.camera, affectedBy: [])
        let index = simulation.state.withLock { state -> Int in
            defer { state.framesTaken += 1 }
            return state.framesTaken
        }
        if simulation.options.rendering.rendersFrame(index, requested: exposure.isRequested) {
            return .frame(simulation.renderer.render(scene))
        }
        let model = simulation.renderer.model(scene)
        return .modelled(model.metadata, model.quality)
    }

    public func abortExposure() async throws(DriverError) {
        let alarm = simulation.state.withLock { $0.cameraAlarm }
        alarm?.ring()
    }

    /// What the telescope saw between shutter open and close: where the mount pointed at
    /// both ends, how long the enclosure let light in, and the weather at mid-exposure.
    private func scene(for exposure: CameraExposure, from start: Date, to end: Date) -> ExposureScene {
        let (pointingStart, pointingEnd, openFraction, filter, frameIndex) = simulation.state.withLock { state in
            (state.mount.pointing(at: start), state.mount.pointing(at: end),
             state.enclosure.openFraction(from: start, to: end), state.filter, state.framesTaken)
        }
        let middle = start.addingTimeInterval(exposure.exposureSeconds / 2)
        let conditions = simulation.weather?.conditions(at: middle)
        // A parked mount points nowhere in particular: the zenith (computed only then).
        let pointing = pointingStart ?? simulation.zenith(at: start) ?? EquatorialCoordinates.northPole
        let moved = pointingEnd.map { $0.separation(from: pointing).arcseconds > 0.05 } ?? false
        let lightAllowed = exposure.imageType == .light || exposure.imageType == .flat
        return ExposureScene(
            telescope: simulation.telescope, site: simulation.site, filter: filter, imageType: exposure.imageType,
            start: start, exposureSeconds: exposure.exposureSeconds, pointing: pointing,
            pointingAtEnd: moved ? pointingEnd : nil, openFraction: lightAllowed ? openFraction : 0,
            zenithSeeing: conditions?.seeing ?? simulation.site.climate.medianSeeing,
            cloudFraction: conditions?.cloudFraction ?? 0,
            seed: simulation.options.seed &+ StableHash.fnv1a(simulation.telescope.id.rawValue) &+ UInt64(frameIndex) &* 0x9E37_79B9_7F4A_7C15)
    }
}

extension EquatorialCoordinates {
    /// The north celestial pole, where a mount with no better idea points.
    static let northPole = try! EquatorialCoordinates(rightAscensionDegrees: 0, declinationDegrees: 90)
}
