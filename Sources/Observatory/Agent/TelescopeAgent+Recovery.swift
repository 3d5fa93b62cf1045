import Foundation
import Persistence
import Logging
import StarlingCore

extension TelescopeAgent {
    /// Records a device failure: reports it, moves to `fault`, and schedules a retry with
    /// back-off (doubling from the configured base up to the maximum).
    func noteFailure(of device: DeviceKind, _ reason: Reason) async {
        let now = clock.currentDate
        if var failure = faults[device] {
            failure.reason = reason
            faults[device] = failure
            return
        }
        faults[device] = DeviceFailure(
            reason: reason, since: now, attempts: 0, nextAttempt: now.addingTimeInterval(configuration.retryBaseSeconds), gaveUp: false)
        logger.warning("Device fault", metadata: ["device": "\(device.rawValue)", "reason": "\(reason)"])
        emit(.faultOccurred(telescope: telescope.id, device: device, reason: reason, at: now))
        if state != .closing { transition(to: .fault, reason: "\(device.rawValue): \(reason.detail)") }
    }

    /// A device answered normally: it is no longer in fault.
    func clearFailure(of device: DeviceKind) async {
        guard let failure = faults[device], !failure.gaveUp else { return }
        faults[device] = nil
        emit(.faultRecovered(telescope: telescope.id, device: device, at: clock.currentDate))
        if faults.isEmpty, state == .fault {
            transition(to: enclosureState == .open ? .idle : .parked, reason: "\(device.rawValue) answers again")
        }
    }

    /// Tries to bring back every device whose retry is due: reconnect, then a probe that
    /// shows it works. Too many failures in a row close the telescope (``enforceSafety``
    /// sees `gaveUp`) and leave a reason for the report.
    func recover(at now: Date) async {
        for (device, failure) in faults.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where failure.nextAttempt <= now {
            do {
                try await probe(device)
                faults[device] = nil
                logger.info("Device recovered", metadata: ["device": "\(device.rawValue)", "attempts": "\(failure.attempts + 1)"])
                emit(.faultRecovered(telescope: telescope.id, device: device, at: clock.currentDate))
            } catch {
                var failure = failure
                failure.attempts += 1
                failure.reason = error.reason
                let delay = configuration.retryDelaySeconds(afterFailures: failure.attempts)
                failure.nextAttempt = clock.currentDate.addingTimeInterval(delay)
                if failure.attempts >= configuration.recoveryAttemptsBeforeClosing, !failure.gaveUp {
                    failure.gaveUp = true
                    let minutes = Int(clock.currentDate.timeIntervalSince(failure.since) / 60)
                    failure.reason = Reason(
                        error.reason.code,
                        "\(device.rawValue) still failing after \(failure.attempts) attempts over \(minutes) min (\(error.message)); telescope needs attention")
                    emit(.faultOccurred(telescope: telescope.id, device: device, reason: failure.reason, at: clock.currentDate))
                }
                faults[device] = failure
            }
        }
        if faults.isEmpty, state == .fault {
            transition(to: enclosureState == .open ? .idle : .parked, reason: "devices recovered")
        }
    }

    /// Reconnects a device and checks that it answers sensibly.
    private func probe(_ device: DeviceKind) async throws(DriverError) {
        switch device {
        case .mount:
            try await devices.mount.connect()
            let status = try await devices.mount.status()
            if status.isSlewing { try await devices.mount.abortSlew() }
        case .camera:
            // A camera that connects may still hang on a frame: a bias frame proves it reads out.
            try await devices.camera.connect()
            _ = try await devices.camera.expose(CameraExposure(exposureSeconds: 0, imageType: .bias))
        case .enclosure:
            try await devices.enclosure.connect()
            let state = try await devices.enclosure.state()
            if state == .error {
                // Try the safe direction: a stuck enclosure that closes is recovered.
                try await devices.enclosure.close()
            }
            enclosureState = try await devices.enclosure.state()
            lastContact = clock.currentDate
        case .focuser:
            guard let focuser = devices.focuser else { return }
            try await focuser.connect()
            _ = try await focuser.position()
        case .filterWheel:
            guard let wheel = devices.filterWheel else { return }
            try await wheel.connect()
            _ = try await wheel.currentFilter()
        case .weather:
            guard let weather = devices.weather else { return }
            try await weather.connect()
            guard let reading = try await weather.reading() else {
                throw DriverError(.deviceFault, device: .weather, "the weather sensor has no reading")
            }
            latestWeather = reading
        }
    }
}
