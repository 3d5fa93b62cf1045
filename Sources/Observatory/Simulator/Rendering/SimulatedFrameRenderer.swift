import Foundation
public import Imaging
import StarlingCore

/// The simulated camera's frames: the sky the telescope points at, rendered in ADU with a
/// TAN WCS and a full header, or modelled as the metrics measuring it would give.
///
/// A rendered frame is `bias + (sky + dark + stars + galaxies, with Poisson and read noise) / gain`,
/// clipped at the camera's saturation level:
/// - **Sky** from ``SkyBrightnessModel`` at mid-exposure (twilight, Moon, airmass), through
///   the telescope's aperture, throughput and pixel area.
/// - **Stars** from ``StarField`` (deterministic per sky cell), **galaxies** from the catalog
///   handed in (``FieldGalaxy``: exponential discs, softened by the seeing).
/// - **PSF**: a Moffat of β = 3 (Trujillo et al. 2001, MNRAS 328, 977: β ≈ 3 fits seeing-limited
///   stars), FWHM = zenith seeing × airmass^0.6 (Sarazin & Roddier 1990), integrated over pixels.
/// - **Photometry**: N₀ · π(D/2)² · τ electrons per second from a magnitude-0 source, with N₀
///   the band's photon rate (`PhotometricBand.zeroMagnitudePhotonRate`), extinction
///   `k X` per band, clouds by ``CloudTransmission``, times the open fraction of the exposure
///   (0: a dark frame). The header's `MAGZPT` is the cloud-free zero point at the frame's
///   airmass (the one Reporting expects).
/// - **Noise** seeded by the scene's seed (same scene, same pixels): Poisson photon noise
///   (normal approximation above 20 e⁻) and Gaussian read noise.
/// - **Trails**: when the mount moved (`pointingAtEnd`), every star is smeared along the path.
/// - **WCS**: TAN, centred on the mid-exposure pointing, north up, east left, at the
///   telescope's pixel scale; the header carries DATE-OBS … STFRMID (``Imaging/FrameMetadata``).
///
/// ```swift
/// let galaxies = try layout.loadCatalog(named: "nearby_galaxies").targets.compactMap(FieldGalaxy.init(target:))
/// let renderer = SimulatedFrameRenderer(galaxies: galaxies)
/// let frame = renderer.render(scene)            // FITSFrame in ADU
/// let (metadata, quality) = renderer.model(scene)
/// ```
public struct SimulatedFrameRenderer: FrameRendering {
    /// The galaxies that can appear in frames.
    public let galaxies: [FieldGalaxy]
    /// The stars.
    public let starField: StarField
    /// The sky background.
    public let skyBrightness: SkyBrightnessModel
    /// The detector's bias level, ADU (a typical CCD pedestal).
    public let biasADU: Double
    /// The Moffat β of the PSF.
    public let moffatBeta: Double
    /// The level a flat frame is lit to, as a fraction of the usable range.
    public let flatFillFraction: Double

    /// Unit vectors of the galaxies, for finding those in a field in microseconds.
    let galaxyVectors: [SIMD3<Double>]

    /// Creates a renderer.
    ///
    /// - Parameters:
    ///   - galaxies: the galaxies to render where frames fall on them (e.g. the survey catalog's).
    ///   - starField: the synthetic star catalog.
    ///   - skyBrightness: the sky background model.
    ///   - biasADU: the bias level, ADU.
    ///   - moffatBeta: the PSF's β (> 1).
    ///   - flatFillFraction: a flat's illumination, as a fraction of the usable range.
    public init(
        galaxies: [FieldGalaxy] = [], starField: StarField = StarField(), skyBrightness: SkyBrightnessModel = SkyBrightnessModel(),
        biasADU: Double = 500, moffatBeta: Double = 3, flatFillFraction: Double = 0.4
    ) {
        precondition(moffatBeta > 1, "a Moffat PSF needs β > 1")
        self.galaxies = galaxies
        self.starField = starField
        self.skyBrightness = skyBrightness
        self.biasADU = biasADU
        self.moffatBeta = moffatBeta
        self.flatFillFraction = flatFillFraction
        galaxyVectors = galaxies.map(\.coordinates.unitVector)
    }

    // MARK: Rendering

    /// Renders the frame's pixels (ADU), header metadata and TAN WCS.
    public func render(_ scene: ExposureScene) -> FITSFrame {
        let conditions = ExposureConditions(scene: scene, skyModel: skyBrightness, biasADU: biasADU, flatFillFraction: flatFillFraction)
        let camera = scene.telescope.camera
        let width = camera.widthPixels, height = camera.heightPixels
        var electrons = [Float](repeating: 0, count: width * height)
        if conditions.lightFraction > 0 && scene.imageType == .light {
            let sources = fieldSources(scene: scene, conditions: conditions)
            draw(sources, conditions: conditions, into: &electrons, width: width, height: height)
        }
        let pixels = applyNoise(to: electrons, conditions: conditions, width: width, height: height, seed: scene.seed)
        let projection = TangentPlaneProjection(
            center: conditions.midPointing, pixelScale: scene.telescope.pixelScale, width: width, height: height)
        return FITSFrame(
            image: FloatImage(width: width, height: height, pixels: pixels), metadata: conditions.metadata(for: scene), projection: projection)
    }

    /// The stars and galaxies the frame of a scene shows, where the renderer places them and
    /// with the signal it gives them (before noise); the PSF is a Moffat of ``moffatBeta`` and
    /// the FWHM in ``psfFWHMPixels(_:)``.
    public func sources(in scene: ExposureScene) -> [RenderedSource] {
        let conditions = ExposureConditions(scene: scene, skyModel: skyBrightness, biasADU: biasADU, flatFillFraction: flatFillFraction)
        guard conditions.lightFraction > 0 && scene.imageType == .light else { return [] }
        return fieldSources(scene: scene, conditions: conditions).map {
            RenderedSource(x: $0.x, y: $0.y, electrons: $0.electrons, galaxyName: $0.galaxy?.name)
        }
    }

    /// The PSF's FWHM in a scene's frame, pixels: zenith seeing × airmass^0.6 over the pixel scale.
    public func psfFWHMPixels(_ scene: ExposureScene) -> Double {
        ExposureConditions(scene: scene, skyModel: skyBrightness, biasADU: biasADU, flatFillFraction: flatFillFraction).fwhmPixels
    }

    /// The sky and dark signal per pixel in a scene's frame, e⁻ (before noise).
    public func backgroundElectrons(_ scene: ExposureScene) -> Double {
        let conditions = ExposureConditions(scene: scene, skyModel: skyBrightness, biasADU: biasADU, flatFillFraction: flatFillFraction)
        return conditions.skyElectrons + conditions.darkElectrons + conditions.flatElectrons
    }

    /// A point source or a galaxy, placed on the detector.
    struct PlacedSource {
        var x: Double
        var y: Double
        var electrons: Double
        /// `nil` for a star.
        var galaxy: FieldGalaxy?
    }

    /// The stars and galaxies on the detector (with a margin for their wings), in e⁻.
    func fieldSources(scene: ExposureScene, conditions: ExposureConditions) -> [PlacedSource] {
        let telescope = scene.telescope
        let width = telescope.camera.widthPixels, height = telescope.camera.heightPixels
        let plane = TangentPlane(reference: conditions.midPointing, pixelScale: telescope.pixelScale, width: width, height: height)
        let halfDiagonal = telescope.pixelScale * (0.5 * Double(width * width + height * height).squareRoot() + 2 * conditions.trailLengthPixels + 20)
        // Stars 1 mag below the 5σ limit still add to the background; fainter ones do not matter.
        let limit = limitingMagnitude(conditions) ?? 20
        let reddest = min(conditions.band.offsetFromV(bMinusV: 0.3), conditions.band.offsetFromV(bMinusV: 1.3))
        let faintestV = min(27, limit + 1 - reddest)
        let margin = Double(20)
        var sources: [PlacedSource] = []
        for star in starField.stars(around: conditions.midPointing, radius: halfDiagonal, faintestMagnitudeV: faintestV) {
            guard let p = plane.pixel(rightAscensionDegrees: star.rightAscensionDegrees, declinationDegrees: star.declinationDegrees),
                p.x > -margin, p.y > -margin, p.x < Double(width) + margin, p.y < Double(height) + margin
            else { continue }
            sources.append(PlacedSource(x: p.x, y: p.y, electrons: conditions.electrons(magnitude: star.magnitude(in: conditions.band)), galaxy: nil))
        }
        let center = conditions.midPointing.unitVector
        for (index, galaxy) in galaxies.enumerated() {
            let reach = halfDiagonal + galaxy.majorAxis * 4
            guard simd_dot(center, galaxyVectors[index]) >= cos(min(reach.radians, .pi)),
                let p = plane.pixel(of: galaxy.coordinates)
            else { continue }
            sources.append(PlacedSource(x: p.x, y: p.y, electrons: conditions.electrons(magnitude: galaxy.magnitude(in: conditions.band)), galaxy: galaxy))
        }
        return sources
    }

    /// Adds the sources' expected e⁻ to the image, both cores working on separate bands of rows.
    func draw(_ sources: [PlacedSource], conditions: ExposureConditions, into electrons: inout [Float], width: Int, height: Int) {
        let psf = MoffatStampBank(fwhm: conditions.fwhmPixels, beta: moffatBeta)
        // Draw each source out to where it adds less than 5 % of the background noise.
        let floor = 0.05 * max(1, conditions.backgroundNoiseElectrons)
        let trailLength = conditions.trailLengthPixels
        let steps = trailLength > 0.25 ? min(400, Int((trailLength / 0.25).rounded(.up)) + 1) : 1
        let sigma = conditions.fwhmPixels / 2.354_820_045
        electrons.withUnsafeMutableBufferPointer { buffer in
            guard let pixels = buffer.baseAddress else { return }
            Parallel.forEachRange(height, minimumPerBand: 64) { rows in
                for source in sources {
                    if let galaxy = source.galaxy {
                        Self.drawGalaxy(
                            galaxy, at: source, electrons: source.electrons, sigma: sigma, floor: floor, pixelScale: conditions.pixelScaleArcseconds,
                            into: pixels, width: width, height: height, rows: rows)
                        continue
                    }
                    let reach = psf.radius(forElectrons: source.electrons / Double(steps), floor: floor / Double(steps))
                    let extentY = Double(reach) + abs(conditions.trailY) / 2 + 1
                    guard source.y + extentY >= Double(rows.lowerBound), source.y - extentY < Double(rows.upperBound) else { continue }
                    if steps == 1 {
                        psf.add(x: source.x, y: source.y, electrons: Float(source.electrons), reach: reach, into: pixels, width: width, height: height, rows: rows)
                    } else {
                        // A trail: the star's light spread evenly along the path, centred on its mid-exposure place.
                        let share = Float(source.electrons / Double(steps))
                        for step in 0..<steps {
                            let t = Double(step) / Double(steps - 1) - 0.5
                            psf.add(
                                x: source.x + t * conditions.trailX, y: source.y + t * conditions.trailY, electrons: share, reach: reach, into: pixels,
                                width: width, height: height, rows: rows)
                        }
                    }
                }
            }
        }
    }

    /// Draws an exponential disc softened by the seeing: surface brightness
    /// `∝ exp(−√(r² + s²)/h)` over the elliptical radius `r`, with `s` the PSF's σ; its total
    /// over the plane is `2π q h (s + h) e^(−s/h)`, which normalises it exactly.
    static func drawGalaxy(
        _ galaxy: FieldGalaxy, at place: PlacedSource, electrons: Double, sigma: Double, floor: Double, pixelScale: Double,
        into pixels: UnsafeMutablePointer<Float>, width: Int, height: Int, rows: Range<Int>
    ) {
        let h = max(0.3, galaxy.scaleLength.arcseconds / pixelScale)
        let s = max(0.5, sigma)
        let q = galaxy.axisRatio
        let total = 2 * Double.pi * q * h * (s + h) * exp(-s / h)
        let peak = electrons / total * exp(-s / h)
        guard peak > floor * 0.2 else { return }
        // Out to where the disc falls below a fifth of the drawing floor, or 8 scale lengths.
        let reachRadius = min(8 * h, h * log(peak / (floor * 0.2))) + 2 * s
        let y0 = max(rows.lowerBound, Int((place.y - reachRadius).rounded(.down)))
        let y1 = min(rows.upperBound - 1, Int((place.y + reachRadius).rounded(.up)))
        let x0 = max(0, Int((place.x - reachRadius).rounded(.down))), x1 = min(width - 1, Int((place.x + reachRadius).rounded(.up)))
        guard y0 <= y1, x0 <= x1 else { return }
        // Major axis at position angle θ (north through east): on the detector, north is +y, east −x.
        let theta = galaxy.positionAngle.radians
        let majorX = -sin(theta), majorY = cos(theta)
        let scale = electrons / total
        let inverseH = 1 / h, inverseQ = 1 / q, s2 = s * s
        let reachSquared = reachRadius * reachRadius
        for y in y0...y1 {
            let dy = Double(y) - place.y
            let row = y * width
            for x in x0...x1 {
                let dx = Double(x) - place.x
                let along = dx * majorX + dy * majorY
                let across = (dx * majorY - dy * majorX) * inverseQ
                let r2 = along * along + across * across
                guard r2 <= reachSquared else { continue }
                pixels[row + x] += Float(scale * exp(-(r2 + s2).squareRoot() * inverseH))
            }
        }
    }

    /// Turns expected e⁻ into ADU with sky, dark, photon and read noise, bias and saturation.
    func applyNoise(to electrons: [Float], conditions: ExposureConditions, width: Int, height: Int, seed: UInt64) -> [Float] {
        var output = [Float](repeating: 0, count: width * height)
        let background = Float(conditions.skyElectrons + conditions.darkElectrons + conditions.flatElectrons)
        let readNoise = Float(conditions.readNoise), readVariance = readNoise * readNoise
        let inverseGain = Float(1 / conditions.gain), bias = Float(conditions.biasADU)
        let fullWell = Float(conditions.fullWell), saturation = Float(conditions.saturationADU)
        let noise = PixelNoise(seed: seed ^ 0x6E6F_6973_6521_2121)
        PixelNoise.quantileTable.withUnsafeBufferPointer { table in
            electrons.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    guard let source = input.baseAddress, let target = out.baseAddress else { return }
                    Parallel.forEachRange(height, minimumPerBand: 64) { rows in
                        for index in (rows.lowerBound * width)..<(rows.upperBound * width) {
                            let mean = source[index] + background
                            let bits = noise.bits(UInt64(index))
                            var value: Float
                            if mean >= 20 {
                                // Photon and read noise in one normal deviate: variance mean + RN².
                                value = mean + (mean + readVariance).squareRoot() * PixelNoise.normal(UInt32(truncatingIfNeeded: bits), table: table)
                            } else {
                                let uniform = Float(UInt32(truncatingIfNeeded: bits) >> 8) * (1 / Float(1 << 24))
                                value = PixelNoise.poisson(mean: mean, uniform: uniform)
                                    + readNoise * PixelNoise.normal(UInt32(truncatingIfNeeded: bits >> 32), table: table)
                            }
                            value = min(value, fullWell)
                            target[index] = min(saturation, max(0, bias + value * inverseGain))
                        }
                    }
                }
            }
        }
        return output
    }

}

private func simd_dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }
