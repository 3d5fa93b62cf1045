import Foundation
import Testing
@testable import Imaging

struct ScratchTests {
    @Test func moffat() throws {
        for beta in [2.5, 3.5, 4.765] {
            let field = SyntheticStarField(width: 1024, height: 1024, starCount: 300, profile: .moffat(fwhm: 3.5, beta: beta), minimumSeparation: 20, seed: 5)
            let analysis = FrameAnalysis(image: field.render(), options: .init(detection: .init(gain: field.gain)))
            print("moffat beta \(beta): fwhm \(analysis.summary.medianFWHMPixels ?? -1) n=\(analysis.summary.fwhmSampleSize) sources \(analysis.sources.count)")
        }
    }
}
