public import Foundation

/// The quality of one frame as measured from its pixels: what the Reporter stores per frame
/// and the reports plot over the night.
///
/// `Imaging` measures a frame and produces one of these; a frame that could not be read is
/// recorded with ``Status-swift.enum/corrupt(_:)`` or ``Status-swift.enum/missing`` rather
/// than dropped, so reports can list it.
public struct FrameQuality: Sendable, Hashable, Codable {
    public let frameID: FrameID
    /// When the measurement was made (UTC).
    public let measuredAt: Date
    public let status: Status
    /// Median sky background, ADU.
    public let backgroundADU: Double?
    /// Background noise (RMS), ADU.
    public let noiseADU: Double?
    /// Median FWHM of point sources, pixels.
    public let fwhmPixels: Double?
    /// Median FWHM of point sources, arcseconds (when the pixel scale is known).
    public let fwhmArcseconds: Double?
    /// Median ellipticity 1 − b/a of point sources.
    public let ellipticity: Double?
    /// Number of sources detected.
    public let sourceCount: Int?
    /// Fraction of pixels at or above saturation, 0…1.
    public let saturatedFraction: Double?
    /// 5σ point-source limiting magnitude (needs a zero point).
    public let limitingMagnitude: Double?
    /// Photometric zero point used (magnitude giving 1 ADU/s).
    public let zeroPoint: Double?
    /// Measured flux of catalog stars relative to the cloud-free expectation, 0…1+.
    public let transparency: Double?
    /// How the metrics were obtained: from rendered pixels or from the frame model alone.
    public let source: Source

    public enum Status: Sendable, Hashable, Codable {
        case measured
        /// The file exists but could not be read; the reason says why.
        case corrupt(String)
        /// The file is not where the record says.
        case missing
    }

    public enum Source: String, Sendable, Hashable, Codable {
        /// Measured from the FITS pixels.
        case pixels
        /// Computed from the simulator's frame model without rendering pixels.
        case model
    }

    public init(
        frameID: FrameID, measuredAt: Date, status: Status = .measured, backgroundADU: Double? = nil, noiseADU: Double? = nil,
        fwhmPixels: Double? = nil, fwhmArcseconds: Double? = nil, ellipticity: Double? = nil, sourceCount: Int? = nil,
        saturatedFraction: Double? = nil, limitingMagnitude: Double? = nil, zeroPoint: Double? = nil,
        transparency: Double? = nil, source: Source = .pixels
    ) {
        self.frameID = frameID
        self.measuredAt = measuredAt
        self.status = status
        self.backgroundADU = backgroundADU
        self.noiseADU = noiseADU
        self.fwhmPixels = fwhmPixels
        self.fwhmArcseconds = fwhmArcseconds
        self.ellipticity = ellipticity
        self.sourceCount = sourceCount
        self.saturatedFraction = saturatedFraction
        self.limitingMagnitude = limitingMagnitude
        self.zeroPoint = zeroPoint
        self.transparency = transparency
        self.source = source
    }
}

/// A person's verdict on a frame or an observation, kept and shown in later reports.
public struct Review: Sendable, Hashable, Codable {
    public enum Subject: Sendable, Hashable, Codable {
        case frame(FrameID)
        case observation(ObservationID)
    }

    public enum Decision: String, Sendable, Hashable, Codable, CaseIterable {
        case approved, flagged
    }

    public let subject: Subject
    public let decision: Decision
    /// The reviewer's note (required when flagging).
    public let note: String
    public let reviewer: String
    public let reviewedAt: Date

    public init(subject: Subject, decision: Decision, note: String, reviewer: String, reviewedAt: Date) {
        self.subject = subject
        self.decision = decision
        self.note = note
        self.reviewer = reviewer
        self.reviewedAt = reviewedAt
    }
}
