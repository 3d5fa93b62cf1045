import Foundation
import Imaging
import Persistence
import StarlingCore
import Testing

/// `starling observe`: one observation through the agent and the simulator, as a user runs it.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: StarlingCLI.executable), "the starling binary was not built beside the tests"))
struct ObserveCommandTests {
    /// NGC 891 from La Palma near its transit on 2026-11-23/24 (altitude ≈ 75°), 1024² window.
    let ngc891 = ["observe", "--site", "la-palma", "--telescope", "la-palma-1m-a", "--name", "NGC 891", "--exposure", "60",
                  "--filter", "r", "--at", "2026-11-23T23:00:00Z", "--window", "1024"]

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "starling-observe-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func observingACatalogGalaxyWritesAFrameCentredOnIt() async throws {
        let out = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let db = out + "/starling.sqlite"
        let result = try await StarlingCLI.run(ngc891 + ["--out", out, "--db", db])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("outcome: completed"))
        for state in ["opening", "slewing", "exposing", "reading-out", "closing", "parked"] {
            #expect(result.output.contains(state), "timeline lacks \(state)")
        }
        let path = try #require(
            FileManager.default.enumerator(atPath: out)?.compactMap { $0 as? String }.first { $0.hasSuffix(".fits") }.map { out + "/" + $0 })
        #expect(path.contains("/2026-11-23/la-palma-1m-a/"))
        #expect(result.output.contains(path))

        let frame = try FITSFrame(path: path)
        #expect(frame.metadata.object == "NGC0891" || frame.metadata.object == "NGC 891")
        #expect(frame.metadata.filter == "r")
        #expect(frame.metadata.exposureSeconds == 60)
        #expect(frame.metadata.telescope == "la-palma-1m-a")
        let wcs = try #require(try frame.worldCoordinates())
        let centre = try #require(wcs.center(width: frame.image.width, height: frame.image.height))
        let galaxy = try #require(try ProjectLayout(root: StarlingCLI.packageRoot).findTarget(named: "NGC 891")).target.coordinates
        #expect(centre.separation(from: galaxy).arcseconds < 5, "WCS centre \(centre) vs NGC 891")
        // Seeing at La Palma (median 0.8″) × airmass^0.6 in r, on 1.03″ pixels: a sane FWHM.
        let summary = try FrameAnalysis(frame: frame).summary
        let fwhm = try #require(summary.medianFWHMArcseconds)
        #expect(fwhm > 0.8 && fwhm < 2.5, "FWHM \(fwhm)″")
        #expect(summary.sourceCount > 20)

        // The store has the observation and the frame's measured quality.
        let store = try SQLiteStore(path: db)
        let window = DateInterval(start: try #require(ISO8601.date(from: "2026-11-23T00:00:00Z")), duration: 2 * 86_400)
        let stored = try await store.observations(startedIn: window, site: SiteID("la-palma"))
        #expect(stored.count == 1)
        #expect(stored.first?.outcome == .completed)
        let record = try #require(stored.first?.frames.first)
        let quality = try #require(try await store.frameQuality(of: record.id))
        #expect(quality.source == .pixels)
    }

    @Test func targetBelowTheHorizonIsRefusedWithTheReason() async throws {
        let out = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        // Dec +60° never rises at Cerro Tololo (latitude −30°).
        let result = try await StarlingCLI.run([
            "observe", "--site", "cerro-tololo", "--telescope", "cerro-tololo-1m-a", "--ra", "30", "--dec", "60", "--exposure", "60",
            "--at", "2026-11-24T04:00:00Z", "--out", out, "--window", "256",
        ])
        #expect(result.status == 1)
        #expect(result.output.contains("outcome: refused (below-horizon)"), "\(result.output)")
        #expect(result.errors.contains("observation not completed: refused"))
        #expect(!result.output.contains("slewing"))
        let files = FileManager.default.enumerator(atPath: out)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".fits") } ?? []
        #expect(files.isEmpty)
    }

    @Test func daylightIsRefusedBeforeTheEnclosureOpens() async throws {
        let out = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try await StarlingCLI.run(
            ngc891.map { $0 == "2026-11-23T23:00:00Z" ? "2026-11-23T15:00:00Z" : $0 } + ["--out", out])
        #expect(result.status == 1)
        #expect(result.output.contains("outcome: refused (not-dark-enough): Sun at"), "\(result.output)")
        #expect(!result.output.contains("opening"))
    }

    @Test func jsonOutputParsesWithTheOutcomeTimelineAndFrames() async throws {
        let out = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let document = try #require(
            try await StarlingCLI.json(ngc891.map { $0 == "60" ? "30" : $0 } + ["--count", "2", "--out", out, "--json"]) as? [String: Any])
        #expect(document["outcome"] as? String == "completed")
        #expect(document["site"] as? String == "la-palma")
        #expect(document["filter"] as? String == "r")
        let timeline = try #require(document["timeline"] as? [[String: Any]])
        #expect(timeline.first?["state"] as? String == "parked")
        #expect(timeline.last?["state"] as? String == "parked")
        #expect(timeline.contains { $0["state"] as? String == "exposing" })
        let frames = try #require(document["frames"] as? [[String: Any]])
        #expect(frames.count == 2)
        for frame in frames {
            let path = try #require(frame["path"] as? String)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect((frame["center_offset_arcsec"] as? Double ?? 99) < 5)
            #expect((frame["fwhm_arcsec"] as? Double ?? 0) > 0.5)
            #expect((frame["source_count"] as? Int ?? 0) > 0)
            #expect(frame["limiting_mag_5sigma"] is Double)
        }
    }

    @Test(arguments: [
        (["--site", "nowhere", "--telescope", "x", "--name", "M31"], "--site"),
        (["--site", "la-palma", "--telescope", "cerro-tololo-1m-a", "--name", "M31"], "--telescope"),
        (["--site", "la-palma", "--telescope", "la-palma-1m-a", "--name", "M31", "--filter", "H"], "--filter"),
        (["--site", "la-palma", "--telescope", "la-palma-1m-a", "--name", "M31", "--ra", "10", "--dec", "5"], "--name"),
        (["--site", "la-palma", "--telescope", "la-palma-1m-a", "--ra", "10"], "--dec"),
        (["--site", "la-palma", "--telescope", "la-palma-1m-a", "--name", "M31", "--at", "tonight"], "--at"),
    ])
    func usageErrorsNameTheOption(arguments: [String], option: String) async throws {
        let result = try await StarlingCLI.run(["observe"] + arguments + ["--exposure", "10", "--out", NSTemporaryDirectory() + "starling-observe-unused"])
        #expect(result.status == 64)
        #expect(result.errors.contains(option), "\(result.errors)")
    }
}
