import Foundation
import Imaging
public import StarlingCore
import Synchronization

/// Writes a night report into a folder: `report.html`, `report.md`, `report.json`, the plots
/// in `plots/` and the thumbnails in `thumbnails/`.
///
/// Every file is written to a temporary name in its folder and renamed into place, so a
/// reader never sees half a report. Thumbnails are drawn from the FITS files (zscale, at most
/// ``Options/thumbnailSize`` pixels a side); a frame that can no longer be read loses its
/// thumbnail, which ``ReportFiles/skippedThumbnails`` lists, and the report says nothing false.
///
/// ```swift
/// let files = try ReportWriter().write(report, to: "reports/2026-11-23/teide")
/// print(files.html)   // reports/2026-11-23/teide/report.html
/// ```
public struct ReportWriter: Sendable {
    /// How a report is written.
    public struct Options: Sendable {
        /// Embed the plots and thumbnails in the HTML as `data:` URIs (one file to mail) as
        /// well as writing them beside it.
        public var embedImagesInHTML: Bool
        /// The most frames listed in the HTML and Markdown frame tables (the JSON has them all).
        public var frameTableLimit: Int
        /// The longest side of a thumbnail, pixels.
        public var thumbnailSize: Int

        public init(embedImagesInHTML: Bool = false, frameTableLimit: Int = 2000, thumbnailSize: Int = 320) {
            precondition(frameTableLimit >= 0 && thumbnailSize > 0, "limits must be positive")
            self.embedImagesInHTML = embedImagesInHTML
            self.frameTableLimit = frameTableLimit
            self.thumbnailSize = thumbnailSize
        }
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Draws the plots and thumbnails and writes every file.
    ///
    /// - Parameters:
    ///   - report: the report as built; its figures and thumbnail sizes are filled in.
    ///   - directory: the folder to write into (created if needed).
    /// - Returns: where everything went, and the report as written.
    /// - Throws: ``ReportingError`` `.writeFailed` when the folder or a file cannot be
    ///   written, `.encodingFailed` when a picture or the JSON cannot be encoded.
    public func write(_ report: NightReport, to directory: String) throws(ReportingError) -> ReportFiles {
        let folder = URL(fileURLWithPath: directory).standardizedFileURL.path
        try Self.makeDirectory(folder)
        try Self.makeDirectory(folder + "/plots")
        try Self.makeDirectory(folder + "/thumbnails")
        var report = report
        var images: [String: Data] = [:]

        // Plots.
        let drawn = ReportFigures.draw(report)
        for figure in drawn {
            let png = try figure.canvas.pngData()
            try Self.write(png, to: folder + "/" + figure.figure.file)
            images[figure.figure.file] = png
        }
        report.figures = drawn.map(\.figure)

        // Thumbnails, drawn in parallel (each thread opens its own FITS file).
        try Self.removeOldThumbnails(in: folder + "/thumbnails", keeping: Set(report.thumbnails.map(\.file)))
        let paths = Dictionary(report.frames.map { ($0.frameID, $0.path) }, uniquingKeysWith: { first, _ in first })
        let thumbnails = report.thumbnails
        let size = options.thumbnailSize
        let results = Mutex([Result<(data: Data, width: Int, height: Int), ThumbnailFailure>?](repeating: nil, count: thumbnails.count))
        DispatchQueue.concurrentPerform(iterations: thumbnails.count) { index in
            let outcome = Self.drawThumbnail(path: paths[thumbnails[index].frameID], size: size)
            results.withLock { $0[index] = outcome }
        }
        var kept: [NightReport.Thumbnail] = []
        var skipped: [ReportFiles.SkippedThumbnail] = []
        for (thumbnail, result) in zip(thumbnails, results.withLock { $0 }) {
            switch result {
            case .success(let drawnThumbnail)?:
                try Self.write(drawnThumbnail.data, to: folder + "/" + thumbnail.file)
                images[thumbnail.file] = drawnThumbnail.data
                var written = thumbnail
                written.width = drawnThumbnail.width
                written.height = drawnThumbnail.height
                kept.append(written)
            case .failure(let failure)?:
                skipped.append(ReportFiles.SkippedThumbnail(frameID: thumbnail.frameID, reason: failure.reason))
            case nil:
                skipped.append(ReportFiles.SkippedThumbnail(frameID: thumbnail.frameID, reason: "not drawn"))
            }
        }
        report.thumbnails = kept

        // The three documents.
        let embed = options.embedImagesInHTML
        let html = HTMLReport(
            report: report,
            imageSource: { file in
                guard embed, let data = images[file] else { return file }
                return "data:image/png;base64," + data.base64EncodedString()
            },
            frameTableLimit: options.frameTableLimit
        ).render()
        let markdown = MarkdownReport(report: report, frameTableLimit: options.frameTableLimit).render()
        let json = try report.jsonData()
        let files = ReportFiles(
            directory: folder, html: folder + "/report.html", markdown: folder + "/report.md", json: folder + "/report.json",
            figures: report.figures.map { folder + "/" + $0.file }, thumbnails: kept.map { folder + "/" + $0.file },
            skippedThumbnails: skipped, report: report)
        try Self.write(Data(html.utf8), to: files.html)
        try Self.write(Data(markdown.utf8), to: files.markdown)
        try Self.write(json, to: files.json)
        return files
    }

    private struct ThumbnailFailure: Error {
        let reason: String
    }

    private static func drawThumbnail(path: String?, size: Int) -> Result<(data: Data, width: Int, height: Int), ThumbnailFailure> {
        guard let path else { return .failure(ThumbnailFailure(reason: "the frame is not in the report")) }
        do {
            let frame = try FITSFrame(path: path)
            let preview = FramePreview(image: frame.image, maximumSize: size)
            return .success((try preview.pngData(), preview.width, preview.height))
        } catch let error as FITSError {
            return .failure(ThumbnailFailure(reason: error.description))
        } catch {
            return .failure(ThumbnailFailure(reason: "\(error)"))
        }
    }

    // MARK: Files

    private static func makeDirectory(_ path: String) throws(ReportingError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ReportingError(.writeFailed, "cannot create the folder (check the parent exists and is writable)", path: path, underlying: error)
        }
    }

    /// Removes thumbnails of an earlier report of the same night that this one does not have.
    private static func removeOldThumbnails(in folder: String, keeping: Set<String>) throws(ReportingError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw ReportingError(.writeFailed, "cannot list the thumbnails folder", path: folder, underlying: error)
        }
        for name in names where name.hasSuffix(".png") && !keeping.contains("thumbnails/" + name) {
            guard unlink(folder + "/" + name) == 0 || errno == ENOENT else {
                throw ReportingError(.writeFailed, "cannot remove an old thumbnail: \(String(cString: strerror(errno)))", path: folder + "/" + name)
            }
        }
    }

    /// Writes bytes to a temporary file beside `path`, then renames it over `path` (rename(2)
    /// replaces the destination atomically within one file system).
    static func write(_ data: Data, to path: String) throws(ReportingError) {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw ReportingError(.writeFailed, "cannot create the file: \(String(cString: strerror(errno)))", path: path)
        }
        var failure: String?
        data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else {
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw ReportingError(.writeFailed, "cannot write the file: \(failure)", path: path)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ReportingError(.writeFailed, "cannot move the written file into place: \(reason)", path: path)
        }
    }
}

/// Where a written report went.
public struct ReportFiles: Sendable {
    /// The report's folder.
    public let directory: String
    /// The three documents.
    public let html: String
    public let markdown: String
    public let json: String
    /// The plots and thumbnails written.
    public let figures: [String]
    public let thumbnails: [String]
    /// Thumbnails that could not be drawn (the FITS file changed or vanished since it was measured).
    public let skippedThumbnails: [SkippedThumbnail]
    /// The report as written (figures and thumbnail sizes filled in).
    public let report: NightReport

    /// A thumbnail that could not be drawn, and why.
    public struct SkippedThumbnail: Sendable, Hashable {
        public let frameID: FrameID
        public let reason: String
    }
}
