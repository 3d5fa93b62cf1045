import Foundation
import Imaging
import Observatory
import Sky
import StarlingCore

/// Real sites and telescope models from `sites/`, cut down to small cameras so rendered frames
/// take a fraction of a second, and scenes on dark nights.
enum RenderingTestSupport {
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let layout = ProjectLayout(root: packageRoot)

    /// The shipped network, loaded once.
    static let network: ObservatoryNetwork = {
        do { return try layout.loadNetwork() } catch { fatalError("cannot load sites/: \(error)") }
    }()

    /// A telescope of the network with its camera cut to a `size`² subarray (same pixels,
    /// gain, noise and full well).
    static func telescope(_ id: TelescopeID, size: Int = 1024) throws -> (site: Site, telescope: Telescope) {
        guard let (site, model) = network.locate(id) else { throw TestFailure("no telescope \(id) in sites/") }
        let camera = model.camera
        let subarray = Camera(
            name: camera.name, widthPixels: size, heightPixels: size, pixelSizeMicrons: camera.pixelSizeMicrons, gain: camera.gain,
            readNoise: camera.readNoise, fullWell: camera.fullWell, readoutSeconds: camera.readoutSeconds, darkCurrent: camera.darkCurrent,
            temperatureCelsius: camera.temperatureCelsius)
        let telescope = Telescope(
            id: model.id, name: model.name, apertureMeters: model.apertureMeters, focalLengthMillimeters: model.focalLengthMillimeters,
            camera: subarray, filters: model.filters, mount: model.mount, enclosure: model.enclosure,
            filterChangeSeconds: model.filterChangeSeconds, throughput: model.throughput, safety: model.safety, driver: model.driver)
        return (site, telescope)
    }

    /// Local midnight at Cerro Tololo at new Moon (2026-06-15 04:00 UTC; new Moon 2026-06-15).
    static let darkNight = Date(timeIntervalSince1970: 1_781_496_000)

    /// The ICRS position at an altitude due south (or north) at an instant.
    static func position(altitudeDegrees: Double, azimuthDegrees: Double = 0, site: Site, at date: Date) throws -> EquatorialCoordinates {
        let frame = try Observer(site: site).frame(at: date)
        return try frame.equatorial(of: HorizontalCoordinates(altitude: .degrees(altitudeDegrees), azimuth: .degrees(azimuthDegrees)))
    }

    /// A 60-s r-band scene on the 1-m LCO-design telescope at Cerro Tololo (0.39″/px, 1024² subarray).
    static func scene(
        altitudeDegrees: Double = 60, seeing: Double = 1.2, cloud: Double = 0, openFraction: Double = 1, seed: UInt64 = 42,
        trailArcseconds: Double? = nil, size: Int = 1024
    ) throws -> ExposureScene {
        let (site, telescope) = try telescope("cerro-tololo-lco-c", size: size)
        let pointing = try position(altitudeDegrees: altitudeDegrees, site: site, at: darkNight)
        var end: EquatorialCoordinates?
        if let trailArcseconds {
            end = try EquatorialCoordinates(
                rightAscension: pointing.rightAscension, declination: pointing.declination + .arcseconds(trailArcseconds))
        }
        return ExposureScene(
            telescope: telescope, site: site, filter: Filter("r"), start: darkNight.addingTimeInterval(-30), exposureSeconds: 60,
            pointing: pointing, pointingAtEnd: end, openFraction: openFraction, zenithSeeing: .arcseconds(seeing), cloudFraction: cloud,
            object: "test field", requestID: RequestID("req-1"), observationID: ObservationID("obs-1"), frameID: FrameID("frame-1"), seed: seed)
    }

    /// Writes a frame to a temporary FITS file and reads it back, as the agent and the Reporter would.
    static func roundTrip(_ frame: FITSFrame, name: String) throws -> FITSFrame {
        let path = NSTemporaryDirectory() + "starling-render-\(name)-\(ProcessInfo.processInfo.processIdentifier).fits"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try frame.write(to: path, format: .float32)
        return try FITSFrame(path: path)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
