import Foundation
import PropertyBased
import StarlingCore
import Testing

@testable import Imaging

/// Writing frames and reading them back: keywords, pixels, WCS, checksums, atomicity.
struct FrameWriteReadTests {
    static func sampleMetadata() throws -> FrameMetadata {
        FrameMetadata(
            observationStart: ISO8601.date(from: "2026-11-23T18:42:07.125Z"), exposureSeconds: 60, imageType: "LIGHT",
            object: "NGC 253", filter: "r", pointing: try EquatorialCoordinates(rightAscensionDegrees: 11.888, declinationDegrees: -25.288),
            airmass: 1.234, telescope: "xl-1m-a", instrument: "e2v CCD231-84", observatory: "xinglong",
            siteLatitude: .degrees(40.393), siteLongitude: .degrees(117.575), siteElevationMeters: 960, gain: 1.5, readNoise: 4.5,
            ccdTemperatureCelsius: -100, saturationADU: 60_000, zeroPoint: 24.1, requestID: "req-42", observationID: "obs-7",
            frameID: "frame-1")
    }

    @Test(arguments: FITSFrame.PixelFormat.allCases)
    func roundTripsKeywordsPixelsAndWCS(format: FITSFrame.PixelFormat) throws {
        let folder = try TemporaryDirectory()
        let field = SyntheticStarField(width: 96, height: 64, starCount: 5, seed: 3)
        let image = field.render()
        let metadata = try Self.sampleMetadata()
        let projection = TangentPlaneProjection(
            center: try #require(metadata.pointing), pixelScale: .arcseconds(1.25), rotation: .degrees(30), width: 96, height: 64)
        let frame = FITSFrame(image: image, metadata: metadata, projection: projection, extraCards: [FITSCard("HISTORY", nil, comment: "made by a test")])
        let path = folder.file("frame.fits")
        try frame.write(to: path, format: format)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["frame.fits"], "no temporary file is left")

        let read = try FITSFrame(path: path)
        #expect(read.metadata == metadata)
        #expect(read.header.bool("SIMPLE") == true)
        #expect(read.header.int("BITPIX") == (format == .unsigned16 ? 16 : -32))
        #expect(read.header.int("BZERO") == (format == .unsigned16 ? 32768 : nil))
        #expect(read.header.card("HISTORY") == nil && read.header.cards.contains { $0.keyword == "HISTORY" && $0.comment == "made by a test" })
        for index in image.pixels.indices {
            let expected = format == .unsigned16 ? min(max(image.pixels[index].rounded(), 0), 65_535) : image.pixels[index]
            #expect(read.image.pixels[index] == expected)
        }
        let wcs = try #require(try read.worldCoordinates())
        #expect(wcs.projection == "TAN" && !wcs.hasSIP)
        let centre = try #require(wcs.center(width: 96, height: 64))
        #expect(centre.separation(from: try #require(metadata.pointing)).arcseconds < 1e-6)
        #expect(abs((wcs.pixelScale(atX: 47.5, y: 31.5)?.arcseconds ?? 0) - 1.25) < 1e-6)
        // +y points 30° east of north: one pixel up moves the position angle to 30°.
        let up = try #require(wcs.pixelToWorld(x: 47.5, y: 41.5))
        let positionAngle = atan2(
            sin(up.rightAscension.radians - centre.rightAscension.radians),
            cos(centre.declination.radians) * tan(up.declination.radians) - sin(centre.declination.radians) * cos(up.rightAscension.radians - centre.rightAscension.radians))
        #expect(abs(positionAngle * 180 / .pi - 30) < 1e-3)

        let file = try FITSFile(path: path)
        #expect(try file.verifyChecksum() == ChecksumVerification(data: .valid, hdu: .valid))
        try file.close()
        // CFITSIO stamps the CHECKSUM and DATASUM comments with the time of writing; the rest
        // of the file must be byte for byte the same.
        #expect(withoutChecksumCards(try frame.encoded(format: format)) == withoutChecksumCards(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// The FITS bytes with the 80-character CHECKSUM and DATASUM cards blanked.
    private func withoutChecksumCards(_ data: Data) -> Data {
        var bytes = [UInt8](data)
        for start in stride(from: 0, to: bytes.count - 80, by: 80) {
            let keyword = String(decoding: bytes[start..<(start + 8)], as: UTF8.self)
            if keyword == "CHECKSUM" || keyword == "DATASUM " {
                for index in start..<(start + 80) { bytes[index] = 0x20 }
            }
        }
        return Data(bytes)
    }

    @Test func clampsAndRoundsToUnsigned16() throws {
        let image = FloatImage(width: 4, height: 1, pixels: [-5, 1.5, 70_000, .nan])
        let read = try FITSFrame(data: try FITSFrame(image: image, metadata: FrameMetadata()).encoded(format: .unsigned16))
        #expect(read.image.pixels == [0, 2, 65_535, 0])
    }

    @Test func refusesToWriteWhereItCannot() throws {
        let frame = FITSFrame(image: FloatImage(width: 2, height: 2, repeating: 1), metadata: FrameMetadata())
        do {
            try frame.write(to: "/nonexistent-folder/frame.fits")
            Issue.record("writing into a missing folder must fail")
        } catch {
            #expect(error.code == .writeFailed)
            #expect(error.path == "/nonexistent-folder/frame.fits")
        }
    }

    @Test func replacesAnExistingFrameAtomically() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("frame.fits")
        try FITSFrame(image: FloatImage(width: 3, height: 3, repeating: 1), metadata: FrameMetadata(object: "first")).write(to: path)
        try FITSFrame(image: FloatImage(width: 5, height: 4, repeating: 2), metadata: FrameMetadata(object: "second")).write(to: path)
        let read = try FITSFrame(path: path)
        #expect(read.metadata.object == "second" && read.image.width == 5)
    }

    static let text = Gen.letterOrNumber.string(of: 0...60)

    @Test func headersAndPixelsSurviveWriteThenRead() async throws {
        await propertyCheck(
            count: 40,
            input: Self.text, Gen.double(in: 0.001...10_000), Gen.double(in: 0..<360), Gen.double(in: -90...90),
            Gen.double(in: -180..<180), Gen.int(in: 1...40), Gen.int(in: 1...40), Gen.int(in: 0...Int(Int32.max))
        ) { object, exposure, ra, dec, longitude, width, height, seed in
            do {
                var random = SplitMix64(seed: UInt64(seed))
                let pixels = (0..<(width * height)).map { _ in Float(random.nextDouble() * 2e6 - 1e6) }
                let metadata = FrameMetadata(
                    observationStart: Date(timeIntervalSince1970: (exposure * 1e5).rounded() / 1000), exposureSeconds: exposure,
                    object: object.isEmpty ? nil : object, pointing: try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec),
                    siteLatitude: .degrees(dec), siteLongitude: .degrees(longitude), requestID: RequestID("req-\(object)"))
                let frame = FITSFrame(image: FloatImage(width: width, height: height, pixels: pixels), metadata: metadata)
                let read = try FITSFrame(data: try frame.encoded(format: .float32))
                #expect(read.image == frame.image)
                #expect(read.metadata.object == metadata.object)
                #expect(read.metadata.exposureSeconds == exposure)
                // DATE-OBS keeps milliseconds.
                let start = try #require(read.metadata.observationStart).timeIntervalSince1970
                #expect(abs(start - (try #require(metadata.observationStart)).timeIntervalSince1970) < 5e-4)
                // Angles are written in degrees from radians: equal to far below a microarcsecond.
                let pointing = try #require(read.metadata.pointing)
                #expect(pointing.separation(from: try #require(metadata.pointing)).arcseconds < 1e-6)
                #expect(abs((read.metadata.siteLongitude?.degrees ?? .nan) - longitude) < 1e-9)
                #expect(read.metadata.requestID == metadata.requestID)
            } catch {
                Issue.record("round trip failed: \(error)")
            }
        }
    }
}
