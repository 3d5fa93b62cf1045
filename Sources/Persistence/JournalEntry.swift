public import Foundation

/// One line of the night's story, as agents tell it: a state change, a fault, a safety
/// action, a weather change, a plan, a decision. Reports are built from the journal.
public struct JournalEntry: Sendable, Hashable, Codable {
    /// When it happened (UTC, on the agents' clock).
    public let time: Date
    /// Who or what it is about: a telescope id, a site id, an alert id, `network`.
    public let subject: String
    /// The site concerned, when there is one (for per-site reports).
    public let siteID: String?
    public let kind: Kind
    /// A sentence for people, with the numbers.
    public let message: String

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case stateChange = "state-change"
        case fault
        case recovery
        case safety
        case weather
        case plan
        case decision
        case alert
        case note
    }

    public init(time: Date, subject: String, siteID: String? = nil, kind: Kind, message: String) {
        self.time = time
        self.subject = subject
        self.siteID = siteID
        self.kind = kind
        self.message = message
    }
}
