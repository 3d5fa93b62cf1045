import Foundation
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

    public init(exposureSeconds: Double, imageType: FrameRecord.ImageType = .light, binning: Int = 1) {
        self.exposureSeconds = exposureSeconds
        self.imageType = imageType
        self.binning = binning
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
}

/// A weather sensor.
public protocol WeatherDriver: DeviceDriver {
    /// The latest reading, or `nil` if the sensor has none (feed lost).
    func reading() async throws(DriverError) -> WeatherSnapshot?
}

/// A camera.
///
/// Every driver hands back the frame as an Imaging `FITSFrame` (pixels, header metadata and
/// WCS where the device gives one): the simulator renders it, the INDI driver decodes the
/// FITS BLOB, the Alpaca driver builds it from ImageBytes. The agent adds Starling's keywords
/// and writes the file.
public protocol CameraDriver: DeviceDriver {
    /// Exposes and reads out, returning the frame. Throws `.aborted` if ``abortExposure()``
    /// is called meanwhile, `.timeout` if the frame never arrives.
    func expose(_ exposure: CameraExposure) async throws(DriverError) -> FITSFrame
    /// Stops an exposure in progress.
    func abortExposure() async throws(DriverError)
}
