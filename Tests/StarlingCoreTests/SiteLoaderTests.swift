import Foundation
import Testing

@testable import StarlingCore

/// One test per kind of validation error a site file can have, each checking the
/// file:line: message a user sees.
struct SiteLoaderTests {
    let minimal: String

    init() throws { minimal = try TestPaths.fixture("minimal-site.yaml") }

    func errors(loading text: String, file: String = "sites/minimal-site.yaml") -> [ConfigError] {
        do {
            _ = try SiteLoader().loadSite(text: text, file: file)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func loadsAValidSite() throws {
        let site = try SiteLoader().loadSite(text: minimal, file: "sites/minimal-site.yaml")
        #expect(site.id == "minimal-site")
        #expect(site.timeZone.identifier == "Asia/Shanghai")
        #expect(site.telescopes.count == 1)
        let telescope = try #require(site.telescopes.first)
        #expect(abs(telescope.pixelScale.arcseconds - 1.0313) < 1e-3)
        #expect(telescope.filters.map(\.name) == ["g", "r"])
        #expect(telescope.driver == .simulator)
    }

    @Test func swappedLatitudeNamesLineAndSuggestsTheSwap() {
        let text = minimal.replacingLine(startingWith: "latitude_deg", with: "latitude_deg: 117.575")
            .replacingLine(startingWith: "longitude_deg", with: "longitude_deg: 40.393333")
        let found = errors(loading: text)
        #expect(found.map(\.description) == [
            "sites/minimal-site.yaml:3: latitude_deg 117.575 is outside -90...90 (swapped with longitude_deg?)"
        ])
        #expect(found.first?.code == .outOfRange)
        #expect(found.first?.field == "latitude_deg")
    }

    @Test func syntaxErrorNamesTheLine() {
        let found = errors(loading: minimal.replacingLine(startingWith: "name:", with: "name: [unclosed"))
        #expect(found.first?.code == .syntax)
        #expect(found.first?.line != nil)
    }

    @Test func missingRequiredField() {
        let found = errors(loading: minimal.replacingLine(startingWith: "timezone:", with: ""))
        #expect(found.contains { $0.code == .missingField && $0.message == "missing required field 'timezone'" })
    }

    @Test func textWhereANumberBelongs() {
        let found = errors(loading: minimal.replacingLine(startingWith: "elevation_m", with: "elevation_m: high"))
        #expect(found.map(\.description) == ["sites/minimal-site.yaml:5: elevation_m should be a number, not 'high'"])
        #expect(found.first?.code == .wrongType)
    }

    @Test func elevationInFeetIsCaught() {
        let found = errors(loading: minimal.replacingLine(startingWith: "elevation_m", with: "elevation_m: 7079"))
        #expect(found.first?.message == "elevation_m 7079 is outside -500...6000 metres (given in feet? 7079 ft is 2158 m)")
    }

    @Test func unknownFieldSuggestsTheNearestKnownOne() {
        let text = minimal.replacingLine(startingWith: "source:", with: "source: test\nlattitude_deg: 40")
        let found = errors(loading: text)
        #expect(found.contains { $0.code == .unknownField && $0.message == "unknown field 'lattitude_deg' (did you mean 'latitude_deg'?)" })
    }

    @Test func valueNotAmongTheAllowedOnes() {
        let text = minimal + "    mount:\n      kind: fork\n"
        let found = errors(loading: text)
        #expect(found.map(\.message) == ["telescopes[0].mount.kind 'fork' is not one of: equatorial, alt-azimuth"])
        #expect(found.first?.code == .unknownValue)
    }

    @Test func duplicateTelescopeIdInOneSite() {
        let telescope = minimal.components(separatedBy: "telescopes:\n")[1]
        let found = errors(loading: minimal + telescope)
        #expect(found.contains { $0.code == .duplicate && $0.message.contains("'test-1m' is used twice") })
    }

    @Test func idMustMatchTheFileName() {
        let found = errors(loading: minimal, file: "sites/elsewhere.yaml")
        #expect(found.map(\.message) == ["id 'minimal-site' does not match the file name 'elsewhere.yaml' (rename one of them)"])
        #expect(found.first?.code == .inconsistent)
    }

    @Test func deprecatedTimeZoneAliasGivesTheCanonicalName() {
        let text = minimal.replacingLine(startingWith: "latitude_deg", with: "latitude_deg: 20.7")
            .replacingLine(startingWith: "longitude_deg", with: "longitude_deg: -156.26")
            .replacingLine(startingWith: "timezone", with: "timezone: US/Hawaii")
        let found = errors(loading: text)
        #expect(found.map(\.message) == ["timezone 'US/Hawaii' is a deprecated alias; use 'Pacific/Honolulu'"])
        #expect(found.first?.code == .timeZone)
    }

    @Test func unknownTimeZone() {
        let found = errors(loading: minimal.replacingLine(startingWith: "timezone", with: "timezone: Asia/Beijing"))
        #expect(found.map(\.message) == ["timezone 'Asia/Beijing' is not an IANA time-zone name (e.g. Asia/Shanghai)"])
    }

    @Test func timeZoneInTheOtherHemisphereRevealsASwapStillInRange() {
        // Sutherland's coordinates swapped: both values stay in range.
        let text = minimal.replacingLine(startingWith: "latitude_deg", with: "latitude_deg: 20.81")
            .replacingLine(startingWith: "longitude_deg", with: "longitude_deg: -32.379")
            .replacingLine(startingWith: "timezone", with: "timezone: Africa/Johannesburg")
        let found = errors(loading: text)
        #expect(found.first?.code == .inconsistent)
        #expect(found.first?.message.hasPrefix("timezone 'Africa/Johannesburg' is in the southern hemisphere") == true)
    }

    @Test func timeZoneOffsetFarFromLongitude() {
        // Right latitude, longitude with the wrong sign for China.
        let found = errors(loading: minimal.replacingLine(startingWith: "longitude_deg", with: "longitude_deg: -117.575"))
        #expect(found.first?.code == .inconsistent)
        #expect(found.first?.message.contains("is UTC+8.0 but longitude_deg -117.575 is about UTC-7.8") == true)
    }

    @Test func longitudeIn0To360IsNormalized() throws {
        let text = minimal.replacingLine(startingWith: "longitude_deg", with: "longitude_deg: 117.575")
        let site = try SiteLoader().loadSite(text: text, file: "sites/minimal-site.yaml")
        #expect(abs(site.location.longitude.degrees - 117.575) < 1e-9)
        let west = minimal.replacingLine(startingWith: "latitude_deg", with: "latitude_deg: 28.758")
            .replacingLine(startingWith: "longitude_deg", with: "longitude_deg: 342.12")
            .replacingLine(startingWith: "timezone", with: "timezone: Atlantic/Canary")
        #expect(abs(try SiteLoader().loadSite(text: west, file: "sites/minimal-site.yaml").location.longitude.degrees + 17.88) < 1e-9)
    }

    @Test func undefinedTelescopeModel() {
        let text = minimal.replacingLine(startingWith: "    name: Test telescope", with: "    name: Test telescope\n    model: nope")
        let found = errors(loading: text)
        #expect(found.contains { $0.code == .missingReference && $0.message.hasPrefix("model 'nope' is not defined in models.yaml") })
    }

    @Test func telescopeInheritsFromItsModelAndOverrides() throws {
        let models = """
            telescope_models:
              small:
                aperture_m: 0.5
                focal_length_mm: 2000
                camera: {name: CMOS, width_px: 1000, height_px: 800, pixel_size_um: 4, gain_e_per_adu: 1, read_noise_e: 2, full_well_e: 50000, readout_s: 1}
                filters: [clear]
            """
        let loader = try SiteLoader(modelsText: models, file: "sites/models.yaml")
        let text = minimal.components(separatedBy: "telescopes:\n")[0]
            + "telescopes:\n  - id: t1\n    model: small\n    name: T1\n    focal_length_mm: 2500\n"
        let telescope = try #require(try loader.loadSite(text: text, file: "sites/minimal-site.yaml").telescopes.first)
        #expect(telescope.apertureMeters == 0.5)
        #expect(telescope.focalLengthMillimeters == 2500)
        #expect(telescope.camera.widthPixels == 1000)
    }

    @Test func reportsEveryProblemInAFileAtOnce() {
        let text = minimal.replacingLine(startingWith: "elevation_m", with: "elevation_m: 99999")
            .replacingLine(startingWith: "      gain_e_per_adu", with: "      gain_e_per_adu: -1")
            .replacingLine(startingWith: "name:", with: "name:")
        let found = errors(loading: text)
        #expect(found.count == 3)
        #expect(Set(found.map(\.code)) == [.outOfRange, .missingField])
    }

    @Test func unreadableFile() {
        do {
            _ = try SiteLoader().loadSite(path: "/nonexistent/site.yaml")
            Issue.record("loading a missing file should fail")
        } catch {
            #expect(error.errors.map(\.description) == ["/nonexistent/site.yaml: no such file"])
            #expect(error.errors.first?.code == .unreadable)
        }
    }
}
