import Foundation
import Imaging
import Sky
import StarlingCore

/// Everything about one exposure that does not need pixels: the sky and the photometry the
/// renderer draws with and ``SimulatedFrameRenderer/model(_:)`` predicts from. Computing both
/// from this one value is what keeps rendered and modelled frames in agreement.
struct ExposureConditions: Sendable {
    let band: PhotometricBand
    /// Where the telescope pointed at mid-exposure (the WCS reference).
    let midPointing: EquatorialCoordinates
    /// Altitude of ``midPointing`` at mid-exposure, degrees (geometric).
    let altitudeDegrees: Double
    /// Kasten & Young airmass at mid-exposure.
    let airmass: Double
    /// Sky surface brightness, mag/arcsec² (``SkyBrightnessModel``).
    let skyBrightness: Double
    let pixelScaleArcseconds: Double
    /// The PSF's FWHM on the sky: zenith seeing × airmass^0.6.
    let fwhmArcseconds: Double
    let fwhmPixels: Double
    /// ``CloudTransmission`` at the scene's cloud cover.
    let cloudTransmission: Double
    /// The fraction of the exposure light reached the detector: the open fraction for light
    /// and flat frames, 0 for darks and biases.
    let lightFraction: Double
    /// Electrons per second from a magnitude-0 source above the atmosphere: N₀ · π(D/2)² · τ.
    let electronsPerSecondAtZero: Double
    /// The cloud-free zero point at this airmass (magnitude giving 1 ADU/s, extinction included,
    /// clouds not): `2.5 log₁₀(N₀ · π(D/2)² · τ / g) − k X`, the formula Reporting uses.
    let cloudFreeZeroPoint: Double
    /// Sky and dark signal expected per pixel, e⁻.
    let skyElectrons: Double
    let darkElectrons: Double
    /// Flat-field illumination per pixel, e⁻ (flat frames only, else 0).
    let flatElectrons: Double
    let exposureSeconds: Double
    let gain: Double
    let readNoise: Double
    let fullWell: Double
    let saturationADU: Double
    let biasADU: Double
    /// The trail: how far the stars move on the detector during the exposure, pixels (0 if still).
    let trailX: Double
    let trailY: Double

    /// Fraction of the clear-sky flux that reached the detector.
    var transparency: Double { cloudTransmission * lightFraction }
    /// Background noise per pixel, e⁻ (1σ).
    var backgroundNoiseElectrons: Double { (skyElectrons + darkElectrons + flatElectrons + readNoise * readNoise).squareRoot() }
    var backgroundADU: Double { biasADU + (skyElectrons + darkElectrons + flatElectrons) / gain }
    var trailLengthPixels: Double { (trailX * trailX + trailY * trailY).squareRoot() }

    /// The signal a source of magnitude `magnitude` (in ``band``, above the atmosphere) gives in
    /// this exposure, e⁻.
    func electrons(magnitude: Double) -> Double {
        electronsPerSecondAtZero * pow(10, -0.4 * (magnitude + band.extinctionPerAirmass * airmass)) * cloudTransmission * lightFraction
            * exposureSeconds
    }

    init(scene: ExposureScene, skyModel: SkyBrightnessModel, biasADU: Double, flatFillFraction: Double) {
        let telescope = scene.telescope, camera = telescope.camera
        band = scene.filter.band ?? .clear
        let middle = scene.start.addingTimeInterval(scene.exposureSeconds / 2)
        midPointing = scene.pointing.interpolated(to: scene.pointingAtEnd ?? scene.pointing, fraction: 0.5)
        pixelScaleArcseconds = telescope.pixelScale.arcseconds
        // The sky at mid-exposure, geometric (twilight is defined on geometric altitudes).
        var altitude = 90.0
        var sky = scene.site.climate.darkSkyBrightness + band.skyBrightnessOffsetFromV
        do {
            let frame = try Observer(site: scene.site).frame(at: middle)
            altitude = frame.horizontal(of: midPointing).altitude.degrees
            sky = skyModel.surfaceBrightness(
                of: midPointing, band: band, darkZenithV: scene.site.climate.darkSkyBrightness, in: frame)
        } catch {
            // ERFA refuses only instants far outside its tables; such a scene is rendered as
            // at the zenith of a dark sky rather than not at all.
        }
        altitudeDegrees = altitude
        // Below 1° (a mount cannot point there) the airmass is held at its 1° value.
        airmass = Airmass.kastenYoung(altitudeDegrees: max(1, altitude))
        skyBrightness = sky
        fwhmArcseconds = scene.zenithSeeing.arcseconds * pow(airmass, 0.6)
        fwhmPixels = fwhmArcseconds / pixelScaleArcseconds
        cloudTransmission = CloudTransmission.transmission(cloudFraction: scene.cloudFraction)
        switch scene.imageType {
        case .light, .flat: lightFraction = scene.openFraction
        case .dark, .bias: lightFraction = 0
        }
        exposureSeconds = scene.imageType == .bias ? 0 : max(0, scene.exposureSeconds)
        electronsPerSecondAtZero = telescope.zeroMagnitudeElectronRate(in: band)
        cloudFreeZeroPoint = telescope.cloudFreeZeroPoint(in: band, airmass: airmass)
        gain = camera.gain
        readNoise = camera.readNoise
        fullWell = camera.fullWell
        saturationADU = camera.saturationADU
        self.biasADU = biasADU
        darkElectrons = camera.darkCurrent * exposureSeconds
        if scene.imageType == .flat {
            // A flat is lit evenly to a fixed fraction of the usable range, scaled by the
            // light that got in.
            let usable = min(camera.fullWell, (camera.saturationADU - biasADU) * camera.gain)
            flatElectrons = flatFillFraction * usable * lightFraction * cloudTransmission
            skyElectrons = 0
        } else {
            flatElectrons = 0
            skyElectrons = electronsPerSecondAtZero * pow(10, -0.4 * sky) * pixelScaleArcseconds * pixelScaleArcseconds
                * cloudTransmission * lightFraction * exposureSeconds
        }
        if let end = scene.pointingAtEnd {
            // The mount moved from `pointing` to `end`: a star fixed on the sky moves on the
            // detector by minus the end pointing's offset as seen from the start.
            let plane = TangentPlane(reference: scene.pointing, pixelScale: telescope.pixelScale, width: 3, height: 3)
            if let moved = plane.pixel(of: end) {
                trailX = -(moved.x - 1)
                trailY = -(moved.y - 1)
            } else {
                (trailX, trailY) = (0, 0)
            }
        } else {
            (trailX, trailY) = (0, 0)
        }
    }

    /// The frame's header facts.
    func metadata(for scene: ExposureScene) -> FrameMetadata {
        let location = scene.site.location
        return FrameMetadata(
            observationStart: scene.start, exposureSeconds: scene.exposureSeconds, imageType: scene.imageType.rawValue,
            object: scene.object, filter: scene.filter.name, pointing: scene.pointing, airmass: airmass,
            telescope: scene.telescope.id.rawValue, instrument: scene.telescope.camera.name, observatory: scene.site.id.rawValue,
            siteLatitude: location.latitude, siteLongitude: location.longitude, siteElevationMeters: location.elevationMeters,
            gain: gain, readNoise: readNoise, ccdTemperatureCelsius: scene.telescope.camera.temperatureCelsius,
            saturationADU: saturationADU, zeroPoint: scene.imageType == .light ? cloudFreeZeroPoint : nil, requestID: scene.requestID,
            observationID: scene.observationID, frameID: scene.frameID)
    }
}
