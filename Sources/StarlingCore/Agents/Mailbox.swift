import ServiceLifecycle
import Synchronization

/// An agent's mailbox: any task posts commands; the agent's own task takes them, in the order
/// posted, and sleeps on its clock while the box is empty.
///
/// Posting never blocks and never fails. A request to stop is kept apart from the commands,
/// so an agent learns it must stop even while commands are still queued.
///
/// ```swift
/// let mailbox = Mailbox<PlannerCommand>()
/// mailbox.post(.replan(telescope: id, from: now, reason: "fault recovered"))   // any task
/// while true {                                                                // the agent's task
///     let commands = mailbox.takeAll()
///     if commands.isEmpty {
///         if mailbox.stopReason != nil { return }
///         try await mailbox.wait(on: clock)
///         continue
///     }
///     for command in commands { await handle(command) }
/// }
/// ```
///
/// Look at the box again after handling, before sleeping: rings that arrive while the owner
/// is awake are folded into one, so a sleep right after a batch could miss a stop asked
/// during it.
public final class Mailbox<Command: Sendable>: CommandReceiver {
    private struct State {
        var commands: [Command] = []
        var stopReason: String?
        var posted = 0
    }

    private let state = Mutex(State())
    /// Rung by every post and by a request to stop.
    public let alarm = Alarm()

    public init() {}

    /// Queues a command and wakes the owner.
    public func post(_ command: Command) {
        state.withLock {
            $0.commands.append(command)
            $0.posted += 1
        }
        alarm.ring()
    }

    /// Queues a command (the same as ``post(_:)``).
    public func send(_ command: Command) { post(command) }

    /// Records a request to stop (the first reason is kept) and wakes the owner.
    public func requestStop(reason: String) {
        state.withLock { state in
            if state.stopReason == nil { state.stopReason = reason }
        }
        alarm.ring()
    }

    /// Why the owner was asked to stop, once it has been.
    public var stopReason: String? { state.withLock { $0.stopReason } }

    /// Takes every queued command, oldest first.
    public func takeAll() -> [Command] {
        state.withLock { state in
            defer { state.commands.removeAll(keepingCapacity: true) }
            return state.commands
        }
    }

    /// Commands posted and not yet taken.
    public var count: Int { state.withLock { $0.commands.count } }

    /// Commands posted since the mailbox was made (for progress and metrics).
    public var postedCount: Int { state.withLock { $0.posted } }

    /// Sleeps on `clock` until a command or a stop request arrives, or until `deadline`.
    ///
    /// Returns at once if something arrived since the last wait.
    /// - Throws: `CancellationError` when the task is cancelled.
    @discardableResult
    public func wait(on clock: any UTCClock, until deadline: UTCInstant? = nil) async throws -> WakeReason {
        // A day is "forever" for an agent: it looks again, which costs nothing.
        let until = deadline ?? clock.now.advanced(by: .seconds(86_400))
        return try await clock.sleep(until: until, orUntil: alarm)
    }

    /// Runs an agent's life so that a graceful shutdown of the service group it runs in (a
    /// SIGTERM to `starling serve`) asks the owner to stop, like ``requestStop(reason:)``.
    public func runStoppingOnGracefulShutdown<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async rethrows -> T {
        try await withGracefulShutdownHandler(isolation: isolation, operation: body) { [self] in
            requestStop(reason: "the service is shutting down")
        }
    }
}
