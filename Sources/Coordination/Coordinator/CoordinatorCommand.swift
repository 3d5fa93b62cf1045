public import StarlingCore

/// What the network coordinator is asked to do.
public enum CoordinatorCommand: Sendable {
    /// Notices the intake has stored and hands on, in the batches they were committed in (the
    /// decisions on a batch are recorded in one transaction).
    case ingest([AcceptedAlert])
    /// Something a telescope reported: its state, faults, and the fate of its assignments.
    case telescopeEvent(TelescopeEvent)
    /// A site's weather as its sensor reports it (where follow-ups can go).
    case weather(site: SiteID, WeatherSafety)
    /// An operator's rule for an alert kind: pin, forbid or order sites.
    case setSitePolicy(SitePolicy)
}
