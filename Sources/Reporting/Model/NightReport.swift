public import Foundation
public import StarlingCore

/// Everything a night report says, as one value: what the HTML, Markdown and JSON files
/// render. One site's night, or the whole network's.
///
/// The JSON form (`report.json`) is this value encoded by ``NightReport/jsonData()``: keys in
/// snake_case, instants in ISO 8601 UTC, angles in degrees, absent values left out. Its schema
/// is `docs/report-schema.json`; `docs/reports.md` says where each number comes from.
///
/// ```swift
/// let builder = NightReportBuilder(store: store, network: network, surveyCatalog: catalog)
/// let report = try await builder.build(night: CalendarDate("2026-11-23")!, site: "teide", generatedAt: clock.currentDate)
/// print(report.totals.completed, "of", report.totals.planned, "planned observations completed")
/// ```
public struct NightReport: Sendable, Hashable, Codable {
    /// The version of the JSON layout; raised when a field changes meaning or is removed.
    public static let currentSchemaVersion = 1

    /// The JSON layout's version (``currentSchemaVersion`` when built by this version).
    public var schemaVersion: Int
    /// When the report was built (UTC, on the Reporter's clock).
    public var generatedAt: Date
    /// The local calendar date on which the night begins at each site.
    public var night: CalendarDate
    /// Whether this is one site's report or the network's.
    public var scope: Scope
    /// The site reported on; `nil` for the network.
    public var siteID: SiteID?
    /// The UTC span the report covers: from the first site's local noon to the last site's next local noon.
    public var interval: TimeSpan
    /// The night in numbers.
    public var totals: Totals
    /// Each site's night: darkness, Moon, hours open.
    public var sites: [SiteNight]
    /// Each telescope's night.
    public var telescopes: [TelescopeNight]
    /// Every planned request and every observation made, with what became of it.
    public var observations: [ObservationEntry]
    /// Why planned observations were not done, by cause.
    public var shortfalls: [Shortfall]
    /// The night's story from the journal: weather, faults, recoveries, safety actions,
    /// decisions, plans, alerts and notes (telescope state changes are summarised as hours open).
    public var events: [Event]
    /// Every frame of the night with its quality and latest review.
    public var frames: [FrameEntry]
    /// Every follow-up: the alert, where it went and why, and what came of it.
    public var followUps: [FollowUp]
    /// The survey's progress against its cadence; `nil` when no survey targets are known.
    public var survey: SurveyProgress?
    /// The latest plan of each telescope: who ranked it and its notes.
    public var plans: [PlanSummary]
    /// Plans ranked by a reasoning model: its reasons and its reasoning trace.
    public var rankings: [ModelRanking]
    /// What to do next night.
    public var suggestions: Suggestions
    /// Every review of the night's frames and observations, oldest first.
    public var reviews: [ReviewEntry]
    /// The plots written beside the report (filled in when the report is written).
    public var figures: [Figure]
    /// Thumbnails of representative frames (chosen when built, drawn when written).
    public var thumbnails: [Thumbnail]

    /// Which part of the network a report covers.
    public enum Scope: String, Sendable, Hashable, Codable {
        case site, network
    }

    /// The report as JSON bytes: snake_case keys, ISO 8601 UTC instants (with milliseconds
    /// when not on a whole second), sorted keys (so the same report is the same text).
    ///
    /// - Throws: ``ReportingError`` `.encodingFailed` if a value cannot be encoded.
    public func jsonData() throws(ReportingError) -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.instantText(date))
        }
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw ReportingError(.encodingFailed, "cannot encode the night report as JSON", underlying: error)
        }
    }

    /// An instant as ISO 8601 UTC, rounded to the millisecond: `2026-11-23T21:30:40Z`, or
    /// `2026-11-23T21:30:40.125Z` when not on a whole second. The milliseconds are computed
    /// as an integer, so reading the text back and writing it again gives the same text.
    static func instantText(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let fraction = Int(milliseconds - seconds * 1000)
        let whole = ISO8601.string(from: Date(timeIntervalSince1970: seconds), fractionalSeconds: false)
        guard fraction != 0 else { return whole }
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// The property name of a snake_case key: the inverse of `convertToSnakeCase` for the
    /// names this type uses, whose acronyms (`ID`, `FWHM`, `ADU`) are upper case
    /// (`site_id` → `siteID`, `median_fwhm_arcseconds` → `medianFWHMArcseconds`).
    private static func camelCaseKey(_ key: String) -> any CodingKey {
        let acronyms: Set<Substring> = ["id", "fwhm", "adu"]
        var words = key.split(separator: "_")
        guard !words.isEmpty else { return JSONKey(key) }
        let first = words.removeFirst()
        let rest = words.map { acronyms.contains($0) ? $0.uppercased() : $0.prefix(1).uppercased() + $0.dropFirst() }
        return JSONKey(String(first) + rest.joined())
    }

    private struct JSONKey: CodingKey {
        let stringValue: String
        let intValue: Int? = nil
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    /// Reads a report from its JSON form.
    ///
    /// - Throws: ``ReportingError`` `.encodingFailed` when the bytes are not a report.
    public static func decode(jsonData data: Data) throws(ReportingError) -> NightReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in Self.camelCaseKey(path.last?.stringValue ?? "") }
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 instant")
            }
            return date
        }
        do {
            return try decoder.decode(NightReport.self, from: data)
        } catch {
            throw ReportingError(.encodingFailed, "the bytes are not a night report", underlying: error)
        }
    }
}

/// A UTC time span (a JSON-friendly `DateInterval`).
public struct TimeSpan: Sendable, Hashable, Codable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        precondition(end >= start, "a time span cannot end before it starts")
        self.start = start
        self.end = end
    }

    public init(_ interval: DateInterval) {
        self.init(start: interval.start, end: interval.end)
    }

    /// The span as a `DateInterval`.
    public var dateInterval: DateInterval { DateInterval(start: start, end: end) }
    /// Length, hours.
    public var hours: Double { end.timeIntervalSince(start) / 3600 }
}

// MARK: - Totals, sites and telescopes

extension NightReport {
    /// The night in numbers, over the report's scope.
    public struct Totals: Sendable, Hashable, Codable {
        /// Telescopes with a plan or an observation this night.
        public var telescopes: Int
        /// Requests planned (in any version of a plan).
        public var planned: Int
        /// Planned requests by what became of them.
        public var completed: Int
        public var refused: Int
        public var aborted: Int
        public var failed: Int
        /// Planned requests never attempted while still in the plan.
        public var notAttempted: Int
        /// Planned requests a re-plan dropped before they were attempted.
        public var dropped: Int
        /// Observations of requests that were in no plan (follow-ups, requests sent directly).
        public var unplanned: Int
        /// Frames written.
        public var frames: Int
        /// Frames by the state of their quality.
        public var framesMeasured: Int
        public var framesModelled: Int
        public var framesCorrupt: Int
        public var framesMissing: Int
        public var framesUnmeasured: Int
        /// Open-shutter time of light frames, hours.
        public var exposureHours: Double
        /// Astronomical darkness summed over the telescopes, hours.
        public var darkHours: Double
        /// Time the telescopes were open, summed, hours.
        public var openHours: Double
        /// Fraction of the dark hours during which the telescopes were open, 0…1; `nil` without darkness.
        public var openFraction: Double?
        /// Medians over the measured and modelled light frames; `nil` when none has the value.
        public var medianFWHMArcseconds: Double?
        public var medianTransparency: Double?
        public var medianLimitingMagnitude: Double?
        /// Alerts followed up (with an assignment or an observation this night).
        public var followUps: Int
    }

    /// One site's night.
    public struct SiteNight: Sendable, Hashable, Codable {
        public var siteID: SiteID
        public var name: String
        /// The site's IANA time zone, for local times.
        public var timeZone: String
        /// Local noon to the next local noon (UTC): the span this site's records are taken from.
        public var window: TimeSpan
        /// Astronomical darkness (Sun below −18°); `nil` when the Sun never gets that low.
        public var dark: TimeSpan?
        /// Length of ``dark``, hours (0 without darkness).
        public var darkHours: Double
        /// Illuminated fraction of the Moon at local midnight, 0…1.
        public var moonIllumination: Double
        /// The site's telescopes in this report.
        public var telescopes: [TelescopeID]
        /// Hours open summed over the telescopes.
        public var openHours: Double
        /// Fraction of the telescopes' dark hours spent open, 0…1; `nil` without darkness.
        public var openFraction: Double?
        /// Planned requests and how many were completed.
        public var planned: Int
        public var completed: Int
        /// Frames written.
        public var frames: Int
        /// Median FWHM of the site's measured or modelled light frames, arcseconds.
        public var medianFWHMArcseconds: Double?
    }

    /// One telescope's night.
    public struct TelescopeNight: Sendable, Hashable, Codable {
        public var telescopeID: TelescopeID
        public var siteID: SiteID
        /// The telescope's name from the network configuration, when known.
        public var name: String?
        /// Planned requests and what became of them (as in ``Totals``).
        public var planned: Int
        public var completed: Int
        public var refused: Int
        public var aborted: Int
        public var failed: Int
        public var notAttempted: Int
        public var dropped: Int
        public var unplanned: Int
        /// Frames written, and how many could not be read or were not found.
        public var frames: Int
        public var framesCorrupt: Int
        public var framesMissing: Int
        /// Hours open, and the spans.
        public var openHours: Double
        public var openIntervals: [TimeSpan]
        /// Where ``openHours`` comes from.
        public var openHoursSource: OpenHoursSource
        /// Fraction of the site's dark hours spent open, 0…1; `nil` without darkness.
        public var openFraction: Double?
        /// Open-shutter time of its light frames within the site's astronomical darkness, hours.
        public var exposureDarkHours: Double
        /// Fraction of the site's dark hours spent exposing light frames, 0…1; `nil` without
        /// darkness. What a clear night should keep high: time open but not exposing is lost.
        public var exposingFraction: Double?
        /// Faults journalled, and how many were still unrecovered at the end of the report.
        public var faults: Int
        public var unrecoveredFaults: Int
        /// Medians over the telescope's measured or modelled light frames.
        public var medianFWHMArcseconds: Double?
        public var medianEllipticity: Double?
        public var medianTransparency: Double?
        public var medianLimitingMagnitude: Double?
        /// How many versions of its plan were made this night (1 + re-plans).
        public var planVersions: Int
        /// Who ranked its latest plan: `deterministic` or `model`; `nil` without a plan.
        public var ranking: PlanSummary.Ranking?
    }

    /// Where a telescope's hours open come from.
    public enum OpenHoursSource: String, Sendable, Hashable, Codable {
        /// From the journal's state changes (open from entering `idle`/`slewing`/`exposing`/
        /// `reading-out` until entering `closing`/`closed`/`parked`).
        case journal
        /// No state changes were journalled: from the first frame's start to the last frame's end.
        case frames
        /// Neither: no state changes and no frames.
        case none
    }
}

// MARK: - Planned against done

extension NightReport {
    /// A planned request or an observation, with what became of it.
    public struct ObservationEntry: Sendable, Hashable, Codable {
        public var requestID: RequestID
        public var targetID: TargetID
        /// The target's name, when a plan or assignment gave it.
        public var targetName: String?
        /// `survey`, `follow-up` or `calibration`; `nil` when only the observation is known.
        public var kind: ObservationRequest.Kind?
        public var telescopeID: TelescopeID
        public var siteID: SiteID
        /// The target's position, when known (plan, assignment or frame pointing), degrees ICRS.
        public var rightAscensionDegrees: Double?
        public var declinationDegrees: Double?
        /// Whether the request was in a plan.
        public var wasPlanned: Bool
        /// The slot in the latest plan that held it (or the last plan that did), UTC.
        public var plannedStart: Date?
        public var plannedEnd: Date?
        /// What became of it.
        public var status: Status
        /// Why it was not done, by cause; `nil` when completed.
        public var cause: Shortfall.Cause?
        /// The outcome's reason code (``Reason/Code``), when there is one.
        public var reasonCode: String?
        /// A sentence saying why, with the numbers.
        public var reason: String?
        /// The last attempt, its times and frames.
        public var observationID: ObservationID?
        public var started: Date?
        public var ended: Date?
        /// How many times it was attempted.
        public var attempts: Int
        /// Frames written by all attempts.
        public var frameCount: Int
        /// The latest review of the last attempt, if any.
        public var review: ReviewEntry?

        /// What became of a request.
        public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
            case completed, refused, aborted, failed
            /// Still in the plan, never attempted.
            case notAttempted = "not-attempted"
            /// Dropped by a re-plan before it was attempted.
            case dropped
        }
    }

    /// Planned observations not done, by cause.
    public struct Shortfall: Sendable, Hashable, Codable {
        public var cause: Cause
        /// Planned requests lost to this cause.
        public var count: Int
        /// Their planned slots, summed, hours.
        public var plannedHours: Double

        /// Why a planned observation was not done.
        public enum Cause: String, Sendable, Hashable, Codable, CaseIterable {
            /// Weather unsafe or unknown, or the telescope closed after a weather or safety entry.
            case weather
            /// A device or telescope fault, a timeout, a lost connection.
            case fault
            /// Pre-empted by a follow-up, stopped by an operator, a lease or a retraction.
            case interruption
            /// The plan had gone stale: at dispatch the target no longer met its constraints
            /// (below the horizon, too high an airmass, Sun, Moon, twilight, outside its window).
            case staleTarget = "stale-target"
            /// The telescope was closed, with no weather or fault recorded.
            case closed
            /// The night ended first.
            case endOfNight = "end-of-night"
            /// The request could not be carried out as written (unsupported filter, invalid).
            case invalidRequest = "invalid-request"
            /// A re-plan dropped it before it was attempted.
            case droppedAtReplan = "dropped-at-replan"
            /// Still in the plan and the telescope open, but never started (the queue ran late,
            /// or the report was built before the night ended).
            case notReached = "not-reached"
        }
    }
}

// MARK: - Journal, frames and reviews

extension NightReport {
    /// A journal entry.
    public struct Event: Sendable, Hashable, Codable {
        public var time: Date
        /// Who or what it is about: a telescope, a site, an alert, `network`.
        public var subject: String
        public var siteID: SiteID?
        /// The journal kind: `fault`, `recovery`, `safety`, `weather`, `plan`, `decision`, `alert`, `note`.
        public var kind: String
        public var message: String
    }

    /// A frame with its quality.
    public struct FrameEntry: Sendable, Hashable, Codable {
        public var frameID: FrameID
        public var observationID: ObservationID
        public var telescopeID: TelescopeID
        public var siteID: SiteID
        public var targetID: TargetID?
        public var imageType: FrameRecord.ImageType
        public var filter: String
        public var exposureSeconds: Double
        /// Start of the exposure, UTC.
        public var started: Date
        public var airmass: Double?
        /// Where the telescope pointed, degrees ICRS.
        public var rightAscensionDegrees: Double?
        public var declinationDegrees: Double?
        /// The FITS file as recorded.
        public var path: String
        public var quality: Quality
        /// The latest review of the frame, if any.
        public var review: ReviewEntry?

        /// Whether this frame counts in the image-quality statistics: a light frame measured
        /// from its pixels or modelled by the simulator.
        public var hasMetrics: Bool {
            imageType == .light && (quality.status == .measured || quality.status == .modelled)
        }
    }

    /// A frame's quality as the report shows it.
    public struct Quality: Sendable, Hashable, Codable {
        /// `measured` (from pixels), `modelled` (simulator metrics, no pixels), `corrupt`,
        /// `missing`, or `unmeasured` (no measurement stored yet).
        public var status: Status
        /// Why a corrupt frame could not be read.
        public var problem: String?
        /// When the measurement was made (UTC).
        public var measuredAt: Date?
        /// Median sky background, ADU.
        public var backgroundADU: Double?
        /// Background noise (RMS), ADU.
        public var noiseADU: Double?
        public var fwhmPixels: Double?
        public var fwhmArcseconds: Double?
        /// Median ellipticity 1 − b/a.
        public var ellipticity: Double?
        public var sourceCount: Int?
        /// Fraction of pixels at or above saturation, 0…1.
        public var saturatedFraction: Double?
        /// 5σ point-source limiting magnitude.
        public var limitingMagnitude: Double?
        /// The zero point used: measured against reference stars when possible, else the expected one.
        public var zeroPoint: Double?
        /// Measured flux of reference stars relative to the cloud-free expectation (1 = clear).
        public var transparency: Double?

        public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
            case measured, modelled, corrupt, missing, unmeasured
        }
    }

    /// A person's review, as reports show it.
    public struct ReviewEntry: Sendable, Hashable, Codable {
        /// `frame` or `observation`.
        public var subjectKind: SubjectKind
        /// The frame's or observation's id.
        public var subjectID: String
        public var decision: Review.Decision
        public var note: String
        public var reviewer: String
        public var reviewedAt: Date

        public enum SubjectKind: String, Sendable, Hashable, Codable {
            case frame, observation
        }
    }
}

// MARK: - Follow-ups

extension NightReport {
    /// One alert's follow-up.
    public struct FollowUp: Sendable, Hashable, Codable {
        public var alertID: AlertID
        /// The event, mission, notice type and kind as the alert gave them; `nil` when the
        /// notice could not be parsed or is not in the store.
        public var eventID: String?
        public var mission: String?
        public var noticeType: String?
        public var alertKind: String?
        public var serial: Int?
        public var isRetraction: Bool
        /// When the event happened (trigger time, UTC).
        public var eventTime: Date?
        /// When Starling received the notice (UTC).
        public var receivedAt: Date?
        /// How the notice was handled (`received`, `processed`, `ignored`, `refused`) and why.
        public var status: String?
        public var note: String?
        /// The localisation, degrees ICRS; the error circle's radius when given as one.
        public var rightAscensionDegrees: Double?
        public var declinationDegrees: Double?
        public var errorRadiusDegrees: Double?
        /// Where it went.
        public var assignments: [AssignmentEntry]
        /// The earliest first frame over all telescopes, and its delay after the notice
        /// arrived and after the event.
        public var firstFrameAt: Date?
        public var secondsFromAlertToFirstFrame: Double?
        public var secondsFromEventToFirstFrame: Double?
        /// Frames over all telescopes.
        public var frameCount: Int
        /// The depth reached per filter over all telescopes.
        public var depth: [Depth]
        /// For an alert with a sky map: what the planned fields and the frames taken covered of it.
        public var coverage: Coverage? = nil
        /// Why the coverage of a sky-map alert could not be measured (its map unreadable).
        public var coverageProblem: String? = nil
    }

    /// One telescope's part in a follow-up.
    public struct AssignmentEntry: Sendable, Hashable, Codable {
        public var assignmentID: AssignmentID
        public var telescopeID: TelescopeID
        public var siteID: SiteID
        /// `offered`, `accepted`, `observing`, `completed`, `refused`, `failed`, `expired`, `cancelled`.
        public var state: Assignment.State
        /// Why the coordinator chose this telescope.
        public var reason: String
        public var plannedStart: Date
        /// Observations made under the assignment and their outcomes.
        public var outcomes: [String]
        /// The first frame's start, and its delay after the notice arrived and after the event.
        public var firstFrameAt: Date?
        public var secondsFromAlertToFirstFrame: Double?
        public var secondsFromEventToFirstFrame: Double?
        public var frameCount: Int
        /// The depth reached per filter on this telescope.
        public var depth: [Depth]
    }

    /// The depth reached in one filter: the deepest single frame and the depth of all the
    /// frames combined.
    public struct Depth: Sendable, Hashable, Codable {
        public var filter: String
        /// Frames with a limiting magnitude.
        public var frames: Int
        /// The deepest single-frame 5σ limiting magnitude.
        public var deepestLimitingMagnitude: Double
        /// The 5σ limit of an inverse-variance-weighted stack of the frames:
        /// `1.25 log₁₀ Σ 10^(0.8 mᵢ)` (background-limited frames).
        public var combinedLimitingMagnitude: Double
    }
}

// MARK: - Survey, plans, suggestions

extension NightReport {
    /// The survey against its cadence.
    public struct SurveyProgress: Sendable, Hashable, Codable {
        /// Where the survey targets came from: a catalog name, or `plans` when taken from the night's plans.
        public var source: String
        /// Survey targets (with a cadence).
        public var targets: Int
        /// Targets due by the start of the night: never visited, or last visited at least
        /// `cadence_nights` before.
        public var due: Int
        /// Due targets observable tonight from the report's sites (above 30°, airmass ≤ 2,
        /// astronomical darkness, 20° from the Moon, at some 15-minute step of the night).
        public var dueObservable: Int
        /// Targets with a completed observation this night, and how many of those were due.
        public var visited: Int
        public var dueVisited: Int
        /// Due targets never visited before.
        public var neverVisited: Int
        /// `due_visited / due_observable`; `nil` when nothing due was observable.
        public var completion: Double?
        /// The most urgent due targets not visited this night, by priority then lateness.
        public var overdue: [SurveyTarget]
    }

    /// A survey target and its visits.
    public struct SurveyTarget: Sendable, Hashable, Codable {
        public var targetID: TargetID
        public var name: String
        public var priority: Double
        public var cadenceNights: Double
        /// The last completed visit before this night, if any.
        public var lastVisit: Date?
        /// Nights since the last visit at the start of the night; `nil` when never visited.
        public var nightsSinceVisit: Double?
        /// Whether it was observable tonight from the report's sites.
        public var observableTonight: Bool
    }

    /// A telescope's latest plan of the night.
    public struct PlanSummary: Sendable, Hashable, Codable {
        public var planID: PlanID
        public var telescopeID: TelescopeID
        public var siteID: SiteID
        public var createdAt: Date
        /// 1 for the dusk plan, 2 after the first re-plan, …
        public var version: Int
        public var entries: Int
        public var ranking: Ranking
        /// The model's name when a model ranked it.
        public var model: String?
        /// The plan's notes for people (model fallbacks, lost time), from every version.
        public var notes: [String]

        public enum Ranking: String, Sendable, Hashable, Codable {
            case deterministic, model
        }
    }

    /// A plan ranked by a reasoning model, with the model's reasons.
    public struct ModelRanking: Sendable, Hashable, Codable {
        public var planID: PlanID
        public var telescopeID: TelescopeID
        public var siteID: SiteID
        public var createdAt: Date
        public var model: String
        /// The model's reasoning as it returned it; `nil` when it gave none.
        public var reasoningTrace: String?
        /// The ranked slots in time order, with the one-line reason for each.
        public var entries: [RankedEntry]
    }

    /// One slot of a model-ranked plan.
    public struct RankedEntry: Sendable, Hashable, Codable {
        public var requestID: RequestID
        public var targetID: TargetID
        public var targetName: String
        public var start: Date
        public var merit: Double
        public var reason: String
    }

    /// What to do next night.
    public struct Suggestions: Sendable, Hashable, Codable {
        /// Survey fields due by the next night and not visited, most urgent first (at most 20).
        public var surveyFields: [SurveyTarget]
        /// How many survey fields are due by the next night in all.
        public var surveyFieldsDue: Int
        /// Follow-ups worth repeating, and why.
        public var followUps: [FollowUpSuggestion]
        /// Telescopes needing attention, and why.
        public var telescopes: [TelescopeAttention]
    }

    /// A follow-up worth repeating.
    public struct FollowUpSuggestion: Sendable, Hashable, Codable {
        public var alertID: AlertID
        public var eventID: String?
        public var reason: String
    }

    /// A telescope needing attention.
    public struct TelescopeAttention: Sendable, Hashable, Codable {
        public var telescopeID: TelescopeID
        public var siteID: SiteID
        public var issue: Issue
        /// A sentence with the numbers.
        public var detail: String

        public enum Issue: String, Sendable, Hashable, Codable, CaseIterable {
            /// A fault journalled and not recovered by the end of the report.
            case unrecoveredFault = "unrecovered-fault"
            /// Faults that recovered.
            case faults
            /// Observations that failed.
            case failedObservations = "failed-observations"
            /// Frames that could not be read or were not found.
            case badFrames = "bad-frames"
            /// FWHM well above the other telescopes' (focus, collimation, seeing at the dome).
            case poorImageQuality = "poor-image-quality"
            /// Elongated stars (tracking, guiding, wind shake).
            case elongatedImages = "elongated-images"
            /// Planned observations but no frames, though other telescopes observed.
            case noFrames = "no-frames"
            /// Frames flagged by a reviewer.
            case flaggedFrames = "flagged-frames"
            /// Open in the dark for long but exposing for less than half of it: the plan (or
            /// the queue after a re-plan) held too little for it.
            case idleWhileOpen = "idle-while-open"
        }
    }
}

// MARK: - Figures and thumbnails

extension NightReport {
    /// A plot written beside the report.
    public struct Figure: Sendable, Hashable, Codable {
        /// `image-quality`, `sky-map` or `timeline`.
        public var id: String
        public var title: String
        /// The PNG, relative to the report's folder.
        public var file: String
        /// What the plot shows, for readers and screen readers.
        public var caption: String
        /// The picture's size, pixels.
        public var width: Int
        public var height: Int
    }

    /// A thumbnail of a representative frame.
    public struct Thumbnail: Sendable, Hashable, Codable {
        public var frameID: FrameID
        public var telescopeID: TelescopeID
        /// The PNG, relative to the report's folder.
        public var file: String
        /// Why this frame was chosen, with its numbers.
        public var caption: String
        /// The picture's size, pixels (known once it is drawn).
        public var width: Int?
        public var height: Int?
    }
}

extension NightReport {
    /// Whether the store had anything for this night: a plan, an observation, a frame, an
    /// alert's follow-up or a journal entry (`starling report` writes nothing otherwise).
    public var hasData: Bool {
        totals.planned > 0 || totals.frames > 0 || !observations.isEmpty || !followUps.isEmpty || !events.isEmpty || !plans.isEmpty
    }
}
