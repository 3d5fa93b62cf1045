public import Foundation
public import StarlingCore

/// An alert notice as the store keeps it: the raw text exactly as received, the normalised
/// alert when it could be parsed, and where it is in its processing.
///
/// The raw text is kept so a notice can be parsed again by a later version, and so that
/// nothing accepted is lost even when it could not be understood.
public struct AlertRecord: Sendable, Hashable, Codable {
    /// The notice's id (its IVORN, or a digest of its text for formats without one).
    public let id: AlertID
    /// When Starling received it (UTC).
    public let receivedAt: Date
    /// Where it came from, e.g. `vtp://127.0.0.1:8099`, `folder:/var/alerts`, `cli`.
    public let transport: String
    /// The format, e.g. `voevent-2.0`, `gcn-kafka-json`, `igwn-json`.
    public let format: String
    /// The notice exactly as received.
    public let raw: Data
    /// The normalised alert, when the notice could be parsed.
    public let alert: Alert?
    public let status: Status
    /// Why it has its status (the refusal reason, the decision made).
    public let note: String

    /// Where a notice is in its processing.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Stored, not yet processed (processed after a restart if the process died).
        case received
        /// Processed: follow-ups planned, updated or cancelled.
        case processed
        /// Deliberately not acted on (a test notice, no position, a duplicate serial).
        case ignored
        /// Could not be understood; the note says why.
        case refused
    }

    public init(
        id: AlertID, receivedAt: Date, transport: String, format: String, raw: Data, alert: Alert?, status: Status = .received,
        note: String = ""
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.transport = transport
        self.format = format
        self.raw = raw
        self.alert = alert
        self.status = status
        self.note = note
    }
}
