/// A source of notices that feeds an ``AlertIntake``: a VOEvent broker, a watched folder, …
///
/// A transport acknowledges a notice to its sender (or moves its file) only after
/// ``AlertIntake/submit(_:transport:)`` has returned, that is, once the notice is durable.
public protocol AlertTransport: Sendable {
    /// How stored notices name their origin: `vtp://host:port`, `folder:/path`.
    var name: String { get }

    /// Feeds the intake until the calling task is cancelled, recovering from failures
    /// (reconnecting, rescanning) by itself.
    func run(into intake: AlertIntake) async
}
