public import Foundation
public import StarlingCore

/// Starling's one rule for "may this target be observed at this instant", resolved for one
/// request on one telescope at one site.
///
/// Every caller that asks the question (the night planners on their grids, the coordinator
/// choosing where a follow-up goes, the telescope agent at dispatch) builds its limits here
/// and evaluates them the same way, so they cannot disagree about the same target at the same
/// instant. The constraints are astroplan's (`AltitudeConstraint`, `AirmassConstraint`,
/// `AtNightConstraint`, `MoonSeparationConstraint`, `MoonIlluminationConstraint`,
/// `TimeConstraint`) plus the site's horizon mask and the mount's own altitude limit:
///
/// | constraint | holds when (bounds inclusive) |
/// |---|---|
/// | altitude | altitude ≥ the request's minimum altitude and the mount's lowest altitude |
/// | airmass | sec z ≤ the request's maximum airmass (``Airmass/secantZenith(altitudeDegrees:)``) |
/// | horizon mask | altitude ≥ the mask at the target's azimuth |
/// | darkness | the Sun's centre at or below the request's twilight level |
/// | Moon separation | Moon–target angle ≥ the minimum, whether or not the Moon is up (as astroplan) |
/// | Moon illumination | illuminated fraction ≤ the maximum while the Moon's centre is above the horizon |
/// | time window | the instant inside the request's window |
///
/// Altitudes are geometric (unrefracted) and topocentric, as astroplan's are without a
/// pressure and as ``VisibilityGrid`` computes them. A decision that must survive until
/// later is taken on ``tightened(by:)`` limits: a planner interpolating a 5-minute grid, or a
/// coordinator choosing a start minutes ahead, then never chooses what the exact check at
/// dispatch refuses.
///
/// ```swift
/// let limits = ObservingLimits(request.constraints, window: request.window, mount: telescope.mount, horizon: site.horizonMask)
/// if let violation = limits.violation(ConstraintSample(frame: frame, target: request.target.coordinates)) {
///     print(violation.reason)   // "airmass-too-high: sec z 2.921 above the limit 2.90"
/// }
/// ```
public struct ObservingLimits: Sendable, Hashable {
    /// The request's lowest altitude, degrees.
    public let minimumAltitudeDegrees: Double
    /// The request's highest airmass (sec z).
    public let maximumAirmass: Double
    /// The mount's own lowest altitude, degrees.
    public let mountMinimumAltitudeDegrees: Double
    /// The site's horizon mask.
    public let horizon: HorizonMask
    /// The twilight level the request asks for.
    public let darkness: Twilight
    /// The request's smallest Moon–target separation, degrees.
    public let minimumMoonSeparationDegrees: Double
    /// The brightest Moon allowed while it is up, illuminated fraction 0…1.
    public let maximumMoonIllumination: Double
    /// When the observation may run (UTC); `nil` for any time.
    public let window: DateInterval?
    /// How far inside each limit this evaluation stays (zero for the exact check at dispatch).
    public let margins: ConstraintMargins

    /// The limits of a request on a telescope at a site.
    ///
    /// - Parameters:
    ///   - constraints: the request's constraints.
    ///   - window: the request's time window, if any.
    ///   - mount: the mount (its lowest altitude).
    ///   - horizon: the site's horizon mask.
    public init(_ constraints: ObservingConstraints, window: DateInterval? = nil, mount: MountModel, horizon: HorizonMask) {
        self.init(constraints, window: window, mountMinimumAltitude: mount.minimumAltitude, horizon: horizon)
    }

    /// The limits with the mount's lowest altitude given directly (0° for "any mount").
    public init(_ constraints: ObservingConstraints, window: DateInterval? = nil, mountMinimumAltitude: Angle = .zero, horizon: HorizonMask = .flat()) {
        minimumAltitudeDegrees = constraints.minimumAltitude.degrees
        maximumAirmass = constraints.maximumAirmass
        mountMinimumAltitudeDegrees = mountMinimumAltitude.degrees
        self.horizon = horizon
        darkness = constraints.darkness
        minimumMoonSeparationDegrees = constraints.minimumMoonSeparation.degrees
        maximumMoonIllumination = constraints.maximumMoonIllumination
        self.window = window
        margins = .none
    }

    /// The limits of a request as a telescope at a site must meet them.
    public init(_ request: ObservationRequest, telescope: Telescope, site: Site) {
        self.init(request.constraints, window: request.window, mount: telescope.mount, horizon: site.horizonMask)
    }

    private init(copying limits: ObservingLimits, margins: ConstraintMargins) {
        minimumAltitudeDegrees = limits.minimumAltitudeDegrees
        maximumAirmass = limits.maximumAirmass
        mountMinimumAltitudeDegrees = limits.mountMinimumAltitudeDegrees
        horizon = limits.horizon
        darkness = limits.darkness
        minimumMoonSeparationDegrees = limits.minimumMoonSeparationDegrees
        maximumMoonIllumination = limits.maximumMoonIllumination
        window = limits.window
        self.margins = margins
    }

    /// The same limits kept `margins` inside every bound: what a decision taken now on
    /// interpolated or predicted positions uses, so that the exact check later agrees.
    public func tightened(by margins: ConstraintMargins) -> ObservingLimits { ObservingLimits(copying: self, margins: margins) }

    // MARK: Derived bounds (margins included)

    /// The altitude at which sec z equals the airmass limit, degrees.
    public var airmassAltitudeDegrees: Double { Airmass.altitudeDegrees(forSecantAirmass: maximumAirmass) }

    /// The lowest altitude allowed in any direction: the request's minimum, its airmass limit
    /// and the mount's limit, whichever is highest, plus the altitude margin. Degrees.
    public var lowestAltitudeDegrees: Double {
        max(minimumAltitudeDegrees, airmassAltitudeDegrees, mountMinimumAltitudeDegrees) + margins.altitudeDegrees
    }

    /// The lowest altitude allowed at an azimuth: ``lowestAltitudeDegrees`` or the horizon mask
    /// there plus the margin, whichever is higher. Degrees.
    public func lowestAltitudeDegrees(atAzimuthDegrees azimuth: Double) -> Double {
        max(lowestAltitudeDegrees, horizon.minimumAltitudeDegrees(atAzimuthDegrees: azimuth) + margins.altitudeDegrees)
    }

    /// The highest altitude of the horizon mask plus the margin: above it the mask never binds. Degrees.
    public var highestMaskAltitudeDegrees: Double { horizon.highestAltitude.degrees + margins.altitudeDegrees }

    /// The highest Sun altitude allowed, degrees.
    public var highestSunAltitudeDegrees: Double { darkness.sunAltitude.degrees - margins.sunAltitudeDegrees }

    /// The smallest Moon–target separation allowed, degrees.
    public var smallestMoonSeparationDegrees: Double {
        minimumMoonSeparationDegrees > 0 ? minimumMoonSeparationDegrees + margins.moonSeparationDegrees : 0
    }

    /// Whether the Moon's brightness is limited at all.
    public var limitsMoonBrightness: Bool { maximumMoonIllumination < 1 }

    /// The Moon altitude above which its brightness counts, degrees: the horizon, lowered by
    /// the margin (a Moon near the horizon may be up by the time the block runs).
    public var moonUpAltitudeDegrees: Double { -margins.moonBelowHorizonDegrees }

    /// Whether the Moon's brightness allows observing with the Moon at an altitude and
    /// illuminated fraction.
    public func moonBrightnessAllows(moonAltitudeDegrees: Double, moonIllumination: Double) -> Bool {
        moonIllumination <= maximumMoonIllumination || moonAltitudeDegrees <= moonUpAltitudeDegrees
    }

    // MARK: Evaluation

    /// The first constraint a sample breaks, in the order of the table above (window, darkness,
    /// horizon mask and mount, altitude, airmass, Moon), or `nil` when every one holds.
    public func violation(_ sample: ConstraintSample) -> ConstraintViolation? {
        if let window {
            let slack = margins.windowSeconds
            if sample.date < window.start.addingTimeInterval(slack) {
                return ConstraintViolation(.window, Reason(.outsideWindow, "the request's window opens at \(ISO8601.string(from: window.start))"))
            }
            if sample.date > window.end.addingTimeInterval(-slack) {
                return ConstraintViolation(.window, Reason(.outsideWindow, "the request's window closes at \(ISO8601.string(from: window.end))"))
            }
        }
        if sample.sunAltitudeDegrees > highestSunAltitudeDegrees {
            return ConstraintViolation(.darkness, Reason(
                .notDarkEnough,
                "Sun at \(Self.degrees(sample.sunAltitudeDegrees)), above the \(darkness.rawValue) twilight limit \(Self.degrees(darkness.sunAltitude.degrees))"))
        }
        let mask = horizon.minimumAltitudeDegrees(atAzimuthDegrees: sample.azimuthDegrees) + margins.altitudeDegrees
        let mount = mountMinimumAltitudeDegrees + margins.altitudeDegrees
        if sample.altitudeDegrees < max(mask, mount) {
            let which = mask >= mount ? "the horizon mask" : "the mount's limit"
            return ConstraintViolation(.horizon, Reason(
                .belowHorizon,
                "altitude \(Self.degrees(sample.altitudeDegrees)) at azimuth \(Self.degrees(sample.azimuthDegrees)) is below \(which) \(Self.degrees(max(mask, mount)))"))
        }
        if sample.altitudeDegrees < minimumAltitudeDegrees + margins.altitudeDegrees {
            return ConstraintViolation(.altitude, Reason(
                .belowHorizon, "altitude \(Self.degrees(sample.altitudeDegrees)), below the request's minimum \(Self.degrees(minimumAltitudeDegrees))"))
        }
        if sample.altitudeDegrees < airmassAltitudeDegrees + margins.altitudeDegrees {
            let secant = Airmass.secantZenith(altitudeDegrees: sample.altitudeDegrees)
            return ConstraintViolation(.airmass, Reason(
                .airmassTooHigh,
                "airmass (sec z) \(String(format: "%.3f", secant)) at altitude \(Self.degrees(sample.altitudeDegrees)), above the limit \(String(format: "%.2f", maximumAirmass))"))
        }
        if sample.moonSeparationDegrees < smallestMoonSeparationDegrees {
            return ConstraintViolation(.moonSeparation, Reason(
                .tooCloseToMoon,
                "\(Self.degrees(sample.moonSeparationDegrees)) from the Moon, inside the request's \(Self.degrees(minimumMoonSeparationDegrees))"))
        }
        if !moonBrightnessAllows(moonAltitudeDegrees: sample.moonAltitudeDegrees, moonIllumination: sample.moonIllumination) {
            return ConstraintViolation(.moonIllumination, Reason(
                .moonTooBright,
                "the Moon is up and \(Int((sample.moonIllumination * 100).rounded()))% lit, above the request's \(Int((maximumMoonIllumination * 100).rounded()))%"))
        }
        return nil
    }

    /// Whether every constraint holds for a sample.
    public func isObservable(_ sample: ConstraintSample) -> Bool { violation(sample) == nil }

    /// How far inside its limits a sample is, in degrees: the smallest of the altitude's
    /// clearance (over the request's, the airmass's, the mount's and the mask's limits), the
    /// Sun's clearance below the twilight level, the Moon's separation beyond its minimum and,
    /// when the Moon is too bright, its depth below the horizon. Negative when a constraint
    /// fails; ignores the time window (a time, not an angle). A zero crossing between two
    /// samples is where the target becomes observable or stops being so.
    public func clearanceDegrees(_ sample: ConstraintSample) -> Double {
        var clearance = min(
            sample.altitudeDegrees - lowestAltitudeDegrees(atAzimuthDegrees: sample.azimuthDegrees),
            highestSunAltitudeDegrees - sample.sunAltitudeDegrees)
        if minimumMoonSeparationDegrees > 0 {
            clearance = min(clearance, sample.moonSeparationDegrees - smallestMoonSeparationDegrees)
        }
        if sample.moonIllumination > maximumMoonIllumination {
            clearance = min(clearance, moonUpAltitudeDegrees - sample.moonAltitudeDegrees)
        }
        return clearance
    }

    /// Whether an interval lies inside the request's window (with the window margin).
    public func windowContains(start: Date, end: Date) -> Bool {
        guard let window else { return true }
        return start >= window.start.addingTimeInterval(margins.windowSeconds) && end <= window.end.addingTimeInterval(-margins.windowSeconds)
    }

    private static func degrees(_ value: Double) -> String { String(format: "%.2f°", value) }
}

/// Which constraint a sample breaks, and the reason to record.
public struct ConstraintViolation: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of constraint.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case window, darkness, horizon, altitude, airmass, moonSeparation = "moon-separation", moonIllumination = "moon-illumination"
    }

    public let kind: Kind
    /// The reason, with the numbers, as an observation records it.
    public let reason: Reason

    public init(_ kind: Kind, _ reason: Reason) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason.description }
}

/// How far inside each limit a decision stays when it must still hold later: a planner that
/// interpolates a 5-minute grid, a coordinator choosing a start minutes ahead. Dispatch checks
/// the exact limits (``none``).
///
/// Between grid instants the planners interpolate linearly; over a 5-minute step the true
/// altitude departs from the straight line by at most ω²h²/8 ≈ 12″ (ω the sidereal rate), the
/// Moon–target separation changes by less than 0.1°, and the Moon's altitude by less than
/// 1.3°. Twilight times are bracketed to 1 s, when the Sun moves 0.004°.
public struct ConstraintMargins: Sendable, Hashable {
    /// Added to the altitude, airmass, mount and horizon-mask limits, degrees.
    public var altitudeDegrees: Double
    /// Added to the Moon separation limit, degrees.
    public var moonSeparationDegrees: Double
    /// A Moon brighter than allowed counts as down only this far below the horizon, degrees.
    public var moonBelowHorizonDegrees: Double
    /// Taken off the twilight level's Sun altitude, degrees.
    public var sunAltitudeDegrees: Double
    /// Kept from dusk and dawn when darkness is bracketed in time, seconds.
    public var twilightSeconds: Double
    /// Kept inside the request's time window, seconds.
    public var windowSeconds: Double
    /// How late a planned start may be and the block still fit, seconds: a block is chosen
    /// only where it would still hold if it started this much later. A telescope runs a few
    /// seconds behind its plan now and then (a follow-up, a re-plan, a slew that differs from
    /// the plan's by the sky's turning meanwhile); a block planned to end right at a limit
    /// would then be refused at dispatch.
    public var lateStartSeconds: Double

    public init(
        altitudeDegrees: Double = 0.02, moonSeparationDegrees: Double = 0.2, moonBelowHorizonDegrees: Double = 1.5, sunAltitudeDegrees: Double = 0.02,
        twilightSeconds: Double = 5, windowSeconds: Double = 0, lateStartSeconds: Double = 60
    ) {
        self.altitudeDegrees = altitudeDegrees
        self.moonSeparationDegrees = moonSeparationDegrees
        self.moonBelowHorizonDegrees = moonBelowHorizonDegrees
        self.sunAltitudeDegrees = sunAltitudeDegrees
        self.twilightSeconds = twilightSeconds
        self.windowSeconds = windowSeconds
        self.lateStartSeconds = lateStartSeconds
    }

    /// No margin: the exact limits, as dispatch checks them.
    public static let none = ConstraintMargins(
        altitudeDegrees: 0, moonSeparationDegrees: 0, moonBelowHorizonDegrees: 0, sunAltitudeDegrees: 0, twilightSeconds: 0, windowSeconds: 0,
        lateStartSeconds: 0)
}

/// One target at one instant as the constraints see it: geometric (unrefracted) topocentric
/// altitude and azimuth, the Sun, the Moon and the Moon–target separation. Degrees throughout.
public struct ConstraintSample: Sendable, Hashable {
    public var date: Date
    public var altitudeDegrees: Double
    /// North 0°, east 90°.
    public var azimuthDegrees: Double
    public var sunAltitudeDegrees: Double
    public var moonAltitudeDegrees: Double
    /// 0…1.
    public var moonIllumination: Double
    public var moonSeparationDegrees: Double

    public init(
        date: Date, altitudeDegrees: Double, azimuthDegrees: Double, sunAltitudeDegrees: Double, moonAltitudeDegrees: Double, moonIllumination: Double,
        moonSeparationDegrees: Double
    ) {
        self.date = date
        self.altitudeDegrees = altitudeDegrees
        self.azimuthDegrees = azimuthDegrees
        self.sunAltitudeDegrees = sunAltitudeDegrees
        self.moonAltitudeDegrees = moonAltitudeDegrees
        self.moonIllumination = moonIllumination
        self.moonSeparationDegrees = moonSeparationDegrees
    }

    /// A target's sample from an apparent frame by ERFA's exact path. The frame should be
    /// geometric (``Observer/geometric``): with refraction the altitude would be the observed
    /// one, a few arcminutes higher near the limits than the planners' grid.
    public init(frame: ObservingFrame, target: EquatorialCoordinates) {
        let position = frame.horizontal(of: target)
        let sun = frame.sun, moon = frame.moon  // one ephemeris evaluation each
        self.init(
            date: frame.date, altitudeDegrees: position.altitude.degrees, azimuthDegrees: position.azimuth.degrees,
            sunAltitudeDegrees: sun.horizontal.altitude.degrees, moonAltitudeDegrees: moon.horizontal.altitude.degrees,
            moonIllumination: ObservingFrame.illumination(sun: sun, moon: moon),
            moonSeparationDegrees: frame.separation(from: target, to: moon).degrees)
    }

    /// A grid's sample of a target at one of its instants (the grid's fast path: within
    /// 0.005″ of ERFA for the altitude, 2 mas for the Moon separation).
    public init(grid: VisibilityGrid, target: Int, instant: Int) {
        let sky = grid.sky[instant]
        self.init(
            date: grid.instants[instant], altitudeDegrees: grid.altitudeDegrees(target: target, instant: instant),
            azimuthDegrees: grid.azimuthDegrees(target: target, instant: instant), sunAltitudeDegrees: sky.sunAltitudeDegrees,
            moonAltitudeDegrees: sky.moonAltitudeDegrees, moonIllumination: sky.moonIllumination,
            moonSeparationDegrees: grid.moonSeparationDegrees(target: target, instant: instant))
    }
}
