/// A source found in an image, with its position, flux and shape.
///
/// Positions are 0-based pixel coordinates (see ``FloatImage``); add 1 for FITS/SExtractor
/// conventions. Fluxes are in ADU above the local background.
public struct Source: Sendable, Hashable, Codable {
    /// Windowed centroid, x (Gaussian-weighted first moment iterated to convergence, as
    /// SExtractor's `XWIN_IMAGE`): the most precise position.
    public let x: Double
    /// Windowed centroid, y.
    public let y: Double
    /// Isophotal barycentre, x (flux-weighted mean over the detection pixels).
    public let isophotalX: Double
    /// Isophotal barycentre, y.
    public let isophotalY: Double
    /// Sum of background-subtracted values over the detection pixels, ADU.
    public let flux: Double
    /// 1σ uncertainty of ``flux`` from the background noise and, when the gain is known,
    /// the source's own Poisson noise, ADU.
    public let fluxError: Double
    /// Highest background-subtracted pixel value, ADU.
    public let peak: Double
    /// Number of detection pixels.
    public let area: Int
    /// Full width at half maximum, pixels: the circularised Gaussian-equivalent width
    /// `2√(2 ln 2) · (λ₁λ₂)^¼` of the adaptive second moments, corrected for the pixel's own
    /// width (1/12 px² per axis). `nil` when the moments did not converge (faint or
    /// blended sources).
    public let fwhm: Double?
    /// FWHM from a Moffat profile fit, pixels: unbiased for winged (seeing-limited) PSFs,
    /// where ``fwhm`` from moments runs high. Fitted by ``FrameAnalysis`` for the 32 sources
    /// of highest S/N among those its summary uses; `nil` otherwise or when the fit fails.
    public internal(set) var profileFWHM: Double?
    /// The Moffat β of that fit (large, up to 100, for a Gaussian PSF); `nil` when not fitted.
    public internal(set) var moffatBeta: Double?
    /// `1 − b/a` from the adaptive moments (0 for a round source); `nil` when not measured.
    public let ellipticity: Double?
    /// Semi-major axis (1σ) of the adaptive moments, pixels; `nil` when not measured.
    public let semiMajorAxis: Double?
    /// Semi-minor axis (1σ), pixels; `nil` when not measured.
    public let semiMinorAxis: Double?
    /// Position angle of the major axis, degrees, from +x towards +y, in −90…90.
    public let theta: Double?
    /// Whether a pixel of the source reaches the saturation level.
    public let isSaturated: Bool
    /// Whether the source was split from a blend by the deblender.
    public let isDeblended: Bool
    /// Whether the detection touches the image edge (its shape is then truncated).
    public let touchesEdge: Bool

    /// Signal-to-noise ratio, ``flux`` / ``fluxError``.
    public var signalToNoise: Double { fluxError > 0 ? flux / fluxError : .infinity }
}
