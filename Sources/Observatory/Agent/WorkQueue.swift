public import Foundation
public import StarlingCore

/// One piece of work for the telescope.
public enum TelescopeWork: Sendable, Hashable {
    /// A follow-up under an assignment from the network coordinator.
    case followUp(Assignment)
    /// A request to carry out as soon as possible (an operator's, or the CLI's).
    case immediate(ObservationRequest)
    /// An entry of the night plan.
    case planned(PlannedObservation)

    public var request: ObservationRequest {
        switch self {
        case .followUp(let assignment): assignment.request
        case .immediate(let request): request
        case .planned(let entry): entry.request
        }
    }

    /// Whether it may abort a running exposure of less urgent work.
    /// An alert's follow-up and a rapid-response request are; an observer's normal or
    /// time-critical request, though assigned like a follow-up, waits for running work to end.
    public var isTimeCritical: Bool { request.isTimeCritical }
}

/// What the telescope will do next, in order of urgency: follow-ups that are due (their
/// ``StarlingCore/Assignment/slewStart`` has come), then immediate requests, then the plan's
/// entries whose slot has come.
///
/// A value type with no clock: the agent asks it with the time, so the ordering is tested
/// on values.
public struct WorkQueue: Sendable {
    public private(set) var followUps: [Assignment] = []
    public private(set) var immediate: [ObservationRequest] = []
    /// The plan entries still to come, of every night loaded, by start.
    public private(set) var plan: [PlannedObservation] = []
    /// The night each entry of ``plan`` belongs to (by request id).
    private var nights: [RequestID: CalendarDate] = [:]

    public init() {}

    /// Replaces the entries of the plan's night (a new or re-made plan); entries already past
    /// are dropped. Entries of other nights stay: in a network spanning every time zone the
    /// next night's plan arrives while a western site still observes tonight's.
    ///
    /// - Parameter excluding: requests not to take from the plan (the one being observed now,
    ///   those already done tonight: a plan made while they ran may still hold them). Requests,
    ///   not targets: a target's later visit in another filter is other work.
    public mutating func load(_ plan: NightPlan, now: Date, excluding: Set<RequestID> = []) {
        let kept = self.plan.filter { nights[$0.request.id] != plan.night }
        nights = nights.filter { $0.value != plan.night }
        let loaded = plan.entries.filter { $0.end > now && !excluding.contains($0.request.id) }
        for entry in loaded { nights[entry.request.id] = plan.night }
        self.plan = (kept + loaded).sorted { ($0.start, $0.request.id.rawValue) < ($1.start, $1.request.id.rawValue) }
    }

    public mutating func add(_ request: ObservationRequest) { immediate.append(request) }

    public mutating func add(_ assignment: Assignment) {
        followUps.removeAll { $0.id == assignment.id }
        followUps.append(assignment)
        followUps.sort { ($0.slewStart, $0.plannedStart, $0.id) < ($1.slewStart, $1.plannedStart, $1.id) }
    }

    /// Takes every immediate request out of the queue.
    public mutating func removeImmediate() -> [ObservationRequest] {
        defer { immediate = [] }
        return immediate
    }

    /// Removes a follow-up (cancelled by the coordinator).
    @discardableResult
    public mutating func removeFollowUp(_ id: AssignmentID) -> Assignment? {
        guard let index = followUps.firstIndex(where: { $0.id == id }) else { return nil }
        return followUps.remove(at: index)
    }

    /// Plan entries whose slot ended before `now` without being started: the agent records
    /// why each was missed.
    public mutating func expiredEntries(at now: Date) -> [PlannedObservation] {
        let expired = plan.filter { $0.end <= now }
        plan.removeAll { $0.end <= now }
        for entry in expired { nights[entry.request.id] = nil }
        return expired
    }

    /// Follow-ups that could not start within `patience` of their planned start (the
    /// coordinator reassigns them once it hears).
    public mutating func expiredFollowUps(at now: Date, patienceSeconds patience: Double) -> [Assignment] {
        let expired = followUps.filter { $0.plannedStart.addingTimeInterval(patience) <= now }
        followUps.removeAll { $0.plannedStart.addingTimeInterval(patience) <= now }
        return expired
    }

    /// The work due at `now`, removed from the queue; `nil` when nothing is due yet.
    public mutating func next(at now: Date) -> TelescopeWork? {
        if let index = followUps.firstIndex(where: { $0.slewStart <= now }) {
            return .followUp(followUps.remove(at: index))
        }
        if !immediate.isEmpty { return .immediate(immediate.removeFirst()) }
        if let index = plan.firstIndex(where: { $0.start <= now && $0.end > now }) {
            let entry = plan.remove(at: index)
            nights[entry.request.id] = nil
            return .planned(entry)
        }
        return nil
    }

    /// Empties the queue, returning everything that was in it, most urgent first.
    public mutating func removeAll() -> [TelescopeWork] {
        defer { self = WorkQueue() }
        return followUps.map(TelescopeWork.followUp) + immediate.map(TelescopeWork.immediate) + plan.map(TelescopeWork.planned)
    }

    /// When the earliest queued follow-up may start moving.
    public var nextFollowUpStart: Date? { followUps.first?.slewStart }

    /// When the next piece of work comes due, if any is waiting.
    public var nextDue: Date? {
        if !immediate.isEmpty { return .distantPast }
        return [followUps.map(\.slewStart).min(), plan.first?.start].compactMap { $0 }.min()
    }

    /// Whether anything is left for the night.
    public var isEmpty: Bool { followUps.isEmpty && immediate.isEmpty && plan.isEmpty }

    public var count: Int { followUps.count + immediate.count + plan.count }
}
