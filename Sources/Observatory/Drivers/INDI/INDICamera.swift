import Foundation
public import StarlingCore
import Imaging

/// A camera on an INDI server (`CCD Simulator`, or any INDI CCD driver).
///
/// Property mapping: `CCD_FRAME_TYPE` (`FRAME_LIGHT`/`FRAME_DARK`/`FRAME_BIAS`/`FRAME_FLAT`),
/// `CCD_BINNING` (`HOR_BIN`, `VER_BIN`), `CCD_EXPOSURE` (`CCD_EXPOSURE_VALUE`, seconds),
/// `CCD_ABORT_EXPOSURE` (`ABORT`), and the frame in BLOB `CCD1` (format `.fits`, or `.fits.z`
/// when the driver compresses: zlib, inflated here). The driver asks the server for BLOBs
/// (`enableBLOB … Also`) before every exposure, so a restarted server or driver sends them.
public struct INDICamera: CameraDriver, INDIDeviceDriver {
    public static let deviceKind = DeviceKind.camera
    public let client: INDIClient
    public let device: String
    public let timeouts: INDIDriverTimeouts
    /// The BLOB property that carries the main sensor's frames.
    public let blobProperty: String

    public init(client: INDIClient, device: String, timeouts: INDIDriverTimeouts = INDIDriverTimeouts(), blobProperty: String = "CCD1") {
        self.client = client
        self.device = device
        self.timeouts = timeouts
        self.blobProperty = blobProperty
    }

    public func connect() async throws(DriverError) {
        try await client.connect(for: Self.deviceKind)
        try await prepare()
    }

    public func expose(_ exposure: CameraExposure) async throws(DriverError) -> CameraReadout {
        try await prepare()
        let exposureProperty = try await client.require("CCD_EXPOSURE", of: device, kind: .camera)
        // A bias frame takes the camera's shortest exposure; anything else below it is refused.
        if exposure.imageType != .bias, let minimum = exposureProperty.element("CCD_EXPOSURE_VALUE")?.minimum, exposure.exposureSeconds < minimum {
            throw DriverError(.refused, device: .camera, "\(device).CCD_EXPOSURE: \(exposure.exposureSeconds) s is below the camera's minimum \(minimum) s")
        }
        if let frameType = await client.property("CCD_FRAME_TYPE", of: device) {
            let wanted: String =
                switch exposure.imageType {
                case .light: "FRAME_LIGHT"
                case .dark: "FRAME_DARK"
                case .bias: "FRAME_BIAS"
                case .flat: "FRAME_FLAT"
                }
            if frameType.isOn(wanted) != true, frameType.element(wanted) != nil {
                try await client.send(switches: [(wanted, true)], to: "CCD_FRAME_TYPE", of: device, kind: .camera)
            }
        }
        if let binning = await client.property("CCD_BINNING", of: device),
            binning.number("HOR_BIN") != Double(exposure.binning) || binning.number("VER_BIN") != Double(exposure.binning)
        {
            try await client.send(
                numbers: [("HOR_BIN", Double(exposure.binning)), ("VER_BIN", Double(exposure.binning))], to: "CCD_BINNING", of: device,
                kind: .camera)
        }
        let started = Date()
        let before = await client.currentGeneration
        let seconds = max(exposure.exposureSeconds, exposureProperty.element("CCD_EXPOSURE_VALUE")?.minimum ?? 0)
        try await client.send(numbers: [("CCD_EXPOSURE_VALUE", seconds)], to: "CCD_EXPOSURE", of: device, kind: .camera)
        let blobName = blobProperty
        let vector = try await client.waitFor(
            .camera, device: device, properties: [blobName, "CCD_EXPOSURE"],
            timeout: .seconds(seconds) + timeouts.readout, what: "the \(format(seconds)) s exposure's frame in \(blobName)",
            after: before, until: { $0.name == blobName && $0.kind == .blob && $0.elements.contains { if case .blob(let b) = $0.value { !b.data.isEmpty } else { false } } })
        guard let blob = vector.elements.lazy.compactMap({ if case .blob(let b) = $0.value { b } else { nil } }).first else {
            throw DriverError(.protocolError, device: .camera, "\(device).\(blobName) arrived without data")
        }
        var frame = try decode(blob)
        if frame.metadata.observationStart == nil { frame.metadata.observationStart = started }
        if frame.metadata.exposureSeconds == nil { frame.metadata.exposureSeconds = seconds }
        return .frame(frame)
    }

    public func abortExposure() async throws(DriverError) {
        try await client.send(switches: [("ABORT", true)], to: "CCD_ABORT_EXPOSURE", of: device, kind: .camera)
        await client.abortWaits(device: device, properties: [blobProperty, "CCD_EXPOSURE"], reason: "the exposure was aborted")
    }

    private func prepare() async throws(DriverError) {
        try await client.connectDevice(device, kind: .camera)
        try await client.enableBLOB(.also, device: device, kind: .camera)
    }

    /// Turns a BLOB into a frame: inflates `.z` (zlib) data, then reads the FITS.
    func decode(_ blob: INDIBLOB) throws(DriverError) -> FITSFrame {
        var data = blob.data
        if blob.format.hasSuffix(".z") {
            data = try Self.inflate(data, device: device)
        }
        guard blob.format.hasPrefix(".fits") || blob.format.isEmpty else {
            throw DriverError(
                .protocolError, device: .camera,
                "\(device).\(blobProperty) sent format '\(blob.format)'; set CCD_TRANSFER_FORMAT to FORMAT_FITS")
        }
        do {
            return try FITSFrame(data: data, name: "\(device).\(blobProperty)")
        } catch {
            throw DriverError(.protocolError, device: .camera, "\(device).\(blobProperty) is not a readable FITS frame: \(error)")
        }
    }

    /// Inflates INDI's `.z` BLOBs (zlib's `compress2` output).
    static func inflate(_ data: Data, device: String) throws(DriverError) -> Data {
        do {
            return try Gzip.decompress(data)
        } catch {
            throw DriverError(.protocolError, device: .camera, "\(device): the compressed frame cannot be inflated (\(error))")
        }
    }

    private func format(_ value: Double) -> String { String(format: "%g", value) }
}
