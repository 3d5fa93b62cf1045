import Foundation
import Imaging
import StarlingCore

/// A camera on an Alpaca server (`/api/v1/camera/N`).
///
/// Members: `cameraxsize`, `cameraysize`, `binx`, `biny`, `numx`, `numy`, `startx`, `starty`,
/// `startexposure` (`Duration` seconds, `Light`), `camerastate` (5 is an error), `imageready`,
/// `imagearray` (ImageBytes or JSON), `abortexposure`. Dark and bias frames are taken with
/// `Light=False`. The frame comes back as a `FITSFrame` built from the pixels, with
/// `DATE-OBS` (the start time the client saw), `EXPTIME` and `IMAGETYP`.
public struct AlpacaCamera: CameraDriver {
    let device: AlpacaDevice
    public let timeouts: AlpacaDriverTimeouts

    public init(client: AlpacaClient, number: Int = 0, timeouts: AlpacaDriverTimeouts = AlpacaDriverTimeouts()) {
        device = AlpacaDevice(client: client, type: .camera, number: number, kind: .camera)
        self.timeouts = timeouts
    }

    public func connect() async throws(DriverError) { try await device.connect() }

    public func disconnect() async { await device.disconnect() }

    public func expose(_ exposure: CameraExposure) async throws(DriverError) -> CameraReadout {
        let width = try await device.get("cameraxsize").int ?? 0
        let height = try await device.get("cameraysize").int ?? 0
        let binning = max(1, exposure.binning)
        try await device.put("binx", [("BinX", String(binning))])
        try await device.put("biny", [("BinY", String(binning))])
        try await device.put("startx", [("StartX", "0")])
        try await device.put("starty", [("StartY", "0")])
        try await device.put("numx", [("NumX", String(width / binning))])
        try await device.put("numy", [("NumY", String(height / binning))])
        let light = exposure.imageType == .light || exposure.imageType == .flat
        let started = Date()
        try await device.put("startexposure", [("Duration", String(exposure.exposureSeconds)), ("Light", alpacaBool(light))])
        let name = device.name
        try await device.poll(
            every: timeouts.pollInterval, timeout: .seconds(exposure.exposureSeconds) + timeouts.readout,
            what: "the \(exposure.exposureSeconds) s exposure to be read out"
        ) { () async throws(DriverError) in
            let state = try await device.get("camerastate").int
            if state == 5 {
                throw DriverError(
                    .deviceFault, device: .camera,
                    "\(name) reports CameraState 5 (error) during the \(exposure.exposureSeconds) s \(light ? "light" : "dark") exposure")
            }
            return try await device.bool("imageready")
        }
        let image = try await device.client.imageArray(camera: device.number)
        let metadata = FrameMetadata(
            observationStart: started, exposureSeconds: exposure.exposureSeconds, imageType: exposure.imageType.rawValue.uppercased())
        return .frame(FITSFrame(image: FloatImage(width: image.width, height: image.height, pixels: image.pixels), metadata: metadata))
    }

    public func abortExposure() async throws(DriverError) {
        device.aborts.increment()
        try await device.put("abortexposure")
    }
}
