import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// Large plain frames are read straight from the file; the result must equal CFITSIO's.
struct DirectPixelReaderTests {
    /// 1024 × 1024: large enough for the direct path (≥ 2²⁰ pixels).
    static let image: FloatImage = {
        var random = SplitMix64(seed: 77)
        return FloatImage(width: 1024, height: 1024, pixels: (0..<(1 << 20)).map { _ in Float((random.nextDouble() * 70_000 - 2_000).rounded()) })
    }()

    @Test(arguments: FITSFrame.PixelFormat.allCases)
    func matchesCFITSIO(format: FITSFrame.PixelFormat) throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("large.fits")
        let frame = FITSFrame(image: Self.image, metadata: FrameMetadata(object: "large"))
        try frame.write(to: path, format: format)
        let direct = try FITSFrame(path: path)
        let viaCFITSIO = try FITSFrame(data: try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(direct.image == viaCFITSIO.image)
        #expect(direct.image[0, 0] == (format == .float32 ? Self.image[0, 0] : min(max(Self.image[0, 0], 0), 65_535)))
    }

    /// A signed 16-bit frame (BZERO absent) written byte by byte.
    @Test func readsSigned16BitFrames() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("signed.fits")
        var header = ""
        for card in ["SIMPLE  =                    T", "BITPIX  =                   16", "NAXIS   =                    2",
                     "NAXIS1  =                 1024", "NAXIS2  =                 1024", "END"] {
            header += card.padding(toLength: 80, withPad: " ", startingAt: 0)
        }
        header = header.padding(toLength: 2880, withPad: " ", startingAt: 0)
        var bytes = Data(header.utf8)
        for value in Self.image.pixels {
            let stored = Int16(clamping: Int(value) - 30_000)
            withUnsafeBytes(of: stored.bigEndian) { bytes.append(contentsOf: $0) }
        }
        bytes.append(Data(count: (2880 - bytes.count % 2880) % 2880))
        try bytes.write(to: URL(fileURLWithPath: path))
        let direct = try FITSFrame(path: path)
        #expect(direct.image == (try FITSFrame(data: bytes)).image)
        #expect(direct.image[5, 7] == Float(Int16(clamping: Int(Self.image[5, 7]) - 30_000)))
    }

    @Test func aTruncatedLargeFrameStillFailsClearly() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("large.fits")
        try FITSFrame(image: Self.image, metadata: FrameMetadata()).write(to: path, format: .float32)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        do {
            _ = try FITSFrame(path: path)
            Issue.record("half a frame must not read")
        } catch {
            #expect(error.code == .truncated)
            #expect(error.path == path)
        }
    }
}
