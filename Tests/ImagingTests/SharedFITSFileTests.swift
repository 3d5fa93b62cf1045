import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// Every file in ../shared/data/fits is read correctly or refused with a clear reason.
///
/// Reference values were computed once with astropy 8.0.2 (`astropy.io.fits` pixel values,
/// `astropy.wcs.WCS.all_pix2world` at the image centre, 0-based) and are compared with
/// explicit tolerances.
@Suite(.enabled(if: TestPaths.hasSharedFITS, "../shared/data/fits is not beside the checkout; the real-file tests need it"))
struct SharedFITSFileTests {
    struct Expectation: Sendable, CustomStringConvertible {
        let file: String
        /// What reading the first image should give, or nil when it must be refused.
        let frame: Frame?
        /// The refusal's code when `frame` is nil.
        let refusal: FITSError.Code?

        struct Frame: Sendable {
            let hdu: Int
            let width: Int
            let height: Int
            let centerPixel: Float
            let mean: Double
            /// astropy's RA/Dec of the image centre (native frame), or nil without a celestial WCS.
            let wcsCenter: (Double, Double)?
        }

        var description: String { file }
    }

    static let expectations: [Expectation] = [
        .init(file: "astropy_comp_ngc1316_rice.fits", frame: .init(hdu: 1, width: 440, height: 300, centerPixel: 962, mean: 260.741446969697, wcsCenter: (50.2101244, -37.3788105)), refusal: nil),
        .init(file: "astropy_dss.14.29.56-62.41.05.fits.gz", frame: .init(hdu: 0, width: 100, height: 100, centerPixel: 19559, mean: 5101.1936, wcsCenter: (217.4836638, -62.6851633)), refusal: nil),
        .init(file: "astropy_o4sp040b0_raw_HST_STIS.fits", frame: .init(hdu: 1, width: 62, height: 44, centerPixel: 1510, mean: 1508.465909090909, wcsCenter: nil), refusal: nil),
        .init(file: "astropydata_HorseHead_DSS.fits", frame: .init(hdu: 0, width: 891, height: 893, centerPixel: 6306, mean: 9831.481676287574, wcsCenter: (85.274994, -2.4582964)), refusal: nil),
        .init(file: "ccdproc_sip-wcs.fit", frame: .init(hdu: 0, width: 100, height: 50, centerPixel: 3230, mean: 3209.7454, wcsCenter: (280.5461082, 0.1125927)), refusal: nil),
        .init(file: "indi_ccd_simulator_frame.fits", frame: .init(hdu: 0, width: 640, height: 512, centerPixel: 16, mean: 18.01866760253906, wcsCenter: nil), refusal: nil),
        .init(file: "nomtam_bt12.fits.fz", frame: nil, refusal: .noImage),
        .init(file: "nomtam_checksum_ngc1316_xte.fits", frame: .init(hdu: 0, width: 440, height: 300, centerPixel: 962, mean: 260.741446969697, wcsCenter: (50.2101244, -37.3788105)), refusal: nil),
        .init(file: "nomtam_m13.fits", frame: .init(hdu: 0, width: 300, height: 300, centerPixel: 241, mean: 147.7044111111111, wcsCenter: (250.4226, 36.4602)), refusal: nil),
        .init(file: "nomtam_m13_gzip.fits", frame: .init(hdu: 1, width: 300, height: 300, centerPixel: 241, mean: 147.7044111111111, wcsCenter: (250.4226, 36.4602)), refusal: nil),
        .init(file: "nomtam_m13_hcomp.fits", frame: .init(hdu: 1, width: 300, height: 300, centerPixel: 241, mean: 147.7044111111111, wcsCenter: (250.4226, 36.4602)), refusal: nil),
        .init(file: "nomtam_m13_rice.fits", frame: .init(hdu: 1, width: 300, height: 300, centerPixel: 241, mean: 147.7044111111111, wcsCenter: (250.4226, 36.4602)), refusal: nil),
        .init(file: "nomtam_m13real.fits", frame: .init(hdu: 0, width: 300, height: 300, centerPixel: 241.836181640625, mean: 148.57494977238974, wcsCenter: (250.4226, 36.4602)), refusal: nil),
        .init(file: "sep_image_ESO_NTT_EMMI.fits", frame: .init(hdu: 0, width: 256, height: 256, centerPixel: 6957.90625, mean: 6887.265324354172, wcsCenter: nil), refusal: nil),
        .init(file: "skymaps/GW190425_bayestar_nside256.fits.gz", frame: nil, refusal: .noImage),
        .init(file: "skymaps/glg_healpix_all_bn180116026.fit", frame: nil, refusal: .noImage),
    ]

    @Test func everySharedFileHasAnExpectation() throws {
        let root = TestPaths.sharedFITS
        var files: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: root) {
            if name == "skymaps" {
                files += try FileManager.default.contentsOfDirectory(atPath: root + "/skymaps").map { "skymaps/" + $0 }
            } else {
                files.append(name)
            }
        }
        #expect(Set(files) == Set(Self.expectations.map(\.file)), "a new shared FITS file needs an expectation here")
    }

    @Test(arguments: expectations)
    func readsOrRefusesClearly(_ expectation: Expectation) throws {
        let path = TestPaths.sharedFITS + "/" + expectation.file
        guard let expected = expectation.frame else {
            do {
                _ = try FITSFrame(path: path)
                Issue.record("\(expectation.file) should be refused as a frame")
            } catch {
                #expect(error.code == expectation.refusal)
                #expect(error.description.hasPrefix(path))
                #expect(error.description.contains("image"))
            }
            // The file itself is readable FITS: its HDUs are listed.
            #expect(try FITSFile(path: path).hduCount() == 2)
            return
        }
        let frame = try FITSFrame(path: path)
        #expect(frame.hdu == expected.hdu)
        #expect(frame.image.width == expected.width && frame.image.height == expected.height)
        // astropy scales BITPIX 16 data in float32, CFITSIO in double: equal to 1e-6.
        #expect(abs(frame.image[expected.width / 2, expected.height / 2] - expected.centerPixel) <= 1e-6 * abs(expected.centerPixel))
        let mean = frame.image.pixels.reduce(0.0) { $0 + Double($1) } / Double(frame.image.count)
        #expect(abs(mean - expected.mean) <= 1e-6 * abs(expected.mean))
        let wcs = try frame.worldCoordinates()
        if let (ra, dec) = expected.wcsCenter {
            let centre = try #require(wcs?.center(width: expected.width, height: expected.height))
            // astropy and wcslib agree to ≤ 0.01″ at the centre.
            #expect(abs(centre.rightAscension.degrees - ra) * cos(dec * .pi / 180) * 3600 <= 0.01)
            #expect(abs(centre.declination.degrees - dec) * 3600 <= 0.01)
            let back = try #require(wcs?.worldToPixel(centre))
            #expect(abs(back.x - Double(expected.width - 1) / 2) < 1e-6 && abs(back.y - Double(expected.height - 1) / 2) < 1e-6)
        } else {
            #expect(wcs == nil)
        }
    }

    @Test func readsHeaderVariants() throws {
        let utc = { (text: String) in ISO8601.date(from: text) }
        // DSS: DATE-OBS 'dd/mm/yy' + UT, EXPOSURE in minutes, sexagesimal site and pointing.
        let dss = try FITSFrame(path: TestPaths.sharedFITS + "/astropy_dss.14.29.56-62.41.05.fits.gz").metadata
        #expect(dss.observationStart == utc("1976-03-11T17:38:00Z"))
        #expect(dss.observationStartHasTime)
        #expect(abs((dss.exposureSeconds ?? 0) - 70 * 60) < 1e-9)
        #expect(abs((dss.siteLatitude?.degrees ?? 0) - (-31.273333)) < 1e-5)
        #expect(abs((dss.siteLongitude?.degrees ?? 0) - 149.061667) < 1e-5)
        #expect(abs((dss.pointing?.rightAscension.degrees ?? 0) - 217.483333) < 1e-5)
        #expect(abs((dss.pointing?.declination.degrees ?? 0) - (-62.684722)) < 1e-5)
        // HST STIS: ISO date without time, TIME-OBS gives the time.
        let stis = try FITSFrame(path: TestPaths.sharedFITS + "/astropy_o4sp040b0_raw_HST_STIS.fits").metadata
        #expect(stis.observationStart == utc("1998-04-20T18:38:15Z"))
        // HorseHead: SITELONG 210.934 (east-positive as written) normalised to −149.066.
        let horsehead = try FITSFrame(path: TestPaths.sharedFITS + "/astropydata_HorseHead_DSS.fits").metadata
        #expect(horsehead.observationStart == utc("1990-12-22T13:49:00Z"))
        #expect(abs((horsehead.siteLongitude?.degrees ?? 0) - (-149.066)) < 1e-9)
        #expect(horsehead.filter == "OG590" && horsehead.airmass == 1.11587)
        // Apogee: SITELAT/SITELONG sexagesimal strings.
        let apogee = try FITSFrame(path: TestPaths.sharedFITS + "/ccdproc_sip-wcs.fit").metadata
        #expect(abs((apogee.siteLatitude?.degrees ?? 0) - 46.866780) < 1e-6)
        #expect(abs((apogee.siteLongitude?.degrees ?? 0) - (-96.453278)) < 1e-6)
        #expect(apogee.frameType == .light && apogee.filter == "B")
        #expect(apogee.ccdTemperatureCelsius == -19.01545425)
        // INDI: ISO with milliseconds, RA/DEC in degrees, SITELONG −17.88, BZERO 32768.
        let indi = try FITSFrame(path: TestPaths.sharedFITS + "/indi_ccd_simulator_frame.fits")
        #expect(indi.metadata.observationStart == utc("2026-11-23T02:14:29.014Z"))
        #expect(abs((indi.metadata.pointing?.rightAscension.degrees ?? 0) - 250.2441) < 1e-12)
        #expect(abs((indi.metadata.pointing?.declination.degrees ?? 0) - 36.50983) < 1e-12)
        #expect(abs((indi.metadata.siteLongitude?.degrees ?? 0) - (-17.88)) < 1e-12)
        #expect(indi.metadata.gain == 90 && indi.metadata.frameType == .light)
        #expect(indi.image.pixels.allSatisfy { $0 >= 0 && $0 <= 65_535 })
        // ESO NTT: 'dd/mm/yy' without a time.
        let eso = try FITSFrame(path: TestPaths.sharedFITS + "/sep_image_ESO_NTT_EMMI.fits").metadata
        #expect(eso.observationStart == utc("1992-10-26T00:00:00Z"))
        #expect(!eso.observationStartHasTime)
        // XTE table HDU: 'dd/mm/yy' plus TIME-OBS.
        let file = try FITSFile(path: TestPaths.sharedFITS + "/nomtam_checksum_ngc1316_xte.fits")
        try file.moveTo(hdu: 1)
        let xte = FrameMetadata(header: try file.header())
        #expect(xte.observationStart == utc("1996-01-06T08:56:00Z"))
        #expect(try file.verifyChecksum() == ChecksumVerification(data: .valid, hdu: .valid))
        try file.close()
    }
}
