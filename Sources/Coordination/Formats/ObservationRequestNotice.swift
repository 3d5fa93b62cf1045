public import Foundation
public import StarlingCore

/// An observer's request (from the request API) as a notice to the network: the target and
/// how to observe it, or the request's cancellation.
///
/// It travels like every notice, so it is stored before it is answered, decided once by the
/// coordinator, and handed on again after a restart: ``encoded()`` gives the JSON stored as the
/// raw notice (format ``AlertFormat/observationRequest``), and ``AlertParser`` reads it back.
/// A cancellation is a retraction of the request's event: the coordinator cancels its open
/// assignments, and a telescope observing it stops.
public struct ObservationRequestNotice: Sendable, Hashable, Codable {
    public let target: RequestedTarget
    /// How to observe it.
    public let requested: RequestedObservation
    /// Priority, 0 (filler) … 10 (most important).
    public let priority: Double
    /// When it was submitted (for a cancellation, when it was cancelled).
    public let submittedAt: Date
    /// Who submitted it (the API token's name).
    public let submittedBy: String
    /// Whether this notice cancels the request.
    public let isCancellation: Bool

    public init(
        target: RequestedTarget, requested: RequestedObservation, priority: Double, submittedAt: Date, submittedBy: String,
        isCancellation: Bool = false
    ) {
        self.target = target
        self.requested = requested
        self.priority = min(10, max(0, priority))
        self.submittedAt = submittedAt
        self.submittedBy = submittedBy
        self.isCancellation = isCancellation
    }

    /// The alert id of a request's notice: `request:N` (its cancellation `request:N/cancel`).
    public static func alertID(requestNumber: Int, cancellation: Bool = false) -> AlertID {
        AlertID("request:\(requestNumber)" + (cancellation ? "/cancel" : ""))
    }

    /// The event every notice of a request shares: `request-N`.
    public static func eventID(requestNumber: Int) -> String { "request-\(requestNumber)" }

    /// The normalised alert: mission `OCS`, notice type the observing mode (or `Cancel`), at
    /// the target's position at the window's start.
    public var alert: Alert {
        let number = requested.requestNumber
        return Alert(
            id: Self.alertID(requestNumber: number, cancellation: isCancellation), eventID: Self.eventID(requestNumber: number),
            eventTime: submittedAt, issuedTime: submittedAt, mission: "OCS", noticeType: isCancellation ? "Cancel" : requested.mode.rawValue,
            position: target.coordinates(at: requested.window.start), errorRegion: .none, role: .observation, kind: .other,
            serial: isCancellation ? 2 : 1, isRetraction: isCancellation, priority: priority, requested: isCancellation ? nil : requested)
    }

    /// The notice as stored: `{"observation_request": {…}}`, keys sorted.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return try encoder.encode(Document(observation_request: self))
        } catch {
            // Only non-finite numbers fail to encode, and validation admits none.
            preconditionFailure("an observation request notice failed to encode: \(error)")
        }
    }

    private struct Document: Codable {
        let observation_request: ObservationRequestNotice
    }

    static func matches(_ json: JSONValue) -> Bool { json["observation_request"] != nil }

    /// Reads the stored form back, checking what the coordinator relies on.
    static func parse(_ data: Data) throws(AlertFormatError) -> ParsedNotice {
        let format = AlertFormat.observationRequest
        let notice: ObservationRequestNotice
        do {
            notice = try JSONDecoder().decode(Document.self, from: data).observation_request
        } catch {
            throw AlertFormatError(.malformed, format: format, field: "observation_request", "not an observation request: \(error)")
        }
        let requested = notice.requested
        guard requested.requestNumber > 0 else {
            throw AlertFormatError(.invalidValue, format: format, field: "requestNumber", "\(requested.requestNumber) is not a positive request number")
        }
        guard !requested.exposures.isEmpty,
            requested.exposures.allSatisfy({ $0.count >= 1 && $0.exposureSeconds.isFinite && $0.exposureSeconds >= 0 })
        else {
            throw AlertFormatError(.invalidValue, format: format, field: "exposures", "needs at least one exposure set, each of ≥ 1 finite non-negative exposure")
        }
        guard requested.window.duration > 0, requested.window.start.timeIntervalSince1970.isFinite else {
            throw AlertFormatError(.invalidValue, format: format, field: "window", "the window must end after it starts")
        }
        let constraints = requested.constraints
        guard constraints.maximumAirmass.isFinite, constraints.maximumAirmass >= 1, constraints.minimumAltitude.isFinite,
            constraints.minimumMoonSeparation.isFinite, (0...1).contains(constraints.maximumMoonIllumination)
        else {
            throw AlertFormatError(.invalidValue, format: format, field: "constraints", "out of range")
        }
        return ParsedNotice(alert: notice.alert, format: format)
    }
}
