public import Foundation
public import StarlingCore

/// What the coordinator knows about one telescope, kept up to date from its events.
public struct TelescopeAvailability: Sendable, Hashable {
    /// What the telescope is doing, as far as a follow-up is concerned.
    public enum Activity: Sendable, Hashable {
        /// Free (open or closed).
        case idle
        /// Taking survey or calibration frames: a follow-up may interrupt at once.
        case survey
        /// Busy with a follow-up until about this instant.
        case followUp(until: Date)
        /// Cannot observe (a fault, lost contact); the reason says why.
        case unavailable(String)
    }

    public let telescopeID: TelescopeID
    public let siteID: SiteID
    public var state: TelescopeState
    public var activity: Activity
    /// Where the telescope last pointed, if known.
    public var pointing: EquatorialCoordinates?

    public init(telescopeID: TelescopeID, siteID: SiteID, state: TelescopeState, activity: Activity, pointing: EquatorialCoordinates? = nil) {
        self.telescopeID = telescopeID
        self.siteID = siteID
        self.state = state
        self.activity = activity
        self.pointing = pointing
    }
}

/// The exposures Starling takes of a follow-up field, by kind of transient.
public enum FollowUpExposures {
    /// Gamma-ray bursts fade fast: three short exposures at once; gravitational-wave fields
    /// are many, so one deeper exposure each; other transients two medium exposures.
    public static func exposures(for alert: Alert, telescope: Telescope) -> [ExposureSpec] {
        let filter = telescope.filter(named: "r") ?? telescope.filters[0]
        switch alert.kind {
        case .gammaRayBurst, .xRayTransient, .fastRadioBurst: return [ExposureSpec(filter: filter, exposureSeconds: 60, count: 3)]
        case .gravitationalWave, .neutrino: return [ExposureSpec(filter: filter, exposureSeconds: 120, count: 1)]
        case .opticalTransient, .other: return [ExposureSpec(filter: filter, exposureSeconds: 120, count: 2)]
        }
    }

    /// How urgent a kind of alert is, 0…10, unless the notice says (targets of opportunity).
    public static func priority(for alert: Alert) -> Double {
        if let priority = alert.priority { return priority }
        switch alert.kind {
        case .gammaRayBurst: return 10
        case .gravitationalWave: return 9
        case .xRayTransient, .fastRadioBurst, .neutrino: return 8
        case .opticalTransient, .other: return 6
        }
    }
}
