public import StarlingCore

/// The dead time between two observations on one telescope, and the length of an
/// observation's block.
///
/// Moving to the next target costs the slew of the slower axis (both axes move at once:
/// ``MountModel/axisMoveSeconds(_:)`` on the larger of the two angles) plus the settle; the
/// filter wheel turns during the slew, so the transition is the longer of the two:
///
/// ```text
/// transition = max(slew(larger axis angle) + settle, filter change if the filter differs)
/// block      = Σ over exposure sets: count · (exposure + readout) + filter changes within the request
/// ```
///
/// An equatorial mount's axes are hour angle and declination, so its slew angle between two
/// fixed targets is the same all night (Δ hour angle = −Δ right ascension); an alt-azimuth
/// mount's axes are azimuth and altitude, which depend on the instant.
public struct Overheads: Sendable, Hashable {
    /// How the mount moves (slew profile and settle).
    public let mount: MountModel
    /// Seconds to change filter.
    public let filterChangeSeconds: Double
    /// Seconds to read the detector out after each exposure.
    public let readoutSeconds: Double
    /// Whether overheads are counted at all; `false` gives the idealised plain case.
    public let isCounted: Bool

    /// The overheads of a telescope.
    public init(telescope: Telescope) {
        self.init(mount: telescope.mount, filterChangeSeconds: telescope.filterChangeSeconds, readoutSeconds: telescope.camera.readoutSeconds)
    }

    public init(mount: MountModel, filterChangeSeconds: Double, readoutSeconds: Double, isCounted: Bool = true) {
        self.mount = mount
        self.filterChangeSeconds = max(0, filterChangeSeconds)
        self.readoutSeconds = max(0, readoutSeconds)
        self.isCounted = isCounted
    }

    /// No overheads at all: instant slews, filter changes and readouts (astroplan's plain
    /// problem, where a 300-s exposure fills a 5-minute slot exactly).
    public static let none = Overheads(mount: MountModel(), filterChangeSeconds: 0, readoutSeconds: 0, isCounted: false)

    /// Seconds a request's exposures occupy the telescope once it is pointed: every exposure
    /// with its readout, and a filter change between sets in different filters.
    public func blockSeconds(_ request: ObservationRequest) -> Double {
        var total = 0.0
        var previous: Filter?
        for set in request.exposures {
            if isCounted, let previous, previous != set.filter { total += filterChangeSeconds }
            total += Double(set.count) * (set.exposureSeconds + (isCounted ? readoutSeconds : 0))
            previous = set.filter
        }
        return total
    }

    /// Seconds to slew an angle on each axis at once and settle (0 when not counted).
    ///
    /// - Parameters:
    ///   - firstAxisDegrees: the move on the first axis (hour angle or azimuth), degrees;
    ///     it is wrapped to the shorter way round, −180…180°.
    ///   - secondAxisDegrees: the move on the second axis (declination or altitude), degrees.
    public func slewSeconds(firstAxisDegrees: Double, secondAxisDegrees: Double) -> Double {
        guard isCounted else { return 0 }
        var first = abs(firstAxisDegrees).truncatingRemainder(dividingBy: 360)
        if first > 180 { first = 360 - first }
        let larger = max(first, abs(secondAxisDegrees))
        guard larger > 0 else { return 0 }
        return mount.axisMoveSeconds(.degrees(larger)) + mount.settleSeconds
    }

    /// Seconds between the end of one block and the start of the next: the longer of the
    /// slew (with settle) and the filter change.
    public func transitionSeconds(slewSeconds: Double, changesFilter: Bool) -> Double {
        guard isCounted else { return 0 }
        return max(slewSeconds, changesFilter ? filterChangeSeconds : 0)
    }
}
