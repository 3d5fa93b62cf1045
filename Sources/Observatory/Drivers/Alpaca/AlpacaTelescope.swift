public import Foundation
public import StarlingCore

/// A mount on an Alpaca server (`/api/v1/telescope/N`).
///
/// Members: `connected`, `atpark`, `park`, `unpark`, `tracking`, `slewing`,
/// `slewtocoordinatesasync` (`RightAscension` hours, `Declination` degrees), `abortslew`,
/// `rightascension`, `declination`, `equatorialsystem`. Coordinates go in the mount's
/// equatorial system: topocentric/JNow (`equatorialsystem` 1) is converted from ICRS with
/// ``ApparentPlace``; J2000 (2) and "other" (0, which the alpaca-simulators package
/// reports while treating coordinates as J2000) get ICRS as is (J2000 and ICRS differ by
/// ≤ 0.02″).
public struct AlpacaTelescope: MountDriver {
    let device: AlpacaDevice
    public let timeouts: AlpacaDriverTimeouts
    /// Where the mount stands, for the JNow conversion (`nil`: sea level at 0°, 0°).
    public let site: GeodeticLocation?
    private let now: @Sendable () -> Date
    /// ICRS ↔ JNow at the site.
    private let places: ApparentPlace

    public init(
        client: AlpacaClient, number: Int = 0, site: GeodeticLocation? = nil, timeouts: AlpacaDriverTimeouts = AlpacaDriverTimeouts(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        device = AlpacaDevice(client: client, type: .telescope, number: number, kind: .mount)
        self.site = site
        self.timeouts = timeouts
        self.now = now
        self.places = ApparentPlace(site: site)
    }

    public func connect() async throws(DriverError) { try await device.connect() }

    public func disconnect() async { await device.disconnect() }

    public func status() async throws(DriverError) -> MountStatus {
        let ra = try await device.double("rightascension")
        let dec = try await device.double("declination")
        let system = try await device.get("equatorialsystem").int ?? 0
        var pointing = try? EquatorialCoordinates(rightAscensionDegrees: ra * 15, declinationDegrees: dec)
        if system == 1 {
            pointing = try? places.icrs(rightAscensionHours: ra, declinationDegrees: dec, at: now())
        }
        return MountStatus(
            pointing: pointing, isSlewing: try await device.bool("slewing"), isTracking: try await device.bool("tracking"),
            isParked: try await device.bool("atpark"))
    }

    public func unpark() async throws(DriverError) {
        guard try await device.bool("atpark") else { return }
        try await device.put("unpark")
        try await device.poll(every: timeouts.pollInterval, timeout: timeouts.park, what: "the unpark") { () async throws(DriverError) in
            try await !device.bool("atpark")
        }
    }

    public func park() async throws(DriverError) {
        if try await device.bool("atpark") { return }
        try await device.put("park")
        try await device.poll(every: timeouts.pollInterval, timeout: timeouts.park, what: "the park to finish") { () async throws(DriverError) in
            let parked = try await device.bool("atpark")
            let slewing = try await device.bool("slewing")
            return parked && !slewing
        }
    }

    public func slew(to target: EquatorialCoordinates) async throws(DriverError) {
        let system = try await device.get("equatorialsystem").int ?? 0
        var raHours = target.rightAscension.degrees / 15
        var decDegrees = target.declination.degrees
        if system == 1 {
            (raHours, decDegrees) = places.jnow(of: target, at: now())
        }
        if try await device.get("tracking").bool == false {
            try await device.put("tracking", [("Tracking", "True")])
        }
        try await device.put("slewtocoordinatesasync", [("RightAscension", String(raHours)), ("Declination", String(decDegrees))])
        try await device.poll(
            every: timeouts.pollInterval, timeout: timeouts.slew, what: "the slew to RA \(raHours)h Dec \(decDegrees)° to finish"
        ) { () async throws(DriverError) in
            try await !device.bool("slewing")
        }
    }

    /// Stops a slew in progress (nothing when the mount is not slewing, so that an abort does
    /// not reach a park the agent started meanwhile).
    public func abortSlew() async throws(DriverError) {
        device.aborts.increment()
        guard try await device.bool("slewing") else { return }
        try await device.put("abortslew")
    }
}
