public import ServiceLifecycle

/// The one shape every Starling agent has, so one host runs any of them the same way.
///
/// - **A mailbox.** ``send(_:)`` queues a command in the agent's ``Mailbox`` and returns at
///   once: the sender never waits for the agent, whatever the agent is doing (a telescope in
///   the middle of a 300 s exposure still takes an abort at once, in its own task).
/// - **A life on the injected clock.** `run()` (swift-service-lifecycle's `Service`) takes
///   commands and does the agent's work on its ``UTCClock`` until the agent has stopped or the
///   task is cancelled. Under a ``SimulationClock`` the host starts it with
///   ``UTCClock/spawn(named:_:)``, so the simulated timeline counts it.
/// - **One way to stop.** ``stop(reason:)`` asks the agent to finish in order (a telescope
///   closes and parks, a planner finishes the plan in hand); `run()` returns when it has.
///   Graceful shutdown of a `ServiceGroup` (SIGTERM) calls it too, so a signal and a host's
///   request are the same path. Cancelling the task is the hard stop.
/// - **Events out.** An agent reports through one ``EventHandler`` its host gives it, called
///   synchronously from the agent's own task; the handler routes without waiting (it posts
///   to other agents' mailboxes), so no agent ever awaits another inline.
///
/// ```swift
/// let agent = TelescopeAgent(…, events: { event in router.route(.telescope(event)) })
/// clock.spawn(named: "la-palma-1m-a") { try? await agent.run() }
/// agent.send(.load(plan))
/// agent.stop(reason: "dawn")
/// ```
public protocol Agent<Command, Event>: CommandReceiver, Service {
    /// What the agent reports, in the past tense.
    associatedtype Event: Sendable

    /// Asks the agent to finish in order and return from `run()`; returns at once. Asking
    /// twice is the same as asking once.
    nonisolated func stop(reason: String)
}

/// Anything commands can be posted to without waiting: an agent, or a ``Mailbox``.
public protocol CommandReceiver<Command>: Sendable {
    /// What can be asked.
    associatedtype Command: Sendable

    /// Queues a command and wakes the receiver; returns at once.
    nonisolated func send(_ command: Command)
}

/// Receives an agent's events, synchronously, from the agent's task. It must not block: route
/// by posting to mailboxes, never by awaiting another agent.
public typealias EventHandler<Event: Sendable> = @Sendable (Event) -> Void
