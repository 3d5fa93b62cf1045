import Foundation
public import Imaging
import StarlingCore

extension SimulatedFrameRenderer {
    /// The header metadata and the quality metrics measuring the rendered frame would give,
    /// computed without pixels (a few microseconds plus one Sun/Moon ephemeris).
    ///
    /// - Background and noise: bias + (sky + dark)/gain, and √(sky + dark + RN²)/gain.
    /// - FWHM: the PSF's, with a floor from pixel sampling and widened by a trail (see
    ///   `measuredFWHM`); ellipticity `1 − σ/√(σ² + L²/12)` for a trail of L pixels
    ///   (a box of length L convolved with the PSF), else the ~0.03 measurement noise leaves on round stars.
    /// - 5σ limiting magnitude as Imaging's ``Imaging/FrameSummary`` defines it,
    ///   `ZP − 2.5 log₁₀(5 σ_bg √(4π s²) / t)`, with the zero point measured through the clouds.
    /// - Source count: stars brighter than that limit (``StarCounts`` at the field's centre ×
    ///   the field's area, at a mean B − V of 0.8), plus the catalog galaxies in the field.
    /// - Saturated fraction: the pixels above saturation in the cores of stars bright enough.
    public func model(_ scene: ExposureScene) -> (metadata: FrameMetadata, quality: ModelledFrameQuality) {
        let conditions = ExposureConditions(scene: scene, skyModel: skyBrightness, biasADU: biasADU, flatFillFraction: flatFillFraction)
        let metadata = conditions.metadata(for: scene)
        let camera = scene.telescope.camera
        let fwhm = Self.measuredFWHM(conditions)
        let sigma = pow(pow(conditions.fwhmPixels, 8) + pow(1.25, 8), 1.0 / 8) / 2.354_820_045
        let trail = conditions.trailLengthPixels
        let ellipticity = trail > 0.5 ? max(0.03, 1 - sigma / (sigma * sigma + trail * trail / 12).squareRoot()) : 0.03
        let limit = limitingMagnitude(conditions)
        let zeroPoint = conditions.transparency > 0 ? conditions.cloudFreeZeroPoint + 2.5 * log10(conditions.transparency) : nil
        var sourceCount = 0
        var saturatedFraction = 0.0
        let pixelCount = Double(camera.widthPixels * camera.heightPixels)
        if let limit, scene.imageType == .light {
            let fieldArea = scene.telescope.fieldWidth.degrees * scene.telescope.fieldHeight.degrees
            let meanOffset = conditions.band.offsetFromV(bMinusV: FieldGalaxy.bMinusV)
            let stars = starField.density(brighterThanV: limit - meanOffset, at: conditions.midPointing) * fieldArea
            sourceCount = Int(stars.rounded()) + galaxiesInField(scene: scene, conditions: conditions)
            saturatedFraction = saturatedPixels(conditions: conditions, fieldArea: fieldArea, meanOffset: meanOffset) / pixelCount
        }
        if conditions.backgroundADU >= conditions.saturationADU { saturatedFraction = 1 }
        let quality = ModelledFrameQuality(
            backgroundADU: min(conditions.saturationADU, conditions.backgroundADU), noiseADU: conditions.backgroundNoiseElectrons / conditions.gain,
            fwhmPixels: fwhm, fwhmArcseconds: fwhm * conditions.pixelScaleArcseconds, ellipticity: ellipticity, sourceCount: sourceCount,
            saturatedFraction: min(1, saturatedFraction), limitingMagnitude: scene.imageType == .light ? limit : nil, zeroPoint: scene.imageType == .light ? zeroPoint : nil,
            transparency: conditions.transparency)
        return (metadata, quality)
    }

    /// The FWHM a measurement finds, pixels. A sampled PSF is not measured narrower than about
    /// 1.25 px: `(FWHM⁸ + 1.25⁸)^(1/8)` (within 3 % of Imaging's Moffat fits on rendered frames
    /// from 1.06 to 4 px). A trail of L pixels measures as `√(FWHM² + L²/8)` (Imaging's fit on a
    /// 26-px trail of a 3.4-px PSF: 9.5 px).
    static func measuredFWHM(_ conditions: ExposureConditions) -> Double {
        let floor = 1.25
        let sampled = pow(pow(conditions.fwhmPixels, 8) + pow(floor, 8), 1.0 / 8)
        let trail = conditions.trailLengthPixels
        return (sampled * sampled + trail * trail / 8).squareRoot()
    }

    /// The 5σ point-source limit as Imaging measures it, through the clouds; `nil` without light.
    func limitingMagnitude(_ conditions: ExposureConditions) -> Double? {
        guard conditions.transparency > 0, conditions.exposureSeconds > 0 else { return nil }
        let sigma = Self.measuredFWHM(conditions) / 2.354_820_045
        let noiseADU = conditions.backgroundNoiseElectrons / conditions.gain
        let flux = 5 * noiseADU * (4 * Double.pi * sigma * sigma).squareRoot()
        let zeroPoint = conditions.cloudFreeZeroPoint + 2.5 * log10(conditions.transparency)
        return zeroPoint - 2.5 * log10(flux / conditions.exposureSeconds)
    }

    /// The catalog galaxies whose centres fall on the detector.
    func galaxiesInField(scene: ExposureScene, conditions: ExposureConditions) -> Int {
        guard !galaxies.isEmpty else { return 0 }
        let telescope = scene.telescope
        let halfDiagonal = 0.5 * (telescope.fieldWidth.radians * telescope.fieldWidth.radians + telescope.fieldHeight.radians * telescope.fieldHeight.radians).squareRoot()
        let center = conditions.midPointing.unitVector
        let threshold = cos(halfDiagonal)
        var count = 0
        for vector in galaxyVectors where (center * vector).sum() >= threshold { count += 1 }
        return count
    }

    /// Saturated pixels in star cores: ∫ dN/dm · π r_sat² dm over the stars bright enough, with
    /// `r_sat² = α² ((F p₀ / S)^(1/β) − 1)` for a Moffat of peak `F p₀` and headroom `S` e⁻.
    func saturatedPixels(conditions: ExposureConditions, fieldArea: Double, meanOffset: Double) -> Double {
        let headroom = min(conditions.fullWell, (conditions.saturationADU - conditions.biasADU) * conditions.gain)
            - conditions.skyElectrons - conditions.darkElectrons
        guard headroom > 0 else { return 0 }
        let fwhm = conditions.fwhmPixels
        let alpha = fwhm / (2 * (pow(2, 1 / moffatBeta) - 1).squareRoot())
        let peakFraction = (moffatBeta - 1) / (Double.pi * alpha * alpha)
        // The faintest magnitude that saturates: F p₀ = S.
        let faintest = -2.5 * log10(headroom / peakFraction / max(conditions.electrons(magnitude: 0), .leastNonzeroMagnitude))
        var pixels = 0.0
        var magnitude = starField.brightestMagnitudeV + meanOffset
        var previous = starField.density(brighterThanV: magnitude - meanOffset, at: conditions.midPointing)
        while magnitude < faintest {
            let next = min(faintest, magnitude + 0.25)
            let cumulative = starField.density(brighterThanV: next - meanOffset, at: conditions.midPointing)
            let middle = (magnitude + next) / 2
            let ratio = conditions.electrons(magnitude: middle) * peakFraction / headroom
            if ratio > 1 { pixels += (cumulative - previous) * fieldArea * Double.pi * alpha * alpha * (pow(ratio, 1 / moffatBeta) - 1) }
            previous = cumulative
            magnitude = next
        }
        return pixels
    }
}
