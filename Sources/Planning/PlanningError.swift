import Persistence
import Sky

/// Why a plan could not be made.
///
/// A night without darkness or a catalog with nothing observable is not an error: the plan
/// is empty and its notes say why. Errors are for what the planner cannot work around: the
/// sky computation failed, the store failed, a telescope id that is not in the network.
public struct PlanningError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let code: Code
    /// What happened and what to do, for people.
    public let message: String
    /// The underlying error's description, if any.
    public let underlying: String?

    /// The kinds of planning failure.
    public enum Code: String, Sendable, Hashable {
        /// A telescope or site id that the network does not have.
        case unknownTelescope = "unknown-telescope"
        /// Sky positions could not be computed for the night (ERFA refused the date).
        case sky
        /// The store could not be read or written.
        case store
    }

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying.map { "\($0)" }
    }

    /// A sky failure, with what the planner was doing.
    static func sky(_ error: SkyError, while what: String) -> PlanningError {
        PlanningError(.sky, "cannot compute the sky while \(what)", underlying: error)
    }

    /// A store failure, with what the planner was doing.
    static func store(_ error: StoreError, while what: String) -> PlanningError {
        PlanningError(.store, "the store failed while \(what); the previous plan stays in force", underlying: error)
    }

    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(underlying)"
    }
}
