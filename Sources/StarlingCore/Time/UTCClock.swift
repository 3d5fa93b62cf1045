public import Foundation

/// The clock every agent is given: tells UTC time, sleeps, and starts the tasks that
/// should live on its timeline.
///
/// Nothing inside an agent reads the system clock; it asks its `UTCClock`. Production uses
/// ``WallClock``; `starling night` and the tests use ``SimulationClock``, which runs a whole
/// night of the array in seconds and deterministically.
public protocol UTCClock: Clock, Sendable where Instant == UTCInstant, Duration == Swift.Duration {
    /// Starts a task on this clock's timeline.
    ///
    /// Under ``SimulationClock`` time only advances while every such task is waiting on the
    /// clock, so work done by an agent must run in a task started here (or in the caller's).
    @discardableResult
    func spawn(named name: String, _ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never>
}

extension UTCClock {
    /// The current instant as a `Date`.
    public var currentDate: Date { now.date }

    /// Sleeps for a number of seconds on this clock.
    public func sleep(seconds: Double) async throws {
        try await sleep(until: now.advanced(by: .seconds(seconds)), tolerance: nil)
    }

    /// Sleeps until the given UTC date on this clock.
    public func sleep(until date: Date) async throws {
        try await sleep(until: UTCInstant(date), tolerance: nil)
    }
}

/// Real time: the system's UTC clock.
public struct WallClock: UTCClock {
    public init() {}

    public var now: UTCInstant { UTCInstant(Date()) }
    public var minimumResolution: Duration { .milliseconds(1) }

    public func sleep(until deadline: UTCInstant, tolerance: Duration?) async throws {
        let delay = deadline.secondsSince1970 - Date().timeIntervalSince1970
        guard delay > 0 else { return }
        try await Task.sleep(for: .seconds(delay), tolerance: tolerance)
    }

    @discardableResult
    public func spawn(named name: String, _ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        Task { await operation() }
    }
}
