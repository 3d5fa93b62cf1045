import Foundation
import Persistence
import SkyMaps
import StarlingCore
import Testing

@testable import Reporting

/// Reads the map a notice embeds at `event.skymap`, as Coordination's loader does for IGWN
/// alerts (Reporting does not read notices itself).
struct EmbeddedSkyMaps: AlertSkyMapSource {
    func skyMap(for alert: Alert, raw: Data) async throws(SkyMapError) -> HEALPixSkyMap {
        guard let notice = try? JSONSerialization.jsonObject(with: raw) as? [String: Any],
            let text = (notice["event"] as? [String: Any])?["skymap"] as? String, let bytes = Data(base64Encoded: text)
        else { throw SkyMapError(.notFound, source: alert.id.rawValue, "no event.skymap") }
        return try FITSSkyMapReader().readSkyMap(fitsData: bytes, name: alert.id.rawValue)
    }
}

/// The default scenario's gravitational-wave alert followed up by three fields on Cerro Tololo:
/// one observed as planned, one refused by the telescope it was planned for and observed by
/// another, one not observed.
struct SkyMapCoverageTests {
    let network: ObservatoryNetwork
    let raw: Data
    let alert: Alert
    let map: HEALPixSkyMap
    let night = CalendarDate(year: 2026, month: 11, day: 23)!
    let decided = ISO8601.date(from: "2026-11-24T03:12:40Z")!

    init() async throws {
        network = try ProjectLayout(root: TestOutput.packageRoot).loadNetwork()
        raw = try Data(contentsOf: URL(fileURLWithPath: TestOutput.packageRoot + "/simulations/alerts/lvk-S261124ab-preliminary.json"))
        alert = Alert(
            id: "igwn:S261124ab/Preliminary", eventID: "S261124ab", eventTime: decided.addingTimeInterval(-40), mission: "LVK",
            noticeType: "PRELIMINARY", position: nil, errorRegion: .skyMap(SkyMapReference(location: "embedded:event.skymap")),
            kind: .gravitationalWave)
        map = try await EmbeddedSkyMaps().skyMap(for: alert, raw: raw)
    }

    func point(_ ra: Double, _ dec: Double) throws -> EquatorialCoordinates { try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec) }

    func fieldOfView(_ telescope: TelescopeID) throws -> FieldOfView { try #require(network.locate(telescope)).telescope.fieldOfView }

    /// Writes the night into a store and builds its network report.
    func report(skyMaps: SkyMapOptions?) async throws -> (NightReport, SQLiteStore) {
        let store = try SQLiteStore.inMemory()
        _ = try await store.insertAlert(AlertRecord(
            id: alert.id, receivedAt: decided, transport: "test", format: "igwn-json", raw: raw, alert: alert, status: .processed, note: "planned"))
        let a: TelescopeID = "cerro-tololo-1m-a", b: TelescopeID = "cerro-tololo-1m-b", lco: TelescopeID = "cerro-tololo-lco-c"
        let fields = [(try point(118, -28), a), (try point(119.3, -28), lco), (try point(116.7, -28.5), a)]
        var requests: [ObservationRequest] = []
        for (index, (centre, telescope)) in fields.enumerated() {
            let request = ObservationRequest(
                id: RequestID("\(alert.id.rawValue)/f\(index)"), target: Target(id: TargetID("S261124ab/f\(index)"), name: "tile", coordinates: centre, kind: .transient),
                exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 120, count: 1)], kind: .followUp, alertID: alert.id)
            requests.append(request)
            try await store.saveAssignment(Assignment(
                id: AssignmentID("\(alert.id.rawValue)#f\(index)#1"), alertID: alert.id, telescopeID: telescope, siteID: "cerro-tololo", request: request,
                plannedStart: decided.addingTimeInterval(60 + Double(index) * 150), leaseExpiry: decided.addingTimeInterval(120),
                state: index == 1 ? .refused : .completed, reason: "planned"))
        }
        // The second field, refused by the LCO telescope, went to cerro-tololo-1m-b.
        try await store.saveAssignment(Assignment(
            id: AssignmentID("\(alert.id.rawValue)#f1#2"), alertID: alert.id, telescopeID: b, siteID: "cerro-tololo", request: requests[1],
            plannedStart: decided.addingTimeInterval(400), leaseExpiry: decided.addingTimeInterval(500), state: .completed, reason: "reassigned"))
        for (index, telescope, pointing) in [(0, a, fields[0].0), (1, b, fields[1].0)] {
            let started = decided.addingTimeInterval(100 + Double(index) * 300)
            let observationID = ObservationID("obs-f\(index)")
            let frame = FrameRecord(
                id: FrameID("\(telescope)-gw-\(index)"), observationID: observationID, telescopeID: telescope, path: "/nonexistent/f\(index).fits",
                imageType: .light, filter: Filter("r"), exposureSeconds: 120, started: started, pointing: pointing, airmass: 2)
            try await store.saveObservation(Observation(
                id: observationID, requestID: requests[index].id, telescopeID: telescope, siteID: "cerro-tololo", targetID: requests[index].target.id,
                started: started, ended: started.addingTimeInterval(130), outcome: .completed, frames: [frame]))
        }
        let builder = NightReportBuilder(store: store, network: network, options: .init(skyMaps: skyMaps))
        return (try await builder.build(night: night, site: nil, generatedAt: decided.addingTimeInterval(6 * 3600)), store)
    }

    @Test func theReportMeasuresPlannedAndDoneCoverageWithEachTelescopesField() async throws {
        let (report, _) = try await report(skyMaps: SkyMapOptions(source: EmbeddedSkyMaps()))
        let followUp = try #require(report.followUps.first { $0.alertID == alert.id })
        let coverage = try #require(followUp.coverage)
        let a: TelescopeID = "cerro-tololo-1m-a", b: TelescopeID = "cerro-tololo-1m-b"
        let planned = [
            Footprint(center: try point(118, -28), fieldOfView: try fieldOfView(a)),
            Footprint(center: try point(119.3, -28), fieldOfView: try fieldOfView(b)),  // the telescope it was last given to
            Footprint(center: try point(116.7, -28.5), fieldOfView: try fieldOfView(a)),
        ]
        #expect(coverage.planned.footprints == 3)
        #expect(abs(coverage.planned.probability - map.coverage(of: planned).probability) < 1e-12)
        #expect(abs(coverage.planned.areaSquareDegrees - map.coverage(of: planned).areaSquareDegrees) < 1e-9)
        #expect(coverage.done.footprints == 2)
        #expect(abs(coverage.done.probability - map.coverage(of: Array(planned.prefix(2))).probability) < 1e-12)
        #expect(coverage.planned.centresInsideRegion == 3)
        // Per telescope: the refused LCO telescope keeps nothing.
        #expect(coverage.byTelescope.map(\.telescopeID) == [a, b])
        let first = try #require(coverage.byTelescope.first)
        #expect(first.planned.footprints == 2 && first.done.footprints == 1)
        #expect(abs(try #require(coverage.credibleAreas.first { $0.level == 0.9 }).areaSquareDegrees - 90.4) < 0.5)
        // No galaxy catalog: the 3-D probability is the 2-D one.
        #expect(coverage.catalogCompleteness == 0 && coverage.planned.probabilityWithDistance == coverage.planned.probability)
        #expect(coverage.plot.contours.map(\.level) == [0.5, 0.9] && coverage.plot.footprints.count == 5)
    }

    @Test func theCoverageIsWrittenValidatesAndIsPlotted() async throws {
        let (report, _) = try await report(skyMaps: SkyMapOptions(source: EmbeddedSkyMaps()))
        let folder = try TestOutput.keptFolder("skymap-coverage")
        let files = try ReportWriter().write(report, to: folder)
        let schema = try Data(contentsOf: URL(fileURLWithPath: TestOutput.packageRoot + "/docs/report-schema.json"))
        let data = try Data(contentsOf: URL(fileURLWithPath: files.json))
        let problems = try JSONSchemaValidator(schemaData: schema).problems(in: try JSONSerialization.jsonObject(with: data))
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(try NightReport.decode(jsonData: data).jsonData() == data)
        #expect(FileManager.default.fileExists(atPath: folder + "/plots/localisation-S261124ab.png"))
        let markdown = try String(contentsOfFile: files.markdown, encoding: .utf8)
        #expect(markdown.contains("Frames taken") && markdown.contains("90 % region 90."))
        let html = try String(contentsOfFile: files.html, encoding: .utf8)
        #expect(html.contains("localisation-S261124ab.png"))
    }

    @Test func anUnreadableMapIsSaidAndWithoutASourceNothingIsMeasured() async throws {
        let (without, _) = try await report(skyMaps: nil)
        #expect(try #require(without.followUps.first).coverage == nil)
        let (unreadable, _) = try await report(skyMaps: SkyMapOptions(source: SkyMapLoaderRefusing()))
        let followUp = try #require(unreadable.followUps.first)
        #expect(followUp.coverage == nil)
        #expect(followUp.coverageProblem?.contains("sky map unreadable") == true)
    }
}

/// A source that cannot read any map.
struct SkyMapLoaderRefusing: AlertSkyMapSource {
    func skyMap(for alert: Alert, raw: Data) async throws(SkyMapError) -> HEALPixSkyMap {
        throw SkyMapError(.unreadable, source: alert.id.rawValue, "not FITS")
    }
}
