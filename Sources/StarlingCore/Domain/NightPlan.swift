public import Foundation

/// One telescope's timed plan for one night.
public struct NightPlan: Sendable, Hashable, Codable, Identifiable {
    public let id: PlanID
    public let telescopeID: TelescopeID
    public let siteID: SiteID
    /// The local calendar date on which the night begins.
    public let night: CalendarDate
    /// When the plan was made (UTC).
    public let createdAt: Date
    /// The planned observations, in time order, never overlapping.
    public let entries: [PlannedObservation]
    /// Who ranked the candidates.
    public let ranking: RankingSource
    /// Notes for people: why the plan looks the way it does, model fallbacks, lost time.
    public let notes: [String]
    /// What the reasoning model was asked and what came of it, when one was asked. Absent in
    /// plans stored before it was kept (decoding treats the missing key as `nil`).
    public let modelConsultation: ModelConsultation?

    public init(
        id: PlanID, telescopeID: TelescopeID, siteID: SiteID, night: CalendarDate, createdAt: Date,
        entries: [PlannedObservation], ranking: RankingSource, notes: [String] = [], modelConsultation: ModelConsultation? = nil
    ) {
        self.id = id
        self.telescopeID = telescopeID
        self.siteID = siteID
        self.night = night
        self.createdAt = createdAt
        self.entries = entries.sorted { $0.start < $1.start }
        self.ranking = ranking
        self.notes = notes
        self.modelConsultation = modelConsultation
    }

    /// Who ranked a plan's candidates.
    public enum RankingSource: Sendable, Hashable, Codable {
        /// The deterministic merit core alone.
        case deterministic
        /// A reasoning model re-ranked the core's candidates; its trace is kept for review.
        case model(name: String, reasoningTrace: String?)
    }
}

/// One entry of a ``NightPlan``.
public struct PlannedObservation: Sendable, Hashable, Codable {
    public let request: ObservationRequest
    /// Start of the slot (UTC), including the slew and filter change that lead into it.
    public let start: Date
    /// End of the slot (UTC), after the last readout.
    public let end: Date
    /// Target altitude at the start and end of the exposures.
    public let altitudeStart: Angle
    public let altitudeEnd: Angle
    /// Worst (highest) airmass during the slot.
    public let airmass: Double
    /// The merit the scheduler gave the slot.
    public let merit: Double
    /// One line saying why this target at this time (the model's reason when it ranked).
    public let reason: String

    public init(
        request: ObservationRequest, start: Date, end: Date, altitudeStart: Angle, altitudeEnd: Angle, airmass: Double,
        merit: Double, reason: String
    ) {
        precondition(end >= start, "a planned observation cannot end before it starts")
        self.request = request
        self.start = start
        self.end = end
        self.altitudeStart = altitudeStart
        self.altitudeEnd = altitudeEnd
        self.airmass = airmass
        self.merit = merit
        self.reason = reason
    }
}
