import Foundation

/// How many stars a square degree holds down to a V magnitude, by Galactic position: the
/// Bahcall–Soneira Galaxy model in its analytic approximation.
///
/// `N(<V) = C₁ 10^(β(V−V*)) / (1 + 10^(α(V−V*)))^δ / [sin b (1 − μ cot b cos l)]^(3−5γ)
///        + C₂ 10^(η(V−V†)) / (1 + 10^(κ(V−V†)))^λ / (1 − cos b cos l)^σ`
/// stars per square degree: a disc and a spheroid term, with C₁ = 925, C₂ = 1050, α = −0.132,
/// β = 0.035, δ = 3, V* = 15.75, κ = −0.18, η = 0.087, λ = 2.5, V† = 17.5, μ and γ linear in V
/// between V = 12 and 20 (μ 0.03 → 0.09, γ 0.36 → 0.04), σ = 1.45 − 0.20 cos b cos l
/// (Bahcall & Soneira 1980, ApJS 44, 73, appendix; good to ~15 % for |b| ≥ 20°). At the
/// Galactic pole it gives ~1,400 stars per square degree to V = 20, rising ~0.3 dex per
/// magnitude at V ≈ 14 and ~0.15 dex at V ≈ 22, as counts do.
///
/// Below |b| = 20° the fit does not hold; Starling evaluates it at 20° and scales it like a
/// plane-parallel slab, by `sin 20° / sin |b|` (|b| ≥ 2°), which underestimates the crowding of
/// the plane, a region the galaxy survey avoids.
public enum StarCounts {
    /// Stars per square degree brighter than `magnitudeV`.
    ///
    /// - Parameters:
    ///   - magnitudeV: the faint limit, V magnitudes.
    ///   - galacticLongitudeDegrees: l, degrees.
    ///   - galacticLatitudeDegrees: b, degrees.
    public static func cumulativeDensity(brighterThanV magnitudeV: Double, galacticLongitudeDegrees: Double, galacticLatitudeDegrees: Double) -> Double {
        let m = magnitudeV
        let l = galacticLongitudeDegrees * .pi / 180
        let absoluteB = abs(galacticLatitudeDegrees)
        let b = max(20, absoluteB) * .pi / 180
        let mu: Double, gamma: Double
        if m <= 12 {
            (mu, gamma) = (0.03, 0.36)
        } else if m >= 20 {
            (mu, gamma) = (0.09, 0.04)
        } else {
            (mu, gamma) = (0.03 + 0.0075 * (m - 12), 0.36 - 0.04 * (m - 12))
        }
        let sigma = 1.45 - 0.20 * cos(b) * cos(l)
        let disc = 925 * pow(10, 0.035 * (m - 15.75)) / pow(1 + pow(10, -0.132 * (m - 15.75)), 3)
            / pow(sin(b) * (1 - mu * cos(b) * cos(l) / sin(b)), 3 - 5 * gamma)
        let spheroid = 1050 * pow(10, 0.087 * (m - 17.5)) / pow(1 + pow(10, -0.18 * (m - 17.5)), 2.5)
            / pow(1 - cos(b) * cos(l), sigma)
        let slab = absoluteB < 20 ? sin(20 * Double.pi / 180) / sin(max(2, absoluteB) * .pi / 180) : 1
        return (disc + spheroid) * slab
    }
}
