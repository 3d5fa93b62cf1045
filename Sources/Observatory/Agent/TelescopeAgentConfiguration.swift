public import StarlingCore
import Foundation

/// How a ``TelescopeAgent`` runs, beyond the telescope's own safety policy.
public struct TelescopeAgentConfiguration: Sendable, Hashable {
    /// Weather limits that make conditions unsafe.
    public var weatherLimits: WeatherLimits
    /// How often the safety watch reads the weather and the enclosure while open; `nil`
    /// derives it from the safety policy so that closing completes within the policy's
    /// close deadline (deadline − close time, at most 60 s, at least 5 s).
    public var safetyPollSeconds: Double?
    /// How often it reads them while closed (nothing to protect, only the status to keep).
    public var closedPollSeconds: Double
    /// First retry delay after a device fault; doubles on each failure up to ``retryMaximumSeconds``.
    public var retryBaseSeconds: Double
    public var retryMaximumSeconds: Double
    /// After this many failed recoveries in a row the agent closes, parks and says the
    /// telescope needs attention (it keeps retrying at the maximum interval).
    public var recoveryAttemptsBeforeClosing: Int
    /// A follow-up planned to start within this long preempts running survey work at once,
    /// and the telescope starts no new survey work while one is this close.
    public var followUpHoldSeconds: Double
    /// A queued follow-up that cannot start within this long of its planned start is handed
    /// back to the coordinator (refused), which reassigns it.
    public var followUpPatienceSeconds: Double
    /// Park the mount (enclosure left open) when no work is due for this long.
    public var idleParkSeconds: Double
    /// Open this long before the first work comes due, so the enclosure is open in time.
    public var openLeadSeconds: Double
    /// Store the observation (with its frames so far) after every frame, so a run killed
    /// mid-observation loses no frame; off, it is stored once when it ends.
    public var storesObservationAfterEachFrame: Bool

    public init(
        weatherLimits: WeatherLimits = WeatherLimits(), safetyPollSeconds: Double? = nil, closedPollSeconds: Double = 300,
        retryBaseSeconds: Double = 30, retryMaximumSeconds: Double = 600, recoveryAttemptsBeforeClosing: Int = 4,
        followUpHoldSeconds: Double = 120, followUpPatienceSeconds: Double = 1200, idleParkSeconds: Double = 300, openLeadSeconds: Double = 120, storesObservationAfterEachFrame: Bool = true
    ) {
        self.weatherLimits = weatherLimits
        self.safetyPollSeconds = safetyPollSeconds
        self.closedPollSeconds = closedPollSeconds
        self.retryBaseSeconds = retryBaseSeconds
        self.retryMaximumSeconds = retryMaximumSeconds
        self.recoveryAttemptsBeforeClosing = recoveryAttemptsBeforeClosing
        self.followUpHoldSeconds = followUpHoldSeconds
        self.followUpPatienceSeconds = followUpPatienceSeconds
        self.idleParkSeconds = idleParkSeconds
        self.openLeadSeconds = openLeadSeconds
        self.storesObservationAfterEachFrame = storesObservationAfterEachFrame
    }

    /// The open-state poll interval for a telescope.
    public func safetyPoll(for telescope: Telescope) -> Double {
        if let safetyPollSeconds { return safetyPollSeconds }
        let slack = telescope.safety.closeDeadlineSeconds - telescope.enclosure.closeSeconds - 5
        return min(60, max(5, slack))
    }

    /// The back-off before the next retry: ``retryBaseSeconds`` doubled per earlier failure,
    /// at most ``retryMaximumSeconds``.
    public func retryDelaySeconds(afterFailures failures: Int) -> Double {
        min(retryMaximumSeconds, retryBaseSeconds * pow(2, Double(max(0, failures))))
    }
}
