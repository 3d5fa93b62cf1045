public import Foundation
public import StarlingCore
import Synchronization

/// A telescope mount on an INDI server (`Telescope Simulator`, or any INDI telescope driver).
///
/// Property mapping: `CONNECTION`, `TELESCOPE_PARK` (`PARK`/`UNPARK`), `ON_COORD_SET`
/// (`TRACK`), `EQUATORIAL_EOD_COORD` (`RA` hours, `DEC` degrees), `TELESCOPE_TRACK_STATE`
/// (`TRACK_ON`), `TELESCOPE_ABORT_MOTION` (`ABORT`), and, when a site is given,
/// `GEOGRAPHIC_COORD` (`LAT`, `LONG` east 0…360, `ELEV`).
///
/// INDI mounts take and report *JNow* (true equator and equinox of date) coordinates; Starling's
/// are ICRS. The driver converts both ways with ``ApparentPlace`` (ERFA through the `Sky`
/// module); without a site the observer is at sea level at 0°, 0° (≤ 0.32″ of diurnal aberration).
public struct INDIMount: MountDriver, INDIDeviceDriver {
    public static let deviceKind = DeviceKind.mount
    public let client: INDIClient
    public let device: String
    public let site: GeodeticLocation?
    public let timeouts: INDIDriverTimeouts
    /// How close (degrees) the reported position must come to the target for a slew to count as arrived.
    public let arrivalToleranceDegrees: Double
    private let now: @Sendable () -> Date
    /// ICRS ↔ JNow at the site.
    private let places: ApparentPlace

    /// - Parameters:
    ///   - client: the INDI client the telescope's devices share.
    ///   - device: the INDI device name, e.g. `Telescope Simulator`.
    ///   - site: where the mount stands: sent to the mount on connect, and used for the JNow conversion.
    ///   - timeouts: how long slews and parks may take.
    ///   - now: the wall clock for the JNow conversion (the mount slews in real time).
    public init(
        client: INDIClient, device: String, site: GeodeticLocation? = nil, timeouts: INDIDriverTimeouts = INDIDriverTimeouts(),
        arrivalToleranceDegrees: Double = 0.1, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.device = device
        self.site = site
        self.timeouts = timeouts
        self.arrivalToleranceDegrees = arrivalToleranceDegrees
        self.now = now
        self.places = ApparentPlace(site: site)
    }

    public func connect() async throws(DriverError) {
        try await client.connect(for: Self.deviceKind)
        try await client.connectDevice(device, kind: .mount)
        if let site {
            let geographic = try await client.require("GEOGRAPHIC_COORD", of: device, kind: .mount)
            let longitude = site.longitude.degrees < 0 ? site.longitude.degrees + 360 : site.longitude.degrees
            let wanted = [("LAT", site.latitude.degrees), ("LONG", longitude), ("ELEV", site.elevationMeters)]
            if wanted.contains(where: { abs((geographic.number($0.0) ?? .nan) - $0.1) > 1e-6 || geographic.number($0.0) == nil }) {
                try await client.send(numbers: wanted, to: "GEOGRAPHIC_COORD", of: device, kind: .mount)
            }
        }
    }

    public func status() async throws(DriverError) -> MountStatus {
        try await prepare()
        let coordinates = try await client.require("EQUATORIAL_EOD_COORD", of: device, kind: .mount)
        let park = await client.property("TELESCOPE_PARK", of: device)
        let track = await client.property("TELESCOPE_TRACK_STATE", of: device)
        var pointing: EquatorialCoordinates?
        if let ra = coordinates.number("RA"), let dec = coordinates.number("DEC") {
            pointing = try? places.icrs(rightAscensionHours: ra, declinationDegrees: dec, at: now())
        }
        return MountStatus(
            pointing: pointing, isSlewing: coordinates.state == .busy,
            isTracking: track?.isOn("TRACK_ON") ?? false,
            isParked: park?.isOn("PARK") ?? false)
    }

    public func unpark() async throws(DriverError) { try await setPark(false) }

    public func park() async throws(DriverError) { try await setPark(true) }

    private func setPark(_ parked: Bool) async throws(DriverError) {
        try await prepare()
        let element = parked ? "PARK" : "UNPARK"
        let current = try await client.require("TELESCOPE_PARK", of: device, kind: .mount)
        if current.isOn(element) == true, current.state != .busy, current.state != .alert { return }
        // The simulator answers an unpark of an unparked mount with state Idle ("already
        // unparked"), a park with Busy then Ok: done is "the switch is on and not Busy".
        try await client.command(
            switches: [(element, true)], to: "TELESCOPE_PARK", of: device, kind: .mount, timeout: timeouts.park,
            what: parked ? "the park to finish" : "the unpark", until: { $0.isOn(element) == true && $0.state != .busy })
    }

    public func slew(to target: EquatorialCoordinates) async throws(DriverError) {
        try await prepare()
        let (raHours, decDegrees) = places.jnow(of: target, at: now())
        let park = await client.property("TELESCOPE_PARK", of: device)
        if park?.isOn("PARK") == true {
            throw DriverError(.refused, device: .mount, "\(device) is parked: unpark before slewing to RA \(format(raHours))h Dec \(format(decDegrees))°")
        }
        _ = try await client.require("EQUATORIAL_EOD_COORD", of: device, kind: .mount)
        let onSet = try await client.require("ON_COORD_SET", of: device, kind: .mount)
        if onSet.isOn("TRACK") != true {
            try await client.command(
                switches: [("TRACK", true)], to: "ON_COORD_SET", of: device, kind: .mount, timeout: timeouts.command,
                what: "ON_COORD_SET to take TRACK", until: { $0.isOn("TRACK") == true })
        }
        // Done is Ok after Busy. The simulator stops up to ~0.06° from the target (14 s of RA in
        // the recorded session), so an exact match cannot be the criterion; a mount that
        // never reports Busy counts as arrived when Ok within the tolerance.
        let tolerance = arrivalToleranceDegrees
        let sawBusy = Flag()
        let arrived = try await client.command(
            numbers: [("RA", raHours), ("DEC", decDegrees)], to: "EQUATORIAL_EOD_COORD", of: device, kind: .mount, timeout: timeouts.slew,
            what: "the slew to RA \(format(raHours))h Dec \(format(decDegrees))° (JNow) to finish",
            until: { vector in
                if vector.state == .busy { sawBusy.set() }
                guard vector.state == .ok, let ra = vector.number("RA"), let dec = vector.number("DEC") else { return false }
                return sawBusy.isSet || Self.distanceDegrees(ra, dec, raHours, decDegrees) <= tolerance
            })
        if let ra = arrived.number("RA"), let dec = arrived.number("DEC"), Self.distanceDegrees(ra, dec, raHours, decDegrees) > 1 {
            throw DriverError(
                .deviceFault, device: .mount,
                "\(device) ended its slew at RA \(format(ra))h Dec \(format(dec))°, \(format(Self.distanceDegrees(ra, dec, raHours, decDegrees)))° from the target RA \(format(raHours))h Dec \(format(decDegrees))°")
        }
    }

    /// The approximate angular distance (degrees) between two JNow places, RA in hours.
    static func distanceDegrees(_ ra1: Double, _ dec1: Double, _ ra2: Double, _ dec2: Double) -> Double {
        var deltaRA = abs(ra1 - ra2) * 15
        if deltaRA > 180 { deltaRA = 360 - deltaRA }
        let ra = deltaRA * cos((dec1 + dec2) / 2 * .pi / 180)
        return (ra * ra + (dec1 - dec2) * (dec1 - dec2)).squareRoot()
    }

    /// Stops a slew in progress: one this driver waits for, or coordinates `Busy` while no
    /// park is. Otherwise it does nothing: `TELESCOPE_ABORT_MOTION` also stops a park, and the
    /// agent aborts "whatever runs" while it closes and parks.
    public func abortSlew() async throws(DriverError) {
        try await prepare()
        let waiting = await client.isWaiting(device: device, properties: ["EQUATORIAL_EOD_COORD"])
        let coordinates = await client.property("EQUATORIAL_EOD_COORD", of: device)
        let park = await client.property("TELESCOPE_PARK", of: device)
        guard waiting || (coordinates?.state == .busy && park?.state != .busy) else { return }
        let before = await client.currentGeneration
        try await client.send(switches: [("ABORT", true)], to: "TELESCOPE_ABORT_MOTION", of: device, kind: .mount)
        await client.abortWaits(device: device, properties: ["EQUATORIAL_EOD_COORD"], reason: "the slew was aborted")
        // Returns when the mount says it stopped: the coordinates leave Busy.
        _ = try await client.waitFor(
            .mount, device: device, properties: ["EQUATORIAL_EOD_COORD"], timeout: timeouts.command, what: "the mount to stop after ABORT",
            failOnAlert: false, after: before, until: { $0.state != .busy })
    }

    private func prepare() async throws(DriverError) {
        try await client.connectDevice(device, kind: .mount)
    }

    private func format(_ value: Double) -> String { String(format: "%.5f", value) }
}

/// A flag set from a `@Sendable` predicate (the slew's "seen Busy").
private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
