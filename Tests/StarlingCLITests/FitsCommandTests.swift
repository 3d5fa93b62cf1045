import Foundation
import Imaging
import StarlingCore
import Testing


/// `starling fits …` run as the built executable on files the tests write, comparing the
/// whole output and the exit status.
///
/// A subprocess rather than in-process: capturing standard output in-process would also
/// capture the test runner's own lines, written concurrently by other suites.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: StarlingCLI.executable), "the starling executable is not built beside the tests (run swift build --build-tests)"))
struct FitsCommandTests {
    /// Runs a command line; returns standard output, standard error and the exit status.
    static func run(_ arguments: [String]) async throws -> (output: String, error: String, exitCode: Int32) {
        let result = try await StarlingCLI.run(arguments)
        return (result.output, result.errors, result.status)
    }

    static func writeFrame(to path: String) throws {
        let field = SyntheticStarField(width: 256, height: 192, starCount: 40, profile: .gaussian(fwhm: 3.2), fluxRange: 20_000...200_000, minimumSeparation: 16, seed: 9)
        let metadata = FrameMetadata(
            observationStart: ISO8601.date(from: "2026-11-23T18:42:07.125Z"), exposureSeconds: 30, imageType: "LIGHT", object: "NGC 253",
            filter: "r", pointing: try EquatorialCoordinates(rightAscensionDegrees: 11.888, declinationDegrees: -25.288), gain: 1.5,
            requestID: "req-1")
        let projection = TangentPlaneProjection(
            center: try EquatorialCoordinates(rightAscensionDegrees: 11.888, declinationDegrees: -25.288), pixelScale: .arcseconds(1.2),
            width: 256, height: 192)
        try FITSFrame(image: field.render(), metadata: metadata, projection: projection).write(to: path)
    }

    @Test func infoDescribesAFrame() async throws {
        let folder = NSTemporaryDirectory() + "starling-cli-frame-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/frame.fits"
        try Self.writeFrame(to: path)
        let result = try await Self.run(["fits", "info", path])
        #expect(result.exitCode == 0)
        #expect(result.error.isEmpty)
        #expect(
            result.output == """
                \(path): 1 HDU
                hdu  kind   name  bitpix  pixels  shape    compression
                ---  -----  ----  ------  ------  -------  -----------
                  0  image            16  uint16  256×192

                frame (HDU 0):
                keyword   value
                --------  ----------------------------------------------------
                size      256×192
                DATE-OBS  2026-11-23T18:42:07.125Z
                EXPTIME   30.000 s
                IMAGETYP  LIGHT
                OBJECT    NGC 253
                FILTER    r
                RA/DEC    11.88800° -25.28800° (RA in degrees, DEC in degrees)
                GAIN      1.500 e-/ADU
                STRQID    req-1
                WCS: TAN in ICRS, centre RA 11.888000° Dec -25.288000°, 1.200″/pixel
                checksum: CHECKSUM valid, DATASUM valid

                """)
    }

    @Test func qaWritesTheSummaryAndTheSourceList() async throws {
        let folder = NSTemporaryDirectory() + "starling-cli-qa-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/frame.fits", csv = folder + "/sources.csv"
        try Self.writeFrame(to: path)
        let result = try await Self.run(["fits", "qa", path, "--json", "--sources", csv])
        #expect(result.exitCode == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let summary = try #require(document["summary"] as? [String: Any])
        #expect(summary["source_count"] as? Int == 40)
        #expect(abs((summary["fwhm_px"] as? Double ?? 0) - 3.2) < 0.1)
        #expect(abs((summary["pixel_scale_arcsec"] as? Double ?? 0) - 1.2) < 1e-6)
        #expect(summary["exposure_s"] as? Double == 30)
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 41)
        #expect(rows[0] == "x,y,ra_deg,dec_deg,flux,flux_error,snr,peak,area,fwhm,profile_fwhm,ellipticity,theta_deg,saturated,deblended,edge")
    }

    @Test(arguments: [
        ("/no/such/file.fits", "/no/such/file.fits: no such file\n"),
    ])
    func unreadableFilesExitWithOne(path: String, message: String) async throws {
        for subcommand in ["info", "qa"] {
            let result = try await Self.run(["fits", subcommand, path])
            #expect(result.exitCode == 1)
            #expect(result.output.isEmpty)
            #expect(result.error == message)
        }
    }

    @Test func aFileWithoutAnImageIsRefusedByQA() async throws {
        let folder = NSTemporaryDirectory() + "starling-cli-text-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/notes.fits"
        try "not a FITS file".write(toFile: path, atomically: false, encoding: .utf8)
        let result = try await Self.run(["fits", "qa", path])
        #expect(result.exitCode == 1)
        #expect(result.error == "\(path): not a FITS file: it does not start with SIMPLE = T (starts with \"not a FITS file\")\n")
    }
}
