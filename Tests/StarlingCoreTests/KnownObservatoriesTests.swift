import Foundation
import Testing

@testable import StarlingCore

/// Site positions cross-checked against the registry of known observatories (the MPC's
/// observatory codes in sites/registry/): the mistakes range and time-zone checks cannot see.
struct KnownObservatoriesTests {
    /// A registry of three stations, enough to place the minimal inputs below.
    static let registry = KnownObservatories(stations: [
        .init(code: "807", name: "Cerro Tololo Observatory, La Serena", latitudeDegrees: -30.16913, longitudeDegrees: -70.80590, elevationMeters: 2380, precisionMeters: 32),
        .init(code: "950", name: "La Palma", latitudeDegrees: 28.76022, longitudeDegrees: -17.88240, elevationMeters: 2321, precisionMeters: 32),
        .init(code: "F65", name: "Haleakala-Faulkes Telescope North", latitudeDegrees: 20.707, longitudeDegrees: -156.2575, elevationMeters: 3044, precisionMeters: 3),
    ])

    func findings(_ latitude: Double, _ longitude: Double, _ elevation: Double) -> [SiteCoordinateCheck.Issue] {
        SiteCoordinateCheck.check(latitude: latitude, longitude: longitude, elevationMeters: elevation, against: Self.registry)
    }

    @Test func aPositionAtAKnownObservatoryIsClean() {
        #expect(findings(-30.165278, -70.815, 2215).isEmpty)
        #expect(findings(28.758333, -17.88, 2327).isEmpty)
    }

    /// Cerro Tololo swapped stays in range and its zone (America/Santiago) still fits, so only
    /// the registry catches it.
    @Test func cerroTololoSwappedIsCaughtAndTheSiteNamed() throws {
        #expect(SiteCoordinateCheck.check(latitude: -70.815, longitude: -30.165278, elevationMeters: 2215, timeZone: "America/Santiago").isEmpty)
        let found = findings(-70.815, -30.165278, 2215)
        #expect(found.map(\.kind) == [.swappedCoordinates])
        let message = try #require(found.first?.message)
        #expect(message.contains("Cerro Tololo Observatory, La Serena (MPC 807)"))
        #expect(message.hasSuffix("did you mean latitude_deg -30.165278, longitude_deg -70.815?"))
    }

    /// La Palma at +17.88 (west written as east) fits Atlantic/Canary's offset within the
    /// time-zone check's margin; the registry catches it.
    @Test func laPalmaWithItsLongitudeSignFlippedIsCaught() throws {
        #expect(SiteCoordinateCheck.check(latitude: 28.758333, longitude: 17.88, elevationMeters: 2327, timeZone: "Atlantic/Canary").isEmpty)
        let found = findings(28.758333, 17.88, 2327)
        #expect(found.map(\.kind) == [.misplacedCoordinates])
        #expect(found.first?.field == "longitude_deg")
        let message = try #require(found.first?.message)
        #expect(message.contains("with the longitude's sign flipped it is 0.3 km from La Palma (MPC 950)"))
        #expect(message.hasSuffix("did you mean latitude_deg 28.758333, longitude_deg -17.88?"))
    }

    @Test func anElevationInKilometresOrFeetIsCaughtBesideAKnownObservatory() {
        let kilometres = findings(28.758333, -17.88, 2.327)
        #expect(kilometres.map(\.kind) == [.elevationUnit])
        #expect(kilometres.first?.message == "elevation_m 2.327 looks like kilometres: La Palma (MPC 950), 0.3 km away, is at 2321 m (write 2327)")
        // 3,000 m in feet is 9,843 ft: out of range anyway; Haleakala's 3,044 m as 9,987 ft too.
        // A low site in feet stays in range: 2321 m would be 7,615 ft (caught by the range);
        // take a site at 1,000 m instead, written as 3,281 ft.
        let registry = KnownObservatories(stations: [
            .init(code: "T", name: "Test", latitudeDegrees: 10, longitudeDegrees: 10, elevationMeters: 1000, precisionMeters: 3)
        ])
        let feet = SiteCoordinateCheck.check(latitude: 10, longitude: 10, elevationMeters: 3281, against: registry)
        #expect(feet.map(\.kind) == [.elevationUnit])
        #expect(feet.first?.message.contains("looks like feet") == true)
    }

    /// Where latitude and longitude are nearly equal, swapping them barely moves the site: a
    /// site 14 km off a known observatory is not taken for a swap.
    @Test func aCorrectionThatBarelyMovesThePositionIsNotSuggested() {
        let registry = KnownObservatories(stations: [
            .init(code: "T", name: "Test", latitudeDegrees: 30.10, longitudeDegrees: 30.00, elevationMeters: 1000, precisionMeters: 3)
        ])
        let found = SiteCoordinateCheck.check(latitude: 30.00, longitude: 30.10, elevationMeters: 1000, against: registry)
        #expect(found.map(\.kind) == [.remoteFromKnownSites])
    }

    @Test func aRemotePositionIsANoteNamingTheNearestObservatory() throws {
        let found = findings(0, -140, 0)
        #expect(found.map(\.kind) == [.remoteFromKnownSites])
        #expect(found.first?.isError == false)
        #expect(try #require(found.first?.message).contains("from the nearest known observatory, Haleakala-Faulkes Telescope North (MPC F65)"))
    }

    @Test func theSiteLoaderReportsTheRegistryFindingAtItsLine() throws {
        let minimal = try TestPaths.fixture("minimal-site.yaml")
            .replacingLine(startingWith: "latitude_deg", with: "latitude_deg: 28.758333")
            .replacingLine(startingWith: "longitude_deg", with: "longitude_deg: 17.88")
            .replacingLine(startingWith: "elevation_m", with: "elevation_m: 2327")
            .replacingLine(startingWith: "timezone", with: "timezone: Atlantic/Canary")
        do {
            _ = try SiteLoader(registry: Self.registry).loadSite(text: minimal, file: "sites/minimal-site.yaml")
            Issue.record("a sign-flipped longitude loaded")
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors.first?.line == 4)
            #expect(error.errors.first?.code == .inconsistent)
        }
        // Without a registry the same file loads: the check needs one.
        #expect(throws: Never.self) { try SiteLoader().loadSite(text: minimal, file: "sites/minimal-site.yaml") }
    }

    /// The shipped registry: every station readable, every site of the array at a known
    /// observatory (no notes), and the real Cerro Tololo swapped caught through `validate`.
    @Test func theShippedRegistryPlacesEverySiteOfTheArray() throws {
        let registry = try #require(try KnownObservatories.load(sitesDirectory: TestPaths.layout.sitesDirectory))
        #expect(registry.stations.count > 2_500)
        for site in try TestPaths.layout.loadNetwork().sites {
            let nearest = try #require(registry.nearest(latitude: site.location.latitude.degrees, longitude: site.location.longitude.degrees))
            #expect(nearest.kilometers < 10, "\(site.id) is \(nearest.kilometers) km from \(nearest.station.label)")
        }
        let report = ConfigValidator(layout: TestPaths.layout).validateAll()
        #expect(report.notes.map(\.description) == [])
    }

    @Test func validateCatchesTheShippedCerroTololoSwapped() throws {
        let directory = try TemporaryDirectory()
        let original = try String(contentsOfFile: TestPaths.layout.sitesDirectory + "/cerro-tololo.yaml", encoding: .utf8)
        let swapped = original.replacingLine(startingWith: "latitude_deg", with: "latitude_deg: -70.815")
            .replacingLine(startingWith: "longitude_deg", with: "longitude_deg: -30.165278")
        let file = try directory.write("cerro-tololo.yaml", swapped)
        let report = ConfigValidator(layout: TestPaths.layout).validate(paths: [file])
        #expect(report.errors.count == 1)
        let error = try #require(report.errors.first)
        #expect(error.description.hasPrefix("\(file):5: latitude_deg -70.815, longitude_deg -30.165278 is "))
        #expect(error.message.contains("Cerro Tololo"))
    }
}
