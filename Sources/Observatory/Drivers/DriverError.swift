public import StarlingCore

/// A device driver failure: what happened, on which device, and what to do.
///
/// Drivers for the simulator, INDI and ASCOM Alpaca all report through this one type, so
/// the telescope agent's recovery does not depend on which driver runs the hardware.
public struct DriverError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Code
    /// The device kind, e.g. `.mount`.
    public let device: DeviceKind
    /// What went wrong, with the numbers and names a person needs (device name, property, value).
    public let message: String

    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The driver is not connected; connect first.
        case notConnected = "not-connected"
        /// The connection to the device (or its server) dropped.
        case disconnected
        /// The device did not answer or finish in time.
        case timeout
        /// The operation was aborted on request (by the agent, for a more urgent request).
        case aborted
        /// The device reports a fault (INDI Alert state, Alpaca error, a simulated stall).
        case deviceFault = "device-fault"
        /// The device refused the command (value out of range, parked, not capable).
        case refused
        /// The device answered something the driver cannot understand.
        case protocolError = "protocol-error"
    }

    public init(_ code: Code, device: DeviceKind, _ message: String) {
        self.code = code
        self.device = device
        self.message = message
    }

    public var description: String { "\(device.rawValue): \(message)" }

    /// Whether retrying later may succeed (faults and timeouts may clear; refusals do not).
    public var isTransient: Bool { [.disconnected, .timeout, .deviceFault, .notConnected].contains(code) }

    /// The reason recorded on an observation that this error ended.
    public var reason: Reason {
        switch code {
        case .timeout: Reason(.deviceTimeout, description)
        case .aborted: Reason(.preempted, description)
        case .disconnected, .notConnected: Reason(.disconnected, description)
        case .deviceFault, .refused, .protocolError: Reason(.deviceFault, description)
        }
    }
}
