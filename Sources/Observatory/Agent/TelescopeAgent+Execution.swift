import Foundation
import Persistence
import Imaging
import Logging
import Sky
import StarlingCore
import Synchronization

extension TelescopeAgent {
    /// Carries out one piece of work: check at dispatch, slew (turning the dome meanwhile),
    /// settle, then each exposure set (filter, expose, write), re-checking the pointing
    /// before every exposure. Ends with exactly one ``StarlingCore/Observation``.
    func execute(_ work: TelescopeWork) async {
        let request = work.request
        let started = clock.currentDate
        let observationID = nextObservationID(at: started)
        current = work
        interruption = nil
        defer { current = nil }
        emit(.observationStarted(telescope: telescope.id, request: request.id, at: started))

        let end = started.addingTimeInterval(estimatedDuration(of: request, from: started))
        if case .refused(let reason) = verdict(for: request, from: started, to: end) {
            await finish(observation(observationID, request, started, .refused(reason), []))
            return
        }
        var written: [FrameRecord] = []
        do {
            transition(to: .slewing, reason: "slewing to \(request.target.name)")
            if mountIsParked {
                try await devices.mount.unpark()
                mountIsParked = false
            }
            try await slew(to: request.target.coordinates)
            try await settle()
            var index = 0
            for spec in request.exposures {
                if let wheel = devices.filterWheel, (try? await wheel.currentFilter()) != spec.filter {
                    try await wheel.select(spec.filter)
                }
                for _ in 0..<spec.count {
                    try checkInterruption()
                    let now = clock.currentDate
                    if case .refused(let reason) = verdict(for: request, from: now, to: now.addingTimeInterval(spec.exposureSeconds)) {
                        throw StopObservation.unsafe(reason)
                    }
                    transition(to: .exposing, reason: "\(spec.filter.name) \(formatSeconds(spec.exposureSeconds)) on \(request.target.name)")
                    let readout = try await devices.camera.expose(CameraExposure(exposureSeconds: spec.exposureSeconds))
                    transition(to: .readingOut, reason: "frame \(index + 1) of \(request.exposures.reduce(0) { $0 + $1.count })")
                    let frame = try await frames.store(
                        readout, frameID: FrameID("\(observationID)-\(index + 1)"), observationID: observationID, request: request,
                        filter: spec.filter, started: now, exposureSeconds: spec.exposureSeconds, qualityStore: store, at: clock.currentDate)
                    written.append(frame)
                    framesWritten += 1
                    index += 1
                    if configuration.storesObservationAfterEachFrame {
                        await storeProvisionally(observation(observationID, request, started, .aborted(Self.interruptedReason), written))
                    }
                    emit(.frameWritten(frame))
                    transition(to: .idle, reason: "frame written")
                }
            }
            faults = faults.filter { $0.value.gaveUp }  // a full observation proves the devices work
            await finish(observation(observationID, request, started, .completed, written))
        } catch let stop as StopObservation {
            await finish(observation(observationID, request, started, stop.outcome, written))
        } catch let error as DriverError {
            if error.code == .aborted {
                let reason = interruption ?? error.reason
                await finish(observation(observationID, request, started, .aborted(reason), written))
            } else {
                await finish(observation(observationID, request, started, .failed(error.reason), written))
                await noteFailure(of: error.device, error.reason)
            }
        } catch {
            // Writing the frame failed (disk full, permissions): the observation fails with why.
            await finish(observation(observationID, request, started, .failed(Reason(.deviceFault, "could not write the frame: \(error)")), written))
        }
        interruption = nil
        if state != .fault, state != .closing, state != .parked { transition(to: .idle, reason: "observation ended") }
    }

    /// Why the running observation stopped early, besides a driver error.
    enum StopObservation: Error {
        case unsafe(Reason)
        case interrupted(Reason)

        var outcome: Observation.Outcome {
            switch self {
            case .unsafe(let reason), .interrupted(let reason): .aborted(reason)
            }
        }
    }

    private func checkInterruption() throws(StopObservation) {
        if let interruption { throw .interrupted(interruption) }
        if isStopping { throw .interrupted(Reason(.operatorRequest, "the agent is stopping")) }
    }

    /// The dispatch check at an instant, with the facts gathered.
    func verdict(for request: ObservationRequest, from start: Date, to end: Date) -> SafetyRules.Verdict {
        guard let startFrame = try? observer.frame(at: start), let endFrame = try? observer.frame(at: end) else {
            return .refused(Reason(.invalidRequest, "could not compute the sky for \(ISO8601.string(from: start))"))
        }
        return dispatchCheck.verdict(
            for: request, start: startFrame, startDate: start, end: endFrame, endDate: end, weather: weatherSafety(at: start),
            enclosure: enclosureState)
    }

    /// How long a request will take from now: slew, settle, filter changes, exposures and readouts.
    func estimatedDuration(of request: ObservationRequest, from start: Date) -> Double {
        let readout = telescope.camera.readoutSeconds
        let exposures = request.exposures.reduce(0.0) { $0 + Double($1.count) * ($1.exposureSeconds + readout) }
        let filterChanges = Double(Set(request.exposures.map(\.filter)).count) * telescope.filterChangeSeconds
        return 60 + telescope.mount.settleSeconds + filterChanges + exposures
    }

    /// Slews the mount and, for a dome, turns the dome at the same time (in its own task on
    /// the clock; the agent waits for both by sleeping, as the simulation clock requires).
    private func slew(to target: EquatorialCoordinates) async throws(DriverError) {
        let now = clock.currentDate
        guard telescope.enclosure.kind == .dome, let frame = try? observer.frame(at: now) else {
            try await devices.mount.slew(to: target)
            return
        }
        let azimuth = frame.horizontal(of: target).azimuth
        let rotation = ConcurrentOperation()
        let enclosure = devices.enclosure
        clock.spawn(named: "\(telescope.id) dome") {
            do throws(DriverError) { try await enclosure.rotate(toAzimuth: azimuth) } catch { rotation.set(error) }
            rotation.finish()
        }
        var slewError: DriverError?
        do { try await devices.mount.slew(to: target) } catch { slewError = error }
        await wait(for: rotation)
        if let slewError { throw slewError }
        if let error = rotation.error { throw error }
    }

    /// Waits for an operation running in its own task, by sleeping on the clock until it
    /// rings (a simulation clock must see every waiting task asleep).
    func wait(for operation: ConcurrentOperation) async {
        while !operation.isFinished {
            _ = try? await clock.sleep(until: UTCInstant(clock.currentDate.addingTimeInterval(3600)), orUntil: operation.done)
        }
    }

    private func settle() async throws(DriverError) {
        let deadline = clock.currentDate.addingTimeInterval(telescope.mount.settleSeconds)
        if (try? await clock.sleep(until: UTCInstant(deadline), orUntil: wakeUp)) == .alarm, let interruption {
            wakeUp.ring()  // keep the ring for the main loop
            throw DriverError(.aborted, device: .mount, interruption.detail)
        }
    }

    func observation(
        _ id: ObservationID, _ request: ObservationRequest, _ started: Date, _ outcome: Observation.Outcome, _ frames: [FrameRecord]
    ) -> Observation {
        Observation(
            id: id, requestID: request.id, telescopeID: telescope.id, siteID: site.id, targetID: request.target.id,
            started: started, ended: clock.currentDate, outcome: outcome, frames: frames)
    }

    /// What an observation's provisional record says: the reason it keeps if the process
    /// stops before the observation ends.
    static let interruptedReason = Reason(.interrupted, "the process running the telescope stopped while this observation ran")

    /// Stores an observation that has not ended yet (with the frames so far); replaced by
    /// ``finish(_:)``. A failure only costs the record of an interruption: logged, not fatal.
    private func storeProvisionally(_ observation: Observation) async {
        guard let store else { return }
        do {
            try await store.saveObservation(observation)
        } catch {
            logger.warning("Could not store an observation in progress", metadata: ["observation.id": "\(observation.id)", "error": "\(error)"])
        }
    }

    /// Stores the observation, then reports it.
    func finish(_ observation: Observation) async {
        if observation.outcome == .completed { observedTonight[observation.targetID] = observation.ended }
        do {
            try await store?.saveObservation(observation)
        } catch {
            logger.error("Could not store an observation", metadata: ["observation.id": "\(observation.id)", "error": "\(error)"])
        }
        outcomes[observation.outcome.name, default: 0] += 1
        var metadata: Logger.Metadata = [
            "observation.id": "\(observation.id)", "target": "\(observation.targetID)", "outcome": "\(observation.outcome.name)",
            "frames": "\(observation.frames.count)",
        ]
        if let reason = observation.outcome.reason { metadata["reason"] = "\(reason)" }
        logger.info("Observation ended", metadata: metadata)
        emit(.observationEnded(observation))
    }

    func nextObservationID(at date: Date) -> ObservationID {
        observationSequence += 1
        let stamp = FrameArchive.compactTimestamp(date)
        return ObservationID("\(telescope.id)-\(stamp)-\(observationSequence)")
    }
}

/// A device operation running in its own task beside the agent's (the dome turning while
/// the mount slews, the mount parking while the dome closes), and how it ended.
final class ConcurrentOperation: Sendable {
    private let state = Mutex<(finished: Bool, error: DriverError?)>((false, nil))
    /// Rung when the operation finishes.
    let done = Alarm()
    func set(_ error: DriverError) { state.withLock { $0.error = error } }
    func finish() {
        state.withLock { $0.finished = true }
        done.ring()
    }
    var isFinished: Bool { state.withLock { $0.finished } }
    var error: DriverError? { state.withLock { $0.error } }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
}
