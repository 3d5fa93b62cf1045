import ArgumentParser
import Foundation
import Imaging
import StarlingCore

extension Starling.Fits {
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a FITS file's HDUs and its frame's observation facts.",
            discussion: """
                Shows every HDU (kind, name, BITPIX, pixel type, shape, tile compression, table \
                size), then for the first image HDU (or --hdu) the key header values read in their \
                real-world variants, the WCS centre and pixel scale, and the checksum state.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("The FITS file (plain, .gz, or tile-compressed).", valueName: "FILE"))
        var file: String

        @Option(help: ArgumentHelp("The 0-based HDU to describe as the frame (default: the first with an image).", valueName: "N"))
        var hdu: Int?

        func run() async throws {
            let document = try readOrExit { () throws(FITSError) in try FitsInfoDocument(path: file, hdu: hdu) }
            if options.json {
                try printJSON(document)
                return
            }
            print("\(file): \(document.hdus.count) HDU\(document.hdus.count == 1 ? "" : "s")")
            var table = TextTable(headers: ["hdu", "kind", "name", "bitpix", "pixels", "shape", "compression"], rightAligned: [0, 3])
            for entry in document.hdus {
                let shape = entry.rows.map { "\($0) rows × \(entry.columns ?? 0) columns" } ?? entry.axes.map(String.init).joined(separator: "×")
                table.append([
                    String(entry.index), entry.kind, entry.name ?? "", entry.bitpix.map(String.init) ?? "", entry.pixel_type ?? "",
                    shape.isEmpty ? "no data" : shape, entry.compression ?? "",
                ])
            }
            print(table.render())
            guard let frame = document.frame else {
                print("no HDU holds a 2-D image")
                return
            }
            print("\nframe (HDU \(frame.hdu)):")
            var facts = TextTable(headers: ["keyword", "value"])
            for (key, value) in frame.facts { facts.append([key, value]) }
            print(facts.render())
            if let wcs = frame.wcs {
                print(
                    "WCS: \(wcs.projection)\(wcs.sip ? "-SIP" : "") in \(wcs.frame), centre RA \(fixed(wcs.center_ra_deg, 6))° Dec \(fixed(wcs.center_dec_deg, 6))°, \(fixed(wcs.pixel_scale_arcsec, 3))″/pixel"
                )
            } else {
                print("WCS: none (no celestial CTYPE pair)")
            }
            print("checksum: CHECKSUM \(frame.checksum.hdu.rawValue), DATASUM \(frame.checksum.data.rawValue)")
            for problem in frame.problems { print("warning: \(problem)") }
        }
    }
}

/// The JSON shape of `starling fits info FILE --json`.
struct FitsInfoDocument: Encodable {
    struct HDU: Encodable {
        let index: Int
        let kind: String
        let name: String?
        let bitpix: Int?
        let pixel_type: String?
        let axes: [Int]
        let compression: String?
        let rows: Int?
        let columns: Int?
    }

    struct WCS: Encodable {
        let projection: String
        let sip: Bool
        let frame: String
        let equinox: Double?
        let center_ra_deg: Double?
        let center_dec_deg: Double?
        let pixel_scale_arcsec: Double?
    }

    struct Frame: Encodable {
        let hdu: Int
        let width: Int
        let height: Int
        let date_obs: String?
        let date_obs_has_time: Bool?
        let exposure_s: Double?
        let image_type: String?
        let object: String?
        let filter: String?
        let ra_deg: Double?
        let dec_deg: Double?
        /// Which keywords gave `ra_deg`/`dec_deg`, e.g. `RA/DEC`.
        let pointing_keywords: String?
        /// How they were read, e.g. `sexagesimal: RA in hours, DEC in degrees`.
        let pointing_reading: String?
        let airmass: Double?
        let telescope: String?
        let instrument: String?
        let observatory: String?
        let site_latitude_deg: Double?
        let site_longitude_deg: Double?
        let site_elevation_m: Double?
        let gain: Double?
        let read_noise: Double?
        let ccd_temp_c: Double?
        let request_id: String?
        let observation_id: String?
        let wcs: WCS?
        let checksum: ChecksumVerification
        let problems: [String]

        /// The facts for the text table, in a fixed order, skipping absent ones.
        var facts: [(String, String)] {
            var rows: [(String, String)] = [("size", "\(width)×\(height)")]
            func add(_ key: String, _ value: String?) { if let value, !value.isEmpty { rows.append((key, value)) } }
            add("DATE-OBS", date_obs.map { $0 + (date_obs_has_time == false ? " (date only)" : "") })
            add("EXPTIME", exposure_s.map { fixed($0, 3) + " s" })
            add("IMAGETYP", image_type)
            add("OBJECT", object)
            add("FILTER", filter)
            if let ra_deg, let dec_deg {
                add(pointing_keywords ?? "RA/DEC", "\(fixed(ra_deg, 5))° \(fixed(dec_deg, 5))°" + (pointing_reading.map { " (\($0))" } ?? ""))
            }
            add("AIRMASS", airmass.map { fixed($0, 4) })
            add("TELESCOP", telescope)
            add("INSTRUME", instrument)
            add("OBSERVAT", observatory)
            if let site_latitude_deg, let site_longitude_deg {
                add("site", "lat \(fixed(site_latitude_deg, 5))° lon \(fixed(site_longitude_deg, 5))° (east +)" + (site_elevation_m.map { " \(fixed($0, 0)) m" } ?? ""))
            }
            add("GAIN", gain.map { fixed($0, 3) + " e-/ADU" })
            add("RDNOISE", read_noise.map { fixed($0, 2) + " e-" })
            add("CCD-TEMP", ccd_temp_c.map { fixed($0, 2) + " °C" })
            add("STRQID", request_id)
            add("STOBSID", observation_id)
            return rows
        }
    }

    let file: String
    let hdus: [HDU]
    let frame: Frame?

    init(path: String, hdu: Int?) throws(FITSError) {
        let fits = try FITSFile(path: path)
        file = path
        let infos = try fits.hdus()
        hdus = infos.map { info in
            HDU(
                index: info.index, kind: info.kind.rawValue, name: info.name, bitpix: info.bitpix, pixel_type: info.pixelType?.rawValue,
                axes: info.axes, compression: info.compression?.description, rows: info.rowCount, columns: info.columnCount)
        }
        let chosen = hdu ?? infos.first(where: \.hasImage)?.index
        guard let chosen else {
            frame = nil
            try fits.close()
            return
        }
        try fits.moveTo(hdu: chosen)
        let checksum = try fits.verifyChecksum()
        try fits.close()
        let frame = try FITSFrame(path: path, hdu: .index(chosen))
        let metadata = frame.metadata
        var wcsEntry: WCS?
        var problems = metadata.problems
        do {
            if let wcs = try frame.worldCoordinates() {
                let centre = wcs.center(width: frame.image.width, height: frame.image.height)
                wcsEntry = WCS(
                    projection: wcs.projection, sip: wcs.hasSIP, frame: wcs.referenceFrame, equinox: wcs.equinox,
                    center_ra_deg: centre?.rightAscension.degrees, center_dec_deg: centre?.declination.degrees,
                    pixel_scale_arcsec: wcs.pixelScale(atX: Double(frame.image.width - 1) / 2, y: Double(frame.image.height - 1) / 2)?.arcseconds)
            }
        } catch {
            problems.append("WCS: \(error.message)")
        }
        self.frame = Frame(
            hdu: chosen, width: frame.image.width, height: frame.image.height,
            date_obs: metadata.observationStart.map { ISO8601.string(from: $0, fractionalSeconds: true) },
            date_obs_has_time: metadata.observationStart.map { _ in metadata.observationStartHasTime },
            exposure_s: metadata.exposureSeconds, image_type: metadata.imageType, object: metadata.object, filter: metadata.filter,
            ra_deg: metadata.pointing?.rightAscension.degrees, dec_deg: metadata.pointing?.declination.degrees,
            pointing_keywords: metadata.pointingSource?.keywords, pointing_reading: metadata.pointingSource?.reading, airmass: metadata.airmass,
            telescope: metadata.telescope, instrument: metadata.instrument, observatory: metadata.observatory,
            site_latitude_deg: metadata.siteLatitude?.degrees, site_longitude_deg: metadata.siteLongitude?.degrees,
            site_elevation_m: metadata.siteElevationMeters, gain: metadata.gain, read_noise: metadata.readNoise,
            ccd_temp_c: metadata.ccdTemperatureCelsius, request_id: metadata.requestID?.rawValue,
            observation_id: metadata.observationID?.rawValue, wcs: wcsEntry, checksum: checksum, problems: problems)
    }
}
