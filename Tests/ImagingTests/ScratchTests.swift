import Foundation
import Testing
@testable import Imaging

struct ScratchTests {
    @Test func dump() throws {
        let frame = try FITSFrame(path: TestPaths.sharedFITS + "/astropy_dss.14.29.56-62.41.05.fits.gz")
        try frame.header.cardImagesForWCS.write(toFile: "/tmp/dss_cards.txt", atomically: true, encoding: .utf8)
    }
}
