import Foundation
import Imaging
import Persistence
import StarlingCore
import Testing

/// `starling report` and `starling review` against a small database written here.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: StarlingCLI.executable), "the starling binary was not built beside the tests"))
struct ReportCommandTests {
    /// A database with one completed observation at Teide on the night of 2026-11-23: one
    /// frame written as FITS, one whose file was never written.
    static func makeNight(in directory: String) async throws -> String {
        let path = directory + "/night.sqlite"
        let store = try SQLiteStore(path: path)
        let start = try #require(ISO8601.date(from: "2026-11-23T22:00:00Z"))
        let pointing = try EquatorialCoordinates(rightAscensionDegrees: 40.1, declinationDegrees: 39.06)
        let written = directory + "/f1.fits"
        let image = SyntheticStarField(width: 256, height: 256, starCount: 40, seed: 3).render()
        try FITSFrame(
            image: image,
            metadata: FrameMetadata(observationStart: start, exposureSeconds: 60, imageType: "LIGHT", object: "NGC 1023", filter: "r", pointing: pointing),
            projection: TangentPlaneProjection(center: pointing, pixelScale: .arcseconds(1.0), width: 256, height: 256)
        ).write(to: written)
        let frames = [("f1", written), ("f2", directory + "/never-written.fits")].enumerated().map { index, frame in
            FrameRecord(
                id: FrameID(frame.0), observationID: "o1", telescopeID: "teide-1m-a", path: frame.1, imageType: .light, filter: Filter("r"),
                exposureSeconds: 60, started: start.addingTimeInterval(Double(index) * 70), pointing: pointing, airmass: 1.1)
        }
        try await store.saveObservation(Observation(
            id: "o1", requestID: "r1", telescopeID: "teide-1m-a", siteID: "teide", targetID: "ngc1023", started: start,
            ended: start.addingTimeInterval(150), outcome: .completed, frames: frames))
        return path
    }

    @Test func reportWritesTheThreeFormatsAndReviewShowsInTheNext() async throws {
        let directory = NSTemporaryDirectory() + "starling-cli-report-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let db = try await Self.makeNight(in: directory)
        let out = directory + "/report"

        let first = try await StarlingCLI.run(["report", "--date", "2026-11-23", "--site", "teide", "--db", db, "--out", out])
        #expect(first.status == 0, "\(first.errors)")
        #expect(
            first.output.hasPrefix(
                "Site teide, night of 2026-11-23 (2026-11-23 18:10 – 2026-11-24 07:35 UTC): 0 of 0 planned observations completed, 2 frames (0 corrupt, 1 missing)\n"))
        for name in ["report.html", "report.md", "report.json", "plots/image-quality.png", "plots/sky-map.png", "plots/timeline.png"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name) was not written")
        }

        let flagged = try await StarlingCLI.run(["review", "f1", "--flag", "trailed stars", "--reviewer", "pi", "--db", db])
        #expect(flagged.status == 0, "\(flagged.errors)")
        #expect(flagged.output == "flagged frame f1 as pi: trailed stars\n")
        let approved = try await StarlingCLI.run(["review", "o1", "--observation", "--approve", "--reviewer", "pi", "--db", db])
        #expect(approved.output == "approved observation o1 as pi\n")

        let second = try await StarlingCLI.run(["report", "--date", "2026-11-23", "--site", "teide", "--db", db, "--out", out, "--json"])
        #expect(second.status == 0, "\(second.errors)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(second.output.utf8)) as? [String: Any])
        #expect(summary["frames_missing"] as? Int == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        let frames = try #require(report["frames"] as? [[String: Any]])
        let f1 = try #require(frames.first { $0["frame_id"] as? String == "f1" })
        #expect((f1["review"] as? [String: Any])?["note"] as? String == "trailed stars")
        #expect((f1["quality"] as? [String: Any])?["status"] as? String == "measured")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("trailed stars") && html.contains("never-written.fits"))
    }

    @Test func reviewRefusesAFlagWithoutANoteAndAnUnknownFrame() async throws {
        let directory = NSTemporaryDirectory() + "starling-cli-review-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let db = try await Self.makeNight(in: directory)
        let both = try await StarlingCLI.run(["review", "f1", "--approve", "--flag", "x", "--reviewer", "pi", "--db", db])
        #expect(both.status == 64 && both.errors.contains("exactly one of --approve or --flag"))
        let empty = try await StarlingCLI.run(["review", "f1", "--flag", " ", "--reviewer", "pi", "--db", db])
        #expect(empty.status == 64 && empty.errors.contains("--flag needs a note"))
        let unknown = try await StarlingCLI.run(["review", "nope", "--approve", "--reviewer", "pi", "--db", db])
        #expect(unknown.status == 1)
        #expect(unknown.errors == "no frame 'nope' in the store (the report lists the ids of the night's frames and observations)\n")
        let badDate = try await StarlingCLI.run(["report", "--date", "23/11/2026", "--db", db, "--out", directory + "/r"])
        #expect(badDate.status == 64 && badDate.errors.contains("The value '23/11/2026' is invalid for '--date <YYYY-MM-DD>'"))
        let noDatabase = try await StarlingCLI.run(["report", "--date", "2026-11-23", "--db", directory + "/missing.sqlite", "--out", directory + "/r"])
        #expect(noDatabase.status == 64 && noDatabase.errors.contains("missing.sqlite: no store there"))
    }
}
