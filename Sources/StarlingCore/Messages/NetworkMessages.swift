public import Foundation

// Commands and events of the network's agents. Events live here so any agent may hear any
// other's without depending on its module; a command lives with its agent's module when its
// payload is that module's own type (`CoordinatorCommand`, in Coordination).

/// What the planner is asked to do.
public enum PlannerCommand: Sendable {
    /// Plan the night that begins on a local date at each site, for some telescopes (`nil`:
    /// every telescope of the network).
    case planNight(localDate: CalendarDate, telescopes: Set<TelescopeID>?)
    /// Re-plan one telescope from an instant, after weather, a fault or a follow-up.
    case replan(telescope: TelescopeID, from: Date, reason: String)
    /// After a restart: announce each telescope's latest stored plan for the night containing
    /// the instant again, so every telescope carries on with the plan it had; plan from the
    /// instant those that have none.
    case resume(at: Date)
}

/// What the planner reports.
public enum PlannerEvent: Sendable {
    case planMade(NightPlan)
    /// A plan stored before a restart, announced again so its telescope carries on with it.
    case planRestored(NightPlan)
    /// A command could not be carried out; the telescopes keep the plans they have.
    case planningFailed(telescope: TelescopeID?, reason: String, at: Date)
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
    /// Measure every frame of an interval that has no stored quality (after a restart: frames
    /// written just before a crash keep their files and rows but may lack a measurement).
    case measureUnmeasured(DateInterval)
    /// Build the reports for a night.
    case buildNightReport(date: CalendarDate, site: SiteID?)
}

/// What the reporter reports.
public enum ReporterEvent: Sendable {
    /// A frame's quality was measured (or found unreadable) and stored.
    case frameMeasured(FrameQuality)
    /// A night's report was written; `path` is its HTML file.
    case reportWritten(night: CalendarDate, site: SiteID?, path: String, at: Date)
    case reportFailed(night: CalendarDate, site: SiteID?, reason: String, at: Date)
}
