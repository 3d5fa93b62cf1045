import Foundation
import Observatory
import Requests
import StarlingCore

/// An event as the live stream carries it: a type (`telescope.state`, `observation.ended`,
/// `assignment.made`, …), the instant it happened, the telescope, site or alert it is about,
/// and a JSON payload with the same documents the REST endpoints return.
struct EventDocument: Sendable {
    /// The SSE `event:` field.
    let type: String
    /// The payload, encoded as the SSE `data:` field.
    let json: String

    /// Encodes an event; `nil` for events the stream leaves out.
    init?(_ event: NetworkEvent, network: ObservatoryNetwork, at now: Date) {
        func site(of telescope: TelescopeID) -> String? { network.locate(telescope)?.site.id.rawValue }
        let payload: (String, any Encodable & Sendable)
        switch event {
        case .telescope(let event):
            switch event {
            case .stateChanged(let telescope, let from, let to, let at, let reason):
                payload = ("telescope.state", StateChange(telescopeId: telescope.rawValue, siteId: site(of: telescope), from: from.rawValue, to: to.rawValue, at: at, reason: reason))
            case .observationStarted(let telescope, let request, let at):
                payload = ("observation.started", ObservationStart(telescopeId: telescope.rawValue, siteId: site(of: telescope), requestId: request.rawValue, at: at))
            case .frameWritten(let frame):
                payload = ("frame.written", FrameDocument(frame, quality: nil, review: nil, fileExists: !frame.path.hasPrefix("modelled:")))
            case .observationEnded(let observation):
                payload = ("observation.ended", ObservationDocument(observation))
            case .assignmentAccepted(let id, let telescope, let at):
                payload = ("assignment.accepted", AssignmentAnswer(assignmentId: id.rawValue, telescopeId: telescope.rawValue, at: at, reason: nil))
            case .assignmentRefused(let id, let telescope, let reason, let at):
                payload = ("assignment.refused", AssignmentAnswer(assignmentId: id.rawValue, telescopeId: telescope.rawValue, at: at, reason: reason.description))
            case .faultOccurred(let telescope, let device, let reason, let at):
                payload = ("telescope.fault", DeviceNote(telescopeId: telescope.rawValue, siteId: site(of: telescope), device: device.rawValue, at: at, detail: reason.description))
            case .faultRecovered(let telescope, let device, let at):
                payload = ("telescope.recovered", DeviceNote(telescopeId: telescope.rawValue, siteId: site(of: telescope), device: device.rawValue, at: at, detail: "\(device.rawValue) answers again"))
            case .safetyActionTaken(let telescope, let action, let at):
                payload = ("telescope.safety", DeviceNote(telescopeId: telescope.rawValue, siteId: site(of: telescope), device: nil, at: at, detail: action))
            }
        case .planner(let event):
            switch event {
            case .planMade(let plan): payload = ("plan.made", PlanDocument(plan))
            case .planRestored(let plan): payload = ("plan.restored", PlanDocument(plan))
            case .planningFailed(let telescope, let reason, let at):
                payload = ("planning.failed", Failure(subject: telescope?.rawValue ?? "network", at: at, reason: reason))
            }
        case .coordinator(let event):
            switch event {
            case .alertAccepted(let id, let at): payload = ("alert.accepted", AlertNote(alertId: id.rawValue, at: at, reason: nil))
            case .alertIgnored(let id, let reason, let at): payload = ("alert.ignored", AlertNote(alertId: id.rawValue, at: at, reason: reason))
            case .assignmentMade(let assignment): payload = ("assignment.made", AssignmentDocument(assignment))
            case .assignmentChanged(let id, let state, let reason, let at):
                payload = ("assignment.changed", AssignmentChange(assignmentId: id.rawValue, state: state.rawValue, reason: reason, at: at))
            }
        case .reporter(let event):
            switch event {
            case .frameMeasured(let quality): payload = ("frame.measured", MeasuredFrame(frameId: quality.frameID.rawValue, quality: QualityDocument(quality)))
            case .reportWritten(let night, let site, _, let at):
                let scope = site?.rawValue ?? "network"
                payload = ("report.written", ReportNote(night: night.description, scope: scope, at: at, url: "/reports/\(night)/\(scope)/report.html", reason: nil))
            case .reportFailed(let night, let site, let reason, let at):
                payload = ("report.failed", ReportNote(night: night.description, scope: site?.rawValue ?? "network", at: at, url: nil, reason: reason))
            }
        }
        guard let data = try? APIJSON.encode(Envelope(type: payload.0, at: now, data: payload.1)) else { return nil }
        type = payload.0
        json = String(decoding: data, as: UTF8.self)
    }

    /// A request's new state (``RequestStateEvents``).
    init?(requestState state: RequestState, requestID: Int, groupID: Int, at now: Date) {
        guard let data = try? APIJSON.encode(Envelope(type: "request.state", at: now, data: RequestStateNote(requestId: requestID, requestGroupId: groupID, state: state.rawValue)))
        else { return nil }
        type = "request.state"
        json = String(decoding: data, as: UTF8.self)
    }

    /// Every event type the stream carries, for the API document and clients.
    static let types = [
        "telescope.state", "observation.started", "frame.written", "observation.ended", "assignment.accepted", "assignment.refused",
        "telescope.fault", "telescope.recovered", "telescope.safety", "plan.made", "plan.restored", "planning.failed", "alert.accepted",
        "alert.ignored", "assignment.made", "assignment.changed", "frame.measured", "report.written", "report.failed", "request.state",
    ]

    private struct Envelope: Encodable {
        let type: String
        /// When the stream sent it (the network's clock).
        let at: Date
        let data: any Encodable & Sendable

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(at, forKey: .at)
            try container.encode(data, forKey: .data)
        }

        enum CodingKeys: String, CodingKey { case type, at, data }
    }

    private struct StateChange: Encodable { let telescopeId: String; let siteId: String?; let from: String; let to: String; let at: Date; let reason: String }
    private struct ObservationStart: Encodable { let telescopeId: String; let siteId: String?; let requestId: String; let at: Date }
    private struct AssignmentAnswer: Encodable { let assignmentId: String; let telescopeId: String; let at: Date; let reason: String? }
    private struct DeviceNote: Encodable { let telescopeId: String; let siteId: String?; let device: String?; let at: Date; let detail: String }
    private struct Failure: Encodable { let subject: String; let at: Date; let reason: String }
    private struct AlertNote: Encodable { let alertId: String; let at: Date; let reason: String? }
    private struct AssignmentChange: Encodable { let assignmentId: String; let state: String; let reason: String; let at: Date }
    private struct MeasuredFrame: Encodable { let frameId: String; let quality: QualityDocument }
    private struct RequestStateNote: Encodable { let requestId: Int; let requestGroupId: Int; let state: String }
    private struct ReportNote: Encodable { let night: String; let scope: String; let at: Date; let url: String?; let reason: String? }
}
