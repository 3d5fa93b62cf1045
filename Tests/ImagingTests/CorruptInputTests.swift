import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// Truncated, bit-flipped and non-FITS input gives a clear error and never crashes.
struct CorruptInputTests {
    /// The originals: a generated frame, compressed fixtures, a table, and (when present) real files.
    static func originals() throws -> [(String, Data)] {
        var files: [(String, Data)] = []
        let field = SyntheticStarField(width: 64, height: 48, starCount: 6, seed: 11)
        files.append(("generated.fits", try FITSFrame(image: field.render(), metadata: FrameMetadata(object: "fuzz")).encoded()))
        for name in ["compressed_rice_1.fits", "compressed_hcompress_1.fits", "compressed_gzip_1.fits", "mef_named.fits", "table.fits", "bitpix-64.fits"] {
            files.append((name, try Data(contentsOf: URL(fileURLWithPath: try TestPaths.fixture(name)))))
        }
        if TestPaths.hasSharedFITS {
            for name in ["astropy_dss.14.29.56-62.41.05.fits.gz", "ccdproc_sip-wcs.fit", "nomtam_m13_rice.fits"] {
                files.append((name, try Data(contentsOf: URL(fileURLWithPath: TestPaths.sharedFITS + "/" + name))))
            }
        }
        return files
    }

    /// Reads as a frame, and analyses it when that works; returns the error otherwise.
    static func exercise(_ data: Data, name: String) -> FITSError? {
        do {
            let frame = try FITSFrame(data: data, name: name)
            if frame.image.count <= 20_000 { _ = try FrameAnalysis(frame: frame) }
            return nil
        } catch {
            return error
        }
    }

    @Test func truncatedCopiesFailClearly() throws {
        var failures = 0
        for (name, data) in try Self.originals() {
            var random = SplitMix64(seed: UInt64(data.count))
            var cuts = Set([0, 1, 10, 79, 80, 2879, 2880, 2881, data.count - 1, data.count / 2])
            while cuts.count < 40 { cuts.insert(Int(random.nextDouble() * Double(data.count))) }
            for cut in cuts where cut < data.count {
                if let error = Self.exercise(data.prefix(cut), name: "\(name)[..\(cut)]") {
                    failures += 1
                    #expect(error.description.hasPrefix("memory:\(name)"))
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(failures > 0)
    }

    /// 150 copies of each original with 1–8 flipped bits. Wider runs (700–800 copies, five
    /// seeds) found the library failures now stopped before they happen: in CFITSIO 4.2 an
    /// `ffc2j` buffer overflow, a division by a zero `ZTILE1` and unbounded GZIP tile growth
    /// (HeaderPrecheck, the DATASUM check); in wcslib 7.12 a buffer overrun in `wcspih` on a
    /// string without its closing quote (`FITSHeader.isWellFormed`).
    @Test func bitFlippedCopiesNeverCrash() throws {
        var outcomes: [Bool] = []
        for (name, data) in try Self.originals() {
            var random = SplitMix64(seed: 0xF17 ^ UInt64(data.count))
            for trial in 0..<150 {
                var bytes = [UInt8](data)
                // Flip 1…8 bits, mostly in the first header blocks where the structure lives.
                for _ in 0..<(1 + Int(random.nextDouble() * 8)) {
                    let limit = random.nextDouble() < 0.7 ? min(bytes.count, 5760) : bytes.count
                    let index = Int(random.nextDouble() * Double(limit))
                    bytes[index] ^= UInt8(1 << Int(random.nextDouble() * 8))
                }
                let error = Self.exercise(Data(bytes), name: "\(name)#\(trial)")
                outcomes.append(error == nil)
                if let error { #expect(error.description.contains("memory:\(name)#\(trial)")) }
            }
        }
        #expect(outcomes.contains(false), "some flips must break the structure")
    }

    @Test(arguments: [
        ("empty", Data()),
        ("text", Data("hello, this is not FITS\n".utf8)),
        ("png", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 4000))),
        ("zeros", Data(count: 5760)),
        ("json", Data(String(repeating: "{\"a\": 1}", count: 800).utf8)),
        ("bad-gzip", Data([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03])),
    ])
    func nonFITSInputIsRefused(name: String, data: Data) throws {
        let error = try #require(Self.exercise(data, name: name))
        #expect([.notFITS, .truncated, .corrupt].contains(error.code))
        #expect(error.description.hasPrefix("memory:\(name): "))
    }

    @Test func randomBytesAfterAValidHeaderNeverCrash() throws {
        var random = SplitMix64(seed: 99)
        let header = try FITSFrame(image: FloatImage(width: 8, height: 8, repeating: 1), metadata: FrameMetadata()).encoded().prefix(2880)
        for trial in 0..<50 {
            var bytes = [UInt8](header)
            bytes += (0..<Int(random.nextDouble() * 6000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            _ = Self.exercise(Data(bytes), name: "random\(trial)")
        }
    }

    @Test func missingFilesAndFoldersAreNamed() throws {
        do {
            _ = try FITSFrame(path: "/no/such/frame.fits")
            Issue.record("a missing file must fail")
        } catch {
            #expect(error.code == .fileNotFound)
            #expect(error.description == "/no/such/frame.fits: no such file")
        }
        let folder = try TemporaryDirectory()
        #expect(throws: FITSError.self) { try FITSFrame(path: folder.path) }
        let text = folder.file("notes.fits")
        try "SIMPLE? no.".write(toFile: text, atomically: false, encoding: .utf8)
        do {
            _ = try FITSFrame(path: text)
            Issue.record("a text file must fail")
        } catch {
            #expect(error.code == .notFITS)
            #expect(error.message.contains("does not start with SIMPLE"))
        }
    }
}
