import Foundation
import Testing

/// Inputs as people type them (issue 21, "Inputs people type").
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: StarlingCLI.executable), "the starling binary was not built beside the tests"))
struct InputCommandTests {
    @Test func sexagesimalRAIsHoursAndDecDegreesAndTheReadingIsSaid() async throws {
        let typed = try await StarlingCLI.run(["sky", "target", "--site", "teide", "--date", "2026-11-23", "--ra", "02:22:40", "--dec", "-05:20:11", "--json"])
        #expect(typed.status == 0, "\(typed.errors)")
        #expect(typed.errors == "note: --ra 02:22:40 read as hours: 35.66667° = 02:22:40.00\nnote: --dec -05:20:11 read as degrees: -5.33639°\n")
        let degrees = try await StarlingCLI.run(["sky", "target", "--site", "teide", "--date", "2026-11-23", "--ra", "35.666667", "--dec", "-5.336389", "--json"])
        #expect(degrees.errors.isEmpty)
        let a = try #require(try JSONSerialization.jsonObject(with: Data(typed.output.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(degrees.output.utf8)) as? [String: Any])
        #expect(a["transit_utc"] as? String == b["transit_utc"] as? String)
        let bad = try await StarlingCLI.run(["sky", "target", "--site", "teide", "--ra", "25:00:00", "--dec", "0"])
        #expect(bad.status == 64 && bad.errors.hasPrefix("Error: The value '25:00:00' is invalid for '--ra <RA>'"))
    }

    @Test func aNegativeNumberForAnOptionSaysSo() async throws {
        let result = try await StarlingCLI.run(["observe", "--site", "teide", "--telescope", "teide-1m-a", "--name", "M31", "--exposure", "-5", "--out", "/tmp"])
        #expect(result.status == 64)
        #expect(result.errors == "Error: --exposure -5: --exposure does not take a negative number\nSee 'starling observe --help' for its options.\n")
    }

    @Test func alertPlanTakesTimesAsPeopleWriteThem() async throws {
        let file = StarlingCLI.packageRoot + "/simulations/alerts/swift-bat-grb-1300001.xml"
        let spaced = try await StarlingCLI.run(["alert", "plan", file, "--at", "2026-11-23 21:31", "--json"])
        let iso = try await StarlingCLI.run(["alert", "plan", file, "--at", "2026-11-23T21:31:00Z", "--json"])
        #expect(spaced.status == 0 && iso.status == 0, "\(spaced.errors)")
        #expect(spaced.output == iso.output)
        let typo = try await StarlingCLI.run(["alert", "plan", file, "--pin", "la-plama"])
        #expect(typo.status == 64 && typo.errors.contains("--pin: no site 'la-plama' (did you mean 'la-palma'?)"))
    }

    @Test func namesResolveThroughTheCatalogAliasesAndUnknownOnesAreSaidPlainly() async throws {
        let whirlpool = try #require(
            try await StarlingCLI.json(["sky", "target", "--site", "teide", "--date", "2026-11-23", "--name", "Whirlpool Galaxy", "--json"]) as? [String: Any])
        #expect((whirlpool["target"] as? String)?.hasPrefix("NGC5194") == true)
        let unknown = try await StarlingCLI.run(["sky", "target", "--site", "teide", "--name", "Vega"])
        #expect(unknown.status == 64)
        #expect(unknown.errors.hasPrefix("Error: --name: no target 'Vega' in catalogs galaxies_40mpc, landolt_standards, nearby_galaxies"))
    }

    @Test func aMistypedCatalogOrTelescopeGetsADidYouMean() async throws {
        let catalog = try await StarlingCLI.run(["catalog", "nearby_galaxy"])
        #expect(catalog.status == 64 && catalog.errors.contains("(did you mean 'nearby_galaxies'?)"))
        let telescope = try await StarlingCLI.run(["plan", "--date", "2026-11-23", "--telescope", "teide-1m-z"])
        #expect(telescope.status == 64 && telescope.errors.contains("no telescope 'teide-1m-z' (did you mean 'teide-1m-a'?)"))
    }
}
