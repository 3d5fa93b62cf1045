import Foundation
public import StarlingCore

/// A frame's quality in a few numbers: what the Reporter shows for every frame.
public struct FrameSummary: Sendable, Hashable, Codable {
    /// Image width, pixels.
    public let width: Int
    /// Image height, pixels.
    public let height: Int
    /// Sky background level: the median of the background meshes, ADU.
    public let backgroundLevel: Double
    /// Background noise: the median of the meshes' clipped standard deviations, ADU per pixel (1σ).
    public let backgroundNoise: Double
    /// Number of sources detected.
    public let sourceCount: Int
    /// Median FWHM of the point-like sources used (see ``fwhmSampleSize``), pixels: of the
    /// Moffat-fit FWHMs (``Source/profileFWHM``) of the 32 with the highest S/N when most of
    /// those fits succeed, else of their moment FWHMs; `nil` when no source qualified.
    public let medianFWHMPixels: Double?
    /// ``medianFWHMPixels`` on the sky, arcseconds; `nil` without a pixel scale.
    public let medianFWHMArcseconds: Double?
    /// The pixel scale used, arcseconds per pixel (from the WCS at the image centre, else
    /// from the header); `nil` when unknown.
    public let pixelScaleArcseconds: Double?
    /// Median ellipticity `1 − b/a` of the sources used for the FWHM; `nil` when none.
    public let medianEllipticity: Double?
    /// How many sources the FWHM and ellipticity medians were taken over: unsaturated,
    /// not deblended, clear of the edge, with S/N ≥ 20 and converged moments; the 200 with
    /// the highest S/N.
    public let fwhmSampleSize: Int
    /// Fraction of all pixels at or above ``saturationLevel`` (0…1); 0 when the level is unknown.
    public let saturatedFraction: Double
    /// The saturation level used, ADU; `nil` when unknown (then nothing counts as saturated).
    public let saturationLevel: Double?
    /// The flux of a point source detected at 5σ over the background noise, ADU: `5 σ √(4π s²)`
    /// with `s = FWHM / 2.3548` (the noise-equivalent area of a Gaussian PSF). `nil` without a FWHM.
    public let limitingFlux5Sigma: Double?
    /// `−2.5 log₁₀(limitingFlux5Sigma / exposure)`: the 5σ limit with a zero point of 0 for
    /// 1 ADU/s (per frame when the exposure time is unknown). `nil` without a FWHM.
    public let instrumentalLimitingMagnitude: Double?
    /// The calibrated 5σ limiting magnitude, ``zeroPoint`` + ``instrumentalLimitingMagnitude``;
    /// `nil` unless both the zero point and the exposure time are known.
    public let limitingMagnitude5Sigma: Double?
    /// The zero point used (magnitude of a source giving 1 ADU/s), if known.
    public let zeroPoint: Double?
    /// The exposure time used, seconds: the frame's when positive; `nil` when unknown or zero
    /// (a bias), and then the limiting magnitudes are per frame and uncalibrated.
    public let exposureSeconds: Double?
    /// What the reader should know about how these numbers were made, e.g. that the frame
    /// has no finite pixels or that its exposure time was zero; empty when nothing is amiss.
    public let notes: [String]
}

/// Everything measured on one frame: its background, its sources and the summary.
///
/// ```swift
/// let frame = try FITSFrame(path: "frame.fits")
/// let analysis = try FrameAnalysis(frame: frame)
/// print(analysis.summary.medianFWHMArcseconds ?? .nan, analysis.sources.count)
/// ```
public struct FrameAnalysis: Sendable {
    /// Options for a whole analysis.
    public struct Options: Sendable, Hashable, Codable {
        public var background: BackgroundOptions
        public var detection: DetectionOptions
        /// Overrides the zero point from the header (`MAGZPT`).
        public var zeroPoint: Double?
        /// Overrides the pixel scale from the WCS or header.
        public var pixelScale: Angle?

        public init(
            background: BackgroundOptions = BackgroundOptions(), detection: DetectionOptions = DetectionOptions(),
            zeroPoint: Double? = nil, pixelScale: Angle? = nil
        ) {
            self.background = background
            self.detection = detection
            self.zeroPoint = zeroPoint
            self.pixelScale = pixelScale
        }
    }

    /// The background and noise maps.
    public let background: BackgroundMap
    /// The sources, ordered by y then x.
    public let sources: [Source]
    /// The frame's summary.
    public let summary: FrameSummary

    /// Analyses a frame read from FITS, taking saturation level, gain, zero point, exposure
    /// and pixel scale from its header and WCS where the options do not give them.
    ///
    /// The saturation level is `SATURATE` when present, else 65535 for unsigned 16-bit frames
    /// and 32767 for signed 16-bit ones; float frames have none unless given.
    ///
    /// - Throws: ``FITSError`` `.invalidWCS` only if the frame declares an unusable WCS.
    public init(frame: FITSFrame, options: Options = Options()) throws(FITSError) {
        var options = options
        let metadata = frame.metadata
        if options.detection.saturationLevel == nil {
            if let level = metadata.saturationADU {
                options.detection.saturationLevel = level
            } else if frame.header.int("BITPIX") == 16 {
                options.detection.saturationLevel = frame.header.double("BZERO") == 32768 ? 65_535 : 32_767
            }
        }
        if options.background.saturationLevel == nil { options.background.saturationLevel = options.detection.saturationLevel }
        if options.detection.gain == nil { options.detection.gain = metadata.gain }
        if options.zeroPoint == nil { options.zeroPoint = metadata.zeroPoint }
        if options.pixelScale == nil {
            let wcs = try frame.worldCoordinates()
            let centre = (Double(frame.image.width - 1) / 2, Double(frame.image.height - 1) / 2)
            options.pixelScale = wcs?.pixelScale(atX: centre.0, y: centre.1) ?? Self.headerPixelScale(frame.header)
        }
        self.init(image: frame.image, exposureSeconds: metadata.exposureSeconds, options: options)
    }

    /// Analyses an image.
    ///
    /// - Parameters:
    ///   - image: the pixels, ADU.
    ///   - exposureSeconds: for the limiting magnitude per second; `nil` when unknown.
    ///   - options: background, detection, zero point and pixel scale.
    public init(image: FloatImage, exposureSeconds: Double? = nil, options: Options = Options()) {
        var backgroundOptions = options.background
        if backgroundOptions.saturationLevel == nil { backgroundOptions.saturationLevel = options.detection.saturationLevel }
        let background = BackgroundMap(image: image, options: backgroundOptions)
        let detected = SourceDetector(options: options.detection).detectKeepingSubtracted(in: image, background: background)
        var sources = detected.sources
        // Profile fits for the best-measured point sources of the FWHM sample (at most
        // `profileFitCount`: bright isolated stars scatter by ~1 % from fit to fit, so the
        // median of 32 is precise to a few tenths of a percent).
        let sample = Array(Self.fwhmSample(sources).sorted { sources[$0].signalToNoise > sources[$1].signalToNoise }.prefix(Self.profileFitCount))
        let fits: [[(Int, MoffatFit.Result?)]] = Parallel.map(sample.count, minimumPerBand: 8) { range in
            range.map { position in
                let index = sample[position]
                return (index, MoffatFit.fit(detected.sources[index], subtracted: detected.subtracted, width: image.width, height: image.height))
            }
        }
        for (index, fit) in fits.joined() {
            sources[index].profileFWHM = fit?.fwhm
            sources[index].moffatBeta = fit?.beta
        }
        self.background = background
        self.sources = sources
        self.summary = Self.summarize(
            image: image, background: background, sources: sources, exposureSeconds: exposureSeconds, options: options)
    }

    static func summarize(
        image: FloatImage, background: BackgroundMap, sources: [Source], exposureSeconds: Double?, options: Options
    ) -> FrameSummary {
        let good = fwhmSample(sources).map { sources[$0] }
        let profiles = good.compactMap(\.profileFWHM)
        // The Moffat fits (made for the best sources) when most succeeded, else the moments.
        let attempted = min(good.count, profileFitCount)
        let fwhm = profiles.count * 2 >= attempted && !profiles.isEmpty ? median(profiles) : median(good.compactMap(\.fwhm))
        let ellipticity = median(good.compactMap(\.ellipticity))
        let scale = options.pixelScale?.arcseconds
        var saturated = 0
        if let level = options.detection.saturationLevel {
            if background.options.saturationLevel.map({ Float($0) }) == Float(level) {
                saturated = background.saturatedPixelCount  // counted with the meshes
            } else {
                let threshold = Float(level)
                saturated = image.pixels.reduce(0) { $0 + ($1 >= threshold ? 1 : 0) }
            }
        }
        var notes: [String] = []
        let finitePixels = image.pixels.reduce(0) { $0 + ($1.isFinite ? 1 : 0) }
        if finitePixels == 0 {
            notes.append("no pixel has a finite value (all NaN or infinite): nothing to measure")
        } else if !background.globalLevel.isFinite || !background.globalNoise.isFinite {
            let largest = image.pixels.lazy.filter(\.isFinite).map { abs(Double($0)) }.max() ?? 0
            notes.append("the background cannot be measured: \(finitePixels) of \(image.count) pixels are finite, values up to \(String(format: "%.3g", largest)) ADU")
        }
        // A zero exposure (a bias) or an unknown one has no rate: the limit is per frame.
        let usableExposure = exposureSeconds.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        if let exposureSeconds, usableExposure == nil {
            notes.append("exposure time \(exposureSeconds) s is not positive: the limiting magnitude is per frame, not per second, and not calibrated")
        }
        var limitingFlux: Double?
        var instrumental: Double?
        if let fwhm, background.globalNoise.isFinite {
            let sigma = fwhm / (2 * (2 * log(2.0)).squareRoot())
            let flux = 5 * background.globalNoise * (4 * Double.pi * sigma * sigma).squareRoot()
            if flux.isFinite && flux > 0 {
                limitingFlux = flux
                instrumental = -2.5 * log10(flux / (usableExposure ?? 1))
            }
        }
        var calibrated: Double?
        if let zero = options.zeroPoint, let instrumental, usableExposure != nil { calibrated = zero + instrumental }
        return FrameSummary(
            width: image.width, height: image.height, backgroundLevel: background.globalLevel,
            backgroundNoise: background.globalNoise, sourceCount: sources.count, medianFWHMPixels: fwhm,
            medianFWHMArcseconds: fwhm.flatMap { value in scale.map { value * $0 } }, pixelScaleArcseconds: scale,
            medianEllipticity: ellipticity, fwhmSampleSize: good.count,
            saturatedFraction: Double(saturated) / Double(image.count), saturationLevel: options.detection.saturationLevel,
            limitingFlux5Sigma: limitingFlux, instrumentalLimitingMagnitude: instrumental, limitingMagnitude5Sigma: calibrated,
            zeroPoint: options.zeroPoint, exposureSeconds: usableExposure, notes: notes)
    }

    /// How many of the best sources get a Moffat profile fit.
    static let profileFitCount = 32

    /// The sources the summary's FWHM and ellipticity use: unsaturated, not deblended, clear
    /// of the edge, S/N ≥ 20, moments converged; the 200 with the highest S/N.
    static func fwhmSample(_ sources: [Source]) -> [Int] {
        let candidates = sources.indices.filter {
            let source = sources[$0]
            return !source.isSaturated && !source.isDeblended && !source.touchesEdge && source.signalToNoise >= 20 && source.fwhm != nil
        }
        return Array(candidates.sorted { sources[$0].signalToNoise > sources[$1].signalToNoise }.prefix(200)).sorted()
    }

    /// A pixel scale from header keywords when there is no WCS: `PIXSCALE`/`SECPIX`
    /// (arcsec/pixel), else `XPIXSZ` (µm, binned) and `FOCALLEN` (mm).
    static func headerPixelScale(_ header: FITSHeader) -> Angle? {
        for key in ["PIXSCALE", "SECPIX", "SCALE"] {
            if let value = header.double(key), value > 0, value < 3600 { return .arcseconds(value) }
        }
        if let size = header.double("XPIXSZ"), let focal = header.double("FOCALLEN"), size > 0, focal > 0 {
            return .arcseconds(206_264.806 * size * 1e-3 / focal)
        }
        return nil
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

