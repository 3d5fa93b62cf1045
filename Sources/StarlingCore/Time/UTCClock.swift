public import Foundation
import Synchronization

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
    ///
    /// The task is detached: it inherits neither the caller's task-local values nor its
    /// priority. A host that spawns its agents stops them in its own order; a service group's
    /// graceful shutdown reaching every agent at once would stop the router before the
    /// telescopes have closed.
    @discardableResult
    func spawn(named name: String, _ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never>

    /// Sleeps until `deadline` or until `alarm` rings, whichever comes first.
    ///
    /// Returns at once with `.alarm` if the alarm rang since the last sleep on it.
    /// - Throws: `CancellationError` if the task is cancelled while sleeping.
    func sleep(until deadline: UTCInstant, orUntil alarm: Alarm) async throws -> WakeReason
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

/// Real time: the system's UTC clock, or real time from another instant (a past night replayed
/// at its own pace, a benchmark's fixed scene).
public struct WallClock: UTCClock {
    /// How far this clock is ahead of the system's, seconds.
    private let offsetSeconds: TimeInterval

    public init() {
        offsetSeconds = 0
    }

    /// A clock that reads `start` now and runs at real pace from there.
    public init(startingAt start: Date) {
        offsetSeconds = start.timeIntervalSinceNow
    }

    public var now: UTCInstant { UTCInstant(Date().addingTimeInterval(offsetSeconds)) }
    public var minimumResolution: Duration { .milliseconds(1) }

    public func sleep(until deadline: UTCInstant, tolerance: Duration?) async throws {
        let delay = deadline.secondsSince1970 - now.secondsSince1970
        guard delay > 0 else { return }
        try await Task.sleep(for: .seconds(delay), tolerance: tolerance)
    }

    @discardableResult
    public func spawn(named name: String, _ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        Task.detached { await operation() }
    }

    public func sleep(until deadline: UTCInstant, orUntil alarm: Alarm) async throws -> WakeReason {
        if alarm.consume() { return .alarm }
        // Race a real-time sleep against the alarm; whichever finishes first resumes us.
        let once = ResumeOnce()
        let timer = Task {
            try? await self.sleep(until: deadline, tolerance: nil)
            once.resume(returning: .deadline)
        }
        defer { timer.cancel() }
        let reason = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WakeReason, any Error>) in
                once.set(continuation)
                if !alarm.install({ once.resume(returning: .alarm) }) { once.resume(returning: .alarm) }
            }
        } onCancel: {
            once.resume(throwing: CancellationError())
        }
        // Consume a ring that raced with the deadline: the caller is awake and will look anyway.
        return alarm.uninstall() ? .alarm : reason
    }
}

/// Resumes a continuation exactly once, whichever of several racing events comes first.
final class ResumeOnce: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<WakeReason, any Error>?, done: Bool, early: Result<WakeReason, any Error>?)>(
        (nil, false, nil))

    func set(_ continuation: CheckedContinuation<WakeReason, any Error>) {
        let early: Result<WakeReason, any Error>? = state.withLock { state in
            if let early = state.early { state.done = true; return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(returning value: WakeReason) { finish(.success(value)) }
    func resume(throwing error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<WakeReason, any Error>) {
        let continuation: CheckedContinuation<WakeReason, any Error>? = state.withLock { state in
            guard !state.done else { return nil }
            guard let continuation = state.continuation else {
                if state.early == nil { state.early = result }
                return nil
            }
            state.done = true
            state.continuation = nil
            return continuation
        }
        continuation?.resume(with: result)
    }
}
