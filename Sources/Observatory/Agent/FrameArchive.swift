import Foundation
import Imaging
import Persistence
import StarlingCore

/// Where the agent keeps its frames: FITS files under
/// `<directory>/<night>/<telescope>/<frame id>.fits`, with Starling's keywords, or, for the
/// simulator's modelled frames, the modelled metrics in the store and no file.
///
/// The night is the site's local date of the evening (the date 12 hours before the frame,
/// in the site's time zone), so one night's frames share a folder across midnight UTC.
struct FrameArchive: Sendable {
    let directory: String
    let telescope: Telescope
    let site: Site

    /// Stores a camera readout and returns its record.
    func store(
        _ readout: CameraReadout, frameID: FrameID, observationID: ObservationID, request: ObservationRequest, filter: Filter,
        started: Date, exposureSeconds: Double, qualityStore: (any ObservationStore)?, at now: Date
    ) async throws -> FrameRecord {
        switch readout {
        case .frame(var frame):
            frame.metadata.object = request.target.name
            frame.metadata.filter = filter.name
            frame.metadata.requestID = request.id
            frame.metadata.observationID = observationID
            frame.metadata.frameID = frameID
            frame.metadata.telescope = telescope.id.rawValue
            frame.metadata.observatory = frame.metadata.observatory ?? site.name
            if frame.metadata.observationStart == nil { frame.metadata.observationStart = started }
            if frame.metadata.exposureSeconds == nil { frame.metadata.exposureSeconds = exposureSeconds }
            let folder = nightFolder(for: started)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = Self.unusedPath(in: folder, name: frameID.rawValue)
            try frame.write(to: path)
            return record(frameID, observationID, path, frame.metadata, filter, started, exposureSeconds, request)
        case .modelled(let metadata, let quality):
            try await qualityStore?.saveFrameQuality(quality.quality(of: frameID, at: now))
            return record(frameID, observationID, "modelled:\(frameID)", metadata, filter, started, exposureSeconds, request)
        }
    }

    private func record(
        _ id: FrameID, _ observationID: ObservationID, _ path: String, _ metadata: FrameMetadata, _ filter: Filter, _ started: Date,
        _ exposureSeconds: Double, _ request: ObservationRequest
    ) -> FrameRecord {
        FrameRecord(
            id: id, observationID: observationID, telescopeID: telescope.id, path: path,
            imageType: metadata.frameType ?? .light, filter: filter, exposureSeconds: exposureSeconds, started: started,
            pointing: metadata.pointing ?? request.target.coordinates, airmass: metadata.airmass)
    }

    /// `<folder>/<name>.fits`, or `<name>-2.fits`, `-3`… when taken: a frame never replaces a
    /// file already written (by an earlier run with the same ids, say).
    static func unusedPath(in folder: String, name: String) -> String {
        var path = "\(folder)/\(name).fits"
        var copy = 1
        while FileManager.default.fileExists(atPath: path) {
            copy += 1
            path = "\(folder)/\(name)-\(copy).fits"
        }
        return path
    }

    func nightFolder(for date: Date) -> String {
        let night = CalendarDate(date.addingTimeInterval(-12 * 3600), in: site.timeZone)
        return "\(directory)/\(night)/\(telescope.id)"
    }

    static func compactTimestamp(_ date: Date) -> String {
        let iso = ISO8601.string(from: date)  // 2026-11-23T21:30:40Z
        return String(iso.filter { $0.isNumber || $0 == "T" }.prefix(15))
    }
}
