public import StarlingCore

/// How a catalog target becomes a survey request on a telescope: which filter, how long,
/// under which constraints, how many visits a night, and what the array does with the time
/// the due visits leave.
public struct SurveyPolicy: Sendable, Hashable {
    /// Visits beyond the due ones, for telescopes the due list cannot keep busy: a target
    /// already given its due visits is visited again, in another filter, by a site (another one
    /// first) whose night has room for it.
    ///
    /// A catalog of a few thousand galaxies cannot fill a network of sixty telescopes with one
    /// visit each: the sites sharing a band of longitude share the same sky, and all but the
    /// best of them would stand open and idle. A second epoch hours later at another site, or
    /// a colour, is worth less than a due visit but more than an idle telescope.
    public struct SpareVisits: Sendable, Hashable {
        /// Most visits of one target in a night across the array, due visits included; at
        /// most ``SurveyPolicy/visitsPerNight`` means no spare visits. The default, 8, is what
        /// the shipped network needs: up to seven sites share a band of longitude, and with
        /// fewer the lowest-scoring of them (the cloudier climates) stand idle part of a clear
        /// night (`starling plan` for 2026-11-23: 17 telescopes below 80 % of the night used
        /// with 5, none but Mount John's short night with 8).
        public var maximumVisitsPerNight: Int
        /// Filters for the spare visits, in order: each spare visit takes the next of these
        /// the telescope has that no earlier visit of the target used, or the due filter again
        /// when none is left.
        public var filters: [String]
        /// The first spare visit's merit relative to a due visit's, 0…1 (the n-th spare
        /// visit's is this over n). Small enough that a due visit of the lowest priority still
        /// outweighs a spare visit of the highest: spare visits fill time, they do not take it.
        public var meritFactor: Double

        public init(maximumVisitsPerNight: Int = 8, filters: [String] = ["g", "i", "V", "B", "z"], meritFactor: Double = 0.05) {
            precondition(maximumVisitsPerNight >= 1 && meritFactor > 0 && meritFactor <= 1, "spare visits need a positive merit factor up to 1")
            self.maximumVisitsPerNight = maximumVisitsPerNight
            self.filters = filters
            self.meritFactor = meritFactor
        }

        /// No visits beyond the due ones.
        public static let none = SpareVisits(maximumVisitsPerNight: 1)
    }

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
    /// in a night. Due visits after the first go to other sites.
    public var visitsPerNight: Int
    /// What the array does with the time the due visits leave.
    public var spareVisits: SpareVisits

    public init(
        preferredFilters: [String] = ["r", "R", "V", "g", "clear"], exposureSeconds: Double = 300, exposuresPerVisit: Int = 1,
        constraints: ObservingConstraints = ObservingConstraints(), visitsPerNight: Int = 1, spareVisits: SpareVisits = SpareVisits()
    ) {
        precondition(exposureSeconds > 0 && exposuresPerVisit >= 1 && visitsPerNight >= 1, "a survey visit takes at least one exposure")
        self.preferredFilters = preferredFilters
        self.exposureSeconds = exposureSeconds
        self.exposuresPerVisit = exposuresPerVisit
        self.constraints = constraints
        self.visitsPerNight = visitsPerNight
        self.spareVisits = spareVisits
    }

    /// Visits of one target in a night across the array, due and spare.
    public var maximumVisitsPerNight: Int { max(visitsPerNight, spareVisits.maximumVisitsPerNight) }

    /// Whether a visit (1 for the first) is a spare one.
    public func isSpare(visit: Int) -> Bool { visit > visitsPerNight }

    /// A visit's merit relative to a due visit's: 1 for due visits, the spare factor over how
    /// far past the due visits a spare one is (so later visits rank after earlier ones, and
    /// none vanishes).
    public func meritWeight(visit: Int) -> Double {
        isSpare(visit: visit) ? spareVisits.meritFactor / Double(visit - visitsPerNight) : 1
    }

    /// The filter this policy uses on a telescope for due visits.
    public func filter(for telescope: Telescope) -> Filter {
        for name in preferredFilters { if let filter = telescope.filter(named: name) { return filter } }
        return telescope.filters.first ?? Filter("clear")
    }

    /// The filter of a visit on a telescope: the due filter for due visits; for the n-th spare
    /// visit, the n-th of ``SpareVisits/filters`` the telescope has other than the due filter,
    /// or the due filter when there are fewer.
    public func filter(for telescope: Telescope, visit: Int) -> Filter {
        let due = filter(for: telescope)
        guard isSpare(visit: visit) else { return due }
        var others: [Filter] = []
        for name in spareVisits.filters {
            if let filter = telescope.filter(named: name), filter.name != due.name, !others.contains(where: { $0.name == filter.name }) {
                others.append(filter)
            }
        }
        let index = visit - visitsPerNight - 1
        return index < others.count ? others[index] : due
    }

    /// The survey request for a target on a telescope for a night.
    ///
    /// The id, `survey:<target>:<local date>[#visit]`, is the same on every telescope, so a
    /// request means "this target tonight" wherever it is carried out.
    public func request(for target: Target, on telescope: Telescope, night: CalendarDate, visit: Int = 1) -> ObservationRequest {
        let id = "survey:\(target.id):\(night)" + (visit > 1 ? "#\(visit)" : "")
        return ObservationRequest(
            id: RequestID(id), target: target,
            exposures: [ExposureSpec(filter: filter(for: telescope, visit: visit), exposureSeconds: exposureSeconds, count: exposuresPerVisit)],
            constraints: constraints, priority: target.priority, kind: .survey)
    }
}
