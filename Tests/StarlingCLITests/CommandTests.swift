import Foundation
import Sky
import StarlingCore
import Testing

/// The command line as a user meets it: exit statuses, file:line messages, JSON shapes.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: StarlingCLI.executable), "the starling binary was not built beside the tests"))
struct CommandTests {
    @Test func sitesJSONListsTheArray() async throws {
        let document = try #require(try await StarlingCLI.json(["sites", "--json"]) as? [String: Any])
        #expect((document["site_count"] as? Int ?? 0) >= 15)
        #expect((document["telescope_count"] as? Int ?? 0) >= 60)
    }

    @Test func validateExitsZeroOnTheShippedConfiguration() async throws {
        let result = try await StarlingCLI.run(["validate"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.hasPrefix("valid: "))
    }

    @Test func validateExitsOneWithFileAndLineOnASwappedCopy() async throws {
        let directory = NSTemporaryDirectory() + "starling-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let original = try String(contentsOfFile: StarlingCLI.packageRoot + "/sites/xinglong.yaml", encoding: .utf8)
        let swapped = original.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("latitude_deg") { return "latitude_deg: 117.575" }
            if line.hasPrefix("longitude_deg") { return "longitude_deg: 40.393333" }
            return String(line)
        }.joined(separator: "\n")
        let file = directory + "/xinglong.yaml"
        try swapped.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await StarlingCLI.run(["validate", file])
        #expect(result.status == 1)
        #expect(result.errors == "\(file):5: latitude_deg 117.575 is outside -90...90 (swapped with longitude_deg?)\n")
    }

    @Test func unknownCatalogIsAUsageError() async throws {
        let result = try await StarlingCLI.run(["catalog", "messier"])
        #expect(result.status == 64)
        #expect(result.errors.contains("no catalog 'messier'"))
    }

    @Test func skyNightJSONHasTheTwilights() async throws {
        let night = try #require(try await StarlingCLI.json(["sky", "night", "--site", "la-palma", "--date", "2026-11-23", "--json"]) as? [String: Any])
        #expect(night["timezone"] as? String == "Atlantic/Canary")
        for key in ["sunset_utc", "astronomical_dusk_utc", "astronomical_dawn_utc", "sunrise_utc"] {
            #expect(night[key] is String, "\(key)")
        }
        let hours = try #require(night["astronomical_night_hours"] as? Double)
        #expect(hours > 9 && hours < 12)
    }

    @Test func skyNightForEverySite() async throws {
        let nights = try #require(try await StarlingCLI.json(["sky", "night", "--all", "--date", "2026-11-23", "--json"]) as? [[String: Any]])
        #expect(nights.count >= 15)
    }

    @Test func skyTargetFindsCatalogNamesAndComputesTransit() async throws {
        let result = try #require(try await StarlingCLI.json(["sky", "target", "--site", "la-palma", "--date", "2026-11-23", "--name", "NGC 4258", "--json"]) as? [String: Any])
        // NGC 4258: J2000 Dec +47.304 precesses to +47.151 by November 2026 (astropy's TETE),
        // so it transits La Palma (+28.758) at 90 − 18.393 = 71.61° (astropy: 71.608°).
        let maximum = try #require(result["maximum_altitude_deg"] as? Double)
        #expect(abs(maximum - 71.61) < 0.02)
        #expect(result["transit_utc"] is String)
    }

    @Test func skyPositionsReportsBadRowsAndKeepsGoodOnes() async throws {
        let directory = NSTemporaryDirectory() + "starling-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/cases.csv"
        try """
            lat_deg,lon_deg,height_m,utc,ra_deg,dec_deg
            28.76,-17.88,2327,2026-11-23T22:00:00Z,41.2,18.4
            28.76,-17.88,2327,yesterday,41.2,18.4
            -31.27,149.06,1149,2026-11-23T12:00:00Z,83.87,-69.27
            28.76,-17.88,2327,2026-11-23T22:00:00Z,41.2,95

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await StarlingCLI.run(["sky", "positions", "--input", file])
        #expect(result.status == 1)
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == "lat_deg,lon_deg,height_m,utc,ra_deg,dec_deg,alt_deg,az_deg,airmass,hour_angle_deg,sun_alt_deg,moon_alt_deg,moon_sep_deg,moon_illumination")
        #expect(result.errors.split(separator: "\n").map(String.init) == [
            "\(file):3: utc 'yesterday' is not an ISO 8601 time such as 2026-11-23T21:30:00Z",
            "\(file):5: dec_deg 95 is outside -90.0...90.0",
        ])
        let fields = lines[1].split(separator: ",")
        #expect(fields.count == 14)
        #expect(abs(Double(fields[6])! - 63.6655) < 0.001)
    }
}

/// `starling plan`: the JSON every downstream tool reads.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: StarlingCLI.executable), "the starling binary was not built beside the tests"))
struct PlanCommandTests {
    @Test func planJSONListsEveryObservationWithItsFields() async throws {
        let document = try #require(try await StarlingCLI.json(["plan", "--date", "2026-11-23", "--telescope", "xinglong-1m-a", "--json"]) as? [String: Any])
        #expect(document["plan_count"] as? Int == 1)
        let plans = try #require(document["plans"] as? [[String: Any]])
        let observations = try #require(plans.first?["observations"] as? [[String: Any]])
        #expect(observations.count > 50)
        #expect((plans.first?["ranking"] as? [String: Any])?["source"] as? String == "deterministic")
        let keys = ["telescope", "site", "target", "ra_deg", "dec_deg", "start_utc", "end_utc", "filter", "exposure_s", "altitude_start_deg",
            "altitude_end_deg", "airmass", "merit", "ranking", "reason"]
        var previousEnd = ""
        for observation in observations {
            for key in keys { #expect(observation[key] != nil, "missing \(key)") }
            #expect(observation["telescope"] as? String == "xinglong-1m-a")
            #expect((observation["altitude_start_deg"] as? Double ?? 0) >= 30)
            #expect((observation["airmass"] as? Double ?? 9) <= 2)
            let start = observation["start_utc"] as? String ?? ""
            #expect(start >= previousEnd, "overlap at \(start)")
            previousEnd = observation["end_utc"] as? String ?? ""
        }
    }

    @Test func planWritesATimelinePNG() async throws {
        let directory = NSTemporaryDirectory() + "starling-plan-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await StarlingCLI.run(["plan", "--date", "2026-11-23", "--telescope", "xinglong-1m-a", "--out", directory])
        #expect(result.status == 0, "\(result.errors)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        let png = try #require(files.first { $0.hasSuffix(".png") })
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + png))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    }

    @Test func badDateIsAUsageError() async throws {
        let result = try await StarlingCLI.run(["plan", "--date", "2026-13-01"])
        #expect(result.status == 64)
    }

    @Test func exportWritesTheSchedulerListAndOneSequencePerObservationIntoAFolder() async throws {
        let directory = NSTemporaryDirectory() + "starling-plan-export-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await StarlingCLI.run([
            "plan", "--date", "2026-11-23", "--telescope", "xinglong-1m-a", "--export", "ekos-esl", "--export-to", directory + "/",
        ])
        #expect(result.status == 0, "\(result.errors)")
        let list = directory + "/plan-xinglong-1m-a-2026-11-23.esl"
        let written = result.output.split(separator: "\n").filter { $0.hasPrefix("wrote ") }.map { String($0.dropFirst(6)) }
        #expect(written.first == list)
        let sequences = try FileManager.default.contentsOfDirectory(atPath: directory + "/plan-xinglong-1m-a-2026-11-23-sequences")
        #expect(sequences.count == written.count - 1)
        #expect(sequences.count > 50)
        let text = try String(contentsOfFile: list, encoding: .utf8)
        #expect(text.components(separatedBy: "<Job>").count - 1 == sequences.count)
    }

    @Test(arguments: [
        (["--export", "csv", "--export-to", "plan.csv"], "--telescope"),
        (["--telescope", "xinglong-1m-a", "--export", "csv"], "--export-to"),
        (["--telescope", "xinglong-1m-a", "--export-to", "plan.csv"], "ekos-esl"),
    ])
    func exportWithoutItsCompanionOptionsIsAUsageErrorThatSaysWhatToAdd(options: [String], hint: String) async throws {
        let result = try await StarlingCLI.run(["plan", "--date", "2026-11-23"] + options)
        #expect(result.status == 64)
        #expect(result.errors.contains(hint), "\(result.errors)")
    }

    @Test func anUnknownExportFormatIsRefusedWithTheFormatsThereAre() async throws {
        let result = try await StarlingCLI.run(["plan", "--date", "2026-11-23", "--telescope", "xinglong-1m-a", "--export", "sgp", "--export-to", "x"])
        #expect(result.status == 64)
        #expect(result.errors.contains("ical"), "\(result.errors)")
    }
}

/// `starling alert plan --json`, checked independently with Sky.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: StarlingCLI.executable), "the starling binary was not built beside the tests"))
struct AlertPlanCommandTests {
    @Test(arguments: ["2026-11-23T21:30:40Z", "2026-11-24T04:00:00Z", "2026-11-24T12:00:00Z"])
    func pointAlertGoesToDarkSitesWithTheTargetHighEnough(at: String) async throws {
        let document = try #require(try await StarlingCLI.json([
            "alert", "plan", StarlingCLI.packageRoot + "/simulations/alerts/swift-bat-grb-1300001.xml", "--at", at, "--json",
        ]) as? [String: Any])
        let assignments = try #require(document["assignments"] as? [[String: Any]])
        #expect(!assignments.isEmpty)
        let network = try ProjectLayout(root: StarlingCLI.packageRoot).loadNetwork()
        for assignment in assignments {
            let siteID = try #require(assignment["site"] as? String)
            let startText = try #require(assignment["start_utc"] as? String)
            let ra = try #require(assignment["ra_deg"] as? Double), dec = try #require(assignment["dec_deg"] as? Double)
            let site = try #require(network.site(SiteID(siteID)))
            let start = try #require(ISO8601.date(from: startText))
            let target = try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec)
            let frame = try Observer(site: site).frame(at: start)
            #expect(frame.sun.horizontal.altitude.degrees <= -12 + 0.1, "\(site.id) is dark at \(start)")
            let position = frame.horizontal(of: target)
            #expect(position.altitude.degrees >= 20 - 0.1, "\(site.id): target at \(position.altitude)")
            #expect(position.altitude.degrees >= site.horizonMask.minimumAltitude(atAzimuth: position.azimuth).degrees - 0.1)
            #expect(start >= ISO8601.date(from: at)!)
        }
    }

    @Test func pinnedAndUnsafeSitesAreRespected() async throws {
        let document = try #require(try await StarlingCLI.json([
            "alert", "plan", StarlingCLI.packageRoot + "/simulations/alerts/swift-bat-grb-1300001.xml", "--at", "2026-11-23T21:30:40Z",
            "--pin", "teide", "--pin", "la-palma", "--unsafe", "teide", "--json",
        ]) as? [String: Any])
        let assignments = try #require(document["assignments"] as? [[String: Any]])
        #expect(assignments.map { $0["site"] as? String } == ["la-palma"])
    }
}
