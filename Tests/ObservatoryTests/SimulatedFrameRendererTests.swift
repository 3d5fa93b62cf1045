import Foundation
import Imaging
import Observatory
import StarlingCore
import Testing

/// Frames from the renderer, written to FITS, read back and measured by Imaging, as the
/// Reporter measures real ones.
@Suite struct SimulatedFrameRendererTests {
    let renderer = SimulatedFrameRenderer()

    @Test func medianFWHMIsSeeingTimesAirmassToThePointSix() throws {
        let scene = try RenderingTestSupport.scene(altitudeDegrees: 50, seeing: 1.2)
        let frame = try RenderingTestSupport.roundTrip(renderer.render(scene), name: "fwhm")
        let analysis = try FrameAnalysis(frame: frame)
        let airmass = try #require(frame.metadata.airmass)
        let expected = 1.2 * pow(airmass, 0.6)
        let measured = try #require(analysis.summary.medianFWHMArcseconds)
        #expect(abs(measured / expected - 1) < 0.10, "FWHM \(measured)″ vs seeing × X^0.6 = \(expected)″ (X = \(airmass))")
        #expect(analysis.summary.fwhmSampleSize >= 20)
    }

    @Test func wcsCentreReadBackIsThePointing() throws {
        let scene = try RenderingTestSupport.scene()
        let frame = try RenderingTestSupport.roundTrip(renderer.render(scene), name: "wcs")
        let wcs = try #require(try frame.worldCoordinates())
        let centre = try #require(wcs.center(width: frame.image.width, height: frame.image.height))
        #expect(centre.separation(from: scene.pointing).arcseconds < 5)
        let scale = try #require(wcs.pixelScale(atX: 511.5, y: 511.5))
        #expect(abs(scale.arcseconds / scene.telescope.pixelScale.arcseconds - 1) < 1e-6)
        // North up, east left: one pixel up increases Dec, one pixel left increases RA.
        let up = try #require(wcs.pixelToWorld(x: 511.5, y: 611.5)), left = try #require(wcs.pixelToWorld(x: 411.5, y: 511.5))
        #expect(up.declination > centre.declination)
        #expect((left.rightAscension - centre.rightAscension).normalizedSigned.degrees > 0)
    }

    @Test func headerCarriesTheSceneFacts() throws {
        let scene = try RenderingTestSupport.scene()
        let metadata = try RenderingTestSupport.roundTrip(renderer.render(scene), name: "header").metadata
        #expect(metadata.exposureSeconds == 60)
        #expect(metadata.imageType == "LIGHT")
        #expect(metadata.filter == "r")
        #expect(metadata.object == "test field")
        #expect(metadata.telescope == scene.telescope.id.rawValue)
        #expect(metadata.observatory == scene.site.id.rawValue)
        #expect(metadata.gain == scene.telescope.camera.gain)
        #expect(metadata.saturationADU == scene.telescope.camera.saturationADU)
        #expect(metadata.frameID == FrameID("frame-1"))
        #expect(metadata.requestID == RequestID("req-1"))
        #expect(metadata.observationID == ObservationID("obs-1"))
        #expect(metadata.zeroPoint != nil)
        #expect(abs((metadata.observationStart?.timeIntervalSince1970 ?? 0) - scene.start.timeIntervalSince1970) < 0.001)
        #expect(abs((metadata.siteLatitude?.degrees ?? 0) - scene.site.location.latitude.degrees) < 1e-9)
        let airmass = try #require(metadata.airmass)
        #expect(airmass > 1.1 && airmass < 1.2)  // 60° altitude
    }

    @Test func cloudDimsTheSameStarsAsTheTransmissionLawSays() throws {
        let clear = try FrameAnalysis(frame: renderer.render(try RenderingTestSupport.scene(cloud: 0)))
        let cloudy = try FrameAnalysis(frame: renderer.render(try RenderingTestSupport.scene(cloud: 0.5)))
        // The same stars: bright, unsaturated, isolated; matched by position within 1 px.
        let bright = clear.sources.filter { !$0.isSaturated && !$0.isDeblended && !$0.touchesEdge && $0.signalToNoise > 100 }
        var ratios: [Double] = []
        for star in bright {
            guard let match = cloudy.sources.first(where: { abs($0.x - star.x) < 1 && abs($0.y - star.y) < 1 }), !match.isSaturated else { continue }
            ratios.append(match.flux / star.flux)
        }
        try #require(ratios.count >= 10, "only \(ratios.count) stars matched")
        ratios.sort()
        let median = ratios[ratios.count / 2]
        let expected = CloudTransmission.transmission(cloudFraction: 0.5)
        #expect(abs(median / expected - 1) < 0.03, "flux ratio \(median) vs transmission \(expected) over \(ratios.count) stars")
    }

    @Test func closedEnclosureGivesADarkFrameOfBiasAndDarkCurrent() throws {
        let scene = try RenderingTestSupport.scene(openFraction: 0)
        let frame = try RenderingTestSupport.roundTrip(renderer.render(scene), name: "dark")
        let analysis = try FrameAnalysis(frame: frame)
        let camera = scene.telescope.camera
        let expected = renderer.biasADU + camera.darkCurrent * scene.exposureSeconds / camera.gain
        #expect(abs(analysis.summary.backgroundLevel - expected) < 0.5, "background \(analysis.summary.backgroundLevel) vs bias + dark \(expected)")
        #expect(abs(analysis.summary.backgroundNoise - camera.readNoise / camera.gain) / (camera.readNoise / camera.gain) < 0.05)
        // No light: nothing real to detect (noise peaks at the 1.5σ threshold are never 5σ sources).
        #expect(analysis.sources.filter { $0.signalToNoise >= 5 }.isEmpty)
        #expect(renderer.model(scene).quality.transparency == 0)
    }

    @Test func trailGivesElongatedStarsAlongTheMotion() throws {
        // 10″ north during the exposure: 26 px along +y on the 0.39″/px detector.
        let scene = try RenderingTestSupport.scene(trailArcseconds: 10)
        let analysis = try FrameAnalysis(frame: renderer.render(scene))
        let ellipticity = try #require(analysis.summary.medianEllipticity)
        #expect(ellipticity > 0.6, "median ellipticity \(ellipticity)")
        let angles = analysis.sources.filter { $0.signalToNoise > 50 && !$0.isSaturated }.compactMap(\.theta).map(abs).sorted()
        try #require(!angles.isEmpty)
        #expect(angles[angles.count / 2] > 80, "major axes at \(angles[angles.count / 2])° from +x; the motion is along y")
        #expect(renderer.model(scene).quality.ellipticity > 0.6)
    }

    @Test func modelAgreesWithMeasuringTheRenderedFrame() throws {
        for (altitude, cloud) in [(70.0, 0.0), (40.0, 0.3)] {
            let scene = try RenderingTestSupport.scene(altitudeDegrees: altitude, cloud: cloud)
            let frame = try RenderingTestSupport.roundTrip(renderer.render(scene), name: "model")
            let summary = try FrameAnalysis(frame: frame).summary
            let quality = renderer.model(scene).quality
            let label = "altitude \(altitude)°, cloud \(cloud)"
            #expect(abs(quality.backgroundADU / summary.backgroundLevel - 1) < 0.05, "\(label): background \(quality.backgroundADU) vs \(summary.backgroundLevel)")
            #expect(abs(quality.noiseADU / summary.backgroundNoise - 1) < 0.05, "\(label): noise \(quality.noiseADU) vs \(summary.backgroundNoise)")
            let fwhm = try #require(summary.medianFWHMPixels)
            #expect(abs(quality.fwhmPixels / fwhm - 1) < 0.10, "\(label): FWHM \(quality.fwhmPixels) vs \(fwhm) px")
            // The measured limit through the clouds: the header's cloud-free zero point plus the transparency.
            let measuredLimit = try #require(summary.limitingMagnitude5Sigma) + 2.5 * log10(quality.transparency)
            let modelLimit = try #require(quality.limitingMagnitude)
            #expect(abs(modelLimit - measuredLimit) < 0.3, "\(label): limit \(modelLimit) vs \(measuredLimit)")
            // Source count: the model counts stars above 5σ; detection at 1.5σ per pixel finds
            // them plus fainter ones. Agreement within a factor of 2 either way.
            let counted = Double(quality.sourceCount), detected = Double(summary.sourceCount)
            #expect(counted > detected / 2 && counted < detected * 2, "\(label): sources \(quality.sourceCount) modelled vs \(summary.sourceCount) detected")
            #expect(abs(quality.saturatedFraction - summary.saturatedFraction) < 0.001)
        }
    }

    @Test func sameSeedGivesIdenticalPixels() throws {
        let scene = try RenderingTestSupport.scene(size: 512)
        let first = renderer.render(scene).image, second = renderer.render(scene).image
        #expect(first == second)
        var other = scene
        other.seed = 43
        #expect(renderer.render(other).image != first)
    }
}
