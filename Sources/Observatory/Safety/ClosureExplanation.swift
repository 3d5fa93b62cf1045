import Foundation
public import StarlingCore

/// Why a telescope is closed now, as an observer on duty asks it: held by an operator, a
/// device in fault, daylight, bad weather, no work left tonight, or work queued that is not
/// due yet.
///
/// The verdicts on the Sun and the weather are ``Observatory/SafetyRules/mayOpen(weather:sunAltitude:policy:)``'s,
/// the rule the agent itself obeys, evaluated on the facts its status reports. The order is
/// the one that matters to a person: what would keep the telescope closed longest comes
/// first. A weather verdict of *unknown* is not a cause: a closed telescope reads its
/// sensors only every few minutes when no work is due (the agent reads them afresh before
/// it opens), so its last reading is often older than the grace.
///
/// The HTTP API's telescope documents and the agents' tools (MCP) both explain a closure here.
public struct ClosureExplanation: Sendable, Hashable {
    /// What keeps the telescope closed.
    public enum Cause: String, Sendable, CaseIterable {
        case operatorHold = "operator-hold"
        case fault
        case daylight
        case weather
        case noWorkLeft = "no-work-left"
        case waiting
    }

    public let cause: Cause
    /// A sentence with the numbers, e.g. "Sun at -4.1° is above -12.0°, the highest at which the enclosure opens".
    public let detail: String

    /// The states in which a telescope counts as closed.
    public static let closedStates: Set<TelescopeState> = [.closed, .closing, .parked, .fault]

    /// Explains a telescope's closure; `nil` when it is open or opening.
    ///
    /// - Parameters:
    ///   - state: the agent's state now.
    ///   - faults: its devices in fault, with the reason.
    ///   - weather: the weather verdict of its last reading.
    ///   - queued: requests waiting in its queue.
    ///   - hasPlan: whether a plan for tonight has reached it (before one has, an empty queue
    ///     is not "no work left").
    ///   - hold: an operator's hold placed through the API, if any.
    ///   - sunAltitude: the Sun's geometric altitude at the site now; `nil` if it could not
    ///     be computed (the Sun is then not judged).
    ///   - policy: the telescope's safety policy (the Sun limit for opening).
    public static func explain(
        state: TelescopeState, faults: [DeviceKind: Reason], weather: WeatherSafety, queued: Int, hasPlan: Bool, hold: String?, sunAltitude: Angle?,
        policy: SafetyPolicy
    ) -> ClosureExplanation? {
        guard closedStates.contains(state) else { return nil }
        if let hold { return ClosureExplanation(cause: .operatorHold, detail: "held closed by an operator: \(hold)") }
        if let fault = faults.sorted(by: { $0.key.rawValue < $1.key.rawValue }).first {
            return ClosureExplanation(cause: .fault, detail: "\(fault.key.rawValue): \(fault.value.detail)")
        }
        if state == .fault { return ClosureExplanation(cause: .fault, detail: "the telescope reports a fault") }
        if let sunAltitude, case .refused(let reason) = SafetyRules.mayOpen(weather: .safe, sunAltitude: sunAltitude, policy: policy) {
            return ClosureExplanation(cause: .daylight, detail: reason.detail)
        }
        if case .unsafe = weather, case .refused(let reason) = SafetyRules.mayOpen(weather: weather, sunAltitude: .degrees(-90), policy: policy) {
            return ClosureExplanation(cause: .weather, detail: reason.detail)
        }
        if queued == 0 {
            return hasPlan
                ? ClosureExplanation(cause: .noWorkLeft, detail: "no work left tonight")
                : ClosureExplanation(cause: .waiting, detail: "no plan for tonight yet")
        }
        let requests = queued == 1 ? "1 request" : "\(queued) requests"
        return ClosureExplanation(cause: .waiting, detail: "\(requests) queued; it opens when the next is due")
    }
}
