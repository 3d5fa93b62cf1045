/// How sources are detected and measured.
public struct DetectionOptions: Sendable, Hashable, Codable {
    /// Detection threshold above the local background, in units of the local background
    /// noise (SExtractor's `DETECT_THRESH`; 1.5 by default, as SExtractor). Applied to the filtered image.
    public var thresholdSigma: Double
    /// Fewest connected pixels (8-connectivity) above the threshold for a detection
    /// (`DETECT_MINAREA`; 5 by default).
    public var minimumArea: Int
    /// The smoothing applied before thresholding.
    public var filter: DetectionFilter
    /// Number of thresholds between the detection threshold and a blend's peak, spaced
    /// exponentially, at which the deblender looks for separate peaks (`DEBLEND_NTHRESH`; 32).
    public var deblendLevels: Int
    /// The least fraction of a blend's total flux a branch must hold to become a separate
    /// source (`DEBLEND_MINCONT`; 0.005). 1 disables deblending.
    public var deblendContrast: Double
    /// Pixels at or above this level (ADU, before background subtraction) are saturated; `nil`
    /// when unknown.
    public var saturationLevel: Double?
    /// Conversion gain, e⁻/ADU, for the sources' Poisson noise in flux errors; `nil` to
    /// count background noise only.
    public var gain: Double?

    public init(
        thresholdSigma: Double = 1.5, minimumArea: Int = 5, filter: DetectionFilter = .pyramid3x3, deblendLevels: Int = 32,
        deblendContrast: Double = 0.005, saturationLevel: Double? = nil, gain: Double? = nil
    ) {
        precondition(thresholdSigma > 0, "thresholdSigma must be positive")
        precondition(minimumArea >= 1, "minimumArea must be at least 1")
        precondition(deblendLevels >= 1, "deblendLevels must be at least 1")
        self.thresholdSigma = thresholdSigma
        self.minimumArea = minimumArea
        self.filter = filter
        self.deblendLevels = deblendLevels
        self.deblendContrast = deblendContrast
        self.saturationLevel = saturationLevel
        self.gain = gain
    }
}

/// The smoothing kernel applied to the background-subtracted image before thresholding.
public enum DetectionFilter: Sendable, Hashable, Codable {
    /// No smoothing.
    case none
    /// The 3×3 pyramid `[1 2 1; 2 4 2; 1 2 1]`, SExtractor's `default.conv` and sep's default.
    case pyramid3x3
    /// A normalised Gaussian of this FWHM in pixels, truncated at ±1.5 FWHM (a matched filter
    /// for stars of that width).
    case gaussian(fwhm: Double)

    /// The kernel, normalised to unit sum, and its half-size.
    var kernel: (weights: [Float], half: Int) {
        switch self {
        case .none:
            return ([1], 0)
        case .pyramid3x3:
            return ([1, 2, 1, 2, 4, 2, 1, 2, 1].map { $0 / 16 }, 1)
        case .gaussian(let fwhm):
            let sigma = max(fwhm, 0.5) / 2.354_820_045
            let half = max(1, Int((1.5 * max(fwhm, 0.5)).rounded(.up)))
            var weights: [Float] = []
            for y in -half...half {
                for x in -half...half { weights.append(Float(exp(-Double(x * x + y * y) / (2 * sigma * sigma)))) }
            }
            let sum = weights.reduce(0, +)
            return (weights.map { $0 / sum }, half)
        }
    }
}

import Foundation
