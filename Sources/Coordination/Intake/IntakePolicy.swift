/// What the intake passes on to the coordinator and what it only records.
///
/// Every notice is stored whatever the policy says; the policy decides whether it is handed
/// on (status `received`, then `processed` by the coordinator) or recorded as `ignored`
/// with the reason.
public struct IntakePolicy: Sendable, Hashable, Codable {
    /// Hand on notices whose role is `test` (LVK mock events, GCN test packets). Off by
    /// default: a test notice is recorded and ignored.
    public var acceptsTestNotices: Bool

    /// Creates a policy.
    public init(acceptsTestNotices: Bool = false) {
        self.acceptsTestNotices = acceptsTestNotices
    }
}
