import Foundation
import Testing

@testable import StarlingCore

/// Every configuration file shipped in the repository loads and makes sense.
struct ShippedConfigTests {
    static let siteFiles: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: TestPaths.layout.sitesDirectory)) ?? [])
        .filter { $0.hasSuffix(".yaml") && $0 != SiteLoader.modelsFileName }.sorted()

    @Test(arguments: siteFiles)
    func siteFileLoads(name: String) throws {
        let loader = try ObservatoryNetwork.loader(forDirectory: TestPaths.layout.sitesDirectory)
        let site = try loader.loadSite(path: TestPaths.layout.sitesDirectory + "/" + name)
        #expect(!site.telescopes.isEmpty)
        #expect(!site.source.isEmpty, "every site cites where its coordinates come from")
        #expect(site.location.longitude.degrees >= -180 && site.location.longitude.degrees < 180)
    }

    @Test func theArrayHasAtLeast15SitesAnd60Telescopes() throws {
        let network = try TestPaths.layout.loadNetwork()
        #expect(network.sites.count >= 15)
        #expect(network.telescopeCount >= 60)
        let ids = network.sites.flatMap(\.telescopes).map(\.id)
        #expect(Set(ids).count == ids.count, "telescope ids are unique across the array")
    }

    @Test func sitesAreSpreadInLongitudeSoSomeoneIsAlwaysInNight() throws {
        let longitudes = try TestPaths.layout.loadNetwork().sites.map(\.location.longitude.degrees).sorted()
        let gaps = zip(longitudes, longitudes.dropFirst() + [longitudes[0] + 360]).map { $1 - $0 }
        // A night lasts 8 h or more at these latitudes (120°); no gap may approach that.
        #expect(gaps.max()! < 60, "largest longitude gap \(gaps.max()!)°")
        let hemispheres = try TestPaths.layout.loadNetwork().sites.map { $0.location.latitude.degrees > 0 }
        #expect(hemispheres.contains(true) && hemispheres.contains(false))
    }

    @Test func mostTelescopesAreOneMetreWideFieldSurveyTelescopes() throws {
        let telescopes = try TestPaths.layout.loadNetwork().sites.flatMap(\.telescopes)
        let wideField = telescopes.filter { $0.apertureMeters >= 0.9 && $0.fieldWidth.degrees >= 1 }
        #expect(Double(wideField.count) / Double(telescopes.count) > 0.5)
    }

    @Test(arguments: TestPaths.layout.catalogNames)
    func catalogLoads(name: String) throws {
        let catalog = try TestPaths.layout.loadCatalog(named: name)
        #expect(catalog.targets.count > 100)
    }

    @Test func surveyCatalogHoldsGalaxiesWithin40Mpc() throws {
        let catalog = try TestPaths.layout.loadCatalog(named: "nearby_galaxies")
        #expect(catalog.targets.allSatisfy { $0.kind == .galaxy && ($0.distanceMegaparsecs ?? 99) <= 40 })
        #expect(catalog.targets.contains { $0.name.hasPrefix("NGC 4258") })
    }

    @Test func defaultScenarioLoadsWithItsReferences() throws {
        let context = Scenario.Context(network: try TestPaths.layout.loadNetwork(), catalogNames: TestPaths.layout.catalogNames)
        let scenario = try Scenario.load(path: TestPaths.layout.defaultScenario, context: context)
        #expect(scenario.date == CalendarDate("2026-11-23"))
        #expect(!scenario.alerts.isEmpty)
        #expect(!scenario.faults.isEmpty)
        #expect(scenario.weather.changes[SiteID("lulin")]?.contains { $0.isRaining == true } == true)
    }

    @Test func validatorFindsTheWholeConfigurationValid() {
        let report = ConfigValidator(layout: TestPaths.layout).validateAll()
        #expect(report.errors.map(\.description) == [])
        #expect(report.checked.count >= 19 + 1 + 3 + 1)
    }

    @Test func validatorReportsASwappedCopyWithFileAndLine() throws {
        let directory = try TemporaryDirectory()
        let original = try String(contentsOfFile: TestPaths.layout.sitesDirectory + "/xinglong.yaml", encoding: .utf8)
        let swapped = original.replacingLine(startingWith: "latitude_deg", with: "latitude_deg: 117.575")
            .replacingLine(startingWith: "longitude_deg", with: "longitude_deg: 40.393333")
        let file = try directory.write("xinglong.yaml", swapped)
        let report = ConfigValidator(layout: TestPaths.layout).validate(paths: [file])
        #expect(report.errors.map(\.description) == ["\(file):5: latitude_deg 117.575 is outside -90...90 (swapped with longitude_deg?)"])
    }
}
