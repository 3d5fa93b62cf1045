import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// A frame in memory whose data the bytes cut short is refused as truncated, before CFITSIO
/// 4.2's memory driver copies past the end of the buffer (found by `scripts/fuzz fits-header`:
/// a SEGV reading a 640 × 512 frame cut after its first data block; the input is
/// `Fuzz/Regressions/fits-header/truncated-data-read-past-memory-buffer.fits`).
struct MemoryTruncationTests {
    @Test(arguments: [FITSFrame.PixelFormat.unsigned16, .float32])
    func aFrameCutAfterItsFirstDataBlocksIsRefusedAsTruncated(format: FITSFrame.PixelFormat) throws {
        let frame = FITSFrame(image: FloatImage(width: 640, height: 512, repeating: 100), metadata: FrameMetadata(object: "cut"))
        let whole = try frame.encoded(format: format)
        for blocks in [2, 3, 4] {
            let cut = whole.prefix(2880 * blocks)
            let error = #expect(throws: FITSError.self) { try FITSFrame(data: Data(cut), name: "cut") }
            #expect(error?.code == .truncated, "\(blocks) blocks: \(String(describing: error))")
        }
        // The whole file still reads, and so does one missing only its final padding.
        #expect(try FITSFrame(data: whole, name: "whole").image.width == 640)
        let bytes = 640 * 512 * (format == .float32 ? 4 : 2)
        let unpadded = whole.prefix(whole.count - (2880 - bytes % 2880) % 2880)
        #expect(try FITSFrame(data: Data(unpadded), name: "unpadded").image.height == 512)
    }
}
