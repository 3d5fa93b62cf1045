public import StarlingCore

/// How a catalog target becomes a survey request on a telescope: which filter, how long,
/// under which constraints, how many visits a night.
public struct SurveyPolicy: Sendable, Hashable {
    /// Filters to use, in order of preference; the first one a telescope has is used (its
    /// first filter when it has none of them).
    public var preferredFilters: [String]
    /// Open-shutter time of each survey exposure, seconds.
    public var exposureSeconds: Double
    /// Exposures per visit.
    public var exposuresPerVisit: Int
    /// The constraints of survey requests (astronomical darkness, altitude ≥ 30°, airmass ≤ 2,
    /// Moon ≥ 20° by default).
    public var constraints: ObservingConstraints
    /// Visits of one target per night across the array; 1 means no target is observed twice
    /// in a night. Extra visits go to other sites.
    public var visitsPerNight: Int

    public init(
        preferredFilters: [String] = ["r", "R", "V", "g", "clear"], exposureSeconds: Double = 300, exposuresPerVisit: Int = 1,
        constraints: ObservingConstraints = ObservingConstraints(), visitsPerNight: Int = 1
    ) {
        precondition(exposureSeconds > 0 && exposuresPerVisit >= 1 && visitsPerNight >= 1, "a survey visit takes at least one exposure")
        self.preferredFilters = preferredFilters
        self.exposureSeconds = exposureSeconds
        self.exposuresPerVisit = exposuresPerVisit
        self.constraints = constraints
        self.visitsPerNight = visitsPerNight
    }

    /// The filter this policy uses on a telescope.
    public func filter(for telescope: Telescope) -> Filter {
        for name in preferredFilters { if let filter = telescope.filter(named: name) { return filter } }
        return telescope.filters.first ?? Filter("clear")
    }

    /// The survey request for a target on a telescope for a night.
    ///
    /// The id, `survey:<target>:<local date>[#visit]`, is the same on every telescope, so a
    /// request means "this target tonight" wherever it is carried out.
    public func request(for target: Target, on telescope: Telescope, night: CalendarDate, visit: Int = 1) -> ObservationRequest {
        let id = "survey:\(target.id):\(night)" + (visit > 1 ? "#\(visit)" : "")
        return ObservationRequest(
            id: RequestID(id), target: target,
            exposures: [ExposureSpec(filter: filter(for: telescope), exposureSeconds: exposureSeconds, count: exposuresPerVisit)],
            constraints: constraints, priority: target.priority, kind: .survey)
    }
}
