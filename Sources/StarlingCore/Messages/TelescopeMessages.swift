public import Foundation

/// The states of a telescope agent's state machine.
public enum TelescopeState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Enclosure closed, mount parked or stopped; the daytime and bad-weather state.
    case closed
    /// Enclosure opening.
    case opening
    /// Open and ready, not moving.
    case idle
    case slewing
    case exposing
    case readingOut = "reading-out"
    /// Enclosure closing.
    case closing
    /// Enclosure closed and mount parked: safe to leave alone.
    case parked
    /// A fault the agent is recovering from, or could not.
    case fault
}

/// The kinds of device a telescope agent drives.
public enum DeviceKind: String, Sendable, Hashable, Codable, CaseIterable {
    case mount, camera, focuser, filterWheel = "filter-wheel", enclosure, weather
}

/// What other agents (or an operator) may ask a telescope agent to do.
public enum TelescopeCommand: Sendable {
    /// Replace the queue of planned observations (a new or re-made plan).
    case load(NightPlan)
    /// Carry out a request now, validated at dispatch.
    case observe(ObservationRequest)
    /// Take a follow-up under an assignment; it may abort a running survey exposure.
    case followUp(Assignment)
    /// Drop a follow-up the coordinator cancelled (a retraction, a reassignment); stops it
    /// if it is running.
    case cancelFollowUp(AssignmentID, reason: Reason)
    /// Stop the current observation with a reason.
    case abort(reason: Reason)
    /// Open the enclosure (refused if unsafe).
    case open
    /// Close the enclosure and park.
    case close(reason: String)
}

/// What a telescope agent reports, in the past tense.
public enum TelescopeEvent: Sendable {
    case stateChanged(telescope: TelescopeID, from: TelescopeState, to: TelescopeState, at: Date, reason: String)
    case observationStarted(telescope: TelescopeID, request: RequestID, at: Date)
    case frameWritten(FrameRecord)
    case observationEnded(Observation)
    case assignmentAccepted(AssignmentID, telescope: TelescopeID, at: Date)
    case assignmentRefused(AssignmentID, telescope: TelescopeID, reason: Reason, at: Date)
    case faultOccurred(telescope: TelescopeID, device: DeviceKind, reason: Reason, at: Date)
    case faultRecovered(telescope: TelescopeID, device: DeviceKind, at: Date)
    case safetyActionTaken(telescope: TelescopeID, action: String, at: Date)
}
