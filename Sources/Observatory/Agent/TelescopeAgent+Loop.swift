import Foundation
import Persistence
import Logging
import StarlingCore

extension TelescopeAgent {
    /// The main loop: safety first, then recovery, then the next piece of work, else sleep
    /// until something is due or a command or the safety watch rings.
    func runLoop() async {
        await continueNumbering()
        await connectDevices()
        while !isStopping {
            let now = clock.currentDate
            await expireWork(at: now)
            if await enforceSafety(at: now) { continue }
            if !faults.isEmpty {
                await recover(at: now)
                if !faults.isEmpty {
                    await sleep(until: faults.values.map(\.nextAttempt).min() ?? now.addingTimeInterval(configuration.retryBaseSeconds))
                    continue
                }
            }
            if let due = queue.nextDue, due <= now.addingTimeInterval(configuration.openLeadSeconds), enclosureState != .open {
                if await openIfAllowed(at: now) { continue }
                await refuseDueWork(at: now)
            }
            if enclosureState == .open, let soon = queue.nextFollowUpStart, soon > now, soon <= now.addingTimeInterval(configuration.followUpHoldSeconds) {
                // A follow-up is due within moments: keep the telescope free for it rather
                // than start a survey exposure it would have to abort.
                await sleep(until: soon)
                continue
            }
            if enclosureState == .open, let work = queue.next(at: now) {
                await execute(work)
                continue
            }
            if enclosureState == .open, queue.isEmpty, state != .parked, state != .closed {
                await closeAndPark(reason: Reason(.endOfNight, "no work left tonight"), action: "closed: no work left tonight")
                continue
            }
            if enclosureState == .open, !mountIsParked, (queue.nextDue ?? .distantFuture) > now.addingTimeInterval(configuration.idleParkSeconds) {
                await parkWhileIdle()
                continue
            }
            var wake = queue.nextDue.map { enclosureState == .open ? $0 : $0.addingTimeInterval(-configuration.openLeadSeconds) } ?? .distantFuture
            if enclosureState != .open, wake <= now {
                // Work is due but the enclosure may not open: look again at the safety watch's pace.
                wake = now.addingTimeInterval(configuration.safetyPoll(for: telescope))
            }
            await sleep(until: max(now.addingTimeInterval(1), min(wake, now.addingTimeInterval(configuration.closedPollSeconds))))
        }
        await closeAndPark(reason: Reason(.operatorRequest, "agent stopping"), action: "closed: the agent is stopping")
        await answerLeftoverWork(at: clock.currentDate)
    }

    /// Sleeps until `date` (at least a millisecond, so a loop always moves time on: a `Date`
    /// and the clock's instant may differ in the last bit) or until a command or the safety
    /// watch rings.
    func sleep(until date: Date) async {
        _ = try? await clock.sleep(until: UTCInstant(max(date, clock.currentDate.addingTimeInterval(0.001))), orUntil: wakeUp)
    }

    /// Numbers this run's observations after those the store already has of this telescope,
    /// so a restarted agent never reuses an id (and never overwrites an observation).
    func continueNumbering() async {
        guard let store else { return }
        do {
            observationSequence = max(observationSequence, try await store.observationCount(telescope: telescope.id))
        } catch {
            logger.warning("Could not count stored observations; ids may repeat an earlier run's", metadata: ["error": "\(error)"])
        }
    }

    private func connectDevices() async {
        var all: [(DeviceKind, any DeviceDriver)] = [(.mount, devices.mount), (.camera, devices.camera), (.enclosure, devices.enclosure)]
        if let focuser = devices.focuser { all.append((.focuser, focuser)) }
        if let wheel = devices.filterWheel { all.append((.filterWheel, wheel)) }
        if let weather = devices.weather { all.append((.weather, weather)) }
        for (kind, device) in all {
            do { try await device.connect() } catch { await noteFailure(of: kind, error.reason) }
        }
        if let state = try? await devices.enclosure.state() {
            enclosureState = state
            lastContact = clock.currentDate
        }
        if let reading = try? await devices.weather?.reading() { latestWeather = reading }
        let initial: TelescopeState = enclosureState == .open ? .idle : .parked
        transition(to: initial, reason: "connected: enclosure \(enclosureState.rawValue)")
    }

    // MARK: Safety

    /// Closes and parks when the enclosure must close; while a failed close waits for its
    /// retry, sleeps until then and takes no work. Returns whether it acted (closed or slept).
    func enforceSafety(at now: Date) async -> Bool {
        guard enclosureState != .closed, let reason = mustCloseReason(at: now) else { return false }
        if let retry = closeRetry, now < retry {
            await sleep(until: retry)
        } else {
            await closeAndPark(reason: reason, action: "closed: \(reason.detail)")
        }
        return true
    }

    /// Why the enclosure must close now, if it must.
    func mustCloseReason(at now: Date) -> Reason? {
        safetyRuleReason(at: now) ?? operatorHold.map { Reason(.operatorRequest, "closing on request: \($0)") } ?? gaveUpReason
    }

    /// Why the safety rules (weather, Sun, lost contact) say the enclosure must close now, if they do.
    func safetyRuleReason(at now: Date) -> Reason? {
        SafetyRules.mustClose(
            weather: weatherSafety(at: now), sunAltitude: sunAltitude(at: now), secondsSinceContact: now.timeIntervalSince(lastContact),
            policy: telescope.safety)
    }

    /// The safety watch: reads the weather and the enclosure on a short period while open
    /// (so closing completes within the policy's deadline), and aborts the running operation
    /// and wakes the main loop when the enclosure must close.
    func watchSafety() async {
        while !isStopping {
            let now = clock.currentDate
            await readSensors(at: now)
            if enclosureState != .closed || state == .opening {
                if let rule = safetyRuleReason(at: now) {
                    interrupt(rule)
                    wakeUp.ring()
                }
            }
            let workDue = (queue.nextDue ?? .distantFuture) <= now.addingTimeInterval(configuration.openLeadSeconds)
            let period = enclosureState == .closed && state != .opening && !workDue ? configuration.closedPollSeconds : configuration.safetyPoll(for: telescope)
            _ = try? await clock.sleep(until: UTCInstant(now.addingTimeInterval(period)), orUntil: watchWakeUp)
        }
    }

    func readSensors(at now: Date) async {
        if let weather = devices.weather {
            do {
                if let reading = try await weather.reading() { latestWeather = reading }
                await clearFailure(of: .weather)
            } catch {
                await noteFailure(of: .weather, error.reason)
            }
        }
        do {
            let state = try await devices.enclosure.state()
            // While the main loop moves the enclosure it owns the state; the watch only fills gaps.
            if self.state != .opening && self.state != .closing { enclosureState = state }
            lastContact = clock.currentDate
        } catch {
            logger.warning("No answer from the enclosure", metadata: ["error": "\(error)"])
        }
    }

    /// Opens if the rules allow; returns whether it opened.
    func openIfAllowed(at now: Date) async -> Bool {
        // Decide on a fresh reading, not one nearly as old as the grace: while closed the
        // watch polls every `closedPollSeconds` (5 min), longer than the weather grace, so
        // the last reading may be too old to open on though the sensor is fine.
        await readSensors(at: now)
        guard case .allowed = openingVerdict(at: now) else { return false }
        transition(to: .opening, reason: "work due and conditions safe")
        watchWakeUp.ring()
        do {
            try await devices.mount.unpark()
            mountIsParked = false
            try await devices.enclosure.open()
            enclosureState = .open
            lastContact = clock.currentDate
            transition(to: .idle, reason: "enclosure open")
            return true
        } catch {
            enclosureState = (try? await devices.enclosure.state()) ?? .error
            await noteFailure(of: error.device, error.reason)
            await closeAndPark(reason: error.reason, action: "closed after a failed opening: \(error.reason.detail)")
            return true
        }
    }

    /// Closes the enclosure and parks the mount, whatever else fails.
    func closeAndPark(reason: Reason, action: String) async {
        guard enclosureState != .closed || state != .parked else { return }
        transition(to: .closing, reason: reason.detail)
        var problems: [String] = []
        // A roll-off roof would hit the telescope: park first. A dome or clamshell closes
        // while the mount parks, so closing meets the deadline even if the mount is slow.
        let parking = ConcurrentOperation()
        let mount = devices.mount
        if telescope.enclosure.kind == .rollOffRoof {
            do { try await mount.park() } catch { parking.set(error) }
            parking.finish()
        } else {
            clock.spawn(named: "\(telescope.id) park") {
                do throws(DriverError) { try await mount.park() } catch { parking.set(error) }
                parking.finish()
            }
        }
        do {
            try await devices.enclosure.close()
            enclosureState = .closed
            lastContact = clock.currentDate
        } catch {
            problems.append("close failed: \(error.message)")
            enclosureState = (try? await devices.enclosure.state()) ?? .error
            await noteFailure(of: .enclosure, error.reason)
        }
        await wait(for: parking)
        if let error = parking.error {
            problems.append("park failed: \(error.message)")
        } else {
            mountIsParked = true
        }
        let now = clock.currentDate
        // Retry a failed close on the enclosure's back-off, not at once.
        if enclosureState == .closed {
            closeRetry = nil
            failedCloses = 0
        } else {
            failedCloses += 1
            let delay = configuration.retryDelaySeconds(afterFailures: failedCloses - 1)
            closeRetry = now.addingTimeInterval(delay)
        }
        if problems.isEmpty {
            emit(.safetyActionTaken(telescope: telescope.id, action: action, at: now))
            transition(to: .parked, reason: reason.detail)
        } else {
            logger.critical("Could not make the telescope safe", metadata: ["problems": "\(problems)"])
            emit(.safetyActionTaken(telescope: telescope.id, action: "\(action); NEEDS ATTENTION: \(problems.joined(separator: "; "))", at: now))
            transition(to: .fault, reason: problems.joined(separator: "; "))
        }
    }

    /// Parks the mount when no work is due soon: a mount left tracking the last target
    /// would follow it down below the horizon.
    /// A mount that cannot park might do just that under an open sky (a stalled drive reports
    /// the fault, not where it points): then the enclosure closes.
    private func parkWhileIdle() async {
        do {
            try await devices.mount.park()
            mountIsParked = true
        } catch {
            await noteFailure(of: .mount, error.reason)
            await closeAndPark(
                reason: Reason(.deviceFault, "the idle mount could not park (\(error.message)); closed so that it cannot follow its last target down"),
                action: "closed: the idle mount could not park")
        }
    }

    // MARK: Work that cannot be done

    /// Records plan entries whose slot passed and follow-ups whose lease ran out.
    func expireWork(at now: Date) async {
        for entry in queue.expiredEntries(at: now) {
            let why = closedReason(at: now)
                ?? Reason(.outsideWindow, "the planned slot ended at \(ISO8601.string(from: entry.end)) before the telescope was free")
            await record(entry.request, refusedWith: why, at: now)
        }
        for assignment in queue.expiredFollowUps(at: now, patienceSeconds: configuration.followUpPatienceSeconds) {
            let reason = Reason(
                .leaseExpired, "could not start within \(Int(configuration.followUpPatienceSeconds / 60)) min of its planned start \(ISO8601.string(from: assignment.plannedStart))")
            emit(.assignmentRefused(assignment.id, telescope: telescope.id, reason: reason, at: now))
        }
    }

    /// Immediate requests and due follow-ups get an answer now when the enclosure cannot
    /// open; plan entries wait for their slot's end (the weather may clear).
    private func refuseDueWork(at now: Date) async {
        guard let reason = closedReason(at: now) else { return }
        for request in queue.removeImmediate() {
            await record(request, refusedWith: reason, at: now)
        }
        for assignment in queue.followUps where assignment.slewStart <= now {
            queue.removeFollowUp(assignment.id)
            emit(.assignmentRefused(assignment.id, telescope: telescope.id, reason: reason, at: now))
        }
    }

    /// At shutdown every request still queued gets an answer: none is dropped silently.
    private func answerLeftoverWork(at now: Date) async {
        let reason = Reason(.operatorRequest, "the telescope agent stopped before this could start")
        for work in queue.removeAll() {
            switch work {
            case .followUp(let assignment):
                emit(.assignmentRefused(assignment.id, telescope: telescope.id, reason: reason, at: now))
            case .immediate(let request):
                await record(request, refusedWith: reason, at: now)
            case .planned(let entry):
                await record(entry.request, refusedWith: reason, at: now)
            }
        }
    }

    /// Why the enclosure is closed and will not open now, if it will not.
    func closedReason(at now: Date) -> Reason? {
        guard enclosureState != .open else { return nil }
        if case .refused(let reason) = openingVerdict(at: now) { return reason }
        return faultReason(onlyGivenUp: false)
    }

    /// Stores and reports a request that was refused before anything moved.
    func record(_ request: ObservationRequest, refusedWith reason: Reason, at now: Date) async {
        let observation = Observation(
            id: nextObservationID(at: now), requestID: request.id, telescopeID: telescope.id, siteID: site.id,
            targetID: request.target.id, started: now, ended: now, outcome: .refused(reason), frames: [])
        await finish(observation)
    }
}
