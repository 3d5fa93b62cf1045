import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// Reading the small fixtures (made by Fixtures/make_fixtures.py): every BITPIX, scaling,
/// tile compression, named extensions and table column types, pixel by pixel.
struct FITSFileFixtureTests {
    /// value(x, y) = 100 + 3x + 5y in every fixture image.
    static func expected(_ x: Int, _ y: Int) -> Float { Float(100 + 3 * x + 5 * y) }

    @Test(arguments: [
        ("bitpix8.fits", 8, HDUInfo.PixelType.uint8), ("bitpix32.fits", 32, .int32), ("bitpix-64.fits", -64, .float64),
        ("bitpix16_scaled.fits", 16, .float32),
    ])
    func readsEveryBITPIXWithScaling(name: String, bitpix: Int, pixelType: HDUInfo.PixelType) throws {
        let path = try TestPaths.fixture(name)
        let file = try FITSFile(path: path)
        let info = try file.currentHDUInfo()
        #expect(info.bitpix == bitpix)
        #expect(info.pixelType == pixelType)
        #expect(info.axes == [24, 16])
        let image = try file.readImage()
        try file.close()
        for y in 0..<16 {
            for x in 0..<24 { #expect(image[x, y] == Self.expected(x, y), "pixel (\(x), \(y))") }
        }
        let metadata = FrameMetadata(header: try FITSFrame(path: path).header)
        #expect(metadata.object == "fixture")
        #expect(metadata.exposureSeconds == 12.5)
        #expect(metadata.observationStart == ISO8601.date(from: "2024-05-06T07:08:09.5Z"))
    }

    @Test(arguments: [("compressed_rice_1.fits", HDUInfo.Compression.rice), ("compressed_gzip_1.fits", .gzip1), ("compressed_hcompress_1.fits", .hcompress)])
    func readsTileCompressedImages(name: String, compression: HDUInfo.Compression) throws {
        let path = try TestPaths.fixture(name)
        let hdus = try FITSFile(path: path).hdus()
        #expect(hdus.count == 2)
        #expect(hdus[1].compression == compression)
        #expect(hdus[1].kind == .image && hdus[1].axes == [24, 16])
        let frame = try FITSFrame(path: path)
        #expect(frame.hdu == 1)
        #expect(frame.header.int("NAXIS1") == 24, "the header is given in its image form")
        #expect(frame.metadata.object == "fixture")
        for y in 0..<16 {
            for x in 0..<24 { #expect(frame.image[x, y] == Self.expected(x, y)) }
        }
    }

    @Test func picksExtensionsByIndexAndName() throws {
        let path = try TestPaths.fixture("mef_named.fits")
        let hdus = try FITSFile(path: path).hdus()
        #expect(hdus.map(\.name) == [nil, "SCI", "VAR"])
        #expect(hdus[0].hasImage == false)
        let first = try FITSFrame(path: path)
        #expect(first.hdu == 1)
        let variance = try FITSFrame(path: path, hdu: .named("var"))
        #expect(variance.hdu == 2)
        #expect(variance.image[3, 2] == 2 * Self.expected(3, 2))
        #expect(throws: FITSError.self) { try FITSFrame(path: path, hdu: .index(0)) }
        do {
            _ = try FITSFrame(path: path, hdu: .index(7))
            Issue.record("HDU 7 does not exist")
        } catch {
            #expect(error.code == .noSuchHDU)
            #expect(error.description.contains("3 HDUs"))
        }
        do {
            _ = try FITSFrame(path: path, hdu: .named("DQ"))
            Issue.record("no HDU is named DQ")
        } catch {
            #expect(error.code == .noSuchHDU)
        }
    }

    @Test func readsTableColumnsByName() throws {
        let table = try FITSTable.read(path: try TestPaths.fixture("table.fits"))
        #expect(table.rowCount == 3)
        #expect(table.columnNames == ["UNIQ", "PROBDENSITY", "FLUX", "FLAG", "NAME"])
        #expect(try table.int64s(named: "uniq") == [4, 5, 1024])
        #expect(try table.doubles(named: "PROBDENSITY") == [0.5, 0.25, 0.125])
        #expect(try table.column(named: "FLUX") == .float([1.5, 2.5, 3.5]))
        #expect(try table.column(named: "FLAG") == .logical([true, false, true]))
        #expect(try table.column(named: "NAME") == .string(["alpha", "beta", "gamma"]))
        #expect(try table.doubles(named: "UNIQ") == [4, 5, 1024])
        #expect(table.header.string("ORDERING") == "NUNIQ")
        #expect(throws: FITSError.self) { try table.int64s(named: "PROBDENSITY") }
        do {
            _ = try table.column(named: "DISTMU")
            Issue.record("DISTMU is not a column")
        } catch {
            #expect(error.code == .columnNotFound)
            #expect(error.column == "DISTMU")
        }
        let chosen = try FITSTable.read(path: try TestPaths.fixture("table.fits"), columns: ["UNIQ"])
        #expect(chosen.columnNames == ["UNIQ"])
    }

    @Test func readsTablesAndFramesFromMemory() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try TestPaths.fixture("table.fits")))
        let table = try FITSTable.read(data: bytes, name: "alert")
        #expect(table.path == "memory:alert")
        #expect(try table.int64s(named: "UNIQ") == [4, 5, 1024])
        let frameBytes = try Data(contentsOf: URL(fileURLWithPath: try TestPaths.fixture("bitpix32.fits")))
        let frame = try FITSFrame(data: frameBytes, name: "camera")
        #expect(frame.image[23, 15] == Self.expected(23, 15))
    }
}
