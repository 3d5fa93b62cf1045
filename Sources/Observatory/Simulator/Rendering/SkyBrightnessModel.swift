import Foundation
public import Sky
public import StarlingCore

/// The night sky's surface brightness, mag/arcsec², in a photometric band: the dark sky, made
/// brighter towards the horizon, by twilight and by the Moon.
///
/// - **Dark sky at the zenith**: the site's V-band value (`SiteClimate.darkSkyBrightness`;
///   a dark site at solar minimum has V ≈ 21.9, e.g. La Palma: U 22.0, B 22.7, V 21.9, R 21.0,
///   I 20.0, Benn & Ellison 1998, New Astron. Rev. 42, 503; Paranal: V 21.6, Patat 2003) plus the
///   band's offset from V (`PhotometricBand.skyBrightnessOffsetFromV`).
/// - **Airmass**: the airglow's van Rhijn brightening seen through extinction,
///   `μ(Z) = μ_zen − 2.5 log₁₀ X + k (X − 1)` with `X = (1 − 0.96 sin² Z)^−½` (Krisciunas &
///   Schaefer 1991, PASP 103, 1033, eqs. 2–3).
/// - **Twilight** (Sun between −18° and the horizon): the zenith brightening
///   `Δm(h) = ((2.0635 y + 1.2466) y − 9.4084) y + 6.1327` magnitudes, `y = (−h − 9°)/9°`:
///   Thorstensen's fit (skycalc, 1990s) to Meinel & Meinel (1983, *Sunsets, Twilights and Evening
///   Skies*, p. 38), which matches Ashburn's (1952, JGR 57, 85) B-band measurements; 0 at −18°,
///   3.2 mag at −12°, 9.3 mag at −6°. Applied alike in every band.
/// - **Moon**: Krisciunas & Schaefer (1991), eqs. 15–21: the Moon's brightness from its phase
///   angle `α`, `I* = 10^(−0.4 (3.84 + 0.026|α| + 4·10⁻⁹ α⁴))`; the scattering function
///   `f(ρ) = 10^5.36 (1.06 + cos² ρ) + 10^(6.15 − ρ/40)` (Rayleigh and Mie; `6.2·10⁷ ρ⁻²` below
///   10°) of the Moon–target separation `ρ`; moonlight extinguished on its way in at the Moon's
///   airmass and scattered along the line of sight, `B = f(ρ) I* 10^(−0.4 k X☾) (1 − 10^(−0.4 k X))`
///   nanolamberts, converted to V by `B = 34.08 exp(20.7233 − 0.92104 V)`. The model is for V;
///   other bands use their own extinction `k` (more scattering in the blue) and the Sun's
///   colour (moonlight is sunlight).
///
/// ```swift
/// let model = SkyBrightnessModel()
/// let frame = try Observer(site: site).frame(at: date)
/// let r = model.surfaceBrightness(of: target, band: .r, darkZenithV: site.climate.darkSkyBrightness, in: frame)
/// ```
public struct SkyBrightnessModel: Sendable, Hashable {
    public init() {}

    /// The sky brightness towards a target, from the Sun and Moon of an observing frame.
    ///
    /// - Parameters:
    ///   - target: where the telescope points (ICRS).
    ///   - band: the photometric band.
    ///   - darkZenithV: the site's dark-sky zenith brightness in V, mag/arcsec².
    ///   - frame: the sky at the instant (its observer should be geometric, without refraction).
    /// - Returns: surface brightness, mag/arcsec².
    public func surfaceBrightness(
        of target: EquatorialCoordinates, band: PhotometricBand, darkZenithV: Double, in frame: ObservingFrame
    ) -> Double {
        let moon = frame.moon, sun = frame.sun  // each an ephemeris evaluation: once
        return surfaceBrightness(
            band: band, darkZenithV: darkZenithV, targetAltitude: frame.horizontal(of: target).altitude,
            sunAltitude: sun.horizontal.altitude, moonAltitude: moon.horizontal.altitude,
            moonIllumination: ObservingFrame.illumination(sun: sun, moon: moon), moonSeparation: frame.separation(from: target, to: moon))
    }

    /// The sky brightness from the geometry alone.
    ///
    /// - Parameters:
    ///   - band: the photometric band.
    ///   - darkZenithV: the site's dark-sky zenith brightness in V, mag/arcsec².
    ///   - targetAltitude: the line of sight's altitude (clamped to ≥ 1°).
    ///   - sunAltitude: the Sun's geometric altitude (no twilight below −18°).
    ///   - moonAltitude: the Moon's altitude (no moonlight below the horizon).
    ///   - moonIllumination: the Moon's illuminated fraction, 0…1.
    ///   - moonSeparation: the angle between the Moon and the line of sight.
    /// - Returns: surface brightness, mag/arcsec².
    public func surfaceBrightness(
        band: PhotometricBand, darkZenithV: Double, targetAltitude: Angle, sunAltitude: Angle, moonAltitude: Angle,
        moonIllumination: Double, moonSeparation: Angle
    ) -> Double {
        let k = band.extinctionPerAirmass
        let zenithDistance = (90 - max(1, targetAltitude.degrees)) * .pi / 180
        let airmass = Self.scatteringAirmass(zenithDistanceRadians: zenithDistance)
        let darkZenith = darkZenithV + band.skyBrightnessOffsetFromV
        // Flux in units of a 0 mag/arcsec² sky.
        let dark = pow(10, -0.4 * (darkZenith - 2.5 * log10(airmass) + k * (airmass - 1)))
        let twilight = pow(10, -0.4 * darkZenith) * (pow(10, 0.4 * Self.twilightBrightening(sunAltitudeDegrees: sunAltitude.degrees)) - 1)
        var moonlight = 0.0
        if moonAltitude.degrees > 0 && moonIllumination > 0 {
            let moonZenithDistance = (90 - moonAltitude.degrees) * .pi / 180
            let nanolamberts = Self.moonlightNanolamberts(
                phaseAngleDegrees: acos(max(-1, min(1, 2 * moonIllumination - 1))) * 180 / .pi,
                separationDegrees: moonSeparation.degrees, extinction: k,
                moonAirmass: Self.scatteringAirmass(zenithDistanceRadians: moonZenithDistance), targetAirmass: airmass)
            if nanolamberts > 0 {
                let moonV = (20.7233 - log(nanolamberts / 34.08)) / 0.92104
                moonlight = pow(10, -0.4 * (moonV + band.offsetFromV(bMinusV: PhotometricBand.solarBMinusV)))
            }
        }
        return -2.5 * log10(dark + twilight + moonlight)
    }

    /// Krisciunas & Schaefer's airmass for scattered light, `(1 − 0.96 sin² Z)^−½` (eq. 3).
    static func scatteringAirmass(zenithDistanceRadians z: Double) -> Double {
        let s = sin(min(z, .pi / 2))
        return 1 / (1 - 0.96 * s * s).squareRoot()
    }

    /// Thorstensen's zenith twilight brightening, magnitudes (see the type's documentation).
    static func twilightBrightening(sunAltitudeDegrees altitude: Double) -> Double {
        guard altitude > -18 else { return 0 }
        let y = (-min(altitude, 0) - 9) / 9
        return max(0, ((2.0635175 * y + 1.246602) * y - 9.4084495) * y + 6.132725)
    }

    /// Krisciunas & Schaefer's scattered moonlight, nanolamberts (eqs. 15–21).
    static func moonlightNanolamberts(
        phaseAngleDegrees alpha: Double, separationDegrees rho: Double, extinction k: Double, moonAirmass: Double, targetAirmass: Double
    ) -> Double {
        let illuminance = pow(10, -0.4 * (3.84 + 0.026 * abs(alpha) + 4e-9 * pow(alpha, 4)))
        let separation = max(rho, 0.5)
        let scattering: Double
        if separation < 10 {
            scattering = 6.2e7 / (separation * separation)
        } else {
            let c = cos(separation * .pi / 180)
            scattering = pow(10, 5.36) * (1.06 + c * c) + pow(10, 6.15 - separation / 40)
        }
        return scattering * illuminance * pow(10, -0.4 * k * moonAirmass) * (1 - pow(10, -0.4 * k * targetAirmass))
    }
}
