public import Foundation

/// What the planner is asked to do.
public enum PlannerCommand: Sendable {
    /// Plan every telescope's night for a UTC date.
    case planArray(date: CalendarDate)
    /// Re-plan one telescope from an instant, after weather, a fault or a follow-up.
    case replan(telescope: TelescopeID, from: Date, reason: String)
}

/// What the planner reports.
public enum PlannerEvent: Sendable {
    case planMade(NightPlan)
}

/// What the network coordinator is asked to do.
public enum CoordinatorCommand: Sendable {
    /// A new alert notice, already durable in the store.
    case ingest(Alert)
    /// An operator's rule for an alert kind: pin, forbid or order sites.
    case setSitePolicy(SitePolicy)
}

/// What the network coordinator reports.
public enum CoordinatorEvent: Sendable {
    case alertAccepted(AlertID, at: Date)
    case alertIgnored(AlertID, reason: String, at: Date)
    case assignmentMade(Assignment)
    case assignmentChanged(AssignmentID, to: Assignment.State, reason: String, at: Date)
}

/// An operator's rule for where follow-ups of a kind of alert may go.
public struct SitePolicy: Sendable, Hashable, Codable {
    public let alertKind: Alert.Kind
    /// Sites to use first, in this order, when they can observe.
    public let preferred: [SiteID]
    /// Sites never to use.
    public let forbidden: [SiteID]
    /// If set, only these sites may be used.
    public let pinned: [SiteID]?

    public init(alertKind: Alert.Kind, preferred: [SiteID] = [], forbidden: [SiteID] = [], pinned: [SiteID]? = nil) {
        self.alertKind = alertKind
        self.preferred = preferred
        self.forbidden = forbidden
        self.pinned = pinned
    }
}

/// What the reporter is asked to do.
public enum ReporterCommand: Sendable {
    /// Measure a new frame.
    case measure(FrameRecord)
    /// Build the reports for a night.
    case buildNightReport(date: CalendarDate, site: SiteID?)
}
