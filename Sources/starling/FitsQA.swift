import ArgumentParser
import Foundation
import Imaging
import StarlingCore

extension Starling.Fits {
    struct QA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "qa",
            abstract: "Measure a frame's quality: background, noise, sources, FWHM, ellipticity, depth.",
            discussion: """
                Estimates the background and its noise (64-pixel meshes, 3×3 median filter), detects \
                sources at 1.5σ over at least 5 pixels with deblending, and summarises: median FWHM \
                (pixels, and arcseconds when the WCS or header gives the pixel scale), ellipticity, \
                saturated fraction and the 5σ limiting magnitude (calibrated when MAGZPT is known). \
                Positions in --sources are 0-based pixel centres (add 1 for FITS/SExtractor).
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("The FITS frame.", valueName: "FILE"))
        var file: String

        @Option(help: ArgumentHelp("Write the source list to this CSV file.", valueName: "CSV"))
        var sources: String?

        @Option(help: ArgumentHelp("The 0-based HDU to measure (default: the first with an image).", valueName: "N"))
        var hdu: Int?

        @Option(help: ArgumentHelp("Detection threshold in units of the background noise.", valueName: "SIGMA"))
        var threshold: Double = 1.5

        @Option(help: ArgumentHelp("Zero point: magnitude of a source giving 1 ADU/s (overrides MAGZPT).", valueName: "MAG"))
        var zeroPoint: Double?

        func validate() throws {
            guard threshold > 0 else { throw ValidationError("--threshold must be positive, e.g. --threshold 1.5") }
            if let hdu, hdu < 0 { throw ValidationError("--hdu counts from 0 (the primary HDU)") }
        }

        func run() async throws {
            let frame = try readOrExit { () throws(FITSError) in try FITSFrame(path: file, hdu: hduSelector(hdu)) }
            var analysisOptions = FrameAnalysis.Options(zeroPoint: zeroPoint)
            analysisOptions.detection.thresholdSigma = threshold
            let analysis = try readOrExit { () throws(FITSError) in try FrameAnalysis(frame: frame, options: analysisOptions) }
            if let sources {
                let wcs = try readOrExit { () throws(FITSError) in try frame.worldCoordinates() }
                let csv = SourceTable.csv(analysis.sources, wcs: wcs)
                do {
                    try writeReplacing(Data(csv.utf8), to: sources)
                } catch {
                    printError("\(sources): cannot write the source list: \(error.localizedDescription)")
                    throw ExitCode(1)
                }
            }
            let summary = analysis.summary
            let notes = frame.metadata.problems + summary.notes
            if options.json {
                try printJSON(QADocument(file: file, hdu: frame.hdu ?? 0, summary: summary, notes: notes))
                return
            }
            var table = TextTable(headers: ["measure", "value"])
            table.append(["image", "\(summary.width)×\(summary.height) (HDU \(frame.hdu ?? 0))"])
            table.append(["background", fixed(summary.backgroundLevel, 2) + " ADU"])
            table.append(["noise", fixed(summary.backgroundNoise, 3) + " ADU (1σ per pixel)"])
            table.append(["sources", String(summary.sourceCount)])
            table.append(["FWHM", summary.medianFWHMPixels.map { fixed($0, 3) + " px" + (summary.medianFWHMArcseconds.map { " = " + fixed($0, 2) + "″" } ?? "") } ?? "no point sources with S/N ≥ 20"])
            table.append(["pixel scale", summary.pixelScaleArcseconds.map { fixed($0, 3) + "″/px" } ?? "unknown"])
            table.append(["ellipticity", fixed(summary.medianEllipticity, 3)])
            table.append(["FWHM sample", "\(summary.fwhmSampleSize) sources"])
            table.append(["saturated", fixed(summary.saturatedFraction * 100, 4) + " %" + (summary.saturationLevel.map { " (≥ \(fixed($0, 0)) ADU)" } ?? " (level unknown)")])
            table.append(["5σ limit", summary.limitingFlux5Sigma.map { fixed($0, 1) + " ADU" } ?? ""])
            table.append(["5σ limiting mag", summary.limitingMagnitude5Sigma.map { fixed($0, 2) } ?? (summary.instrumentalLimitingMagnitude.map { fixed($0, 2) + " (instrumental, no zero point)" } ?? "")])
            print(table.render())
            for note in notes { print("note: \(note)") }
            if let sources { print("sources written to \(sources)") }
        }
    }
}

/// The JSON shape of `starling fits qa FILE --json`: snake_case with units in the names, as
/// the other commands' JSON. A value that is not a finite number (a frame of NaNs, values that
/// overflow) is `null`, and `notes` says why.
struct QADocument: Encodable {
    struct Summary: Encodable {
        let width: Int
        let height: Int
        let background_adu: Double?
        let noise_adu: Double?
        let source_count: Int
        let fwhm_px: Double?
        let fwhm_arcsec: Double?
        let pixel_scale_arcsec: Double?
        let ellipticity: Double?
        let fwhm_sample_size: Int
        let saturated_fraction: Double?
        let saturation_level_adu: Double?
        let limiting_flux_5sigma_adu: Double?
        let instrumental_limiting_mag_5sigma: Double?
        let limiting_mag_5sigma: Double?
        let zero_point: Double?
        let exposure_s: Double?
    }

    let file: String
    let hdu: Int
    let summary: Summary
    /// What the header's problems and the measurement say about these numbers.
    let notes: [String]

    init(file: String, hdu: Int, summary: FrameSummary, notes: [String]) {
        let finite = FiniteNumber.value
        self.file = file
        self.hdu = hdu
        self.notes = notes
        self.summary = Summary(
            width: summary.width, height: summary.height, background_adu: finite(summary.backgroundLevel),
            noise_adu: finite(summary.backgroundNoise), source_count: summary.sourceCount, fwhm_px: finite(summary.medianFWHMPixels),
            fwhm_arcsec: finite(summary.medianFWHMArcseconds), pixel_scale_arcsec: finite(summary.pixelScaleArcseconds),
            ellipticity: finite(summary.medianEllipticity), fwhm_sample_size: summary.fwhmSampleSize,
            saturated_fraction: finite(summary.saturatedFraction), saturation_level_adu: finite(summary.saturationLevel),
            limiting_flux_5sigma_adu: finite(summary.limitingFlux5Sigma),
            instrumental_limiting_mag_5sigma: finite(summary.instrumentalLimitingMagnitude),
            limiting_mag_5sigma: finite(summary.limitingMagnitude5Sigma), zero_point: finite(summary.zeroPoint),
            exposure_s: finite(summary.exposureSeconds))
    }
}

/// The CSV form of a source list.
enum SourceTable {
    static func csv(_ sources: [Source], wcs: WorldCoordinateSystem?) -> String {
        var lines = ["x,y,ra_deg,dec_deg,flux,flux_error,snr,peak,area,fwhm,profile_fwhm,ellipticity,theta_deg,saturated,deblended,edge"]
        let sky = wcs?.pixelToWorld(sources.map { ($0.x, $0.y) }) ?? Array(repeating: nil, count: sources.count)
        for (source, position) in zip(sources, sky) {
            lines.append(
                [
                    fixed(source.x, 4), fixed(source.y, 4), fixed(position?.rightAscension.degrees, 7), fixed(position?.declination.degrees, 7),
                    fixed(source.flux, 3), fixed(source.fluxError, 3), fixed(source.signalToNoise, 2), fixed(source.peak, 3),
                    String(source.area), fixed(source.fwhm, 4), fixed(source.profileFWHM, 4), fixed(source.ellipticity, 4),
                    fixed(source.theta, 2), source.isSaturated ? "1" : "0", source.isDeblended ? "1" : "0", source.touchesEdge ? "1" : "0",
                ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
