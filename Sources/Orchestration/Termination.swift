import Foundation
public import Logging
public import ServiceLifecycle
import UnixSignals

/// Runs a process's services until SIGINT or SIGTERM.
public enum Termination {
    /// Runs `services` together until SIGINT or SIGTERM, then shuts them down gracefully in
    /// reverse order, each finishing before the next is asked (list the service that must stop
    /// last first), and returns. A service that returns or fails early shuts the others down
    /// gracefully too, never by cancellation: telescopes always get to close.
    public static func run(_ services: [any Service], logger: Logger) async throws {
        // A parent may have blocked these signals and the mask is inherited (execve(2)): take
        // them, so Ctrl-C and SIGTERM work however the process was started.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

extension Service {
    /// Runs this service until SIGINT or SIGTERM, then shuts it down gracefully (its `run()`
    /// sees the graceful shutdown and returns) before returning.
    public func runUntilTerminated(logger: Logger) async throws {
        try await Termination.run([self], logger: logger)
    }
}
