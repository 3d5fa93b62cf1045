public import Foundation
public import StarlingCore

/// Where Starling keeps what must not be lost: alerts, requests and observations, frames and
/// their quality, plans, follow-up assignments, the night's journal and people's reviews.
///
/// Durability: every method that writes returns only after its transaction has committed;
/// a value a caller has been told is saved survives a crash of the process. Writes that
/// belong together (an observation and its frames) are one transaction.
///
/// The store is split into small protocols so each agent depends on what it uses;
/// ``Store`` is all of them. ``SQLiteStore`` implements it over one SQLite file;
/// `PostgresStore` (module `PersistencePostgres`), for sites on separate machines, over a
/// PostgreSQL database, with the same answers (docs/storage.md).
public protocol Store: AlertStore, ObservationStore, PlanStore, AssignmentStore, JournalStore, ReviewStore, RunStore, TokenStore, RequestGroupStore {}

/// Alerts: stored before they are acknowledged, processed exactly once.
public protocol AlertStore: Sendable {
    /// Stores notices in one transaction.
    ///
    /// - Returns: for each record, `true` if it was new, `false` if a notice with that id was
    ///   already stored (a duplicate delivery; the stored one is kept unchanged).
    func insertAlerts(_ records: [AlertRecord]) async throws(StoreError) -> [Bool]

    /// Notices not yet processed, oldest first: what a restarted coordinator must finish.
    func unprocessedAlerts(limit: Int) async throws(StoreError) -> [AlertRecord]

    /// Records how a notice was handled. Only a `received` notice changes; marking a notice
    /// twice is a no-op, which makes processing exactly-once.
    ///
    /// - Returns: `true` if this call moved the notice out of `received`.
    @discardableResult
    func markAlert(_ id: AlertID, status: AlertRecord.Status, note: String) async throws(StoreError) -> Bool

    /// A stored notice by id.
    func alert(_ id: AlertID) async throws(StoreError) -> AlertRecord?

    /// Every stored notice of an event, in order of receipt.
    func alerts(event eventID: String) async throws(StoreError) -> [AlertRecord]

    /// Notices received in an interval, in order of receipt.
    func alerts(receivedIn interval: DateInterval) async throws(StoreError) -> [AlertRecord]
}

/// Requests, what became of them, and the frames they produced.
public protocol ObservationStore: Sendable {
    /// Stores a request (replacing one with the same id).
    func saveRequest(_ request: ObservationRequest) async throws(StoreError)

    /// Stores an observation with its frames in one transaction (replacing one with the same id).
    func saveObservation(_ observation: Observation) async throws(StoreError)

    /// Observations that started in an interval, optionally at one site, by start time.
    func observations(startedIn interval: DateInterval, site: SiteID?) async throws(StoreError) -> [Observation]

    /// Observations of a request (one per attempt), by start time.
    func observations(of request: RequestID) async throws(StoreError) -> [Observation]

    /// The last completed visit of each target, for survey cadence.
    ///
    /// - Parameter before: only visits that started before this instant.
    /// - Returns: a start time per target that has ever been observed; absent targets never were.
    func lastVisits(before: Date) async throws(StoreError) -> [TargetID: Date]

    /// Stores the quality measured for a frame (replacing an earlier measurement).
    func saveFrameQuality(_ quality: FrameQuality) async throws(StoreError)

    /// Frames that started in an interval with their quality when measured, by start time.
    func frames(startedIn interval: DateInterval, site: SiteID?) async throws(StoreError) -> [(frame: FrameRecord, quality: FrameQuality?)]

    /// A frame by id.
    func frame(_ id: FrameID) async throws(StoreError) -> FrameRecord?

    /// The quality stored for a frame, if it has been measured (or modelled).
    ///
    /// - Returns: `nil` when no quality has been stored for the frame.
    func frameQuality(of frame: FrameID) async throws(StoreError) -> FrameQuality?

    /// An observation by id.
    ///
    /// - Returns: `nil` when no observation has that id.
    func observation(_ id: ObservationID) async throws(StoreError) -> Observation?

    /// How many observations of a telescope are stored (a restarted agent numbers its next
    /// observations after them, so no id is used twice).
    func observationCount(telescope: TelescopeID) async throws(StoreError) -> Int
}

/// Night plans, every version kept.
public protocol PlanStore: Sendable {
    /// Stores a plan (a re-plan is a new plan with its own id).
    func savePlan(_ plan: NightPlan) async throws(StoreError)

    /// The latest plan of each telescope for a night, optionally at one site.
    func latestPlans(night: CalendarDate, site: SiteID?) async throws(StoreError) -> [NightPlan]

    /// Every plan of a telescope for a night, oldest first.
    func plans(telescope: TelescopeID, night: CalendarDate) async throws(StoreError) -> [NightPlan]
}

/// Follow-up assignments and their leases.
public protocol AssignmentStore: Sendable {
    /// Stores an assignment or its new state (by id).
    func saveAssignment(_ assignment: Assignment) async throws(StoreError)

    /// Assignments of an alert (or of every alert), by planned start.
    func assignments(alert: AlertID?) async throws(StoreError) -> [Assignment]

    /// Assignments not yet in a final state.
    func openAssignments() async throws(StoreError) -> [Assignment]

    /// Records the coordinator's decision on a notice in one transaction: the assignments it
    /// made and the notice's new status. This is what makes processing exactly-once: if the
    /// notice is no longer `received` (a previous run decided before crashing), nothing is
    /// written and the call returns `false`.
    ///
    /// - Returns: `true` if the decision was recorded, `false` if the notice was already decided.
    func recordDecision(alert: AlertID, status: AlertRecord.Status, note: String, assignments: [Assignment]) async throws(StoreError) -> Bool

    /// Records several decisions, each with its journal lines, in one transaction (one disk
    /// sync for a burst of alerts). Each decision is recorded only if its notice is still
    /// `received`, as ``recordDecision(alert:status:note:assignments:)``.
    ///
    /// - Returns: for each decision, whether it was recorded.
    func recordDecisions(_ decisions: [AlertDecision]) async throws(StoreError) -> [Bool]
}

/// The coordinator's decision on one notice, as stored in one transaction with others.
public struct AlertDecision: Sendable {
    public let alert: AlertID
    public let status: AlertRecord.Status
    public let note: String
    public let assignments: [Assignment]
    /// Lines for the night's journal, written only if the decision is.
    public let journal: [JournalEntry]

    public init(alert: AlertID, status: AlertRecord.Status, note: String, assignments: [Assignment], journal: [JournalEntry] = []) {
        self.alert = alert
        self.status = status
        self.note = note
        self.assignments = assignments
        self.journal = journal
    }
}

/// The journal of the night.
public protocol JournalStore: Sendable {
    /// Appends entries in one transaction.
    func appendJournal(_ entries: [JournalEntry]) async throws(StoreError)

    /// Entries in an interval, optionally about one site, in time order.
    func journal(in interval: DateInterval, site: SiteID?) async throws(StoreError) -> [JournalEntry]
}

/// People's reviews of frames and observations.
public protocol ReviewStore: Sendable {
    /// Stores a review; earlier reviews of the same subject are kept (the latest one counts).
    func saveReview(_ review: Review) async throws(StoreError)

    /// Reviews of a subject, latest last.
    func reviews(of subject: Review.Subject) async throws(StoreError) -> [Review]

    /// Every review made in an interval.
    func reviews(madeIn interval: DateInterval) async throws(StoreError) -> [Review]
}

extension AlertStore {
    /// Stores one notice. Returns `false` if it was already stored.
    public func insertAlert(_ record: AlertRecord) async throws(StoreError) -> Bool {
        try await insertAlerts([record])[0]
    }
}

/// How far a run (a simulated night, identified by scenario, date and seed) has got, so that
/// a run killed part-way resumes where it stopped instead of starting over.
public protocol RunStore: Sendable {
    /// The run's progress, or `nil` if it never started.
    func run(_ id: String) async throws(StoreError) -> RunProgress?
    /// Records that the run has reached an instant (creating the run if new).
    func checkpoint(run id: String, reached: Date, startedAt: Date) async throws(StoreError)
    /// Records that the run finished.
    func finishRun(_ id: String, at: Date) async throws(StoreError)
}

/// A run's progress.
public struct RunProgress: Sendable, Hashable {
    public let id: String
    public let startedAt: Date
    /// The latest instant (on the run's clock) everything before which is stored.
    public let reached: Date
    public let isFinished: Bool

    public init(id: String, startedAt: Date, reached: Date, isFinished: Bool) {
        self.id = id
        self.startedAt = startedAt
        self.reached = reached
        self.isFinished = isFinished
    }
}

/// Observation requests submitted through the request API (the OCS request groups).
///
/// The store gives each group and each of its requests a positive whole-number id, rising,
/// never reused: the ids observers' tools (TOM Toolkit) keep.
public protocol RequestGroupStore: Sendable {
    /// Stores a new group in one transaction, numbering it and its requests.
    ///
    /// - Parameter group: the group as validated; its ids and those of its requests are ignored.
    /// - Returns: the group as stored, with its ids.
    func insertRequestGroup(_ group: RequestGroup) async throws(StoreError) -> RequestGroup

    /// A group by id; `nil` when there is none.
    func requestGroup(id: Int) async throws(StoreError) -> RequestGroup?

    /// The group a request belongs to; `nil` when no request has that id.
    func requestGroup(containingRequest requestID: Int) async throws(StoreError) -> RequestGroup?

    /// Every group, oldest first.
    func requestGroups() async throws(StoreError) -> [RequestGroup]

    /// Marks a group cancelled (kept, and listed as cancelled from then on).
    ///
    /// - Returns: the group as it now is (cancelled at the first call's instant); `nil` when
    ///   there is no such group.
    func cancelRequestGroup(id: Int, at: Date) async throws(StoreError) -> RequestGroup?
}

/// API tokens of the HTTP service. Only a digest of each token's secret is stored, so the
/// store cannot give a token away; the secret is shown once, when the token is made.
public protocol TokenStore: Sendable {
    /// Stores a new token.
    ///
    /// - Throws: ``StoreError`` `.failed` when a token with that id or digest exists.
    func saveToken(_ token: APIToken) async throws(StoreError)

    /// The token whose secret has this digest, revoked or not; `nil` when there is none.
    func token(digest: String) async throws(StoreError) -> APIToken?

    /// Every token, oldest first.
    func tokens() async throws(StoreError) -> [APIToken]

    /// Revokes a token (it stays listed, and is refused from then on).
    ///
    /// - Returns: `false` when no token has that id.
    @discardableResult
    func revokeToken(id: String, at: Date) async throws(StoreError) -> Bool
}

/// An API token as stored: who it is for, what it may do, and a digest of its secret.
public struct APIToken: Sendable, Hashable, Codable {
    /// A short public id (shown in lists and logs; not the secret).
    public let id: String
    /// Who or what the token is for, e.g. "night-observer".
    public let name: String
    public let role: AccessRole
    /// The lower-case hex SHA-256 of the secret.
    public let digest: String
    public let createdAt: Date
    public let revokedAt: Date?

    public init(id: String, name: String, role: AccessRole, digest: String, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.digest = digest
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }
}
