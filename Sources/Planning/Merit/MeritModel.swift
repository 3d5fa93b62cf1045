public import Foundation
public import StarlingCore

/// How much an observation of a target is worth at an instant, for one telescope: the
/// number the scheduler maximises, summed over a night.
///
/// Merit is a product of factors, each documented with its function below:
///
/// ```text
/// merit = P · C · U · A · S · W
/// P = 1 + priority                              (priority 0…10; fillers are still worth 1)
/// C = cadence: 0.1 + 0.9 r² before due (r = nights since last visit / cadence nights),
///     1 + 0.5 (r − 1) once overdue, capped at 3; 2 if never visited; 1 without cadence
/// U = urgency: 1, or for a request with a time-critical window 2 · (1 − ½ elapsed fraction)
///     of the window, times 3 for a follow-up
/// A = airmass^(−a)                              (sec z; a = 1: airmass 2 is worth half)
/// S = 1 / (1 + m · moonlight), moonlight = I · sin⁺(h☾) · f(ρ) / f(90°)
///     f(ρ) = 10^5.36 (1.06 + cos² ρ) + 10^(6.15 − ρ/40)  (Krisciunas & Schaefer 1991, PASP 103, 1033)
/// W = (1 − k · cloud) · clamp((θref / θ)^s, ¼, 1.5), θ = seeing · airmass^0.6
/// ```
///
/// `I` is the Moon's illuminated fraction, `h☾` its altitude and `ρ` its separation from the
/// target; `θ` is the delivered seeing (zenith seeing grows as airmass^0.6; Roddier 1981).
/// The cost of getting to a target (slew, settle, filter change, readout) is not a factor:
/// it uses time the plan cannot spend elsewhere, which the scheduler accounts for.
///
/// Constraints (altitude, airmass, darkness, Moon separation, horizon mask) are hard limits
/// checked elsewhere; merit only ranks what is allowed.
public struct MeritModel: Sendable, Hashable, Codable {
    /// `a` in A = airmass^(−a); 0 ignores airmass.
    public var airmassExponent: Double
    /// `m` in S = 1 / (1 + m · moonlight); 0 ignores the Moon.
    public var moonlightWeight: Double
    /// `k` in W: how much expected cloud lowers merit, 0…1; 0 ignores clouds.
    public var cloudWeight: Double
    /// `s` in W: how strongly seeing matters; 0 ignores it.
    public var seeingExponent: Double
    /// θref in W: the delivered seeing that counts as nominal.
    public var referenceSeeing: Angle
    /// Whether survey cadence is scored (C); `false` makes C = 1.
    public var scoresCadence: Bool
    /// C for a target with a cadence that was never observed.
    public var neverVisitedCadenceFactor: Double
    /// The largest C an overdue target reaches.
    public var maximumCadenceFactor: Double
    /// Extra factor for follow-up requests (part of U).
    public var followUpFactor: Double

    public init(
        airmassExponent: Double = 1, moonlightWeight: Double = 2, cloudWeight: Double = 0.9, seeingExponent: Double = 1,
        referenceSeeing: Angle = .arcseconds(1.5), scoresCadence: Bool = true, neverVisitedCadenceFactor: Double = 2,
        maximumCadenceFactor: Double = 3, followUpFactor: Double = 3
    ) {
        self.airmassExponent = airmassExponent
        self.moonlightWeight = moonlightWeight
        self.cloudWeight = min(1, max(0, cloudWeight))
        self.seeingExponent = seeingExponent
        self.referenceSeeing = referenceSeeing
        self.scoresCadence = scoresCadence
        self.neverVisitedCadenceFactor = neverVisitedCadenceFactor
        self.maximumCadenceFactor = maximumCadenceFactor
        self.followUpFactor = followUpFactor
    }

    /// The default model, documented above.
    public static let standard = MeritModel()

    /// Merit = P · C · U only: value depends on the target, not on when it is observed
    /// (astroplan's priority-weighted objective, used by the benchmark's integer programs).
    public static let priorityAndCadence = MeritModel(
        airmassExponent: 0, moonlightWeight: 0, cloudWeight: 0, seeingExponent: 0)

    /// Merit = P · U: priority only (no cadence, no sky).
    public static let priorityOnly = MeritModel(
        airmassExponent: 0, moonlightWeight: 0, cloudWeight: 0, seeingExponent: 0, scoresCadence: false)

    // MARK: Factors

    /// P: 1 + priority (priority clamped to 0…10).
    public func priorityWeight(_ priority: Double) -> Double { 1 + min(10, max(0, priority)) }

    /// C: how much the survey wants a target tonight, from its cadence and last visit.
    ///
    /// - Parameters:
    ///   - cadenceNights: desired nights between visits; `nil` for one-off targets (C = 1).
    ///   - lastVisit: when the last completed visit started; `nil` if never observed.
    ///   - time: the instant of the planned visit.
    public func cadenceFactor(cadenceNights: Double?, lastVisit: Date?, at time: Date) -> Double {
        guard scoresCadence, let cadence = cadenceNights, cadence > 0 else { return 1 }
        guard let lastVisit else { return neverVisitedCadenceFactor }
        let ratio = max(0, time.timeIntervalSince(lastVisit) / 86_400) / cadence
        if ratio < 1 { return 0.1 + 0.9 * ratio * ratio }
        return min(maximumCadenceFactor, 1 + 0.5 * (ratio - 1))
    }

    /// U: urgency of a request at an instant: 1 for a request without a window; inside a
    /// time-critical window 2 at its opening falling to 1 at its close; times
    /// ``followUpFactor`` for follow-ups.
    public func urgencyFactor(_ request: ObservationRequest, at time: Date) -> Double {
        var factor = request.kind == .followUp ? followUpFactor : 1
        if let window = request.window, window.duration > 0 {
            let elapsed = min(1, max(0, time.timeIntervalSince(window.start) / window.duration))
            factor *= 2 * (1 - 0.5 * elapsed)
        }
        return factor
    }

    /// A: airmass^(−a), from the unrefracted altitude (sec z); 0 at or below the horizon.
    public func airmassFactor(altitudeDegrees: Double) -> Double {
        guard altitudeDegrees > 0 else { return 0 }
        guard airmassExponent != 0 else { return 1 }
        let sine = sin(altitudeDegrees * .pi / 180)
        return airmassExponent == 1 ? sine : pow(sine, airmassExponent)
    }

    /// The Moon's scattered light towards a target relative to the light 90° from a Moon at
    /// the zenith: I · sin⁺(h☾) · f(ρ) / f(90°), with Krisciunas & Schaefer's scattering
    /// function f (Rayleigh plus Mie terms).
    public static func moonlight(moonAltitudeDegrees: Double, moonIllumination: Double, moonSeparationDegrees: Double) -> Double {
        guard moonAltitudeDegrees > 0, moonIllumination > 0 else { return 0 }
        let separation = max(0, moonSeparationDegrees)
        let cosine = cos(separation * .pi / 180)
        let scattering = rayleighCoefficient * (1.06 + cosine * cosine) + pow(10, 6.15 - separation / 40)
        return moonIllumination * sin(moonAltitudeDegrees * .pi / 180) * scattering / scatteringAt90
    }

    private static let rayleighCoefficient = pow(10, 5.36)
    private static let scatteringAt90 = pow(10, 5.36) * 1.06 + pow(10, 6.15 - 90.0 / 40)

    /// S: 1 / (1 + m · moonlight).
    public func skyFactor(moonAltitudeDegrees: Double, moonIllumination: Double, moonSeparationDegrees: Double) -> Double {
        guard moonlightWeight != 0 else { return 1 }
        let light = Self.moonlight(
            moonAltitudeDegrees: moonAltitudeDegrees, moonIllumination: moonIllumination, moonSeparationDegrees: moonSeparationDegrees)
        return 1 / (1 + moonlightWeight * light)
    }

    /// W: expected clear sky times image quality, at a target's altitude.
    public func weatherFactor(_ conditions: ExpectedConditions, altitudeDegrees: Double) -> Double {
        let clear = 1 - cloudWeight * conditions.cloudFraction
        guard seeingExponent != 0, altitudeDegrees > 0 else { return clear }
        let airmass = 1 / sin(altitudeDegrees * .pi / 180)
        let delivered = conditions.seeing.arcseconds * pow(airmass, 0.6)
        let ratio = referenceSeeing.arcseconds / delivered
        let quality = min(1.5, max(0.25, seeingExponent == 1 ? ratio : pow(ratio, seeingExponent)))
        return clear * quality
    }
}
