import Foundation
import Logging
import StarlingCore
import ServiceLifecycle
import Synchronization

/// The agents (and other services) a host runs: each in its own task on the host's clock,
/// started in the order given, so a simulated night starts them the same way every time.
///
/// A host stops them in groups (telescopes first, so their last events reach the others) with
/// ``stop(_:reason:)`` and waits with ``waitUntilFinished(_:driving:)``, which under a
/// simulation clock that nobody else drives moves the clock on while it waits (closing a
/// telescope takes simulated time).
final class AgentTasks: Sendable {
    private struct Entry: Sendable {
        let name: String
        let group: Group
        let task: Task<Void, Never>
        let stop: @Sendable (String) -> Void
    }

    /// The order in which a host stops what it runs.
    enum Group: Int, Sendable, Comparable, CaseIterable {
        /// Telescope agents: they close and park, and answer what they hold.
        case telescopes
        /// The planner and the coordinator (and alert transports).
        case network
        /// The Reporter: it measures what the telescopes wrote last.
        case reporter
        /// The router: it writes the last journal lines.
        case router

        static func < (lhs: Group, rhs: Group) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let clock: any UTCClock
    private let logger: Logger
    private let entries = Mutex<[Entry]>([])
    private let finished = Mutex<Set<String>>([])
    private let failures = Mutex<[String]>([])

    init(clock: any UTCClock, logger: Logger) {
        self.clock = clock
        self.logger = logger
    }

    /// Starts an agent's `run()` in a task on the clock.
    func start(_ name: String, _ group: Group, _ agent: some Agent) {
        start(name, group, run: { try await agent.run() }, stop: { agent.stop(reason: $0) })
    }

    /// Starts a service's `run()` in a task on the clock; `stop` asks it to return.
    func start(_ name: String, _ group: Group, run: @escaping @Sendable () async throws -> Void, stop: @escaping @Sendable (String) -> Void) {
        let logger = self.logger
        let task = clock.spawn(named: name) { [self] in
            do {
                try await run()
            } catch is CancellationError {
                // A hard stop: nothing to report.
            } catch {
                logger.critical("An agent stopped with an error", metadata: ["agent": "\(name)", "error": "\(error)"])
                self.failures.withLock { $0.append("\(name): \(error)") }
            }
            self.finished.withLock { _ = $0.insert(name) }
        }
        entries.withLock { $0.append(Entry(name: name, group: group, task: task, stop: stop)) }
    }

    /// Asks everything of a group to stop; returns at once.
    func stop(_ group: Group, reason: String) {
        for entry in entries.withLock({ $0 }) where entry.group == group { entry.stop(reason) }
    }

    /// Whether everything of a group has returned.
    func hasFinished(_ group: Group) -> Bool {
        let names = entries.withLock { $0.filter { $0.group == group }.map(\.name) }
        return finished.withLock { done in names.allSatisfy(done.contains) }
    }

    /// Waits until everything of a group has returned. With `driving`, moves that simulation
    /// clock on (a minute at a time) while waiting: the host is the clock's only driver.
    func waitUntilFinished(_ group: Group, driving clock: SimulationClock? = nil) async {
        if let clock {
            while !hasFinished(group) {
                await clock.run(until: clock.now.advanced(by: .seconds(60)))
            }
        } else {
            for entry in entries.withLock({ $0 }) where entry.group == group { await entry.task.value }
        }
    }

    /// Stops every group in order, waiting for each before the next.
    func stopAll(reason: String, driving clock: SimulationClock? = nil) async {
        for group in Group.allCases {
            stop(group, reason: reason)
            await waitUntilFinished(group, driving: clock)
        }
    }

    /// Cancels every task (the hard stop).
    func cancelAll() {
        for entry in entries.withLock({ $0 }) { entry.task.cancel() }
    }

    /// Agents that stopped with an error, as `name: error`.
    var failed: [String] { failures.withLock { $0 } }
}
