import Foundation
import Testing

@testable import Reporting
@testable import StarlingCore

/// A follow-up's pointings in the Treasure Map's shape: an observed field once per band with the
/// deepest frame's depth, an open assignment as planned, a failed one not at all.
struct TreasureMapPointingsTests {
    let start = Date(timeIntervalSince1970: 1_795_479_000)

    func request(_ id: String, ra: Double, filters: [String]) throws -> ObservationRequest {
        let target = Target(id: TargetID(id), name: id, coordinates: try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: -28), kind: .field)
        return ObservationRequest(
            id: RequestID("S261124ab/\(id)"), target: target, exposures: filters.map { ExposureSpec(filter: Filter($0), exposureSeconds: 120) }, kind: .followUp,
            alertID: "ivo://gwnet/S261124ab#1")
    }

    func assignment(_ id: String, _ request: ObservationRequest, state: Assignment.State, at offset: Double) -> Assignment {
        Assignment(
            id: AssignmentID(id), alertID: "ivo://gwnet/S261124ab#1", telescopeID: "cerro-tololo-1m-a", siteID: "cerro-tololo", request: request,
            plannedStart: start.addingTimeInterval(offset), leaseExpiry: start.addingTimeInterval(offset + 120), state: state, reason: "test")
    }

    @Test func observedFieldsAreCompletedPerBandAndOpenOnesPlanned() throws {
        let observed = try request("f0", ra: 118, filters: ["r", "g"])
        let open = try request("f1", ra: 119.3, filters: ["clear"])
        let failed = try request("f2", ra: 116.7, filters: ["r"])
        let observationID = ObservationID("obs-f0")
        func frame(_ index: Int, _ filter: String) throws -> FrameRecord {
            FrameRecord(
                id: FrameID("frame-\(index)"), observationID: observationID, telescopeID: "cerro-tololo-1m-a", path: "/nonexistent/\(index).fits",
                imageType: .light, filter: Filter(filter), exposureSeconds: 120, started: start.addingTimeInterval(Double(60 + 130 * index)),
                pointing: observed.target.coordinates, airmass: 1.2)
        }
        let frames = [try frame(0, "r"), try frame(1, "r"), try frame(2, "g")]
        let observation = Observation(
            id: observationID, requestID: observed.id, telescopeID: "cerro-tololo-1m-a", siteID: "cerro-tololo", targetID: observed.target.id,
            started: start.addingTimeInterval(50), ended: start.addingTimeInterval(500), outcome: .completed, frames: frames)
        let qualities: [FrameID: FrameQuality] = [
            "frame-0": FrameQuality(frameID: "frame-0", measuredAt: start, limitingMagnitude: 20.1),
            "frame-1": FrameQuality(frameID: "frame-1", measuredAt: start, limitingMagnitude: 20.6),
        ]
        let pointings = TreasureMapPointings(
            eventID: "S261124ab",
            assignments: [
                assignment("a0", observed, state: .completed, at: 40), assignment("a1", open, state: .accepted, at: 900),
                assignment("a2", failed, state: .failed, at: 600),
            ],
            observations: [observed.id: [observation]], qualities: qualities, instrumentID: 77)
        #expect(pointings.graceid == "S261124ab")
        let completed = pointings.pointings.filter { $0.status == "completed" }
        #expect(completed.map(\.band) == ["r", "g"])
        #expect(completed[0].depth == 20.6 && completed[0].depthUnit == "ab_mag", "the deepest r frame")
        #expect(completed[0].time == frames[0].started)
        #expect(completed[1].depth == nil && completed[1].depthUnit == nil, "a band without a measurement has no depth")
        let planned = pointings.pointings.filter { $0.status == "planned" }
        #expect(planned.count == 1 && planned[0].band == "open" && abs(planned[0].ra - 119.3) < 1e-9)
        #expect(planned[0].time == start.addingTimeInterval(900))
        #expect(pointings.pointings.allSatisfy { $0.instrumentid == 77 })
        // Treasure Map's field names, times in UTC without a zone.
        let text = String(decoding: try pointings.encoded(), as: UTF8.self)
        #expect(text.contains("\"depth_unit\" : \"ab_mag\"") && text.contains("\"pos_angle\" : 0"))
        #expect(text.contains("\"time\" : \"2026-11-24T00:11:00\""))
    }
}
