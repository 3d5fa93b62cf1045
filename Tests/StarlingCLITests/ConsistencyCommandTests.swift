import Foundation
import Imaging
import StarlingCore
import Testing

/// One meaning for every flag, in every command (issue 21, "Consistency").
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: StarlingCLI.executable), "the starling binary was not built beside the tests"))
struct ConsistencyCommandTests {
    static func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "starling-cli-consistency-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// `plan --date 2026-11-23` at Haleakala used to plan the night of the 22nd (the UTC
    /// date's night); now it is the night beginning on the 23rd, as `sky night` says.
    @Test func planDateIsTheLocalDateTheNightBeginsOnAsInSkyNight() async throws {
        let plan = try #require(try await StarlingCLI.json(["plan", "--date", "2026-11-23", "--telescope", "haleakala-1m-a", "--json"]) as? [String: Any])
        let entry = try #require((plan["plans"] as? [[String: Any]])?.first)
        #expect(entry["night"] as? String == "2026-11-23")
        let night = try #require(try await StarlingCLI.json(["sky", "night", "--site", "haleakala", "--date", "2026-11-23", "--json"]) as? [String: Any])
        #expect(entry["night_start_utc"] as? String == night["night_start_utc"] as? String)
        #expect(entry["night_end_utc"] as? String == night["night_end_utc"] as? String)
        #expect(night["sunset_utc"] as? String == night["night_start_utc"] as? String)
        let start = try #require((entry["observations"] as? [[String: Any]])?.first?["start_utc"] as? String)
        #expect(start >= "2026-11-24T03:00:00Z" && start <= "2026-11-24T17:00:00Z", "\(start) is not in the night beginning 2026-11-23 (HST)")
        let text = try await StarlingCLI.run(["plan", "--date", "2026-11-23", "--telescope", "haleakala-1m-a"])
        #expect(text.output.hasPrefix("haleakala-1m-a at haleakala, night of 2026-11-23 (2026-11-24 03:"))
    }

    @Test func everyNightOutputNamesTheNightAndItsUTCSpan() async throws {
        let target = try await StarlingCLI.run(["sky", "target", "--site", "teide", "--date", "2026-11-23", "--name", "M31"])
        #expect(target.status == 0, "\(target.errors)")
        #expect(target.output.contains("night of 2026-11-23 (2026-11-23 18:10 – 2026-11-24 07:35 UTC)"))
        let night = try await StarlingCLI.run(["sky", "night", "--site", "teide", "--date", "2026-11-23"])
        #expect(night.output.hasPrefix("teide: night of 2026-11-23 (2026-11-23 18:10 – 2026-11-24 07:35 UTC)"))
    }

    @Test func skyNightDefaultsToTheNetworkAndSkyTargetToTonight() async throws {
        let nights = try #require(try await StarlingCLI.json(["sky", "night", "--date", "2026-11-23", "--json"]) as? [[String: Any]])
        #expect(nights.count == 19)
        let tonight = try await StarlingCLI.run(["sky", "target", "--site", "teide", "--name", "M31", "--json"])
        #expect(tonight.status == 0, "\(tonight.errors)")
    }

    @Test func validateJSONIsJSON() async throws {
        let document = try #require(try await StarlingCLI.json(["validate", "--json"]) as? [String: Any])
        #expect(document["valid"] as? Bool == true)
        #expect((document["checked"] as? [Any])?.count ?? 0 >= 24)
        #expect((document["problems"] as? [Any])?.isEmpty == true)
    }

    @Test func everyCommandTakesConfig() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let root = StarlingCLI.packageRoot
        let cases = directory + "/cases.csv"
        try "lat_deg,lon_deg,height_m,utc,ra_deg,dec_deg\n28.76,-17.88,2327,2026-11-23T23:00:00Z,10.68,41.27\n".write(toFile: cases, atomically: true, encoding: .utf8)
        let positions = try await StarlingCLI.run(["sky", "positions", "--config", root, "--input", cases])
        #expect(positions.status == 0, "\(positions.errors)")
        let json = try await StarlingCLI.run(["sky", "positions", "--config", root, "--input", cases, "--json"])
        let rows = try #require((try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(rows.first?["ra_deg"] as? Double == 10.68)
        let parse = try await StarlingCLI.run(["alert", "parse", "--config", root, directory + "/none.xml"])
        #expect(parse.status == 1)  // a refused file, not a usage error
        let review = try await StarlingCLI.run(["review", "f1", "--approve", "--config", root, "--db", directory + "/none.sqlite"])
        #expect(review.status == 64 && review.errors.contains("none.sqlite: no store there"))
        #expect(!review.errors.contains("Unknown option"))
    }

    @Test func configAndStoreComeFromTheEnvironmentOutsideTheCheckout() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outside = try await StarlingCLI.run(["sites"], in: directory)
        #expect(outside.status == 64 && outside.errors.contains("STARLING_CONFIG"))
        let sites = try await StarlingCLI.run(["sites"], in: directory, environment: ["STARLING_CONFIG": StarlingCLI.packageRoot])
        #expect(sites.status == 0 && sites.output.contains("19 sites, 65 telescopes"))
        let store = directory + "/s.sqlite"
        _ = try await StarlingCLI.run(["plan", "--date", "2026-11-23", "--site", "teide", "--db", store], in: directory, environment: ["STARLING_CONFIG": StarlingCLI.packageRoot])
        let report = try await StarlingCLI.run(
            ["report", "--date", "2026-11-23", "--site", "teide", "--out", directory + "/r"], in: directory,
            environment: ["STARLING_CONFIG": StarlingCLI.packageRoot, "STARLING_STORE": store])
        #expect(report.status == 0, "\(report.errors)")
        let missing = try await StarlingCLI.run(["report", "--date", "2026-11-23", "--out", directory + "/r"], in: directory, environment: ["STARLING_CONFIG": StarlingCLI.packageRoot])
        #expect(missing.status == 64 && missing.errors.contains("out/night/starling.sqlite: no store there"))
    }

    @Test func aReportOfANightWithNoDataFailsAndSaysSo() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = directory + "/s.sqlite"
        _ = try await StarlingCLI.run(["plan", "--date", "2026-11-23", "--site", "teide", "--db", store])
        let empty = try await StarlingCLI.run(["report", "--date", "2026-11-20", "--site", "teide", "--db", store, "--out", directory + "/r"])
        #expect(empty.status == 1)
        #expect(empty.errors.contains("nothing stored for the night of 2026-11-20"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/r/report.html"))
    }

    /// A wrong value says what is wrong, not the command's whole usage.
    @Test func aSemanticErrorSaysOnlyWhatIsWrong() async throws {
        let site = try await StarlingCLI.run(["plan", "--date", "2026-11-23", "--site", "haleakla"])
        #expect(site.status == 64)
        #expect(site.errors == "Error: --site: no site 'haleakla' (did you mean 'haleakala'?)\nSee 'starling plan --help' for its options.\n")
        let date = try await StarlingCLI.run(["sky", "night", "--date", "23/11/2026"])
        #expect(date.status == 64 && !date.errors.contains("USAGE") && !date.errors.contains("Usage:"))
        #expect(date.errors.hasPrefix("Error: The value '23/11/2026' is invalid for '--date <YYYY-MM-DD>'\nHelp:  --date <YYYY-MM-DD>"))
    }

    @Test func fitsQAJSONGivesAReasonForFramesItCannotMeasure() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var pixels = SyntheticStarField(width: 64, height: 64, starCount: 4, seed: 2).render().pixels
        for index in stride(from: 0, to: pixels.count, by: 2) { pixels[index] = 3e38 }
        for (name, image) in [("nan", FloatImage(width: 64, height: 64, repeating: .nan)), ("huge", FloatImage(width: 64, height: 64, pixels: pixels))] {
            let path = directory + "/\(name).fits"
            try FITSFrame(image: image, metadata: FrameMetadata()).write(to: path, format: .float32)
            let result = try await StarlingCLI.run(["fits", "qa", path, "--json"])
            #expect(result.status == 0, "\(name): \(result.errors)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(name)")
            #expect((document["notes"] as? [String])?.isEmpty == false, "\(name)")
        }
    }
}
