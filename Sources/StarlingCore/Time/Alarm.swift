import Synchronization

/// A wake-up signal for a task sleeping on a ``UTCClock``: the sleeper wakes at its deadline
/// or as soon as someone rings, whichever comes first.
///
/// A ring is never lost: ringing while nobody sleeps leaves the alarm pending, and the next
/// ``UTCClock/sleep(until:orUntil:)`` returns at once. An agent sleeps until its next planned
/// observation with its mailbox's alarm; a new command rings it.
///
/// ```swift
/// let alarm = Alarm()
/// let woke = try await clock.sleep(until: nextStart, orUntil: alarm)   // .alarm or .deadline
/// ```
public final class Alarm: Sendable {
    private struct State {
        var pending = false
        /// How to wake the current sleeper, installed by the clock while someone sleeps.
        var waker: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the sleeper now, or the next one to sleep on this alarm.
    public func ring() {
        let waker: (@Sendable () -> Void)? = state.withLock { state in
            state.pending = true
            defer { state.waker = nil }
            return state.waker
        }
        waker?()
    }

    /// Whether a ring is waiting to be consumed.
    public var isPending: Bool { state.withLock { $0.pending } }

    /// Consumes a pending ring; returns whether there was one.
    package func consume() -> Bool {
        state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
    }

    /// Installs how to wake the sleeper, unless a ring is already pending.
    /// - Returns: `false` if a ring was pending (consumed); the caller must not sleep.
    package func install(_ waker: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            if state.pending {
                state.pending = false
                return false
            }
            state.waker = waker
            return true
        }
    }

    /// Removes the waker after the sleep ended by deadline or cancellation, consuming a ring
    /// that raced with it (the sleeper is awake anyway).
    /// - Returns: whether a ring arrived.
    package func uninstall() -> Bool {
        state.withLock { state in
            state.waker = nil
            defer { state.pending = false }
            return state.pending
        }
    }
}

/// Why a ``UTCClock/sleep(until:orUntil:)`` ended.
public enum WakeReason: Sendable, Equatable {
    /// The deadline came.
    case deadline
    /// The alarm rang.
    case alarm
}
