public import Foundation
public import StarlingCore

/// What a telescope agent is doing, for operators, dashboards and tests.
public struct TelescopeStatus: Sendable, Hashable {
    public let telescope: TelescopeID
    public let state: TelescopeState
    /// The enclosure as last reported by its driver.
    public let enclosure: EnclosureState
    /// The weather verdict from the last reading.
    public let weather: WeatherSafety
    /// The request being carried out, if any.
    public let currentRequest: RequestID?
    /// Work waiting: follow-ups, immediate requests and plan entries.
    public let queued: Int
    /// Devices in fault, with the reason.
    public let faults: [DeviceKind: Reason]
    /// Observations ended so far, by outcome name (`completed`, `refused`, `aborted`, `failed`).
    public let outcomes: [String: Int]
    public let framesWritten: Int
    /// Why an operator holds the telescope closed (`.close(reason:)` until `.open`), or `nil`.
    public let operatorHold: String?
    public let at: Date
}
