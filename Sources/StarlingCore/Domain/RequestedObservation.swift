public import Foundation

/// How an observer asked for a target to be observed, when the work came as an observation
/// request (the OCS request API) rather than from an alert: the exposures, the constraints
/// and the window, which replace the coordinator's defaults for a kind of alert.
public struct RequestedObservation: Sendable, Hashable, Codable {
    /// The portal's id of the request.
    public let requestNumber: Int
    /// The target's name as the observer gave it (FITS `OBJECT`).
    public let targetName: String
    /// The exposures, in order.
    public let exposures: [ExposureSpec]
    /// The conditions the observation must meet.
    public let constraints: ObservingConstraints
    /// When the observation may run (UTC).
    public let window: DateInterval
    /// How urgent it is, as the observer's proposal allows.
    public let mode: ObservingMode
    /// The class of telescope asked for (``Telescope/telescopeClass``), e.g. `1m0`.
    public let telescopeClass: String

    public init(
        requestNumber: Int, targetName: String, exposures: [ExposureSpec], constraints: ObservingConstraints, window: DateInterval, mode: ObservingMode,
        telescopeClass: String
    ) {
        self.requestNumber = requestNumber
        self.targetName = targetName
        self.exposures = exposures
        self.constraints = constraints
        self.window = window
        self.mode = mode
        self.telescopeClass = telescopeClass
    }

    /// Whether a telescope can carry it out: of the class asked for, with every filter.
    public func fits(_ telescope: Telescope) -> Bool {
        telescope.telescopeClass == telescopeClass && exposures.allSatisfy { telescope.filter(named: $0.filter.name) != nil }
    }
}

/// How urgently a requested observation is scheduled: the OCS `observation_type`.
public enum ObservingMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Queued by priority; never interrupts running work.
    case normal = "NORMAL"
    /// Scheduled at high priority in its window; never interrupts running work.
    case timeCritical = "TIME_CRITICAL"
    /// Interrupts a running survey exposure, as an alert's follow-up does.
    case rapidResponse = "RAPID_RESPONSE"

    /// The request kind it runs as: only rapid response may preempt.
    public var requestKind: ObservationRequest.Kind { self == .rapidResponse ? .followUp : .requested }
}

extension Telescope {
    /// The telescope's class by aperture, as the OCS names classes: `0m4`, `1m0`, `2m0`
    /// (metres, one decimal: a 0.36 m telescope is `0m4`).
    public var telescopeClass: String {
        let decimetres = Int((apertureMeters * 10).rounded())
        return "\(decimetres / 10)m\(decimetres % 10)"
    }
}
