import Foundation
import Observatory
import StarlingCore
import Testing

@Suite struct SkyBrightnessModelTests {
    let model = SkyBrightnessModel()

    func brightness(
        band: PhotometricBand = .johnsonV, altitude: Double = 90, sun: Double = -30, moonAltitude: Double = -10, illumination: Double = 0,
        separation: Double = 90
    ) -> Double {
        model.surfaceBrightness(
            band: band, darkZenithV: 21.9, targetAltitude: .degrees(altitude), sunAltitude: .degrees(sun), moonAltitude: .degrees(moonAltitude),
            moonIllumination: illumination, moonSeparation: .degrees(separation))
    }

    @Test func darkZenithIsTheSiteValuePlusTheBandOffset() {
        #expect(abs(brightness() - 21.9) < 1e-9)
        for band in PhotometricBand.allCases {
            #expect(abs(brightness(band: band) - (21.9 + band.skyBrightnessOffsetFromV)) < 1e-9)
        }
    }

    @Test func skyBrightensTowardsTheHorizon() {
        // Krisciunas & Schaefer eq. 2 at Z = 60°: −2.5 log X + k (X − 1), X = 1.890, k = 0.14 → −0.566 mag.
        let low = brightness(altitude: 30)
        #expect(abs(low - 21.9 + 0.566) < 0.005)
    }

    @Test func twilightBrightensTheSkyBetweenAstronomicalAndCivil() {
        let night = brightness(sun: -19), astronomical = brightness(sun: -17.9), nautical = brightness(sun: -12), civil = brightness(sun: -6)
        #expect(abs(night - 21.9) < 1e-9)
        #expect(astronomical < night && astronomical > night - 0.1)
        #expect(abs(nautical - (21.9 - 3.2)) < 0.1)  // Δm(−12°) = 3.21 mag
        #expect(civil < 13)
    }

    @Test func fullMoonNearTheTargetBrightensTheSkyByMagnitudes() {
        // Full Moon 45° high, 30° away, k = 0.14: B☾ = 6.66·10⁵ · 0.0291 · 0.836 · 0.1375 = 2,227 nL,
        // V = 17.96 (Krisciunas & Schaefer's eqs. worked by hand), over a 21.9 dark sky.
        let full = brightness(altitude: 60, moonAltitude: 45, illumination: 1, separation: 30)
        #expect(abs(full - 17.93) < 0.03, "full-Moon sky \(full)")
        let quarter = brightness(altitude: 60, moonAltitude: 45, illumination: 0.5, separation: 30)
        #expect(quarter > full + 0.8)
        let far = brightness(altitude: 60, moonAltitude: 45, illumination: 1, separation: 110)
        #expect(far > full + 0.5)
        #expect(brightness(altitude: 60, moonAltitude: -5, illumination: 1, separation: 30) > 21.5)
    }

    @Test func moonlightIsBluerThanTheDarkSky() {
        // More Rayleigh scattering in the blue: the Moon costs B more than I.
        let costB = brightness(band: .johnsonB) - brightness(band: .johnsonB, moonAltitude: 40, illumination: 1, separation: 40)
        let costI = brightness(band: .cousinsI) - brightness(band: .cousinsI, moonAltitude: 40, illumination: 1, separation: 40)
        #expect(costB > costI + 0.5)
    }
}
