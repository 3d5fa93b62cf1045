public import Foundation
internal import CERFA
public import StarlingCore

/// ICRS unit vectors of a list of targets, as three contiguous arrays (structure of arrays,
/// so the kernels' inner loops stream through memory). Build once, reuse for every night.
public struct TargetDirections: Sendable {
    let x: [Double], y: [Double], z: [Double]

    public init(_ targets: [EquatorialCoordinates]) {
        var x = [Double](), y = [Double](), z = [Double]()
        x.reserveCapacity(targets.count); y.reserveCapacity(targets.count); z.reserveCapacity(targets.count)
        for target in targets {
            let ra = target.rightAscension.radians, dec = target.declination.radians
            x.append(cos(dec) * cos(ra)); y.append(cos(dec) * sin(ra)); z.append(sin(dec))
        }
        self.x = x; self.y = y; self.z = z
    }

    /// How many targets.
    public var count: Int { x.count }
}

/// The per-instant numbers the kernel needs, unpacked from an ``ObservingFrame``.
struct KernelParameters: Sendable {
    /// Sun → observer unit vector and distance (AU), for light deflection (`eraLdsun`).
    let eh: SIMD3<Double>
    let em: Double
    /// Observer's barycentric velocity (units of c) and √(1 − v²), for aberration (`eraAb`).
    let v: SIMD3<Double>
    let bm1: Double
    /// The folded rotation to the (S, E, up) horizon frame and the diurnal aberration term.
    let m: (Double, Double, Double, Double, Double, Double, Double, Double, Double)
    let diurab: Double

    init(frame: ObservingFrame) {
        let a = frame.astrom
        eh = SIMD3(a.eh.0, a.eh.1, a.eh.2)
        em = a.em
        v = SIMD3(a.v.0, a.v.1, a.v.2)
        bm1 = a.bm1
        m = frame.horizonMatrix.m
        diurab = frame.diurnalOffset
    }
}

/// The fast path from ICRS directions to apparent altitude and azimuth.
enum HorizonKernel {
    /// Schwarzschild radius of the Sun in AU (ERFA's `ERFA_SRS`).
    static let schwarzschildRadiusAU = 1.97412574336e-8
    /// The altitude recorded where a screened grid is not computed: below every limit.
    static let unscreenedAltitudeDegrees = -90.0

    /// Fills `altitudes` and `azimuths` (degrees, target-major) for every target and instant,
    /// or, given `wanted` flags (same layout), only at flagged instants and their neighbours;
    /// the others get ``unscreenedAltitudeDegrees`` and azimuth 0.
    static func run(
        _ targets: TargetDirections, _ instants: [KernelParameters], altitudes: inout [Double], azimuths: inout [Double], wanted: [Bool]? = nil,
        threads: Int
    ) {
        let targetCount = targets.count, instantCount = instants.count
        guard targetCount > 0, instantCount > 0 else { return }
        let chunks = min(threads, targetCount)
        altitudes.withUnsafeMutableBufferPointer { altitudeBuffer in
            azimuths.withUnsafeMutableBufferPointer { azimuthBuffer in
                let altitudeOut = SendablePointer(altitudeBuffer.baseAddress!)
                let azimuthOut = SendablePointer(azimuthBuffer.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let first = chunk * targetCount / chunks, last = (chunk + 1) * targetCount / chunks
                    compute(targets, first..<last, instants, wanted, altitudeOut.pointer, azimuthOut.pointer)
                }
            }
        }
    }

    /// The kernel for one slice of targets: for each instant, light deflection by the Sun
    /// (`eraLd` with q = p), aberration (`eraAb`), the folded rotation, diurnal aberration,
    /// then altitude and azimuth from the horizon vector. Writes disjoint rows only.
    private static func compute(
        _ targets: TargetDirections, _ range: Range<Int>, _ instants: [KernelParameters], _ wanted: [Bool]?,
        _ altitudes: UnsafeMutablePointer<Double>, _ azimuths: UnsafeMutablePointer<Double>
    ) {
        let instantCount = instants.count
        // Per-instant constants, derived once: SRS/em serves both the deflection (eraLd) and
        // aberration's gravitational term (eraAb); eraLdsun never divides by less than 1e-6/em².
        let gravitational = instants.map { schwarzschildRadiusAU / $0.em }
        let limits = instants.map { 1e-6 / max(1, $0.em * $0.em) }
        // Target-outer, instant-inner: each target's row of the output is written contiguously.
        instants.withUnsafeBufferPointer { parameters in
            gravitational.withUnsafeBufferPointer { gravitational in
                limits.withUnsafeBufferPointer { limits in
                    for target in range {
                        let px = targets.x[target], py = targets.y[target], pz = targets.z[target]
                        let altitudeRow = altitudes + target * instantCount
                        let azimuthRow = azimuths + target * instantCount
                        let wantedRow = wanted.map { ($0, target * instantCount) }
                        for instant in 0..<instantCount {
                            if let (flags, row) = wantedRow,
                                !(flags[row + instant] || (instant > 0 && flags[row + instant - 1])
                                    || (instant + 1 < instantCount && flags[row + instant + 1]))
                            {
                                altitudeRow[instant] = unscreenedAltitudeDegrees
                                azimuthRow[instant] = 0
                                continue
                            }
                            let (altitude, azimuth) = point(
                                px, py, pz, parameters[instant], gravitational: gravitational[instant], limit: limits[instant])
                            altitudeRow[instant] = altitude
                            azimuthRow[instant] = azimuth
                        }
                    }
                }
            }
        }
    }
}

extension HorizonKernel {
    /// One target direction at one instant: light deflection by the Sun (`eraLd` with q = p),
    /// aberration (`eraAb`), the folded rotation, diurnal aberration, then altitude and azimuth
    /// (degrees, azimuth 0..<360) from the horizon vector.
    ///
    /// - Parameters:
    ///   - gravitational: SRS / em for the instant (the deflection's and aberration's term).
    ///   - limit: the smallest denominator `eraLdsun` allows, 1e-6 / max(1, em²).
    @inline(__always)
    static func point(
        _ px: Double, _ py: Double, _ pz: Double, _ parameters: KernelParameters, gravitational g: Double, limit: Double
    ) -> (altitude: Double, azimuth: Double) {
        let toDegrees = 180 / Double.pi
        let e = parameters.eh, v = parameters.v, m = parameters.m, bm1 = parameters.bm1
        // Light deflection: p1 = p + w (e − (p·e) p), w = SRS/em / (1 + p·e).
        let pe = px * e.x + py * e.y + pz * e.z
        let w = g / max(1 + pe, limit)
        let qx = px + w * (e.x - pe * px), qy = py + w * (e.y - pe * py), qz = pz + w * (e.z - pe * pz)
        // Aberration (eraAb), unnormalised: the direction is all we need.
        let pdv = qx * v.x + qy * v.y + qz * v.z
        let w1 = 1 + pdv / (1 + bm1)
        let rx = qx * bm1 + w1 * v.x + g * (v.x - pdv * qx)
        let ry = qy * bm1 + w1 * v.y + g * (v.y - pdv * qy)
        let rz = qz * bm1 + w1 * v.z + g * (v.z - pdv * qz)
        // Rotation to (S, E, up) plus diurnal aberration on E.
        let south = m.0 * rx + m.1 * ry + m.2 * rz
        let east = m.3 * rx + m.4 * ry + m.5 * rz + parameters.diurab
        let up = m.6 * rx + m.7 * ry + m.8 * rz
        let horizontal = (south * south + east * east).squareRoot()
        let altitude = fastAtan2(up, horizontal) * toDegrees
        let azimuth = fastAtan2(east, -south) * toDegrees
        return (altitude, azimuth < 0 ? azimuth + 360 : azimuth)
    }

    /// One target at one instant of a timeline, degrees (the grid's fast path, unrefracted).
    static func horizontal(of target: EquatorialCoordinates, _ parameters: KernelParameters) -> (altitude: Double, azimuth: Double) {
        let ra = target.rightAscension.radians, dec = target.declination.radians
        let g = schwarzschildRadiusAU / parameters.em
        return point(cos(dec) * cos(ra), cos(dec) * sin(ra), sin(dec), parameters, gravitational: g, limit: 1e-6 / max(1, parameters.em * parameters.em))
    }
}

/// A raw pointer handed to concurrent workers that write disjoint parts of one buffer.
/// `@unchecked Sendable` is sound because each worker writes only its own targets' rows and
/// the buffer outlives `concurrentPerform`, which returns only when all workers are done.
struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
}

/// The altitude-only test the planner runs most: is each target above a limit at each
/// instant? No trigonometry: with first-order aberration p' ≈ p + v − (p·v) p (second-order
/// terms are v² ≈ 1e-8 rad, 2 mas) the sine of the altitude is linear in p, and light
/// deflection (< 0.02″ beyond 10° from the Sun) is dropped.
public enum AltitudeScreen {
    /// Flags, target-major, of whether each target is at or above `minimumAltitude` at each frame's instant.
    public static func isAbove(_ minimumAltitude: Angle, targets: TargetDirections, frames: [ObservingFrame], threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Bool] {
        isAbove(minimumAltitude, targets: targets, parameters: frames.map(KernelParameters.init(frame:)), threads: threads)
    }

    /// The same flags at a timeline's instants.
    package static func isAbove(_ minimumAltitude: Angle, targets: TargetDirections, timeline: SkyTimeline, threads: Int = 1) -> [Bool] {
        isAbove(minimumAltitude, targets: targets, parameters: timeline.parameters, threads: threads)
    }

    private static func isAbove(_ minimumAltitude: Angle, targets: TargetDirections, parameters: [KernelParameters], threads: Int) -> [Bool] {
        let instantCount = parameters.count, targetCount = targets.count
        var flags = [Bool](repeating: false, count: instantCount * targetCount)
        guard instantCount > 0, targetCount > 0 else { return flags }
        let threshold = sin(minimumAltitude.radians)
        // Per instant: the "up" row of the rotation, the velocity, and m·v.
        let rows: [(SIMD3<Double>, SIMD3<Double>, Double)] = parameters.map { parameters in
            let m = parameters.m
            let up = SIMD3(m.6, m.7, m.8)
            return (up, parameters.v, (up * parameters.v).sum())
        }
        let chunks = min(max(1, threads), targetCount)
        flags.withUnsafeMutableBufferPointer { buffer in
            let out = SendableFlags(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let first = chunk * targetCount / chunks, last = (chunk + 1) * targetCount / chunks
                targets.x.withUnsafeBufferPointer { xs in
                    targets.y.withUnsafeBufferPointer { ys in
                        targets.z.withUnsafeBufferPointer { zs in
                            for target in first..<last {
                                let px = xs[target], py = ys[target], pz = zs[target]
                                let row = out.pointer + target * instantCount
                                for (instant, (up, v, mv)) in rows.enumerated() {
                                    let mp = up.x * px + up.y * py + up.z * pz
                                    let pv = v.x * px + v.y * py + v.z * pz
                                    row[instant] = mp * (1 - pv) + mv >= threshold
                                }
                            }
                        }
                    }
                }
            }
        }
        return flags
    }
}

/// Like ``SendablePointer``, for flags: workers write disjoint rows.
struct SendableFlags: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Bool>
    init(_ pointer: UnsafeMutablePointer<Bool>) { self.pointer = pointer }
}
