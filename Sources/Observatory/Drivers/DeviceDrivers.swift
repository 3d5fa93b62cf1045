public import Foundation
public import Imaging
public import StarlingCore

/// What every device driver can do: connect and disconnect.
///
/// Drivers are the seam between the ``TelescopeAgent`` and hardware: the simulator, INDI
/// and ASCOM Alpaca implement the same protocols, and one conformance suite runs against
/// each. Every operation that waits (a slew, an exposure, a roof) returns when the device is
/// done, throws ``DriverError`` `.timeout` if it takes too long, and `.aborted` if another
/// task asked it to stop. Drivers enforce nothing about safety: the agent does.
public protocol DeviceDriver: Sendable {
    /// Connects to the device (idempotent).
    func connect() async throws(DriverError)
    /// Disconnects, leaving the device as it is.
    func disconnect() async
}

/// Where a mount points and what it is doing.
public struct MountStatus: Sendable, Hashable {
    /// Where the mount points (ICRS), if it knows.
    public let pointing: EquatorialCoordinates?
    public let isSlewing: Bool
    public let isTracking: Bool
    public let isParked: Bool

    public init(pointing: EquatorialCoordinates?, isSlewing: Bool, isTracking: Bool, isParked: Bool) {
        self.pointing = pointing
        self.isSlewing = isSlewing
        self.isTracking = isTracking
        self.isParked = isParked
    }
}

/// A telescope mount.
public protocol MountDriver: DeviceDriver {
    func status() async throws(DriverError) -> MountStatus
    /// Unparks (idempotent).
    func unpark() async throws(DriverError)
    /// Parks, returning when parked.
    func park() async throws(DriverError)
    /// Slews to an ICRS position and tracks it, returning when the mount is on target
    /// (settling is the agent's business). Throws `.aborted` if ``abortSlew()`` is called.
    func slew(to target: EquatorialCoordinates) async throws(DriverError)
    /// Stops a slew in progress.
    func abortSlew() async throws(DriverError)
}

/// What to expose.
public struct CameraExposure: Sendable, Hashable {
    public let exposureSeconds: Double
    public let imageType: FrameRecord.ImageType
    public let binning: Int
    /// Whether someone asked for this frame by name (a follow-up's or an observer's request,
    /// not the survey's): real cameras ignore it; the simulator renders every such frame,
    /// whatever its sampling of survey frames, so the frames people download have pixels.
    public let isRequested: Bool

    public init(exposureSeconds: Double, imageType: FrameRecord.ImageType = .light, binning: Int = 1, isRequested: Bool = false) {
        self.exposureSeconds = exposureSeconds
        self.imageType = imageType
        self.binning = binning
        self.isRequested = isRequested
    }
}

/// A filter wheel.
public protocol FilterWheelDriver: DeviceDriver {
    /// The filters in the wheel, in slot order.
    func filters() async throws(DriverError) -> [Filter]
    func currentFilter() async throws(DriverError) -> Filter?
    /// Moves to a filter, returning when it is in the beam.
    func select(_ filter: Filter) async throws(DriverError)
}

/// A focuser.
public protocol FocuserDriver: DeviceDriver {
    /// Position in steps.
    func position() async throws(DriverError) -> Int
    /// Moves to a position, returning when there.
    func move(to position: Int) async throws(DriverError)
}

/// The state of a dome shutter or a roof: a fact apart from the weather and the mount.
public enum EnclosureState: String, Sendable, Hashable, Codable, CaseIterable {
    case open, closed, opening, closing
    /// The device reports a fault or an in-between position it cannot explain.
    case error
}

/// A dome (shutter and rotation) or a roll-off roof.
public protocol EnclosureDriver: DeviceDriver {
    func state() async throws(DriverError) -> EnclosureState
    /// Opens, returning when open.
    func open() async throws(DriverError)
    /// Closes, returning when closed.
    func close() async throws(DriverError)
    /// Turns a dome to an azimuth (no-op for roofs), returning when there.
    func rotate(toAzimuth azimuth: Angle) async throws(DriverError)
    /// Where a dome's slit faces (north 0°, east 90°), or `nil` when the driver does not say
    /// (a roof, or a driver that cannot tell). The agent times its next slew by it.
    func azimuth() async throws(DriverError) -> Angle?
}

extension EnclosureDriver {
    /// Drivers that cannot tell where the slit faces say nothing; the agent then assumes the
    /// azimuth it last turned the dome to.
    public func azimuth() async throws(DriverError) -> Angle? { nil }
}

/// A weather sensor.
public protocol WeatherDriver: DeviceDriver {
    /// The latest reading, or `nil` if the sensor has none (feed lost).
    func reading() async throws(DriverError) -> WeatherSnapshot?
}

/// What a camera hands back after an exposure.
public enum CameraReadout: Sendable {
    /// A frame with pixels: every real camera, and the simulator when it renders.
    case frame(FITSFrame)
    /// The simulator's modelled frame: the header facts and the quality metrics the frame
    /// would measure, without pixels, so a whole array's night runs in seconds. The agent
    /// stores the metrics with source `.model`, and reports say which frames were modelled.
    case modelled(FrameMetadata, ModelledFrameQuality)
}

/// The quality metrics the simulator predicts for a frame it did not render.
public struct ModelledFrameQuality: Sendable, Hashable {
    public var backgroundADU: Double
    public var noiseADU: Double
    public var fwhmPixels: Double
    public var fwhmArcseconds: Double
    public var ellipticity: Double
    public var sourceCount: Int
    public var saturatedFraction: Double
    public var limitingMagnitude: Double?
    public var zeroPoint: Double?
    /// Fraction of the clear-sky flux that reached the detector (clouds, closed enclosure).
    public var transparency: Double

    public init(
        backgroundADU: Double, noiseADU: Double, fwhmPixels: Double, fwhmArcseconds: Double, ellipticity: Double,
        sourceCount: Int, saturatedFraction: Double, limitingMagnitude: Double?, zeroPoint: Double?, transparency: Double
    ) {
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
    }

    /// The stored quality record for a frame, marked as modelled.
    public func quality(of frame: FrameID, at measuredAt: Date) -> FrameQuality {
        FrameQuality(
            frameID: frame, measuredAt: measuredAt, backgroundADU: backgroundADU, noiseADU: noiseADU,
            fwhmPixels: fwhmPixels, fwhmArcseconds: fwhmArcseconds, ellipticity: ellipticity, sourceCount: sourceCount,
            saturatedFraction: saturatedFraction, limitingMagnitude: limitingMagnitude, zeroPoint: zeroPoint,
            transparency: transparency, source: .model)
    }
}

/// A camera.
///
/// Every real driver hands back the frame as an Imaging `FITSFrame` (pixels, header metadata
/// and WCS where the device gives one): the INDI driver decodes the FITS BLOB, the Alpaca
/// driver builds it from ImageBytes; the simulator renders one, or models it without pixels
/// (``CameraReadout/modelled(_:_:)``). The agent adds Starling's keywords and writes the file.
public protocol CameraDriver: DeviceDriver {
    /// Exposes and reads out, returning the frame. Throws `.aborted` if ``abortExposure()``
    /// is called meanwhile, `.timeout` if the frame never arrives.
    func expose(_ exposure: CameraExposure) async throws(DriverError) -> CameraReadout
    /// Stops an exposure in progress.
    func abortExposure() async throws(DriverError)
}

/// One telescope's devices, as the agent owns them. Focuser, filter wheel and weather sensor
/// are optional: a telescope without them still observes (with a fixed filter, a fixed
/// focus, and the site's weather from elsewhere).
public struct TelescopeDevices: Sendable {
    public let mount: any MountDriver
    public let camera: any CameraDriver
    public let enclosure: any EnclosureDriver
    public let focuser: (any FocuserDriver)?
    public let filterWheel: (any FilterWheelDriver)?
    public let weather: (any WeatherDriver)?

    public init(
        mount: any MountDriver, camera: any CameraDriver, enclosure: any EnclosureDriver,
        focuser: (any FocuserDriver)? = nil, filterWheel: (any FilterWheelDriver)? = nil, weather: (any WeatherDriver)? = nil
    ) {
        self.mount = mount
        self.camera = camera
        self.enclosure = enclosure
        self.focuser = focuser
        self.filterWheel = filterWheel
        self.weather = weather
    }
}
