public import Foundation
public import StarlingCore

/// Altitude and azimuth of many targets at many instants from one observer, with the Sun
/// and Moon at each instant: what the planner evaluates millions of times a night.
///
/// The expensive, target-independent part (`eraApco13`: precession-nutation, Earth
/// rotation, the observer's position and velocity) is done once per instant
/// (``ObservingFrame``); each target then costs a light-deflection and aberration step and
/// one 3×3 rotation, within 0.1″ of ERFA's full `eraAtco13` path. Values are unrefracted.
///
/// Storage is target-major: all instants of target 0, then of target 1, … so one target's
/// night is contiguous.
///
/// ```swift
/// let grid = try VisibilityGrid(observer: observer, targets: positions, instants: instants)
/// let altitude = grid.altitudeDegrees(target: 12, instant: 40)
/// let mask = grid.observability(constraints: .init(), horizon: site.horizonMask)
/// ```
public struct VisibilityGrid: Sendable {
    /// The instants (UTC), in the order given.
    public let instants: [Date]
    /// How many targets.
    public let targetCount: Int
    /// Altitude in degrees, `targetCount × instants.count`, target-major.
    public let altitudes: [Double]
    /// Azimuth in degrees (north 0°, east 90°), same layout.
    public let azimuths: [Double]
    /// The Sun and Moon at each instant.
    public let sky: [SkyConditions]
    /// The targets' ICRS unit vectors and, per instant, the Moon's apparent direction with
    /// the observer's velocity: Moon separations without trigonometry.
    let directions: TargetDirections
    let moonTerms: [MoonTerm]

    /// Computes the grid.
    ///
    /// - Parameters:
    ///   - observer: where from (its atmosphere is ignored: the grid is unrefracted).
    ///   - targets: ICRS positions.
    ///   - instants: UTC instants.
    ///   - threads: how many threads to split targets over (1 or more; default all cores).
    /// - Throws: ``SkyError`` when ERFA cannot handle an instant.
    public init(observer: Observer, targets: [EquatorialCoordinates], instants: [Date], threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(SkyError) {
        self.init(timeline: try SkyTimeline(observer: observer, instants: instants), targets: targets, threads: threads)
    }

    /// Computes the grid from frames already built (one per instant).
    public init(frames: [ObservingFrame], targets: [EquatorialCoordinates], threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.init(timeline: SkyTimeline(frames: frames), targets: targets, threads: threads)
    }

    /// Computes the grid on a timeline built once and reused (the Sun and Moon are already
    /// known; only the targets are new).
    public init(timeline: SkyTimeline, targets: [EquatorialCoordinates], threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.init(timeline: timeline, targets: targets, wanted: nil, threads: threads)
    }

    /// Computes the grid only where the planner looks: at the instants where `screen` flags a
    /// target (``AltitudeScreen/isAbove(_:targets:frames:threads:)`` with the same targets and
    /// the timeline's frames) and next to them. Everywhere else the altitude is recorded as
    /// −90° and the azimuth as 0°. Those instants are below the screened altitude and so are
    /// their neighbours' pairs, so a consumer that asks for at least the screened altitude,
    /// interpolating between neighbouring instants, sees exactly what the full grid would give.
    package init(timeline: SkyTimeline, targets: [EquatorialCoordinates], screen: [Bool], threads: Int) {
        precondition(screen.count == targets.count * timeline.instants.count, "one screen flag per target and instant")
        self.init(timeline: timeline, targets: targets, wanted: screen, threads: threads)
    }

    private init(timeline: SkyTimeline, targets: [EquatorialCoordinates], wanted: [Bool]?, threads: Int) {
        self.instants = timeline.instants
        self.targetCount = targets.count
        self.sky = timeline.sky
        self.directions = TargetDirections(targets)
        self.moonTerms = timeline.moonTerms
        var altitudes = [Double](repeating: 0, count: targets.count * timeline.instants.count)
        var azimuths = altitudes
        HorizonKernel.run(directions, timeline.parameters, altitudes: &altitudes, azimuths: &azimuths, wanted: wanted, threads: max(1, threads))
        self.altitudes = altitudes
        self.azimuths = azimuths
    }

    /// The altitude of a target at an instant, degrees.
    @inlinable
    public func altitudeDegrees(target: Int, instant: Int) -> Double { altitudes[target * instants.count + instant] }

    /// The azimuth of a target at an instant, degrees.
    @inlinable
    public func azimuthDegrees(target: Int, instant: Int) -> Double { azimuths[target * instants.count + instant] }

    /// sec z airmass of a target at an instant (`.infinity` below the horizon).
    public func airmass(target: Int, instant: Int) -> Double {
        Airmass.secantZenith(altitudeDegrees: altitudeDegrees(target: target, instant: instant))
    }

    /// The Moon–target separation at an instant, degrees (both apparent and topocentric).
    public func moonSeparationDegrees(target: Int, instant: Int) -> Double {
        acos(max(-1, min(1, moonSeparationCosine(target: target, instant: instant)))) * 180 / .pi
    }

    /// The cosine of the Moon–target separation at an instant: compare it with the cosine of
    /// a limit (a larger cosine is a smaller separation) and no trigonometry is needed.
    ///
    /// The target's apparent direction is its ICRS direction with first-order annual
    /// aberration, p + v − (p·v) p (the second-order terms are v² ≈ 1e-8 rad, 2 mas; light
    /// deflection, under 0.02″ beyond 10° from the Sun, is left out), against the Moon's
    /// apparent topocentric direction in the same axes.
    public func moonSeparationCosine(target: Int, instant: Int) -> Double {
        let term = moonTerms[instant]
        let px = directions.x[target], py = directions.y[target], pz = directions.z[target]
        let pm = px * term.moon.x + py * term.moon.y + pz * term.moon.z
        let pv = px * term.velocity.x + py * term.velocity.y + pz * term.velocity.z
        return pm * (1 - pv) + term.moonDotVelocity
    }

    /// Which (target, instant) pairs meet the constraints (altitude, airmass, horizon mask,
    /// darkness, Moon separation and brightness) with no mount limit and no time window.
    public func observability(constraints: ObservingConstraints, horizon: HorizonMask = .flat()) -> ObservabilityMask {
        observability(ObservingLimits(constraints, horizon: horizon))
    }

    /// Which (target, instant) pairs meet a set of limits: at every pair, exactly what
    /// ``ObservingLimits/isObservable(_:)`` says of the grid's sample there.
    public func observability(_ limits: ObservingLimits) -> ObservabilityMask {
        let instantCount = instants.count
        let instantAllowed = (0..<instantCount).map { instant in
            let sky = sky[instant]
            return sky.sunAltitudeDegrees <= limits.highestSunAltitudeDegrees
                && limits.moonBrightnessAllows(moonAltitudeDegrees: sky.moonAltitudeDegrees, moonIllumination: sky.moonIllumination)
                && limits.windowContains(start: instants[instant], end: instants[instant])
        }
        let lowest = limits.lowestAltitudeDegrees
        let maskHighest = limits.highestMaskAltitudeDegrees
        let minimumSeparation = limits.smallestMoonSeparationDegrees
        let largestCosine = cos(minimumSeparation * .pi / 180)
        var bits = [Bool](repeating: false, count: altitudes.count)
        for target in 0..<targetCount {
            let row = target * instantCount
            for instant in 0..<instantCount where instantAllowed[instant] {
                let altitude = altitudes[row + instant]
                guard altitude >= lowest else { continue }
                if altitude < maskHighest, altitude < limits.lowestAltitudeDegrees(atAzimuthDegrees: azimuths[row + instant]) { continue }
                if minimumSeparation > 0, moonSeparationCosine(target: target, instant: instant) > largestCosine { continue }
                bits[row + instant] = true
            }
        }
        return ObservabilityMask(targetCount: targetCount, instantCount: instantCount, bits: bits)
    }
}

/// The target-independent sky at a series of instants from one observer: the frames, the
/// Sun and the Moon. Build it once (a night, or the next day at a site) and make any number
/// of ``VisibilityGrid``s on it; each then costs only the per-target kernel.
public struct SkyTimeline: Sendable {
    public let instants: [Date]
    /// The Sun and Moon at each instant.
    public let sky: [SkyConditions]
    let parameters: [KernelParameters]
    let moonTerms: [MoonTerm]

    /// Builds the timeline from frames (one per instant).
    public init(frames: [ObservingFrame]) {
        instants = frames.map(\.date)
        sky = frames.map(SkyConditions.init(frame:))
        parameters = frames.map(KernelParameters.init(frame:))
        moonTerms = zip(sky, parameters).map { MoonTerm(moon: $0.moonDirection, velocity: $1.v) }
    }

    /// Builds the timeline of an observer at instants (geometric: no refraction).
    public init(observer: Observer, instants: [Date]) throws(SkyError) {
        let geometric = observer.geometric
        var frames: [ObservingFrame] = []
        frames.reserveCapacity(instants.count)
        for instant in instants { frames.append(try geometric.frame(at: instant)) }
        self.init(frames: frames)
    }

    /// The unrefracted altitude and azimuth of any position at one of the timeline's instants,
    /// by the grid's kernel (within 0.005″ of ERFA): for the odd position a decision needs
    /// besides its grid's targets (where a telescope points now).
    public func horizontal(of target: EquatorialCoordinates, instant: Int) -> HorizontalCoordinates {
        let (altitude, azimuth) = HorizonKernel.horizontal(of: target, parameters[instant])
        return HorizontalCoordinates(altitude: .degrees(altitude), azimuth: .degrees(azimuth))
    }

    /// Evenly spaced instants covering an interval, ends included.
    public static func instants(covering interval: DateInterval, step: TimeInterval) -> [Date] {
        precondition(step > 0, "a timeline step must be positive")
        let count = Int((interval.duration / step).rounded(.down)) + 1
        return (0..<count).map { interval.start.addingTimeInterval(Double($0) * step) }
    }
}

/// The Moon's apparent direction (unit vector, BCRS axes) and the observer's barycentric
/// velocity (units of c) at one instant, for ``VisibilityGrid/moonSeparationCosine(target:instant:)``.
struct MoonTerm: Sendable {
    let moon: SIMD3<Double>
    let velocity: SIMD3<Double>
    let moonDotVelocity: Double

    init(moon: SIMD3<Double>, velocity: SIMD3<Double>) {
        self.moon = moon
        self.velocity = velocity
        self.moonDotVelocity = (moon * velocity).sum()
    }
}

/// The Sun and Moon at one instant of a ``VisibilityGrid``.
public struct SkyConditions: Sendable, Hashable {
    public let sunAltitudeDegrees: Double
    public let moonAltitudeDegrees: Double
    public let moonAzimuthDegrees: Double
    /// Illuminated fraction of the Moon, 0…1.
    public let moonIllumination: Double
    /// The Moon's apparent direction, unit vector in BCRS axes.
    let moonDirection: SIMD3<Double>

    init(frame: ObservingFrame) {
        let moon = frame.moon, sun = frame.sun
        sunAltitudeDegrees = sun.horizontal.altitude.degrees
        moonAltitudeDegrees = moon.horizontal.altitude.degrees
        moonAzimuthDegrees = moon.horizontal.azimuth.degrees
        moonIllumination = ObservingFrame.illumination(sun: sun, moon: moon)
        moonDirection = moon.direction
    }
}

/// Which (target, instant) pairs of a grid are observable.
public struct ObservabilityMask: Sendable {
    public let targetCount: Int
    public let instantCount: Int
    /// Target-major flags.
    public let bits: [Bool]

    public func isObservable(target: Int, instant: Int) -> Bool { bits[target * instantCount + instant] }

    /// The runs of consecutive observable instants of a target, as index ranges.
    public func windows(target: Int) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start: Int?
        let row = target * instantCount
        for instant in 0..<instantCount {
            if bits[row + instant] {
                if start == nil { start = instant }
            } else if let first = start {
                result.append(first..<instant)
                start = nil
            }
        }
        if let first = start { result.append(first..<instantCount) }
        return result
    }

    /// How many instants of a target are observable.
    public func observableCount(target: Int) -> Int {
        bits[(target * instantCount)..<((target + 1) * instantCount)].reduce(0) { $0 + ($1 ? 1 : 0) }
    }
}

/// Great-circle distance between two horizontal directions given in degrees.
package func horizontalSeparationDegrees(_ altitude1: Double, _ azimuth1: Double, _ altitude2: Double, _ azimuth2: Double) -> Double {
    let degrees = Double.pi / 180
    let h1 = altitude1 * degrees, h2 = altitude2 * degrees
    let cosine = sin(h1) * sin(h2) + cos(h1) * cos(h2) * cos((azimuth1 - azimuth2) * degrees)
    return acos(max(-1, min(1, cosine))) / degrees
}
