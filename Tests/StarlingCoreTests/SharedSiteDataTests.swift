import Foundation
import Testing
import Yams

@testable import StarlingCore

/// The third-party site tables in ../shared/data/sites, with the errors they are known to
/// contain: each must be caught by ``SiteCoordinateCheck``.
@Suite(.enabled(if: TestPaths.hasSharedData, "../shared/data is not beside this checkout; real-world site tables not checked"))
struct SharedSiteDataTests {
    static let directory = TestPaths.sharedData + "/sites"

    /// Known sites to cross-check third-party positions against: our own array.
    let known: [(name: String, location: GeodeticLocation)]

    init() throws {
        known = try TestPaths.layout.loadNetwork().sites.map { ($0.name, $0.location) }
    }

    @Test func curatedSitesAreAllClean() throws {
        let table = try CSVTable(text: try String(contentsOfFile: Self.directory + "/curated_robotic_sites.csv", encoding: .utf8), file: "curated")
        #expect(table.rows.count == 40)
        for row in table.rows {
            let issues = SiteCoordinateCheck.check(
                latitude: Double(try #require(row["latitude_deg"]))!, longitude: Double(try #require(row["longitude_deg"]))!,
                elevationMeters: Double(try #require(row["elevation_m"]))!, timeZone: row["iana_timezone"])
            #expect(issues.isEmpty, "\(row["id"] ?? "?"): \(issues)")
        }
    }

    @Test func astropyRegistryHasDeprecatedZonesAndMixedLongitudes() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.directory + "/astropy_sites.json"))
        let registry = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        var findings: [String: [SiteCoordinateCheck.Issue]] = [:]
        for (key, entry) in registry {
            guard let latitude = entry["latitude"] as? Double, let longitude = entry["longitude"] as? Double else { continue }
            findings[key] = SiteCoordinateCheck.check(
                latitude: latitude, longitude: longitude, elevationMeters: entry["elevation"] as? Double,
                timeZone: entry["timezone"] as? String)
        }
        func kinds(_ key: String) -> Set<SiteCoordinateCheck.Issue.Kind> { Set((findings[key] ?? []).map(\.kind)) }
        // Deprecated aliases, each with its canonical replacement.
        #expect(findings["haleakala"]?.contains { $0.message == "timezone 'US/Hawaii' is a deprecated alias; use 'Pacific/Honolulu'" } == true)
        #expect(findings["ctio"]?.contains { $0.message == "timezone 'Chile/Continental' is a deprecated alias; use 'America/Santiago'" } == true)
        #expect(kinds("wise").contains(.deprecatedTimeZone))
        #expect(kinds("greenwich").contains(.deprecatedTimeZone))
        // One file, two longitude conventions: La Silla in 0...360, Paranal negative.
        #expect(kinds("lasilla").contains(.longitudeNormalized))
        #expect(!kinds("paranal").contains(.longitudeNormalized))
        // 'lco' is Las Campanas, not Las Cumbres.
        #expect((registry["lco"]?["name"] as? String) == "Las Campanas Observatory")
        // The registry also lists neutrino detectors under the sea and underground: not
        // places a telescope can stand, and the elevation check says so. Nothing else is.
        let outOfRange = findings.filter { $0.value.contains { [.latitudeOutOfRange, .elevationOutOfRange].contains($0.kind) } }.keys
        #expect(Set(outOfRange) == ["ARCA", "ORCA", "SNO+", "HALO"])
    }

    @Test func skyPortalListHasSwappedCoordinatesAndFeet() throws {
        let text = try String(contentsOfFile: Self.directory + "/skyportal_telescopes.yaml", encoding: .utf8)
        let entries = try #require(try Yams.load(yaml: text) as? [[String: Any]])
        var findings: [String: [SiteCoordinateCheck.Issue]] = [:]
        for entry in entries {
            guard let name = entry["name"] as? String, let latitude = (entry["lat"] as? Double), let longitude = (entry["lon"] as? Double) else {
                continue
            }
            var issues = SiteCoordinateCheck.check(
                latitude: latitude, longitude: longitude, elevationMeters: entry["elevation"] as? Double, timeZone: nil)
            if let swapped = SiteCoordinateCheck.crossCheck(latitude: latitude, longitude: longitude, against: known) {
                issues.append(swapped)
            }
            findings[name] = issues
        }
        #expect(findings["Xinglong 2.16m"]?.first?.message == "latitude_deg 117.964 is outside -90...90 (swapped with longitude_deg?)")
        #expect(findings["PAN-STARRS 1.8m"]?.first?.message == "latitude_deg 204.5317 is outside -90...90 (swapped with longitude_deg?)")
        #expect(findings["Kitt Peak 4m"]?.first?.message == "elevation_m 7079 is outside -500...6000 metres (given in feet? 7079 ft is 2158 m)")
        // Swapped but in range: only the cross-check against known sites sees it.
        let master = try #require(findings["MASTER-SAAO"])
        #expect(master.map(\.kind) == [.swappedCoordinates])
        #expect(master.first?.message.contains("South African Astronomical Observatory, Sutherland") == true)
        // 0...360 longitudes are read, with a notice.
        #expect(findings["WHT 4.2m"]?.map(\.kind) == [.longitudeNormalized])
        // No false alarms on correct entries.
        #expect(findings["Gemini South"]?.isEmpty == true)
        #expect(findings["Hobby-Eberly Telescope"]?.isEmpty == true)
    }

    @Test func ourSitesAgreeWithTheCuratedTable() throws {
        let table = try CSVTable(text: try String(contentsOfFile: Self.directory + "/curated_robotic_sites.csv", encoding: .utf8), file: "curated")
        let network = try TestPaths.layout.loadNetwork()
        let pairs: [(String, String)] = [
            ("xinglong", "xinglong"), ("lijiang", "lijiang"), ("ngari", "ngari_ali"), ("lenghu", "lenghu_wfst"), ("lulin", "lulin"),
            ("siding-spring", "sso"), ("saao-sutherland", "saao_sutherland"), ("la-palma", "lapalma"), ("teide", "teide"),
            ("cerro-tololo", "ctio"), ("las-campanas", "lascampanas"), ("mcdonald", "mcdonald"), ("kitt-peak", "kpno"),
            ("san-pedro-martir", "san_pedro_martir"), ("hanle", "hanle"), ("wise", "wise"),
        ]
        for (ours, theirs) in pairs {
            let site = try #require(network.site(SiteID(ours)))
            let row = try #require(table.rows.first { $0["id"] == theirs })
            let kilometers = SiteCoordinateCheck.surfaceDistanceKilometers(
                site.location.latitude.degrees, site.location.longitude.degrees, Double(row["latitude_deg"]!)!, Double(row["longitude_deg"]!)!)
            #expect(kilometers < 1, "\(ours) is \(kilometers) km from the curated \(theirs)")
            #expect(site.timeZone.identifier == row["iana_timezone"])
        }
    }
}
