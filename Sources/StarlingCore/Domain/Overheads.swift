/// How long observing takes on one telescope: Starling's one answer to "how long does this
/// block take", used by the planners, the coordinator and the telescope agent at dispatch.
///
/// An observation is a *lead-in* (moving to the target) followed by its *block* (the
/// exposures). Both axes of the mount move at once, so the slew takes the time of the axis
/// with the larger angle (``MountModel/axisMoveSeconds(_:)``) and then the mount settles; a
/// dome turns to the target's azimuth meanwhile, at its constant rate; the filter wheel turns
/// during the slew. The exposures start when all three are done:
///
/// ```text
/// lead-in = max(slew(larger axis angle) + settle, dome rotation, filter change if the filter differs)
/// block   = Σ over exposure sets: count · (exposure + readout) + a filter change between sets in different filters
/// ```
///
/// An equatorial mount's axes are hour angle and declination, so its slew angle between two
/// fixed targets is the same all night (Δ hour angle = −Δ right ascension); an alt-azimuth
/// mount's axes are azimuth (the shorter way round) and altitude, which depend on the instant,
/// as does the dome's azimuth move.
public struct Overheads: Sendable, Hashable {
    /// How the mount moves (slew profile and settle).
    public let mount: MountModel
    /// Seconds to change filter.
    public let filterChangeSeconds: Double
    /// Seconds to read the detector out after each exposure.
    public let readoutSeconds: Double
    /// The dome's rotation rate, degrees per second; `nil` without a dome (a roof or a
    /// clamshell does not turn).
    public let domeDegreesPerSecond: Double?
    /// Whether overheads are counted at all; `false` gives the idealised plain case.
    public let isCounted: Bool

    /// The slew a planner assumes from a parked mount or an unknown pointing, degrees.
    public static let unknownPointingSlewDegrees = 90.0

    /// The overheads of a telescope.
    public init(telescope: Telescope) {
        self.init(
            mount: telescope.mount, filterChangeSeconds: telescope.filterChangeSeconds, readoutSeconds: telescope.camera.readoutSeconds,
            domeDegreesPerSecond: telescope.enclosure.kind == .dome ? telescope.enclosure.rotationDegreesPerSecond : nil)
    }

    public init(mount: MountModel, filterChangeSeconds: Double, readoutSeconds: Double, domeDegreesPerSecond: Double? = nil, isCounted: Bool = true) {
        self.mount = mount
        self.filterChangeSeconds = max(0, filterChangeSeconds)
        self.readoutSeconds = max(0, readoutSeconds)
        self.domeDegreesPerSecond = domeDegreesPerSecond.map { max($0, 0.1) }
        self.isCounted = isCounted
    }

    /// No overheads at all: instant slews, filter changes and readouts (astroplan's plain
    /// problem, where a 300-s exposure fills a 5-minute slot exactly).
    public static let none = Overheads(mount: MountModel(), filterChangeSeconds: 0, readoutSeconds: 0, isCounted: false)

    /// Whether a dome's rotation is part of the lead-in.
    public var countsDome: Bool { isCounted && domeDegreesPerSecond != nil }

    // MARK: The block

    /// Seconds a request's exposures occupy the telescope once it is pointed: every exposure
    /// with its readout, and a filter change between sets in different filters.
    public func blockSeconds(_ request: ObservationRequest) -> Double { blockSeconds(request.exposures) }

    /// Seconds a list of exposure sets occupies the telescope once pointed and in the first
    /// set's filter.
    public func blockSeconds(_ exposures: [ExposureSpec]) -> Double {
        var total = 0.0
        var previous: Filter?
        for set in exposures {
            if isCounted, let previous, previous != set.filter { total += filterChangeSeconds }
            total += Double(set.count) * (set.exposureSeconds + (isCounted ? readoutSeconds : 0))
            previous = set.filter
        }
        return total
    }

    // MARK: The lead-in

    /// Seconds to slew an angle on each axis at once and settle (0 when not counted, or when
    /// neither axis moves).
    ///
    /// - Parameters:
    ///   - firstAxisDegrees: the move on the first axis (hour angle or azimuth), degrees;
    ///     it is wrapped to the shorter way round, −180…180°.
    ///   - secondAxisDegrees: the move on the second axis (declination or altitude), degrees.
    public func slewSeconds(firstAxisDegrees: Double, secondAxisDegrees: Double) -> Double {
        guard isCounted else { return 0 }
        return settled(MountModel.largerAxisDegrees(firstAxisDegrees, secondAxisDegrees))
    }

    /// Seconds to slew between two positions on this mount's axes
    /// (``MountModel/moveSeconds(from:to:)``: hour angle and declination, or azimuth and
    /// altitude at the instant of the slew), and settle.
    public func slewSeconds(from: MountPosition, to: MountPosition) -> Double {
        guard isCounted else { return 0 }
        return settled(mount.largerAxisDegrees(from: from, to: to))
    }

    /// A move of the larger axis through an angle, and the settle; nothing when already on
    /// target (``MountModel/onTargetDegrees``).
    private func settled(_ largerAxisDegrees: Double) -> Double {
        guard largerAxisDegrees >= MountModel.onTargetDegrees else { return 0 }
        return mount.axisMoveSeconds(.degrees(largerAxisDegrees)) + mount.settleSeconds
    }

    /// Seconds for the dome to turn between two azimuths, the shorter way round (0 without a dome).
    public func domeSeconds(fromAzimuthDegrees from: Double, toAzimuthDegrees to: Double) -> Double {
        guard isCounted, let rate = domeDegreesPerSecond else { return 0 }
        return Self.wrapped(to - from) / rate
    }

    /// Seconds between the end of one block and the start of the next: the longest of the
    /// slew (with settle), the dome's rotation and the filter change.
    public func leadInSeconds(slewSeconds: Double, domeSeconds: Double = 0, changesFilter: Bool) -> Double {
        guard isCounted else { return 0 }
        return max(slewSeconds, domeSeconds, changesFilter ? filterChangeSeconds : 0)
    }

    /// The lead-in between two positions (`from` `nil`: parked or unknown, a
    /// ``unknownPointingSlewDegrees`` slew and dome turn).
    ///
    /// - Parameters:
    ///   - from: where the mount points now; `nil` when parked or unknown.
    ///   - to: the target, at the instant of the slew.
    ///   - domeAzimuthDegrees: where the dome's slit is, if known (else it is taken to be
    ///     where the mount points).
    ///   - changesFilter: whether the first exposure needs another filter.
    public func leadInSeconds(from: MountPosition?, to: MountPosition, domeAzimuthDegrees: Double? = nil, changesFilter: Bool) -> Double {
        guard isCounted else { return 0 }
        let slew: Double, dome: Double
        if let from {
            slew = slewSeconds(from: from, to: to)
            dome = domeSeconds(fromAzimuthDegrees: domeAzimuthDegrees ?? from.horizontal.azimuth.degrees, toAzimuthDegrees: to.horizontal.azimuth.degrees)
        } else {
            slew = slewSeconds(firstAxisDegrees: Self.unknownPointingSlewDegrees, secondAxisDegrees: 0)
            dome = domeAzimuthDegrees.map { domeSeconds(fromAzimuthDegrees: $0, toAzimuthDegrees: to.horizontal.azimuth.degrees) }
                ?? domeSeconds(fromAzimuthDegrees: 0, toAzimuthDegrees: Self.unknownPointingSlewDegrees)
        }
        return leadInSeconds(slewSeconds: slew, domeSeconds: dome, changesFilter: changesFilter)
    }

    /// Seconds from the start of the lead-in to the end of the last readout.
    public func durationSeconds(_ request: ObservationRequest, from: MountPosition?, to: MountPosition, domeAzimuthDegrees: Double? = nil, currentFilter: Filter?) -> Double {
        leadInSeconds(from: from, to: to, domeAzimuthDegrees: domeAzimuthDegrees, changesFilter: currentFilter != request.exposures[0].filter)
            + blockSeconds(request)
    }

    /// An angle's size the shorter way round, 0…180°.
    static func wrapped(_ degrees: Double) -> Double {
        var angle = abs(degrees).truncatingRemainder(dividingBy: 360)
        if angle > 180 { angle = 360 - angle }
        return angle
    }
}

/// Where a mount points, on both kinds of axes at one instant: the ICRS position (an
/// equatorial mount's axes follow it) and the horizontal position then (an alt-azimuth
/// mount's axes and a dome's slit follow it).
public struct MountPosition: Sendable, Hashable {
    public let equatorial: EquatorialCoordinates
    public let horizontal: HorizontalCoordinates

    public init(equatorial: EquatorialCoordinates, horizontal: HorizontalCoordinates) {
        self.equatorial = equatorial
        self.horizontal = horizontal
    }
}
