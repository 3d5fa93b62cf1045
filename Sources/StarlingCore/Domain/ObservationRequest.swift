public import Foundation

/// A request to observe a target: what to take, under which constraints, how urgently.
///
/// The astroplan equivalent is an `ObservingBlock`. A request becomes one or more
/// ``Observation``s when a telescope carries it out.
public struct ObservationRequest: Sendable, Hashable, Codable, Identifiable {
    public let id: RequestID
    public let target: Target
    /// The exposures to take, in order.
    public let exposures: [ExposureSpec]
    /// Conditions under which the observation is worth taking.
    public let constraints: ObservingConstraints
    /// Scientific priority, 0…10 (higher first).
    public let priority: Double
    /// When the observation must happen (UTC); `nil` for any time in the night.
    public let window: DateInterval?
    /// Survey, follow-up or calibration.
    public let kind: Kind
    /// The alert this request follows up, if any.
    public let alertID: AlertID?

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case survey, followUp = "follow-up", calibration
        /// An observer's request through the request API that does not preempt
        /// (``ObservingMode/normal`` and ``ObservingMode/timeCritical``).
        case requested
    }

    public init(
        id: RequestID, target: Target, exposures: [ExposureSpec], constraints: ObservingConstraints = ObservingConstraints(),
        priority: Double = 5, window: DateInterval? = nil, kind: Kind = .survey, alertID: AlertID? = nil
    ) {
        precondition(!exposures.isEmpty, "an observation request needs at least one exposure")
        self.id = id
        self.target = target
        self.exposures = exposures
        self.constraints = constraints
        self.priority = priority
        self.window = window
        self.kind = kind
        self.alertID = alertID
    }

    /// Total open-shutter time of all exposures, seconds.
    public var totalExposureSeconds: Double { exposures.reduce(0) { $0 + $1.exposureSeconds * Double($1.count) } }

    /// Whether this request may interrupt a running survey exposure.
    public var isTimeCritical: Bool { kind == .followUp }
}

/// One set of identical exposures.
public struct ExposureSpec: Sendable, Hashable, Codable {
    public let filter: Filter
    /// Open-shutter time of each exposure, seconds.
    public let exposureSeconds: Double
    /// How many exposures.
    public let count: Int

    public init(filter: Filter, exposureSeconds: Double, count: Int = 1) {
        precondition(exposureSeconds >= 0 && exposureSeconds.isFinite, "exposure time must be finite and non-negative")
        precondition(count >= 1, "an exposure set needs at least one exposure")
        self.filter = filter
        self.exposureSeconds = exposureSeconds
        self.count = count
    }
}

/// Conditions an observation must meet, in astroplan's vocabulary.
///
/// Bounds are inclusive: an altitude exactly at ``minimumAltitude`` is allowed.
public struct ObservingConstraints: Sendable, Hashable, Codable {
    /// Lowest target altitude.
    public var minimumAltitude: Angle
    /// Highest airmass.
    public var maximumAirmass: Double
    /// Smallest Moon–target separation.
    public var minimumMoonSeparation: Angle
    /// Brightest Moon allowed while above the horizon, illuminated fraction 0…1.
    public var maximumMoonIllumination: Double
    /// How dark the sky must be.
    public var darkness: Twilight

    public init(
        minimumAltitude: Angle = .degrees(30), maximumAirmass: Double = 2.0, minimumMoonSeparation: Angle = .degrees(20),
        maximumMoonIllumination: Double = 1.0, darkness: Twilight = .astronomical
    ) {
        self.minimumAltitude = minimumAltitude
        self.maximumAirmass = maximumAirmass
        self.minimumMoonSeparation = minimumMoonSeparation
        self.maximumMoonIllumination = maximumMoonIllumination
        self.darkness = darkness
    }

    /// Constraints for a time-critical follow-up: lower altitude and nautical twilight accepted.
    public static let followUp = ObservingConstraints(
        minimumAltitude: .degrees(20), maximumAirmass: 2.9, minimumMoonSeparation: .degrees(10), darkness: .nautical)
}

/// How dark the sky is, by the Sun's altitude.
public enum Twilight: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sun below −0.833° (upper limb at the refracted horizon).
    case sunset
    /// Sun below −6°.
    case civil
    /// Sun below −12°.
    case nautical
    /// Sun below −18°.
    case astronomical

    /// The Sun altitude that defines this level.
    public var sunAltitude: Angle {
        switch self {
        case .sunset: .degrees(-0.8333)
        case .civil: .degrees(-6)
        case .nautical: .degrees(-12)
        case .astronomical: .degrees(-18)
        }
    }
}
