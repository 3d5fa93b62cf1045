import Foundation
import Testing

@testable import StarlingCore

struct CSVTableTests {
    @Test func readsQuotedFieldsAndKeepsLineNumbers() throws {
        let text = "# a comment\nid,name\na,\"Roque, La Palma\"\nb,\"say \"\"hi\"\"\"\n"
        let table = try CSVTable(text: text, file: "t.csv")
        #expect(table.columns == ["id", "name"])
        #expect(table.rows.map(\.line) == [3, 4])
        #expect(table.rows[0]["name"] == "Roque, La Palma")
        #expect(table.rows[1]["name"] == "say \"hi\"")
    }

    @Test func rowWithTheWrongFieldCountNamesItsLine() {
        #expect {
            try CSVTable(text: "id,name\na,b\nc\n", file: "t.csv")
        } throws: { error in
            (error as? ConfigErrors)?.errors.map(\.description) == ["t.csv:3: expected 2 fields as in the header, found 1"]
        }
    }
}

struct TargetCatalogTests {
    let header = "id,name,ra_deg,dec_deg,kind,priority,magnitude,magnitude_band\n"

    func errors(_ rows: String) -> [String] {
        do {
            _ = try TargetCatalog.parse(text: header + rows, file: "catalogs/test.csv", name: "test")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func parsesTargets() throws {
        let catalog = try TargetCatalog.parse(
            text: header + "ngc4258,NGC 4258,184.7396,47.3040,galaxy,7,9.1,B\n", file: "catalogs/test.csv", name: "test")
        let target = try #require(catalog.targets.first)
        #expect(target.name == "NGC 4258")
        #expect(target.magnitudeBand == .johnsonB)
        #expect(abs(target.coordinates.declination.degrees - 47.304) < 1e-9)
    }

    @Test func reportsEveryBadRowWithLineAndColumn() {
        let found = errors("""
            a,A,400,10,galaxy,5,,
            b,B,10,-95,galaxy,5,,
            c,C,10,10,comet,5,,
            d,D,ten,10,galaxy,5,,
            e,E,10,10,galaxy,5,12,Q
            f,F,10,10,galaxy,11,,
            g,G,10,10,galaxy,5,,
            g,G2,11,10,galaxy,5,,

            """)
        #expect(found == [
            "catalogs/test.csv:2: ra_deg 400 is outside 0...360",
            "catalogs/test.csv:3: dec_deg -95 is outside -90...90",
            "catalogs/test.csv:4: kind 'comet' is not one of: galaxy, star, standard-star, transient, field",
            "catalogs/test.csv:5: ra_deg 'ten' is not a number",
            "catalogs/test.csv:6: magnitude_band 'Q' is not a known band (u g r i z U B V R I clear)",
            "catalogs/test.csv:7: priority 11 is outside 0...10",
            "catalogs/test.csv:9: id 'g' is already used on line 8",
        ])
    }

    @Test func missingColumnIsReportedOnTheHeader() {
        #expect {
            try TargetCatalog.parse(text: "id,name,ra_deg\n", file: "c.csv", name: "c")
        } throws: { error in
            (error as? ConfigErrors)?.errors.first?.description == "c.csv:1: header lacks columns dec_deg, kind, priority"
        }
    }
}

struct ScenarioTests {
    let context: Scenario.Context

    init() throws {
        context = Scenario.Context(network: try TestPaths.layout.loadNetwork(), catalogNames: TestPaths.layout.catalogNames)
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try Scenario.parse(text: text, file: "\(TestPaths.layout.simulationsDirectory)/test.yaml", context: context)
            return []
        } catch {
            return error.errors.map(\.message)
        }
    }

    let base = "name: t\ndate: 2026-11-23\nseed: 1\ncatalog: nearby_galaxies\n"

    @Test func parsesAMinimalScenario() throws {
        let scenario = try Scenario.parse(text: base, file: "s.yaml", context: context)
        #expect(scenario.sites == .all)
        #expect(scenario.weather.defaultModel == .climate)
        #expect(scenario.faults.isEmpty)
    }

    @Test func unknownTelescopeInAFault() {
        let found = errors(base + "faults:\n  - {at: 2026-11-23T20:00:00Z, telescope: nope, device: mount, kind: stall}\n")
        #expect(found == ["telescope 'nope' is not in sites/"])
    }

    @Test func faultThatDoesNotFitTheDevice() {
        let found = errors(base + "faults:\n  - {at: 2026-11-23T20:00:00Z, telescope: teide-1m-a, device: camera, kind: stall}\n")
        #expect(found == ["a camera cannot have fault 'stall' (it applies to: filter-wheel, focuser, mount)"])
    }

    @Test func missingAlertFile() {
        let found = errors(base + "alerts:\n  - {at: 2026-11-23T20:00:00Z, file: alerts/missing.xml}\n")
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("alert file 'alerts/missing.xml' does not exist"))
    }

    @Test func endBeforeStartAndBadTimes() {
        let found = errors(base + "start: 2026-11-24T02:00:00Z\nend: 2026-11-24T01:00:00Z\n")
        #expect(found == ["end 2026-11-24T01:00:00.000Z is not after start 2026-11-24T02:00:00.000Z"])
        #expect(errors(base + "start: tonight\n") == ["start 'tonight' is not an ISO 8601 UTC time such as 2026-11-23T18:30:00Z"])
    }

    @Test func unknownCatalogAndSite() {
        let found = errors("name: t\ndate: 2026-11-23\nseed: 1\ncatalog: messier\nsites: [teide, atlantis]\n")
        #expect(found.count == 2)
        #expect(found.contains("site 'atlantis' is not in sites/"))
    }
}
