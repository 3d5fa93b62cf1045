
/// A model that re-ranks the deterministic core's best candidates for one telescope's night.
///
/// The model only orders candidates the core already found observable; it never adds a
/// target, never changes a constraint, never decides anything about safety, and is never
/// asked on the follow-up path. Any failure leaves the deterministic ranking in force.
public protocol ReasoningModel: Sendable {
    /// The model's name, recorded with the plan (e.g. `qwq-32b`).
    var name: String { get }

    /// How many questions may be in flight at once. The planner never sends more, so each
    /// question's timeout measures the model's time, not time queued behind the others
    /// (a one-slot CPU server answers one at a time).
    var concurrentRequests: Int { get }

    /// Ranks candidates, best first, with a one-line reason each.
    ///
    /// - Throws: ``ModelError`` on any failure: transport, timeout, HTTP status, a refusal,
    ///   an answer that is not the JSON asked for, or one too far from a ranking of the
    ///   candidates to mend (see ``RankingAnswer/repairs``).
    func rank(_ request: RankingRequest) async throws(ModelError) -> RankingAnswer
}

extension ReasoningModel {
    /// Four at once, unless the model says otherwise.
    public var concurrentRequests: Int { 4 }
}

/// What the model is shown: one telescope, its night, the weather, and its candidates with
/// the metrics the deterministic core computed.
public struct RankingRequest: Sendable, Hashable, Codable {
    public let telescope: String
    public let site: String
    /// The site's time zone and the local date the night begins on.
    public let timeZone: String
    public let night: String
    /// The expected weather, in words and numbers (e.g. "cloud 20 %, seeing 1.4″").
    public let weather: String
    public let candidates: [Candidate]

    /// One candidate, as the model sees it.
    public struct Candidate: Sendable, Hashable, Codable {
        /// The id the answer must use.
        public let id: String
        public let name: String
        /// Scientific priority, 0…10.
        public let priority: Double
        /// The deterministic merit at the planned time, and its rank (1 = best).
        public let merit: Double
        public let deterministicRank: Int
        /// When the core planned it: UTC and local clock time.
        public let startUTC: String
        public let startLocal: String
        public let altitudeDegrees: Double
        public let airmass: Double
        public let moonSeparationDegrees: Double
        /// Nights since the last visit and the desired cadence, when known.
        public let nightsSinceLastVisit: Double?
        public let cadenceNights: Double?

        enum CodingKeys: String, CodingKey {
            case id, name, priority, merit
            case deterministicRank = "deterministic_rank"
            case startUTC = "start_utc"
            case startLocal = "start_local"
            case altitudeDegrees = "altitude_deg"
            case airmass
            case moonSeparationDegrees = "moon_separation_deg"
            case nightsSinceLastVisit = "nights_since_last_visit"
            case cadenceNights = "cadence_nights"
        }

        public init(
            id: String, name: String, priority: Double, merit: Double, deterministicRank: Int, startUTC: String, startLocal: String,
            altitudeDegrees: Double, airmass: Double, moonSeparationDegrees: Double, nightsSinceLastVisit: Double?, cadenceNights: Double?
        ) {
            self.id = id
            self.name = name
            self.priority = priority
            self.merit = merit
            self.deterministicRank = deterministicRank
            self.startUTC = startUTC
            self.startLocal = startLocal
            self.altitudeDegrees = altitudeDegrees
            self.airmass = airmass
            self.moonSeparationDegrees = moonSeparationDegrees
            self.nightsSinceLastVisit = nightsSinceLastVisit
            self.cadenceNights = cadenceNights
        }
    }

    public init(telescope: String, site: String, timeZone: String, night: String, weather: String, candidates: [Candidate]) {
        self.telescope = telescope
        self.site = site
        self.timeZone = timeZone
        self.night = night
        self.weather = weather
        self.candidates = candidates
    }
}

/// A validated answer: candidates best first, each at most once and with a reason. Candidates
/// the answer left out keep their deterministic merit.
public struct RankingAnswer: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public let id: String
        /// One line saying why.
        public let reason: String

        public init(id: String, reason: String) {
            self.id = id
            self.reason = reason
        }
    }

    public let ranking: [Entry]
    /// The model's reasoning, when the server returned it.
    public let reasoningTrace: String?
    /// The near-misses mended to make the answer usable, in words; empty when it was used as given.
    public let repairs: [String]

    public init(ranking: [Entry], reasoningTrace: String?, repairs: [String] = []) {
        self.ranking = ranking
        self.reasoningTrace = reasoningTrace
        self.repairs = repairs
    }
}

/// Why a reasoning model's answer was not used.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Code
    /// What happened, for the plan's notes and the log.
    public let message: String

    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// No answer within the timeout.
        case timeout
        /// The server could not be reached or the connection broke.
        case transport
        /// The server answered with an HTTP error status.
        case httpStatus = "http-status"
        /// The body is not a chat-completions response (or stream) at all.
        case malformedResponse = "malformed-response"
        /// The answer was cut off (`finish_reason: length`, or a stream without its end).
        case truncated
        /// The model declined, or answered with no content.
        case refused
        /// The content holds no JSON ranking of the requested shape.
        case badJSON = "bad-json"
        /// Too few candidates ranked, the rest of the answer naming ids that were not candidates.
        case unknownIDs = "unknown-ids"
        /// Too few candidates ranked: the answer leaves most of them out.
        case missingIDs = "missing-ids"
        /// Too few candidates ranked, the rest of the answer repeating them.
        case duplicateIDs = "duplicate-ids"
        /// The configuration is unusable (bad base URL).
        case configuration
    }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
