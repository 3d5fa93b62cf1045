import Foundation
import Testing

@testable import StarlingCore

/// Names and times as people type them (issue 21, "Inputs people type").
struct NameLookupTests {
    @Test(arguments: [("haleakla", "haleakala"), ("LA-PALMA", "la-palma"), ("sidingspring", "siding-spring"), ("teide", "teide")])
    func aMistypedSiteGetsADidYouMean(typed: String, expected: String) throws {
        let network = try TestPaths.layout.loadNetwork()
        do {
            let site = try network.site(named: typed)
            #expect(site.id.rawValue == expected)  // exact, or exact ignoring case
            #expect(typed.lowercased() == expected)
        } catch {
            #expect(error.suggestion == expected)
            #expect(error.description == "no site '\(typed)' (did you mean '\(expected)'?)")
        }
    }

    @Test func aNameFarFromEveryKnownOneListsThem() throws {
        let network = try TestPaths.layout.loadNetwork()
        #expect(throws: UnknownNameError.self) { try network.site(named: "paranal") }
        do { _ = try network.site(named: "paranal") } catch {
            #expect(error.suggestion == nil)
            #expect(error.description.hasPrefix("no site 'paranal' (known: haleakala, san-pedro-martir, "))
        }
    }

    @Test func aTelescopeAtAnotherSiteSaysWhereItIs() throws {
        let network = try TestPaths.layout.loadNetwork()
        let teide = try network.site(named: "teide")
        #expect(try network.telescope(named: "la-palma-1m-a").site.id == "la-palma")
        do { _ = try network.telescope(named: "la-palma-1m-a", at: teide) } catch {
            #expect(error.description.hasPrefix("no telescope 'la-palma-1m-a' at teide (it is at la-palma)"))
        }
        do { _ = try network.telescope(named: "teide-1m-b") } catch {
            #expect(error.suggestion == "teide-1m-a")
        }
    }

    @Test func aFilterMatchesIgnoringCaseWhenThatIsUnambiguous() throws {
        let camera = Camera(
            name: "c", widthPixels: 100, heightPixels: 100, pixelSizeMicrons: 10, gain: 1, readNoise: 5, fullWell: 100_000, readoutSeconds: 5)
        let sloan = Telescope(id: "t", name: "t", apertureMeters: 1, focalLengthMillimeters: 3000, camera: camera, filters: ["g", "r", "i"].map(Filter.init))
        #expect(try sloan.filter(matching: "R") == Filter("r"))
        #expect(try sloan.filter(matching: " g ") == Filter("g"))
        let both = Telescope(id: "u", name: "u", apertureMeters: 1, focalLengthMillimeters: 3000, camera: camera, filters: ["R", "r", "HA", "ha"].map(Filter.init))
        #expect(try both.filter(matching: "R") == Filter("R"))
        #expect(try both.filter(matching: "r") == Filter("r"))
        do { _ = try both.filter(matching: "Ha") } catch {
            #expect(error.description == "filter 'Ha' on u is ambiguous: it matches 'HA' and 'ha'; type one exactly")
        }
        do { _ = try sloan.filter(matching: "z") } catch {
            #expect(error.description == "no filter 'z' on t (did you mean 'g'?)" || error.description.hasPrefix("no filter 'z' on t"))
        }
    }

    @Test(arguments: [
        ("2026-11-23 14:00", "2026-11-23T14:00:00Z"), ("2026-11-23T14:00", "2026-11-23T14:00:00Z"), ("2026-11-23T14:00Z", "2026-11-23T14:00:00Z"),
        ("2026-11-23 14:00:30", "2026-11-23T14:00:30Z"), ("2026-11-23T14:00+02:00", "2026-11-23T12:00:00Z"),
    ])
    func timesAreReadAsPeopleTypeThem(text: String, expected: String) throws {
        let date = try #require(ISO8601.date(from: text))
        #expect(ISO8601.string(from: date, fractionalSeconds: false) == expected)
    }

    @Test func timesThatAreNotTimesAreRefused() {
        for text in ["2026-11-23", "2026-11-23 25:00", "2026-02-30 14:00", "2026-11-23 14:61", "2026-11-23 14", "tomorrow at two"] { #expect(ISO8601.date(from: text) == nil, "\(text)") }
    }

    @Test(arguments: [("M31", "ngc0224"), ("Andromeda Galaxy", "ngc0224"), ("UGC 454", "ngc0224"), ("whirlpool galaxy", "ngc5194"), ("Caldwell 5", "ic0342"), ("NGC 4258", "ngc4258")])
    func catalogAliasesResolve(name: String, id: String) throws {
        let found = try TestPaths.layout.resolveTarget(named: name)
        #expect(found.target.id.rawValue == id)
    }

    @Test func anUnknownTargetNameIsSaidPlainly() throws {
        do {
            _ = try TestPaths.layout.resolveTarget(named: "Vega")
            Issue.record("Vega resolved")
        } catch let error as UnknownNameError {
            #expect(error.description.hasPrefix("no target 'Vega' in catalogs galaxies_40mpc, landolt_standards, nearby_galaxies"))
            #expect(error.description.contains("give --ra and --dec"))
        }
    }

    @Test func aliasesAreReadFromTheCatalogColumn() throws {
        let text = "id,name,ra_deg,dec_deg,kind,priority,aliases\nngc0224,NGC 224,10.68,41.27,galaxy,5,M31; Andromeda Galaxy\nngc0598,NGC 598,23.46,30.66,galaxy,5,\n"
        let catalog = try TargetCatalog.parse(text: text, file: "t.csv", name: "t")
        #expect(catalog.aliases[TargetID("ngc0224")] == ["M31", "Andromeda Galaxy"])
        #expect(catalog.aliases[TargetID("ngc0598")] == nil)
        #expect(catalog.target(named: "andromeda galaxy")?.id == "ngc0224")
        #expect(catalog.target(named: "M 31")?.id == "ngc0224")
        #expect(catalog.target(named: "")?.id == nil)
    }
}
