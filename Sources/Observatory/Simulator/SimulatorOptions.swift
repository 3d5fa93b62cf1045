public import Foundation
public import StarlingCore

/// How a ``SimulatedTelescope`` behaves beyond what the telescope's configuration says.
public struct SimulatorOptions: Sendable, Hashable {
    /// Which frames get pixels; the rest are modelled (see ``RenderingPolicy``).
    public var rendering: RenderingPolicy
    /// Seed of everything random in the simulated devices (frame noise).
    public var seed: UInt64
    /// How long the simulated camera waits for a frame that never comes before it reports a
    /// timeout, the way a real driver gives up on a hung camera.
    public var cameraTimeoutSeconds: Double
    /// How long a stalled mount keeps trying before its driver reports the stall.
    public var stallDetectionSeconds: Double
    /// Focuser speed.
    public var focuserStepsPerSecond: Double

    public init(
        rendering: RenderingPolicy = .all, seed: UInt64 = 1, cameraTimeoutSeconds: Double = 60, stallDetectionSeconds: Double = 20,
        focuserStepsPerSecond: Double = 500
    ) {
        self.rendering = rendering
        self.seed = seed
        self.cameraTimeoutSeconds = cameraTimeoutSeconds
        self.stallDetectionSeconds = stallDetectionSeconds
        self.focuserStepsPerSecond = focuserStepsPerSecond
    }
}

/// A fault in one simulated device over an interval: from a scenario's `faults:` or a test.
public struct DeviceFault: Sendable, Hashable {
    public let device: DeviceKind
    public let kind: FaultInjection.Kind
    public let start: Date
    /// When it clears by itself; `nil`: it lasts until the end of the simulation.
    public let end: Date?

    public init(device: DeviceKind, kind: FaultInjection.Kind, start: Date, end: Date? = nil) {
        self.device = device
        self.kind = kind
        self.start = start
        self.end = end
    }

    /// The fault a scenario injects.
    public init(_ injection: FaultInjection) {
        self.init(
            device: injection.device, kind: injection.kind, start: injection.at,
            end: injection.durationSeconds.map { injection.at.addingTimeInterval($0) })
    }

    /// Whether the fault is in force at an instant.
    public func isActive(at date: Date) -> Bool { date >= start && (end.map { date < $0 } ?? true) }
}
