import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// zscale limits and the PNG encoder.
struct PreviewTests {
    @Test(.enabled(if: TestPaths.hasSharedFITS, "../shared/data/fits is not beside the checkout"))
    func zscaleAgreesWithAstropy() throws {
        // astropy 8.0.2 ZScaleInterval().get_limits(m13): (109.0, 216.437); sampling differs
        // the same way; the fit may reject slightly differently, so within 1 %.
        let limits = ZScale(image: try FITSFrame(path: TestPaths.sharedFITS + "/nomtam_m13.fits").image)
        #expect(abs(Double(limits.low) - 109.0) <= 0.01 * 109)
        #expect(abs(Double(limits.high) - 216.437) <= 0.01 * 216.437)
    }

    @Test func zscaleOfPureNoiseSpansItsCore() throws {
        let noise = SyntheticStarField(width: 256, height: 256, stars: [], skyElectrons: 1000, readNoise: 0, gain: 1, bias: 0, seed: 1).render()
        let limits = ZScale(image: noise)
        // Gaussian noise of σ ≈ 31.6 around 1000: the limits sit a few σ either side.
        #expect(limits.low > 850 && limits.low < 990)
        #expect(limits.high > 1010 && limits.high < 1150)
    }

    @Test func encodesAPNGThatDecodesToTheSamePixels() throws {
        var image = FloatImage(width: 37, height: 23, repeating: 0)
        for y in 0..<23 { for x in 0..<37 { image[x, y] = Float((x * 7 + y * 11) % 256) } }
        let preview = FramePreview(image: image, limits: ZScale(low: 0, high: 255))
        let png = try preview.pngData()
        let decoded = try PNGReader.decode(png)
        #expect(decoded.width == 37 && decoded.height == 23)
        #expect(decoded.gray == preview.gray)
        // Top row of the picture is the image's last row.
        #expect(preview.gray[0] == UInt8(image[0, 22]))
    }

    @Test func encodesAnRGBPNGThatDecodesToTheSamePixels() throws {
        let width = 29, height = 17
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for index in 0..<(width * height) {
            rgb[index * 3] = UInt8((index * 5) % 256)
            rgb[index * 3 + 1] = UInt8((index * 13 + 7) % 256)
            rgb[index * 3 + 2] = UInt8((index / width * 31) % 256)
        }
        let decoded = try PNGReader.decodeSamples(try PNGEncoder.encode(rgb: rgb, width: width, height: height))
        #expect(decoded.width == width && decoded.height == height && decoded.channels == 3)
        #expect(decoded.samples == rgb)
    }

    @Test func reducesForThumbnails() throws {
        let image = SyntheticStarField(width: 500, height: 300, starCount: 20, seed: 4).render()
        let preview = FramePreview(image: image, maximumSize: 128)
        #expect(preview.reduction == 4 && preview.width == 125 && preview.height == 75)
        let decoded = try PNGReader.decode(try preview.pngData())
        #expect(decoded.gray == preview.gray)
    }
}

/// A minimal PNG reader for the tests: checks the signature and every chunk's CRC-32,
/// inflates IDAT and undoes the five filters.
enum PNGReader {
    struct Failure: Error {}

    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func decode(_ data: Data) throws -> (width: Int, height: Int, gray: [UInt8]) {
        let decoded = try decodeSamples(data)
        guard decoded.channels == 1 else { throw Failure() }
        return (decoded.width, decoded.height, decoded.samples)
    }

    /// Decodes an 8-bit greyscale (colour type 0) or RGB (colour type 2) PNG.
    static func decodeSamples(_ data: Data) throws -> (width: Int, height: Int, channels: Int, samples: [UInt8]) {
        let bytes = [UInt8](data)
        guard bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw Failure() }
        func be32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        var offset = 8
        var width = 0, height = 0, channels = 1
        var idat: [UInt8] = []
        while offset + 12 <= bytes.count {
            let length = be32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            let crc = UInt32(be32(offset + 8 + length))
            guard crc == crc32(Array(bytes[(offset + 4)..<(offset + 8)]) + body) else { throw Failure() }
            if type == "IHDR" {
                width = Int(body[0]) << 24 | Int(body[1]) << 16 | Int(body[2]) << 8 | Int(body[3])
                height = Int(body[4]) << 24 | Int(body[5]) << 16 | Int(body[6]) << 8 | Int(body[7])
                guard body[8] == 8, body[9] == 0 || body[9] == 2 else { throw Failure() }
                channels = body[9] == 2 ? 3 : 1
            }
            if type == "IDAT" { idat += body }
            offset += 12 + length
        }
        let raw = [UInt8](try Gzip.decompress(Data(idat)))
        let rowBytes = width * channels
        var samples = [UInt8](repeating: 0, count: rowBytes * height)
        for row in 0..<height {
            let filter = raw[row * (rowBytes + 1)]
            for x in 0..<rowBytes {
                let value = Int(raw[row * (rowBytes + 1) + 1 + x])
                let a = x >= channels ? Int(samples[row * rowBytes + x - channels]) : 0
                let b = row > 0 ? Int(samples[(row - 1) * rowBytes + x]) : 0
                let c = x >= channels && row > 0 ? Int(samples[(row - 1) * rowBytes + x - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                default:
                    let p = a + b - c
                    let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                }
                samples[row * rowBytes + x] = UInt8((value + predictor) & 0xFF)
            }
        }
        return (width, height, channels, samples)
    }
}
