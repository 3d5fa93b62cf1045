/// What happened when a reasoning model was asked to rank one telescope's candidates: how long
/// it took, whether its answer was used as given, repaired or rejected (and why), and what the
/// answer changed, measured by the deterministic core's own merit.
///
/// Kept with the plan so a night's reports, and the model check in `make bench`, can say
/// honestly what the model added.
public struct ModelConsultation: Sendable, Hashable, Codable {
    /// What became of the answer.
    public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
        /// Used as given.
        case accepted
        /// Used after near-misses with an unambiguous intent were mended (see ``repairs``).
        case repaired
        /// Not used; the deterministic ranking stands (see ``failure``).
        case rejected
    }

    /// The model's name as the server knows it.
    public let model: String
    /// Seconds from sending the question to the end of the answer. The wait for a free
    /// request slot is not included: this is the model's time, not the queue's.
    public let seconds: Double
    /// How many candidates the model was shown.
    public let candidateCount: Int
    public let verdict: Verdict
    /// Each near-miss mended, in words (e.g. "dropped the repeated id m87 (3 times)").
    public let repairs: [String]
    /// Why the answer was rejected: the error's code (e.g. `timeout`, `bad-json`) and message.
    public let failureCode: String?
    public let failure: String?
    /// Whether the model's order of the candidates differs from the core's.
    public let orderChanged: Bool
    /// Whether the planned sequence of targets differs from the deterministic plan's.
    public let scheduleChanged: Bool
    /// The deterministic plan's total merit, and the used plan's by the same measure (the
    /// core's merit, without the model's weighting); equal when the answer was rejected.
    public let deterministicMerit: Double
    public let plannedMerit: Double

    public init(
        model: String, seconds: Double, candidateCount: Int, verdict: Verdict, repairs: [String] = [], failureCode: String? = nil,
        failure: String? = nil, orderChanged: Bool = false, scheduleChanged: Bool = false, deterministicMerit: Double, plannedMerit: Double
    ) {
        self.model = model
        self.seconds = seconds
        self.candidateCount = candidateCount
        self.verdict = verdict
        self.repairs = repairs
        self.failureCode = failureCode
        self.failure = failure
        self.orderChanged = orderChanged
        self.scheduleChanged = scheduleChanged
        self.deterministicMerit = deterministicMerit
        self.plannedMerit = plannedMerit
    }
}
