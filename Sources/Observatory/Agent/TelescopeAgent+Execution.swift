import Foundation
import Persistence
import Imaging
import Logging
import Sky
import StarlingCore
import Synchronization

extension TelescopeAgent {
    /// Carries out one piece of work: check at dispatch, slew (turning the dome and the
    /// filter wheel meanwhile), settle, then each exposure set (filter, expose, write),
    /// re-checking the pointing before every exposure. Ends with exactly one
    /// ``StarlingCore/Observation``.
    ///
    /// The check at dispatch covers the exposures as they will run: they start after the
    /// lead-in from where the mount points now (``StarlingCore/Overheads``, the rule the plan
    /// was made with), or when the request's window opens if that is later; a window that
    /// opens within ``TelescopeAgentConfiguration/followUpHoldSeconds`` of the arrival (a
    /// follow-up field still rising) is waited for before moving, so the telescope arrives
    /// as it opens and never points below a limit meanwhile.
    func execute(_ work: TelescopeWork) async {
        let request = work.request
        let started = clock.currentDate
        let observationID = nextObservationID(at: started)
        current = work
        interruption = nil
        defer { current = nil }
        emit(.observationStarted(telescope: telescope.id, request: request.id, at: started))

        let block = overheads.blockSeconds(request)
        var leadIn = await leadInSeconds(to: request, at: started)
        if let opens = request.window?.start, started.addingTimeInterval(leadIn) < opens,
            opens.timeIntervalSince(started.addingTimeInterval(leadIn)) <= configuration.followUpHoldSeconds
        {
            do {
                try await waitWithoutLosingWakes(until: opens.addingTimeInterval(-leadIn), device: .mount)
            } catch {
                await finish(observation(observationID, request, started, .aborted(interruption ?? error.reason), []))
                return
            }
            leadIn = await leadInSeconds(to: request, at: clock.currentDate)
        }
        let moving = clock.currentDate
        let exposuresStart = max(moving.addingTimeInterval(leadIn), request.window?.start ?? .distantPast)
        if case .refused(let reason) = verdict(for: request, from: exposuresStart, to: exposuresStart.addingTimeInterval(block)) {
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
            try await slew(to: request.target.coordinates, filter: request.exposures[0].filter)
            if exposuresStart.timeIntervalSince(clock.currentDate) > 0 {
                // Arrived before the window opens: track the field until it does.
                try await waitWithoutLosingWakes(until: exposuresStart, device: .mount)
            }
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
                    let readout = try await devices.camera.expose(
                        CameraExposure(exposureSeconds: spec.exposureSeconds, isRequested: [.followUp, .requested].contains(request.kind)))
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

    /// The dispatch check of exposures that would run from `start` to `end`, with the facts gathered.
    func verdict(for request: ObservationRequest, from start: Date, to end: Date) -> SafetyRules.Verdict {
        guard let startFrame = try? observer.frame(at: start), let endFrame = try? observer.frame(at: end) else {
            return .refused(Reason(.invalidRequest, "could not compute the sky for \(ISO8601.string(from: start))"))
        }
        return dispatchCheck.verdict(
            for: request, exposuresFrom: startFrame, to: endFrame, weather: weatherSafety(at: clock.currentDate), enclosure: enclosureState)
    }

    /// The telescope's overheads: the planners' and the coordinator's rule for how long things take.
    var overheads: Overheads { Overheads(telescope: telescope) }

    /// Seconds from `date` until a request's first exposure could start: the slew from where
    /// the mount points (and settle), the dome's turn from where its slit faces, and a filter
    /// change if the wheel holds another filter, whichever is longest (``StarlingCore/Overheads``).
    func leadInSeconds(to request: ObservationRequest, at date: Date) async -> Double {
        let target = request.target.coordinates
        let pointing = (try? await devices.mount.status())?.pointing
        var dome: Double?
        if telescope.enclosure.kind == .dome {
            dome = ((try? await devices.enclosure.azimuth()) ?? nil)?.degrees ?? domeAzimuth?.degrees
        }
        var changesFilter = false
        if let wheel = devices.filterWheel { changesFilter = ((try? await wheel.currentFilter()) ?? nil) != request.exposures[0].filter }
        guard let frame = try? observer.frame(at: date) else {
            return overheads.leadInSeconds(slewSeconds: overheads.slewSeconds(firstAxisDegrees: 180, secondAxisDegrees: 90), changesFilter: changesFilter)
        }
        let to = MountPosition(equatorial: target, horizontal: frame.horizontal(of: target))
        let from = pointing.map { MountPosition(equatorial: $0, horizontal: frame.horizontal(of: $0)) }
        return overheads.leadInSeconds(from: from, to: to, domeAzimuthDegrees: dome, changesFilter: changesFilter)
    }

    /// Slews the mount and meanwhile turns a dome to the target's azimuth and the filter wheel
    /// to the first filter (each in its own task on the clock; the agent waits for all by
    /// sleeping, as the simulation clock requires), then settles the mount. Returns when the
    /// mount has settled, the dome is there and the filter is in: the lead-in of
    /// ``StarlingCore/Overheads``.
    private func slew(to target: EquatorialCoordinates, filter: Filter) async throws(DriverError) {
        var operations: [ConcurrentOperation] = []
        let frame = try? observer.frame(at: clock.currentDate)
        if telescope.enclosure.kind == .dome, let frame {
            let azimuth = frame.horizontal(of: target).azimuth
            let rotation = ConcurrentOperation()
            let enclosure = devices.enclosure
            clock.spawn(named: "\(telescope.id) dome") {
                do throws(DriverError) { try await enclosure.rotate(toAzimuth: azimuth) } catch { rotation.set(error) }
                rotation.finish()
            }
            operations.append(rotation)
            domeAzimuth = azimuth
        }
        if let wheel = devices.filterWheel, (try? await wheel.currentFilter()) != filter {
            let change = ConcurrentOperation()
            clock.spawn(named: "\(telescope.id) filter") {
                do throws(DriverError) { try await wheel.select(filter) } catch { change.set(error) }
                change.finish()
            }
            operations.append(change)
        }
        var slewError: DriverError?
        do {
            // Already on the target and tracking (the same field again): no slew, no settle,
            // as the overheads count it.
            var onTarget = false
            if let status = try? await devices.mount.status(), status.isTracking, !status.isSlewing, let pointing = status.pointing, let frame {
                let from = MountPosition(equatorial: pointing, horizontal: frame.horizontal(of: pointing))
                let to = MountPosition(equatorial: target, horizontal: frame.horizontal(of: target))
                onTarget = telescope.mount.largerAxisDegrees(from: from, to: to) < MountModel.onTargetDegrees
            }
            if !onTarget {
                try await devices.mount.slew(to: target)
                try await settle()
            }
        } catch {
            slewError = error
        }
        for operation in operations { await wait(for: operation) }
        if let slewError { throw slewError }
        if let error = operations.compactMap(\.error).first { throw error }
    }

    /// Waits for an operation running in its own task, by sleeping on the clock until it
    /// rings (a simulation clock must see every waiting task asleep).
    func wait(for operation: ConcurrentOperation) async {
        while !operation.isFinished {
            _ = try? await clock.sleep(until: UTCInstant(clock.currentDate.addingTimeInterval(3600)), orUntil: operation.done)
        }
    }

    /// The mount's settle: a wake-up of the agent (a command, the safety watch) does not cut
    /// it short; only an interruption ends it early.
    private func settle() async throws(DriverError) {
        try await waitWithoutLosingWakes(until: clock.currentDate.addingTimeInterval(telescope.mount.settleSeconds), device: .mount)
    }

    /// Sleeps until `deadline` while a device settles or the telescope holds on a target.
    /// A ring of the agent's alarm ends the wait only when it brings an interruption (thrown
    /// as `.aborted` with its reason); any other ring is kept for the main loop, which
    /// handles it after the observation, and the wait goes on.
    func waitWithoutLosingWakes(until deadline: Date, device: DeviceKind) async throws(DriverError) {
        var rang = false
        defer { if rang { wakeUp.ring() } }
        // A `Date` and the clock's instant may differ in the last bit: a wait shorter than a
        // millisecond is none.
        while deadline.timeIntervalSince(clock.currentDate) > 1e-3 {
            let woke = try? await clock.sleep(until: UTCInstant(deadline), orUntil: wakeUp)
            if woke == nil { throw DriverError(.aborted, device: device, "the wait was cancelled") }
            guard woke == .alarm else { return }
            rang = true
            if let interruption { throw DriverError(.aborted, device: device, interruption.detail) }
            if isStopping { throw DriverError(.aborted, device: device, "the agent is stopping") }
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
        if observation.outcome == .completed { observedTonight[observation.requestID] = observation.ended }
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
