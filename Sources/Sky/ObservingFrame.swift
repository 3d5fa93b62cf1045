public import Foundation
internal import CERFA
public import StarlingCore

/// Everything about the sky at one instant seen from one place that does not depend on the
/// target: ERFA's star-independent astrometry parameters (`eraApco13`), plus the same
/// transformation folded into one rotation matrix for the fast path.
///
/// Build one per instant with ``Observer/frame(at:)`` and ask it about any number of targets:
///
/// ```swift
/// let observer = Observer(site: xinglong)
/// let frame = try observer.frame(at: date)
/// let m31 = frame.horizontal(of: andromeda)      // apparent altitude/azimuth
/// let sun = frame.sun.horizontal.altitude
/// ```
///
/// Positions are apparent and topocentric: ICRS → light deflection by the Sun → annual and
/// diurnal aberration → precession-nutation (IAU 2006/2000A) → Earth rotation (UT1) → polar
/// motion → horizon, as `eraAtco13` does; refraction is added when the observer's
/// ``Atmosphere`` has a pressure.
public struct ObservingFrame: Sendable {
    /// The instant (UTC).
    public let date: Date
    /// Whether ERFA flagged the year as "dubious" (outside its leap-second table's reliable
    /// span, e.g. after 2027 in Debian's build): results are computed but UTC−TAI may be off
    /// by a future leap second.
    public let isDubiousYear: Bool

    let astrom: eraASTROM
    /// ERA − GST, radians (ERFA's equation of the origins).
    let equationOfOrigins: Double
    let tt: (Double, Double)
    let ut1: (Double, Double)
    let longitudeRadians: Double
    /// ICRS-proper-direction (after deflection and aberration) → unnormalised (S, E, up)
    /// horizon vector, and the diurnal-aberration offset added to it (see `eraAtioq`).
    let horizonMatrix: SIMD9
    let diurnalOffset: Double

    init(date: Date, location: GeodeticLocation, orientation: EarthOrientation, atmosphere: Atmosphere) throws(SkyError) {
        guard date.timeIntervalSince1970.isFinite else { throw SkyError(.notFinite, "the instant is not a finite time") }
        try orientation.validate()
        try atmosphere.validate()
        let (utc1, utc2) = try JulianDate.utc(date)
        var astrom = eraASTROM()
        var eo = 0.0
        let status = eraApco13(
            utc1, utc2, orientation.ut1MinusUTCSeconds, location.longitude.radians, location.latitude.radians,
            location.elevationMeters, orientation.polarMotionX.radians, orientation.polarMotionY.radians,
            atmosphere.pressureHectopascals, atmosphere.temperatureCelsius, atmosphere.relativeHumidity,
            atmosphere.wavelengthMicrometers, &astrom, &eo)
        guard status >= 0 else {
            throw SkyError(.unacceptableDate, "ERFA cannot compute positions for \(ISO8601.string(from: date)) (status \(status))")
        }
        self.date = date
        self.isDubiousYear = status == 1
        self.astrom = astrom
        self.equationOfOrigins = eo
        self.tt = try JulianDate.terrestrialTime(utc1, utc2)
        self.ut1 = try JulianDate.universalTime(utc1, utc2, dut1: orientation.ut1MinusUTCSeconds)
        self.longitudeRadians = location.longitude.radians
        (horizonMatrix, diurnalOffset) = Self.fold(astrom)
    }

    /// Folds `eraAtioq`'s steps after the bias-precession-nutation rotation into one matrix:
    /// A(φ) · P(xp, yp) · Rz(ERA_local) · BPN, where A takes −HA,Dec to (S, E, up) and P is
    /// polar motion; diurnal aberration adds `diurab` to the E component (the common scale
    /// factor `eraAtioq` applies does not change the direction).
    private static func fold(_ astrom: eraASTROM) -> (SIMD9, Double) {
        let bpn = astrom.bpn
        let b = SIMD9(bpn.0.0, bpn.0.1, bpn.0.2, bpn.1.0, bpn.1.1, bpn.1.2, bpn.2.0, bpn.2.1, bpn.2.2)
        let c = cos(astrom.eral), s = sin(astrom.eral)
        let rz = SIMD9(c, s, 0, -s, c, 0, 0, 0, 1)
        let sx = sin(astrom.xpl), cx = cos(astrom.xpl), sy = sin(astrom.ypl), cy = cos(astrom.ypl)
        let polar = SIMD9(cx, 0, sx, sx * sy, cy, -cx * sy, -sx * cy, sy, cx * cy)
        let horizon = SIMD9(astrom.sphi, 0, -astrom.cphi, 0, 1, 0, astrom.cphi, 0, astrom.sphi)
        return (horizon * (polar * (rz * b)), astrom.diurab)
    }

    // MARK: Targets

    /// The apparent place of a target in CIRS (right ascension from the CIO), radians.
    func intermediatePlace(of target: EquatorialCoordinates) -> (ra: Double, dec: Double) {
        var local = astrom
        var ri = 0.0, di = 0.0
        eraAtciqz(target.rightAscension.radians, target.declination.radians, &local, &ri, &di)
        return (ri, di)
    }

    /// The apparent altitude and azimuth of a target (ICRS, no proper motion or parallax),
    /// refracted if the observer's atmosphere has a pressure. Exact ERFA path
    /// (`eraAtciqz` + `eraAtioq`).
    public func horizontal(of target: EquatorialCoordinates) -> HorizontalCoordinates {
        let (ri, di) = intermediatePlace(of: target)
        return horizontal(intermediateRA: ri, declination: di)
    }

    func horizontal(intermediateRA ri: Double, declination di: Double) -> HorizontalCoordinates {
        var local = astrom
        var aob = 0.0, zob = 0.0, hob = 0.0, dob = 0.0, rob = 0.0
        eraAtioq(ri, di, &local, &aob, &zob, &hob, &dob, &rob)
        return HorizontalCoordinates(altitude: .radians(.pi / 2 - zob), azimuth: .radians(aob))
    }

    /// The local hour angle of a target: local apparent sidereal time minus its apparent
    /// right ascension (true equator and equinox of date), in −180…180°.
    public func hourAngle(of target: EquatorialCoordinates) -> Angle {
        let (ri, _) = intermediatePlace(of: target)
        return Angle.radians(astrom.eral - ri).normalizedSigned
    }

    /// The apparent place of a target in the true equator and equinox of date (what a
    /// telescope's mount points at, and what `eraAtco13` calls geocentric apparent).
    public func apparentPlace(of target: EquatorialCoordinates) -> (rightAscension: Angle, declination: Angle) {
        let (ri, di) = intermediatePlace(of: target)
        return (Angle.radians(ri - equationOfOrigins).normalizedPositive, .radians(di))
    }

    /// The parallactic angle of a target: the angle between the direction to the pole and
    /// the zenith at the target, positive when the target is west of the meridian (`eraHd2pa`).
    public func parallacticAngle(of target: EquatorialCoordinates) -> Angle {
        let (ri, di) = intermediatePlace(of: target)
        return .radians(eraHd2pa(astrom.eral - ri, di, astrom.phi))
    }

    /// Local apparent sidereal time: Greenwich apparent sidereal time (`eraGst06a`) plus the
    /// site's east longitude, 0..<360°.
    public var localSiderealTime: Angle {
        Angle.radians(eraGst06a(ut1.0, ut1.1, tt.0, tt.1) + longitudeRadians).normalizedPositive
    }

    /// Greenwich mean sidereal time (IAU 2006, `eraGmst06`), 0..<360°.
    public var greenwichMeanSiderealTime: Angle {
        Angle.radians(eraGmst06(ut1.0, ut1.1, tt.0, tt.1)).normalizedPositive
    }

    /// The ICRS position that appears at a given altitude and azimuth now (the inverse of
    /// ``horizontal(of:)``, e.g. where a parked or drifting telescope points).
    /// - Throws: ``SkyError`` `.notFinite` when the position is not finite.
    public func equatorial(of position: HorizontalCoordinates) throws(SkyError) -> EquatorialCoordinates {
        guard position.altitude.isFinite, position.azimuth.isFinite else {
            throw SkyError(.notFinite, "altitude and azimuth must be finite")
        }
        var local = astrom
        var ri = 0.0, di = 0.0, rc = 0.0, dc = 0.0
        eraAtoiq("A", position.azimuth.radians, .pi / 2 - position.altitude.radians, &local, &ri, &di)
        eraAticq(ri, di, &local, &rc, &dc)
        do {
            return try EquatorialCoordinates(rightAscension: .radians(rc), declination: .radians(dc))
        } catch {
            throw SkyError(.notFinite, "ERFA gave no position for altitude \(position.altitude), azimuth \(position.azimuth): \(error)")
        }
    }

    // MARK: Sun and Moon

    /// The Sun's apparent topocentric position (centre of the disc).
    public var sun: BodyPosition {
        // Observer → Sun is −eh (eh: Sun → observer, unit); aberration with the observer's
        // barycentric velocity; light time moves the Sun by < 0.01″ and is ignored.
        let toSun = -SIMD3(astrom.eh.0, astrom.eh.1, astrom.eh.2)
        return body(direction: aberrated(toSun), distanceAU: astrom.em)
    }

    /// The Moon's apparent topocentric position (ERFA's `eraMoon98`, about 10″ accuracy,
    /// light time included).
    public var moon: BodyPosition {
        // Astrometric place: the Moon's barycentric position when the light left it minus the
        // observer's barycentric position now, then aberration with the observer's velocity.
        // (Subtracting geocentric vectors instead would ignore the Earth's 30 km/s over the
        // 1.3 s of light time: 40 km, 20″.) Over 1.3 s the Earth's path is straight, so its
        // position at emission is its position now minus velocity × light time.
        let earth = Self.earthBarycentric(tt.0, tt.1)
        let observer = SIMD3(astrom.eb.0, astrom.eb.1, astrom.eb.2)
        let now = Self.moonGeocentric(tt.0, tt.1) + earth.position - observer
        let lightDays = length(now) * 499.004_783_836 / 86_400
        let relative = Self.moonGeocentric(tt.0, tt.1 - lightDays) + earth.position - earth.velocity * lightDays - observer
        let distance = length(relative)
        return body(direction: aberrated(relative / distance), distanceAU: distance)
    }

    /// The Moon's illuminated fraction, 0…1, from the topocentric phase angle i:
    /// (1 + cos i) / 2 with tan i = r☉ sin ψ / (r☾ − r☉ cos ψ), ψ the Sun–Moon elongation
    /// (the formula astroplan uses).
    public var moonIllumination: Double { Self.illumination(sun: sun, moon: moon) }

    /// The Moon's illuminated fraction from positions already computed (``sun`` and ``moon``
    /// each cost an ephemeris evaluation: take them once when several quantities need them).
    public static func illumination(sun: BodyPosition, moon: BodyPosition) -> Double {
        let elongation = acos(max(-1, min(1, dot(sun.direction, moon.direction))))
        let phase = atan2(sun.distanceAU * sin(elongation), moon.distanceAU - sun.distanceAU * cos(elongation))
        return (1 + cos(phase)) / 2
    }

    /// The angle between the Moon and a target, both apparent and topocentric.
    public func moonSeparation(from target: EquatorialCoordinates) -> Angle {
        separation(from: target, to: moon)
    }

    /// The angle between the Sun's centre and a target, both apparent and topocentric.
    public func sunSeparation(from target: EquatorialCoordinates) -> Angle {
        separation(from: target, to: sun)
    }

    /// The angle between a target and a body whose position is already computed (e.g. one
    /// ``moon`` serving several targets or quantities), both apparent and topocentric.
    public func separation(from target: EquatorialCoordinates, to body: BodyPosition) -> Angle {
        let (ri, di) = intermediatePlace(of: target)
        let targetVector = SIMD3(cos(di) * cos(ri), cos(di) * sin(ri), sin(di))
        let bodyVector = bpnTimes(body.direction)
        let crossed = cross(targetVector, bodyVector)
        return .radians(atan2(length(crossed), dot(targetVector, bodyVector)))
    }

    /// Annual aberration of a unit vector for this observer (`eraAb`).
    private func aberrated(_ direction: SIMD3<Double>) -> SIMD3<Double> {
        var natural = (direction.x, direction.y, direction.z)
        var velocity = astrom.v
        var proper = (0.0, 0.0, 0.0)
        withUnsafeMutablePointer(to: &natural) { n in
            withUnsafeMutablePointer(to: &velocity) { v in
                withUnsafeMutablePointer(to: &proper) { p in
                    n.withMemoryRebound(to: Double.self, capacity: 3) { np in
                        v.withMemoryRebound(to: Double.self, capacity: 3) { vp in
                            p.withMemoryRebound(to: Double.self, capacity: 3) { pp in
                                eraAb(np, vp, astrom.em, astrom.bm1, pp)
                            }
                        }
                    }
                }
            }
        }
        return SIMD3(proper.0, proper.1, proper.2)
    }

    /// BPN · v: BCRS proper direction to CIRS.
    private func bpnTimes(_ v: SIMD3<Double>) -> SIMD3<Double> {
        let m = astrom.bpn
        return SIMD3(
            m.0.0 * v.x + m.0.1 * v.y + m.0.2 * v.z,
            m.1.0 * v.x + m.1.1 * v.y + m.1.2 * v.z,
            m.2.0 * v.x + m.2.1 * v.y + m.2.2 * v.z)
    }

    private func body(direction: SIMD3<Double>, distanceAU: Double) -> BodyPosition {
        let cirs = bpnTimes(direction)
        let ri = atan2(cirs.y, cirs.x), di = atan2(cirs.z, (cirs.x * cirs.x + cirs.y * cirs.y).squareRoot())
        return BodyPosition(
            horizontal: horizontal(intermediateRA: ri, declination: di), distanceAU: distanceAU, direction: direction,
            apparentRightAscension: Angle.radians(ri - equationOfOrigins).normalizedPositive, apparentDeclination: .radians(di))
    }

    /// The Moon's geocentric position (GCRS ≈ BCRS axes), AU, from `eraMoon98`; TT stands in
    /// for TDB (< 2 ms).
    private static func moonGeocentric(_ tt1: Double, _ tt2: Double) -> SIMD3<Double> {
        var moon = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
        withUnsafeMutablePointer(to: &moon) { pointer in
            pointer.withMemoryRebound(to: (Double, Double, Double).self, capacity: 2) { eraMoon98(tt1, tt2, $0) }
        }
        return SIMD3(moon.0.0, moon.0.1, moon.0.2)
    }

    /// The Earth's barycentric position (AU) and velocity (AU/day) from `eraEpv00`.
    private static func earthBarycentric(_ tt1: Double, _ tt2: Double) -> (position: SIMD3<Double>, velocity: SIMD3<Double>) {
        var heliocentric = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
        var barycentric = heliocentric
        withUnsafeMutablePointer(to: &heliocentric) { h in
            withUnsafeMutablePointer(to: &barycentric) { b in
                h.withMemoryRebound(to: (Double, Double, Double).self, capacity: 2) { hp in
                    b.withMemoryRebound(to: (Double, Double, Double).self, capacity: 2) { bp in
                        // Status +1 (outside 1900–2100) only degrades accuracy; positions are still given.
                        _ = eraEpv00(tt1, tt2, hp, bp)
                    }
                }
            }
        }
        return (SIMD3(barycentric.0.0, barycentric.0.1, barycentric.0.2), SIMD3(barycentric.1.0, barycentric.1.1, barycentric.1.2))
    }
}

/// Where a solar-system body appears from the observer.
public struct BodyPosition: Sendable, Hashable {
    /// Apparent altitude and azimuth (refracted if the observer's atmosphere has a pressure).
    public let horizontal: HorizontalCoordinates
    /// Distance from the observer, astronomical units.
    public let distanceAU: Double
    /// Apparent direction from the observer, unit vector on BCRS axes (after aberration).
    let direction: SIMD3<Double>
    /// Apparent right ascension and declination (true equator and equinox of date).
    public let apparentRightAscension: Angle
    public let apparentDeclination: Angle
}

/// A 3×3 matrix stored row-major, with just the products the frame needs.
struct SIMD9: Sendable {
    var m: (Double, Double, Double, Double, Double, Double, Double, Double, Double)

    init(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double, _ f: Double, _ g: Double, _ h: Double, _ i: Double) {
        m = (a, b, c, d, e, f, g, h, i)
    }

    static func * (l: SIMD9, r: SIMD9) -> SIMD9 {
        let a = l.m, b = r.m
        return SIMD9(
            a.0 * b.0 + a.1 * b.3 + a.2 * b.6, a.0 * b.1 + a.1 * b.4 + a.2 * b.7, a.0 * b.2 + a.1 * b.5 + a.2 * b.8,
            a.3 * b.0 + a.4 * b.3 + a.5 * b.6, a.3 * b.1 + a.4 * b.4 + a.5 * b.7, a.3 * b.2 + a.4 * b.5 + a.5 * b.8,
            a.6 * b.0 + a.7 * b.3 + a.8 * b.6, a.6 * b.1 + a.7 * b.4 + a.8 * b.7, a.6 * b.2 + a.7 * b.5 + a.8 * b.8)
    }
}

func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }
func length(_ a: SIMD3<Double>) -> Double { dot(a, a).squareRoot() }
func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
