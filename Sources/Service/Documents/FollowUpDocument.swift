import Foundation
import Persistence
import StarlingCore

/// An alert and what the network did about it: each assignment (telescope, state, the
/// coordinator's reason), the observations made under it, and how soon the first frame
/// followed the notice.
///
/// The first frame is the earliest *light* frame of the observations of an assignment's
/// request, and the delays run from the notice's arrival and from the event, as in the night
/// report's follow-up section (Reporting's `FollowUps`), so the dashboard and the report give
/// the same figure.
struct FollowUpDocument: Encodable, Sendable {
    /// One telescope's part.
    struct Leg: Encodable, Sendable {
        let assignment: AssignmentDocument
        let observations: [ObservationDocument]
        let frameCount: Int
        let firstFrameAt: Date?
        let secondsFromAlertToFirstFrame: Double?
        let secondsFromEventToFirstFrame: Double?
    }

    let alert: AlertDocument
    let assignments: [Leg]
    /// The earliest first frame over every telescope, and its delays.
    let firstFrameAt: Date?
    let secondsFromAlertToFirstFrame: Double?
    let secondsFromEventToFirstFrame: Double?

    /// - Parameter observations: the observations of each assignment's request.
    init(_ record: AlertRecord, assignments: [Assignment], observations: [RequestID: [Observation]]) {
        alert = AlertDocument(record, assignments: nil)
        let eventTime = record.alert?.eventTime
        var legs: [Leg] = []
        for assignment in assignments.sorted(by: { ($0.plannedStart, $0.id.rawValue) < ($1.plannedStart, $1.id.rawValue) }) {
            let made = observations[assignment.request.id] ?? []
            let frames = made.lightFrames
            let first = made.firstLightFrameStart
            legs.append(Leg(
                assignment: AssignmentDocument(assignment), observations: made.map(ObservationDocument.init), frameCount: frames.count,
                firstFrameAt: first, secondsFromAlertToFirstFrame: Self.seconds(from: record.receivedAt, to: first),
                secondsFromEventToFirstFrame: Self.seconds(from: eventTime, to: first)))
        }
        self.assignments = legs
        let first = legs.compactMap(\.firstFrameAt).min()
        firstFrameAt = first
        secondsFromAlertToFirstFrame = Self.seconds(from: record.receivedAt, to: first)
        secondsFromEventToFirstFrame = Self.seconds(from: eventTime, to: first)
    }

    private static func seconds(from start: Date?, to end: Date?) -> Double? {
        guard let start, let end else { return nil }
        return end.timeIntervalSince(start)
    }
}
