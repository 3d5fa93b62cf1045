import Foundation
import Sky
public import StarlingCore
import Synchronization

/// One simulated telescope: its mount, camera, enclosure, focuser, filter wheel and weather
/// sensor, coupled through one state and one clock.
///
/// The devices are not independent toys: the camera renders where the mount points at that
/// instant, through the enclosure only while it is open (a closed dome gives dark frames), under
/// the site's weather model (seeing, cloud); a mount that moves while the shutter is open
/// smears the image. Every operation takes the time the telescope's configuration says
/// (slew rate and acceleration, dome rotation and shutter, filter change, focus, readout) on
/// the injected clock, and faults injected by a scenario or a test make devices fail the way
/// real ones do.
///
/// ```swift
/// let simulated = SimulatedTelescope(telescope: telescope, site: site, clock: clock,
///                                    weather: timeline, renderer: renderer)
/// simulated.inject(DeviceFault(device: .mount, kind: .stall, start: date))
/// let agent = TelescopeAgent(..., devices: simulated.devices, ...)
/// ```
public final class SimulatedTelescope: Sendable {
    public let telescope: Telescope
    public let site: Site
    public let options: SimulatorOptions
    let clock: any UTCClock
    let weather: WeatherTimeline?
    let renderer: any FrameRendering
    let observer: Observer
    let state: Mutex<SimulatorState>

    /// - Parameters:
    ///   - weather: the site's weather model; `nil` means the sensor has nothing to report
    ///     (the agent then never opens) and frames see a clear sky at the site's median seeing.
    ///   - renderer: turns an exposure into a frame or its modelled metrics.
    public init(
        telescope: Telescope, site: Site, clock: any UTCClock, weather: WeatherTimeline?, renderer: any FrameRendering,
        options: SimulatorOptions = SimulatorOptions()
    ) {
        self.telescope = telescope
        self.site = site
        self.options = options
        self.clock = clock
        self.weather = weather
        self.renderer = renderer
        self.observer = Observer(site: site)
        self.state = Mutex(SimulatorState(filter: telescope.filters.first ?? Filter("clear")))
    }

    /// The devices, for a ``TelescopeAgent``.
    public var devices: TelescopeDevices {
        TelescopeDevices(
            mount: SimulatedMount(simulation: self), camera: SimulatedCamera(simulation: self),
            enclosure: SimulatedEnclosure(simulation: self), focuser: SimulatedFocuser(simulation: self),
            filterWheel: telescope.filters.count > 1 ? SimulatedFilterWheel(simulation: self) : nil,
            weather: SimulatedWeatherSensor(simulation: self))
    }

    /// Schedules a fault; it takes effect at its start and clears at its end.
    public func inject(_ fault: DeviceFault) {
        state.withLock { $0.faults.append(fault) }
    }

    /// The physical state now, for tests and the night's summary: independent of what any
    /// driver reported.
    public var snapshot: Snapshot {
        let now = clock.currentDate
        applyStalls(at: now)
        return state.withLock { state in
            Snapshot(
                pointing: state.mount.pointing(at: now), isParked: state.mount.isParked, isTracking: state.mount.isTracking,
                isSlewing: state.mount.slew.map { now < $0.end } ?? false,
                enclosure: state.enclosure.state, filter: state.filter, focuserPosition: state.focuserPosition,
                framesTaken: state.framesTaken)
        }
    }

    /// What the simulated hardware is doing, as an outside observer would see it.
    public struct Snapshot: Sendable, Hashable {
        public let pointing: EquatorialCoordinates?
        public let isParked: Bool
        public let isTracking: Bool
        public let isSlewing: Bool
        public let enclosure: EnclosureState
        public let filter: Filter
        public let focuserPosition: Int
        public let framesTaken: Int
    }

    // MARK: Shared by the devices

    /// A stalled drive stops: a mount tracking when a stall begins stands still from that
    /// instant (fixed to the Earth, the sky drifting by) until it is moved again. A stall
    /// during a slew is the slew's to handle (``SimulatedMount``).
    func applyStalls(at now: Date) {
        state.withLock { state in
            guard state.mount.isTracking, !state.mount.isParked else { return }
            let trackingSince = state.mount.slew?.end ?? .distantPast
            let stalls = state.faults.filter { $0.device == .mount && $0.kind == .stall && $0.start >= trackingSince && $0.start <= now }
            guard let stall = stalls.map(\.start).min() else { return }
            state.mount.rest = state.mount.pointing(at: stall)
            state.mount.slew = nil
            state.mount.isTracking = false
            state.mount.trackingStoppedAt = stall
        }
    }

    var now: Date { clock.currentDate }

    /// Throws the error a fault in force on `device` causes for an operation, if any.
    func checkFaults(_ device: DeviceKind, affectedBy kinds: Set<FaultInjection.Kind>) throws(DriverError) {
        let now = self.now
        let active = state.withLock { state in state.faults.filter { $0.device == device && $0.isActive(at: now) } }
        if active.contains(where: { $0.kind == .disconnect }) {
            throw DriverError(.disconnected, device: device, "simulated \(device.rawValue) driver dropped the connection")
        }
        if let fault = active.first(where: { kinds.contains($0.kind) }) {
            throw DriverError(.deviceFault, device: device, "simulated \(fault.kind.rawValue) of the \(device.rawValue)")
        }
    }

    /// Whether a fault of a kind is in force on a device now or starts before `end`; returns
    /// the instant it bites.
    func fault(_ kind: FaultInjection.Kind, on device: DeviceKind, before end: Date) -> Date? {
        let now = self.now
        return state.withLock { state in
            state.faults.filter { $0.device == device && $0.kind == kind && $0.start < end && ($0.end.map { $0 > now } ?? true) }
                .map { max($0.start, now) }.min()
        }
    }

    /// Sleeps on the clock until `deadline` or until `alarm` rings; throws `.aborted` on the alarm.
    func wait(until deadline: Date, orUntil alarm: Alarm, device: DeviceKind, what: String) async throws(DriverError) {
        let reason: WakeReason
        do {
            reason = try await clock.sleep(until: UTCInstant(deadline), orUntil: alarm)
        } catch {
            throw DriverError(.aborted, device: device, "\(what) cancelled")
        }
        if reason == .alarm { throw DriverError(.aborted, device: device, "\(what) aborted on request") }
    }

    func wait(until deadline: Date, device: DeviceKind, what: String) async throws(DriverError) {
        do { try await clock.sleep(until: deadline) } catch {
            throw DriverError(.aborted, device: device, "\(what) cancelled")
        }
    }

    /// A position on both kinds of mount axes at an instant (the horizontal part geometric;
    /// the zenith when the sky cannot be computed).
    func position(of target: EquatorialCoordinates, at date: Date) -> MountPosition {
        let horizontal = (try? observer.frame(at: date))?.horizontal(of: target) ?? HorizontalCoordinates(altitude: .degrees(90), azimuth: .zero)
        return MountPosition(equatorial: target, horizontal: horizontal)
    }

    /// Where the dome's slit faces at an instant: while slaved, the azimuth the telescope
    /// points at (a real dome follows the telescope through an exposure), else where it stopped.
    func domeAzimuth(at date: Date) -> Angle {
        let (slaved, rest, pointing) = state.withLock { state in
            (state.isDomeSlaved && !state.mount.isParked, state.domeAzimuth, state.mount.pointing(at: date))
        }
        guard slaved, let pointing, let frame = try? observer.frame(at: date) else { return rest }
        return frame.horizontal(of: pointing).azimuth
    }

    /// Stops the dome following the telescope, leaving it where it faces now (the mount parks).
    func releaseDome(at date: Date) {
        let azimuth = domeAzimuth(at: date)
        state.withLock { state in
            state.domeAzimuth = azimuth
            state.isDomeSlaved = false
        }
    }

    /// The zenith the mount parks at, as an ICRS position at an instant.
    func zenith(at date: Date) -> EquatorialCoordinates? {
        try? observer.frame(at: date).equatorial(of: HorizontalCoordinates(altitude: .degrees(90), azimuth: .degrees(0)))
    }
}

/// The coupled state of one simulated telescope.
struct SimulatorState: Sendable {
    var mount = MountState()
    var enclosure = EnclosureHistory()
    var filter: Filter
    var focuserPosition = 10_000
    var framesTaken = 0
    var faults: [DeviceFault] = []
    var mountAlarm: Alarm?
    var cameraAlarm: Alarm?
    /// Where the dome's slit faced when it last stopped being slaved (or finished a turn).
    var domeAzimuth: Angle = .degrees(0)
    /// Whether the dome follows the telescope: from the end of a turn to a target until the
    /// mount parks or the dome is turned again.
    var isDomeSlaved = false

    init(filter: Filter) { self.filter = filter }
}

/// Where the mount points over time: still, tracking, or moving along a slew.
struct MountState: Sendable {
    var isParked = true
    var isTracking = false
    /// The last position the mount came to rest at (ICRS), `nil` when parked at the zenith.
    var rest: EquatorialCoordinates?
    /// When tracking stopped at `rest` (the sky then drifts by at the sidereal rate).
    var trackingStoppedAt: Date?
    /// A slew under way: from, to, start and end.
    var slew: (from: EquatorialCoordinates, to: EquatorialCoordinates, start: Date, end: Date)?

    /// Where the mount points at an instant.
    func pointing(at date: Date) -> EquatorialCoordinates? {
        if let slew, date < slew.end {
            let fraction = max(0, min(1, date.timeIntervalSince(slew.start) / max(slew.end.timeIntervalSince(slew.start), 1e-9)))
            return slew.from.interpolated(to: slew.to, fraction: fraction)
        }
        if let slew { return drifted(slew.to, since: trackingStoppedAt, at: date) }
        return rest.map { drifted($0, since: trackingStoppedAt, at: date) }
    }

    /// A mount not tracking stays fixed to the Earth, so the sky position it points at moves
    /// east at the sidereal rate.
    private func drifted(_ position: EquatorialCoordinates, since stopped: Date?, at date: Date) -> EquatorialCoordinates {
        guard !isTracking, let stopped, date > stopped else { return position }
        let drift = Angle.degrees(date.timeIntervalSince(stopped) * 360.0 / 86_164.0905)
        return (try? EquatorialCoordinates(rightAscension: position.rightAscension + drift, declination: position.declination)) ?? position
    }
}

/// When the enclosure was open, so the camera knows how much light an exposure saw.
struct EnclosureHistory: Sendable {
    var state: EnclosureState = .closed
    /// Intervals with the shutter fully open; the last may still be open (`end == nil`).
    var openIntervals: [(start: Date, end: Date?)] = []

    /// The fraction of `[start, end]` during which the enclosure was open.
    func openFraction(from start: Date, to end: Date) -> Double {
        let length = end.timeIntervalSince(start)
        guard length > 0 else { return state == .open ? 1 : 0 }
        var open = 0.0
        for interval in openIntervals {
            let from = max(interval.start, start), to = min(interval.end ?? end, end)
            if to > from { open += to.timeIntervalSince(from) }
        }
        return min(1, open / length)
    }

    mutating func opened(at date: Date) {
        state = .open
        openIntervals.append((date, nil))
        if openIntervals.count > 16 { openIntervals.removeFirst(openIntervals.count - 16) }
    }

    mutating func closing(at date: Date) {
        state = .closing
        if let last = openIntervals.indices.last, openIntervals[last].end == nil { openIntervals[last].end = date }
    }
}
