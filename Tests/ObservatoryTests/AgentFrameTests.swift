import Foundation
import Imaging
import Sky
import StarlingCore
import Synchronization
import Testing

@testable import Observatory

/// The agent, the simulator and the real pixel renderer together: frames the agent writes,
/// read back and measured by Imaging as the Reporter measures real ones.
///
/// One 1-m LCO-design telescope at Cerro Tololo (0.39″/px) with its camera read as a 1024²
/// window, on the new-Moon night of 2026-06-14/15. The target sits on the meridian at 60°
/// altitude at local midnight; the weather is clear with 1.2″ seeing until midnight, then
/// half cloud (the simulated weather changes in 10-minute steps).
@Suite struct AgentFrameTests {
    static let midnight = RenderingTestSupport.darkNight
    static let start = midnight.addingTimeInterval(-20 * 60)
    static let seeing = 1.2

    /// A clear pair of 60-s r frames from the start, then one under cloud after midnight.
    struct Night {
        let harness: AgentHarness
        let target: Target
        let clear: [Observation]
        let cloudy: [Observation]
        let directory: String
    }

    static func night() async throws -> Night {
        let (site, telescope) = try RenderingTestSupport.telescope("cerro-tololo-lco-c", size: 1024)
        let directory = AgentTestSupport.temporaryDirectory("agent-frames")
        let weather = WeatherScenario(defaultModel: .clear, changes: [
            site.id: [
                WeatherChange(at: start, cloudFraction: 0, seeing: .arcseconds(seeing)),
                WeatherChange(at: midnight, cloudFraction: 0.5, seeing: .arcseconds(seeing)),
            ]
        ])
        let harness = AgentHarness(
            site: site, telescope: telescope, start: start, hours: 2, weather: weather, renderer: SimulatedFrameRenderer(), rendering: .all,
            framesDirectory: directory, seed: 7)
        let position = try RenderingTestSupport.position(altitudeDegrees: 60, site: site, at: midnight)
        let target = Target(id: TargetID("meridian-60"), name: "meridian field", coordinates: position, kind: .field)
        harness.start()
        harness.agent.send(.observe(AgentTestSupport.request(target, seconds: 60, count: 2, filter: "r", telescope: telescope, id: "clear")))
        await harness.run(until: midnight.addingTimeInterval(5 * 60))
        let clear = harness.log.observations
        harness.agent.send(.observe(AgentTestSupport.request(target, seconds: 60, count: 1, filter: "r", telescope: telescope, id: "cloudy")))
        await harness.run(until: midnight.addingTimeInterval(20 * 60))
        let cloudy = Array(harness.log.observations.dropFirst(clear.count))
        return Night(harness: harness, target: target, clear: clear, cloudy: cloudy, directory: directory)
    }

    @Test func framesCarryTheStandardKeywordsAndStarlingsIDs() async throws {
        let night = try await Self.night()
        defer { try? FileManager.default.removeItem(atPath: night.directory) }
        let observation = try #require(night.clear.first)
        #expect(observation.outcome == .completed, "\(observation.outcome)")
        #expect(observation.frames.count == 2)
        let telescope = night.harness.simulated.telescope, site = night.harness.simulated.site
        for record in observation.frames {
            #expect(record.path.hasPrefix(night.directory + "/2026-06-14/\(telescope.id)/"), "\(record.path)")
            let frame = try FITSFrame(path: record.path)
            let metadata = frame.metadata
            #expect(metadata.problems.isEmpty, "\(metadata.problems)")
            #expect(frame.image.width == 1024 && frame.image.height == 1024)
            #expect(metadata.exposureSeconds == 60)
            #expect(metadata.filter == "r")
            #expect(metadata.object == night.target.name)
            #expect(metadata.imageType == "LIGHT")
            #expect(metadata.telescope == telescope.id.rawValue)
            #expect(metadata.observatory != nil)
            #expect(metadata.instrument != nil)
            #expect(abs((metadata.siteLatitude?.degrees ?? 0) - site.location.latitude.degrees) < 1e-6)
            #expect(abs((metadata.siteLongitude?.degrees ?? 0) - site.location.longitude.degrees) < 1e-6)
            let start = try #require(metadata.observationStart)
            #expect(abs(start.timeIntervalSince(record.started)) < 0.001)
            let airmass = try #require(metadata.airmass)
            #expect(airmass > 1.1 && airmass < 1.2)  // 60° altitude
            let pointing = try #require(metadata.pointing)
            #expect(pointing.separation(from: night.target.coordinates).arcseconds < 1)
            #expect(metadata.frameID == record.id)
            #expect(metadata.observationID == observation.id)
            #expect(metadata.requestID == RequestID("clear"))
        }
    }

    @Test func measuredFWHMIsSeeingTimesAirmassToThePointSixAndTheCentreIsTheTarget() async throws {
        let night = try await Self.night()
        defer { try? FileManager.default.removeItem(atPath: night.directory) }
        let records = try #require(night.clear.first).frames
        try #require(records.count == 2)
        for record in records {
            let frame = try FITSFrame(path: record.path)
            let conditions = night.harness.timeline.conditions(at: record.started.addingTimeInterval(30))
            #expect(abs((conditions.seeing?.arcseconds ?? 0) - Self.seeing) < 1e-9)
            let airmass = try #require(frame.metadata.airmass)
            let expected = Self.seeing * pow(airmass, 0.6)
            let summary = try FrameAnalysis(frame: frame).summary
            let measured = try #require(summary.medianFWHMArcseconds)
            #expect(abs(measured / expected - 1) < 0.10, "FWHM \(measured)″ vs seeing × X^0.6 = \(expected)″ (X = \(airmass))")
            #expect(summary.fwhmSampleSize >= 20)
            let wcs = try #require(try frame.worldCoordinates())
            let centre = try #require(wcs.center(width: frame.image.width, height: frame.image.height))
            #expect(centre.separation(from: night.target.coordinates).arcseconds < 5, "WCS centre \(centre) vs \(night.target.coordinates)")
        }
    }

    @Test func fluxFallsWithCloudAsTheTransmissionLawSays() async throws {
        let night = try await Self.night()
        defer { try? FileManager.default.removeItem(atPath: night.directory) }
        let clearRecord = try #require(night.clear.first?.frames.first)
        let cloudy = try #require(night.cloudy.first)
        #expect(cloudy.outcome == .completed, "\(cloudy.outcome)")
        let cloudyRecord = try #require(cloudy.frames.first)
        let clearCloud = night.harness.timeline.conditions(at: clearRecord.started.addingTimeInterval(30)).cloudFraction
        let cloudyCloud = night.harness.timeline.conditions(at: cloudyRecord.started.addingTimeInterval(30)).cloudFraction
        #expect(clearCloud == 0)
        #expect(cloudyCloud == 0.5)
        let clear = try FrameAnalysis(frame: FITSFrame(path: clearRecord.path))
        let dimmed = try FrameAnalysis(frame: FITSFrame(path: cloudyRecord.path))
        // The same stars (the target is tracked, the sky's stars fixed): bright, unsaturated,
        // isolated; matched by position within 1 px.
        var ratios: [Double] = []
        for star in clear.sources where !star.isSaturated && !star.isDeblended && !star.touchesEdge && star.signalToNoise > 100 {
            guard let match = dimmed.sources.first(where: { abs($0.x - star.x) < 1 && abs($0.y - star.y) < 1 }), !match.isSaturated else { continue }
            ratios.append(match.flux / star.flux)
        }
        try #require(ratios.count >= 10, "only \(ratios.count) stars matched")
        ratios.sort()
        let median = ratios[ratios.count / 2]
        // The two frames are a few minutes either side of the meridian: the airmass (and so
        // the extinction) differs by well under 1 %.
        let expected = CloudTransmission.transmission(cloudFraction: 0.5) / CloudTransmission.transmission(cloudFraction: 0)
        #expect(abs(median / expected - 1) < 0.05, "flux ratio \(median) vs transmission \(expected) over \(ratios.count) stars")
    }

    @Test func closedEnclosureGivesADarkFrame() async throws {
        let (site, telescope) = try RenderingTestSupport.telescope("cerro-tololo-lco-c", size: 512)
        let renderer = SimulatedFrameRenderer()
        let harness = AgentHarness(site: site, telescope: telescope, start: Self.midnight, hours: 1, renderer: renderer, rendering: .all)
        // No agent: the camera is asked directly, with the enclosure as it starts, closed.
        #expect(harness.simulated.snapshot.enclosure == .closed)
        let readout = Mutex<Result<CameraReadout, DriverError>?>(nil)
        let camera = harness.simulated.devices.camera
        harness.clock.spawn(named: "expose") {
            do throws(DriverError) {
                let frame = try await camera.expose(CameraExposure(exposureSeconds: 60))
                readout.withLock { $0 = .success(frame) }
            } catch {
                readout.withLock { $0 = .failure(error) }
            }
        }
        await harness.run(until: Self.midnight.addingTimeInterval(120))
        let result = try #require(readout.withLock { $0 })
        guard case .frame(let frame) = try result.get() else { Issue.record("expected a rendered frame"); return }
        let path = AgentTestSupport.temporaryDirectory("dark") + "/dark.fits"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try frame.write(to: path, format: .float32)
        let summary = try FrameAnalysis(frame: FITSFrame(path: path))
        let expected = renderer.biasADU + telescope.camera.darkCurrent * 60 / telescope.camera.gain
        #expect(abs(summary.summary.backgroundLevel - expected) < 0.5, "background \(summary.summary.backgroundLevel) vs bias + dark \(expected)")
        #expect(summary.sources.filter { $0.signalToNoise >= 5 }.isEmpty)
    }
}
