import Foundation
import Synchronization

/// A discrete-event clock: simulated UTC time that jumps from one sleeper's deadline to the
/// next, so a whole night runs in seconds, with one task running at a time so the same
/// inputs always give the same night.
///
/// Tasks that live on the simulated timeline are started with ``spawn(named:_:)``. The
/// driver of the simulation (a test or the night runner, which is not itself spawned)
/// advances time:
///
/// ```swift
/// let clock = SimulationClock(start: UTCInstant(dusk))
/// clock.spawn(named: "mount") { try? await clock.sleep(seconds: 12); print("slew done at", clock.now) }
/// await clock.run(until: clock.now.advanced(by: .seconds(60)))
/// ```
///
/// Time advances only when every spawned task is waiting on the clock (or has finished):
/// ``waitUntilIdle()`` waits for that moment, ``wakeNext(notAfter:)`` then moves time to the
/// earliest deadline and resumes that one sleeper. Ties are broken by the order in which
/// the tasks went to sleep, which makes runs reproducible. A spawned task starts as a sleeper
/// due at once: it first runs when the tasks already running are idle, never beside them.
///
/// - Important: a spawned task must not wait on anything other than this clock for long
///   (a network reply, a continuation another task resumes): the clock would count it as
///   running and wait for it. Tasks that must wait for each other do so by sleeping.
public final class SimulationClock: UTCClock, @unchecked Sendable {
    // @unchecked Sendable: all mutable state lives in `state`, behind a Mutex.

    private struct Sleeper {
        let deadline: UTCInstant
        let sequence: UInt64
        let isParticipant: Bool
        let continuation: CheckedContinuation<WakeReason, any Error>
        /// What the sleeper is told when woken: `.alarm` once an alarm moved it forward.
        var reason: WakeReason = .deadline
    }

    private struct State {
        var now: UTCInstant
        var sleepers: [UInt64: Sleeper] = [:]
        var queue = DeadlineQueue()
        var nextSequence: UInt64 = 0
        /// Spawned tasks that are neither sleeping on the clock nor finished.
        var running = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    @TaskLocal private static var isParticipant = false

    /// Creates a clock whose time starts at `start` and moves only when advanced.
    public init(start: UTCInstant) {
        state = Mutex(State(now: start))
    }

    public var now: UTCInstant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    /// The earliest deadline anyone is sleeping until, if anyone is.
    public var nextDeadline: UTCInstant? {
        state.withLock { state in
            while let head = state.queue.peek() {
                if let sleeper = state.sleepers[head.sequence] { return sleeper.deadline }
                _ = state.queue.pop()  // cancelled earlier
            }
            return nil
        }
    }

    /// How many spawned tasks are running (not waiting on the clock, not finished).
    public var runningTaskCount: Int { state.withLock { $0.running } }

    @discardableResult
    public func spawn(named name: String, _ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        // Start in turn: the new task waits, as a sleeper due now, until every running task is
        // idle, and then runs alone. Otherwise it would run alongside the task that spawned it
        // and the order of their sleeps, hence the night, would vary. Its place in the queue is
        // taken here, in spawn order: taken by the task itself it would depend on which of two
        // tasks spawned together the scheduler started first.
        let (start, place) = state.withLock { state in
            state.running += 1
            defer { state.nextSequence += 1 }
            return (state.now, state.nextSequence)
        }
        return Task.detached {
            await Self.$isParticipant.withValue(true) {
                _ = try? await self.park(until: start, alarm: nil, reservedSequence: place)
                await operation()
            }
            self.taskFinished()
        }
    }

    public func sleep(until deadline: UTCInstant, tolerance: Duration? = nil) async throws {
        _ = try await park(until: deadline, alarm: nil)
    }

    public func sleep(until deadline: UTCInstant, orUntil alarm: Alarm) async throws -> WakeReason {
        if alarm.consume() { return .alarm }
        let reason = try await park(until: deadline, alarm: alarm)
        return alarm.uninstall() ? .alarm : reason
    }

    /// Parks the calling task until its deadline, or earlier if `alarm` rings (the ring moves
    /// the sleeper to the current instant, behind those already due, so order stays reproducible).
    /// - Parameter reservedSequence: the place in the queue taken beforehand (a spawned task's
    ///   start); the task then parks even though its deadline is now.
    private func park(until deadline: UTCInstant, alarm: Alarm?, reservedSequence: UInt64? = nil) async throws -> WakeReason {
        try Task.checkCancellation()
        let participant = Self.isParticipant
        let sequence: UInt64? = reservedSequence ?? state.withLock { state in
            guard deadline > state.now else { return nil }
            defer { state.nextSequence += 1 }
            return state.nextSequence
        }
        guard let sequence else { return .deadline }
        let current = SleeperHandle(sequence)  // the sleeper's sequence, which a ring changes
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WakeReason, any Error>) in
                let resumeNow: Bool = state.withLock { state in
                    // Cancelled between the check above and here: do not park.
                    if Task.isCancelled { return true }
                    // The alarm's waker goes in before the task counts as waiting. Installed
                    // after, a ring in between (from a task the scheduler resumed as soon as
                    // this one counted as waiting) found no waker and was only noted; this
                    // sleeper was then brought forward late, after time had moved on: a dome
                    // turn of 30 s kept its telescope waiting 130 s. A ring already pending
                    // parks it due now.
                    var due = deadline, reason = WakeReason.deadline
                    if let alarm, !alarm.install({ [weak self] in self?.bringForward(current) }) {
                        due = state.now
                        reason = .alarm
                    }
                    state.sleepers[sequence] = Sleeper(
                        deadline: due, sequence: sequence, isParticipant: participant, continuation: continuation, reason: reason)
                    state.queue.push(deadline: due.secondsSince1970, sequence: sequence)
                    if participant { Self.markWaiting(&state) }
                    return false
                }
                if resumeNow {
                    continuation.resume(throwing: CancellationError())
                    return
                }
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLock { state in
                guard let sleeper = state.sleepers.removeValue(forKey: current.sequence) else { return nil }
                if sleeper.isParticipant { state.running += 1 }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves a parked sleeper's deadline to now, keeping it parked until the scheduler wakes it.
    private func bringForward(_ current: SleeperHandle) {
        state.withLock { state in
            let old = current.sequence
            guard var sleeper = state.sleepers.removeValue(forKey: old) else { return }
            let sequence = state.nextSequence
            state.nextSequence += 1
            current.sequence = sequence
            sleeper = Sleeper(
                deadline: state.now, sequence: sequence, isParticipant: sleeper.isParticipant, continuation: sleeper.continuation,
                reason: .alarm)
            state.sleepers[sequence] = sleeper
            state.queue.push(deadline: state.now.secondsSince1970, sequence: sequence)
        }
    }

    /// Waits until every spawned task is sleeping on the clock or finished.
    public func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle: Bool = state.withLock { state in
                if state.running == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Moves time to the earliest sleeper's deadline and resumes that one sleeper.
    ///
    /// Call after ``waitUntilIdle()``. Time never moves backwards: a deadline already in the
    /// past resumes at the current time.
    /// - Parameter limit: do nothing if the earliest deadline is after this instant.
    /// - Returns: `false` when no sleeper is due by `limit`.
    @discardableResult
    public func wakeNext(notAfter limit: UTCInstant? = nil) -> Bool {
        let sleeper: Sleeper? = state.withLock { state in
            while let head = state.queue.peek() {
                guard let sleeper = state.sleepers[head.sequence] else {
                    _ = state.queue.pop()  // cancelled earlier
                    continue
                }
                if let limit, sleeper.deadline > limit { return nil }
                _ = state.queue.pop()
                state.sleepers[head.sequence] = nil
                if sleeper.deadline > state.now { state.now = sleeper.deadline }
                if sleeper.isParticipant { state.running += 1 }
                return sleeper
            }
            return nil
        }
        guard let sleeper else { return false }
        sleeper.continuation.resume(returning: sleeper.reason)
        return true
    }

    /// Runs the simulation until `end`: wakes every sleeper due by then, one at a time in
    /// deadline order, waiting for quiet between them; then sets the time to `end`.
    public func run(until end: UTCInstant) async {
        while true {
            await waitUntilIdle()
            guard wakeNext(notAfter: end) else { break }
        }
        advanceTime(to: end)
    }

    /// Sets the time forward to `instant` without waking anyone who is due later.
    ///
    /// - Precondition: no sleeper is due before `instant` (use ``run(until:)`` for that).
    public func advanceTime(to instant: UTCInstant) {
        state.withLock { state in
            if let head = state.queue.peek(), let sleeper = state.sleepers[head.sequence] {
                precondition(sleeper.deadline >= instant, "advanceTime(to:) would skip a sleeper; use run(until:)")
            }
            if instant > state.now { state.now = instant }
        }
    }

    private func taskFinished() {
        state.withLock { Self.markWaiting(&$0) }
    }

    /// Records that one spawned task stopped running; wakes idle waiters at zero.
    private static func markWaiting(_ state: inout State) {
        state.running -= 1
        precondition(state.running >= 0, "SimulationClock: more tasks waiting than were spawned")
        if state.running == 0 {
            let waiters = state.idleWaiters
            state.idleWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
    }
}

/// The queue sequence of one parked sleeper, which changes when an alarm brings it forward.
private final class SleeperHandle: Sendable {
    private let value: Mutex<UInt64>
    init(_ sequence: UInt64) { value = Mutex(sequence) }
    var sequence: UInt64 {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// A binary min-heap of (deadline, sequence): earliest deadline first, ties by sequence.
private struct DeadlineQueue {
    struct Entry { let deadline: Double; let sequence: UInt64 }
    private var heap: [Entry] = []

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.deadline < b.deadline || (a.deadline == b.deadline && a.sequence < b.sequence)
    }

    func peek() -> Entry? { heap.first }

    mutating func push(deadline: Double, sequence: UInt64) {
        heap.append(Entry(deadline: deadline, sequence: sequence))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, Self.before(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.before(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
