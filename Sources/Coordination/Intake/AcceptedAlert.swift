public import Foundation
import Persistence
public import StarlingCore

/// A notice the intake has stored and hands on to be acted on: follow up, update or cancel.
///
/// The receiver reports what it did with ``AlertIntake/finish(_:note:)`` (or
/// ``AlertIntake/decline(_:reason:)``); until then the notice stays `received` in the store
/// and is handed on again after a restart, with ``isRedelivery`` set.
public struct AcceptedAlert: Sendable, Hashable {
    /// The normalised alert.
    public let alert: Alert
    /// How it relates to the notices of its event handed on before.
    public let change: Change
    /// The notice exactly as received (an IGWN alert's sky map is inside it).
    public let raw: Data
    /// Where it came from (`vtp://host:port`, `folder:/path`, `cli`, …).
    public let transport: String
    /// When Starling received it.
    public let receivedAt: Date
    /// The format it was read as.
    public let format: AlertFormat
    /// Handed on again after a restart: it may have been partly acted on before the crash.
    public let isRedelivery: Bool

    /// How a notice relates to its event.
    public enum Change: Sendable, Hashable {
        /// The first notice of its event handed on.
        case new
        /// A newer notice of an event already followed: it replaces `previous`.
        case update(previous: AlertID)
        /// The event is retracted: cancel its follow-ups (`previous` is the latest notice
        /// handed on before, if any).
        case retraction(previous: AlertID?)
    }

    /// Creates an accepted alert (the intake makes these; tests may too).
    public init(
        alert: Alert, change: Change, raw: Data, transport: String, receivedAt: Date, format: AlertFormat, isRedelivery: Bool
    ) {
        self.alert = alert
        self.change = change
        self.raw = raw
        self.transport = transport
        self.receivedAt = receivedAt
        self.format = format
        self.isRedelivery = isRedelivery
    }
}

/// What happened to a notice given to the intake; returned once it is durably stored, so a
/// transport may acknowledge it.
public struct IntakeReceipt: Sendable, Hashable {
    /// The notice's id (its IVORN, a synthesised id, or `refused:DIGEST` for one that could not be read).
    public let id: AlertID
    /// What the intake did with it.
    public let outcome: Outcome

    /// What the intake did with a notice.
    public enum Outcome: Sendable, Hashable {
        /// Stored and handed on (``AlertIntake/accepted``).
        case accepted
        /// Stored and not handed on, for the reason given (a test notice, no position, an
        /// older notice than one already followed, an event already retracted).
        case ignored(reason: String)
        /// Stored with its raw bytes but not understood, for the reason given.
        case refused(reason: String)
        /// Already stored under this id: nothing changed.
        case duplicate
    }
}

extension AlertRecord.Status {
    /// Whether a notice with this status was handed on to be acted on.
    var wasHandedOn: Bool { self == .received || self == .processed }
}
