public import Foundation
public import Imaging
public import StarlingCore

/// Everything the simulated camera knows about one exposure, handed to a ``FrameRendering``.
///
/// The simulated devices fill it from their coupled state: where the mount pointed when the
/// shutter opened and closed (a trail if it moved), how long the enclosure let light in, and
/// the weather model's seeing and cloud at that instant. The renderer works out the rest
/// from the site and the time: airmass, the sky brightness from twilight and the Moon.
public struct ExposureScene: Sendable {
    public var telescope: Telescope
    public var site: Site
    public var filter: Filter
    public var imageType: FrameRecord.ImageType
    /// When the shutter opened.
    public var start: Date
    public var exposureSeconds: Double
    /// Where the telescope pointed when the shutter opened (ICRS).
    public var pointing: EquatorialCoordinates
    /// Where it pointed when the shutter closed, if the mount moved meanwhile (a trail).
    public var pointingAtEnd: EquatorialCoordinates?
    /// The fraction of the exposure during which the enclosure was open, 0...1 (0: a dark frame).
    public var openFraction: Double
    /// Seeing FWHM at the zenith (the weather model's), before the airmass term.
    public var zenithSeeing: Angle
    /// Cloud cover along the line of sight, 0...1 (the weather model's).
    public var cloudFraction: Double
    /// Header facts: the object's name and Starling's ids.
    public var object: String?
    public var requestID: RequestID?
    public var observationID: ObservationID?
    public var frameID: FrameID?
    /// Seed of the noise and of anything else random, so the same scene gives the same frame.
    public var seed: UInt64

    public init(
        telescope: Telescope, site: Site, filter: Filter, imageType: FrameRecord.ImageType = .light, start: Date,
        exposureSeconds: Double, pointing: EquatorialCoordinates, pointingAtEnd: EquatorialCoordinates? = nil,
        openFraction: Double = 1, zenithSeeing: Angle, cloudFraction: Double = 0, object: String? = nil,
        requestID: RequestID? = nil, observationID: ObservationID? = nil, frameID: FrameID? = nil, seed: UInt64
    ) {
        self.telescope = telescope
        self.site = site
        self.filter = filter
        self.imageType = imageType
        self.start = start
        self.exposureSeconds = exposureSeconds
        self.pointing = pointing
        self.pointingAtEnd = pointingAtEnd
        self.openFraction = min(1, max(0, openFraction))
        self.zenithSeeing = zenithSeeing
        self.cloudFraction = min(1, max(0, cloudFraction))
        self.object = object
        self.requestID = requestID
        self.observationID = observationID
        self.frameID = frameID
        self.seed = seed
    }
}

/// Turns an ``ExposureScene`` into a frame: with pixels, or as the metrics it would measure.
///
/// The simulated camera asks for pixels or a model according to its ``RenderingPolicy``;
/// both must agree (the modelled metrics are what measuring the rendered frame gives).
public protocol FrameRendering: Sendable {
    /// Renders the frame's pixels, header metadata and TAN WCS.
    func render(_ scene: ExposureScene) -> FITSFrame
    /// The header metadata and the quality metrics the rendered frame would measure.
    func model(_ scene: ExposureScene) -> (metadata: FrameMetadata, quality: ModelledFrameQuality)
}

/// Which simulated frames get pixels.
public enum RenderingPolicy: Sendable, Hashable {
    /// Every frame is rendered.
    case all
    /// No frame is rendered; every frame is modelled.
    case none
    /// One survey frame in `n` (by frame sequence per telescope) is rendered, the rest
    /// modelled; every frame someone asked for (a follow-up's, an observer's request's) is
    /// rendered, since those are the frames people download.
    case sample(everyNth: Int)

    /// Pixels for one frame in `n` per telescope: 0 models every frame, 1 renders every frame
    /// (the command line's `--render-every N`).
    public init(renderingOneIn n: Int) {
        self = n <= 0 ? .none : (n == 1 ? .all : .sample(everyNth: n))
    }

    /// Whether the `index`-th frame (0-based) of a telescope is rendered.
    ///
    /// - Parameter requested: whether someone asked for the frame (``CameraExposure/isRequested``).
    public func rendersFrame(_ index: Int, requested: Bool = false) -> Bool {
        switch self {
        case .all: true
        case .none: false
        case .sample(let n): requested || (n > 0 && index % n == 0)
        }
    }
}
