import Foundation
import MCP
import Reporting
import StarlingCore

/// `night_report_summary`: how a night went, for the network or one site, from the store.
///
/// The report is built by Reporting's ``Reporting/NightReportBuilder``, as `starling report`
/// and the Reporter build it (frames with no stored quality are listed unmeasured, not
/// measured here); the summary is its totals, sites, shortfalls, follow-ups and suggestions,
/// with the written report's resource when the Reporter has written it.
struct NightReportTool: StarlingTool {
    let name = "night_report_summary"
    let title = "Night report summary"
    let description = """
        How a night went, for the whole network or one site: planned against completed observations and why the rest were \
        lost (weather, faults, interruptions, …), frames and image quality, hours open against hours dark, follow-ups with \
        their delays to the first frame, and what needs attention or is due next. `date` is the local date the night began on \
        (for last night, yesterday's date at the site). Links the full report (Markdown, JSON) as a resource when it has been written.
        """

    let parameters: [ToolParameter] = [
        ToolParameter("date", .date, required: true, "The local date the night began on (YYYY-MM-DD)."),
        ToolParameter("site", .string(), "One site (id or name); the whole network when left out."),
    ]

    var outputSchema: Value {
        let optionalNumber = Schema.nullable(Schema.number())
        return Schema.object([
            "night": Schema.string(), "scope": Schema.string(choices: ["network", "site"]), "site_id": Schema.nullable(Schema.string()),
            "start": Schema.instant(), "end": Schema.instant(),
            "report_resources": Schema.array(of: Schema.string(), description: "URIs of the written report (resources/read), empty if not written yet."),
            "totals": Schema.object([
                "telescopes": Schema.integer(minimum: 0), "planned": Schema.integer(minimum: 0), "completed": Schema.integer(minimum: 0),
                "refused": Schema.integer(minimum: 0), "aborted": Schema.integer(minimum: 0), "failed": Schema.integer(minimum: 0),
                "not_attempted": Schema.integer(minimum: 0), "dropped": Schema.integer(minimum: 0), "unplanned": Schema.integer(minimum: 0),
                "frames": Schema.integer(minimum: 0), "frames_corrupt": Schema.integer(minimum: 0), "frames_missing": Schema.integer(minimum: 0),
                "exposure_hours": Schema.number(), "dark_hours": Schema.number(), "open_hours": Schema.number(), "open_fraction": optionalNumber,
                "median_fwhm_arcsec": optionalNumber, "median_transparency": optionalNumber, "median_limiting_magnitude": optionalNumber,
                "follow_ups": Schema.integer(minimum: 0),
            ]),
            "sites": Schema.array(of: Schema.object([
                "id": Schema.string(), "planned": Schema.integer(minimum: 0), "completed": Schema.integer(minimum: 0), "frames": Schema.integer(minimum: 0),
                "dark_hours": Schema.number(), "open_hours": Schema.number(), "open_fraction": optionalNumber,
                "moon_illumination": Schema.number(), "median_fwhm_arcsec": optionalNumber,
            ])),
            "shortfalls": Schema.array(of: Schema.object([
                "cause": Schema.string(), "count": Schema.integer(minimum: 0), "planned_hours": Schema.number(),
            ])),
            "follow_ups": Schema.array(of: Schema.object([
                "alert_id": Schema.string(), "event_id": Schema.nullable(Schema.string()), "mission": Schema.nullable(Schema.string()),
                "kind": Schema.nullable(Schema.string()), "assignments": Schema.integer(minimum: 0), "frames": Schema.integer(minimum: 0),
                "first_frame_at": Schema.nullable(Schema.instant()), "seconds_from_alert_to_first_frame": optionalNumber,
            ])),
            "attention": Schema.array(of: Schema.object(["telescope_id": Schema.string(), "issue": Schema.string(), "detail": Schema.string()])),
            "survey_fields_due": Schema.integer(minimum: 0),
            "summary": Schema.string(),
        ])
    }

    struct Document: Encodable {
        struct Totals: Encodable {
            let telescopes, planned, completed, refused, aborted, failed, notAttempted, dropped, unplanned, frames, framesCorrupt, framesMissing: Int
            let exposureHours, darkHours, openHours: Double
            let openFraction, medianFwhmArcsec, medianTransparency, medianLimitingMagnitude: Double?
            let followUps: Int
        }
        struct SitePart: Encodable {
            let id: String
            let planned, completed, frames: Int
            let darkHours, openHours: Double
            let openFraction: Double?
            let moonIllumination: Double
            let medianFwhmArcsec: Double?
        }
        struct Shortfall: Encodable {
            let cause: String
            let count: Int
            let plannedHours: Double
        }
        struct FollowUp: Encodable {
            let alertId: String
            let eventId, mission, kind: String?
            let assignments, frames: Int
            let firstFrameAt: Date?
            let secondsFromAlertToFirstFrame: Double?
        }
        struct Attention: Encodable {
            let telescopeId, issue, detail: String
        }
        let night, scope: String
        let siteId: String?
        let start, end: Date
        let reportResources: [String]
        let totals: Totals
        let sites: [SitePart]
        let shortfalls: [Shortfall]
        let followUps: [FollowUp]
        let attention: [Attention]
        let surveyFieldsDue: Int
        let summary: String
    }

    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer {
        guard let night = input.date("date") else { throw ToolError.invalid("date", "required") }
        let site = try input.string("site").map { name throws(ToolError) in try context.site(name) }
        let report: NightReport
        do {
            report = try await NightReportBuilder(store: context.store, network: context.network, surveyCatalog: context.surveyCatalog)
                .build(night: night, site: site?.id, generatedAt: context.now)
        } catch {
            throw ToolError(.failed, "cannot build the report of the night of \(night): \(error.description)")
        }
        let scope = site.map { "site \($0.id)" } ?? "the network"
        guard report.hasData else {
            throw ToolError(
                .notFound,
                "nothing stored for the night of \(night) at \(scope): no plans, observations, frames, alerts or journal entries (date is the local date the night began on)")
        }
        let totals = report.totals
        let resources = StarlingResources.reportURIs(night: night, site: site?.id, context: context)
        let shortfalls = report.shortfalls.filter { $0.count > 0 }
        let lost = shortfalls.sorted { $0.count > $1.count }.prefix(3).map { "\($0.count) \($0.cause.rawValue)" }.joined(separator: ", ")
        let summary = "\(scope.prefix(1).uppercased() + scope.dropFirst()), night of \(night): \(totals.completed) of \(totals.planned) planned observations completed"
            + (lost.isEmpty ? "" : " (lost: \(lost))") + ", \(totals.frames) frames"
            + String(format: ", open %.1f of %.1f dark hours", totals.openHours, totals.darkHours)
            + (totals.medianFWHMArcseconds.map { String(format: ", median FWHM %.2f″", $0) } ?? "")
            + (report.followUps.isEmpty ? "" : ", \(report.followUps.count) follow-up\(report.followUps.count == 1 ? "" : "s")")
            + (context.now < report.interval.end ? " (so far: the night is not over; what is still planned counts as not reached)." : ".")
        let document = Document(
            night: night.description, scope: site == nil ? "network" : "site", siteId: site?.id.rawValue, start: report.interval.start, end: report.interval.end,
            reportResources: resources,
            totals: .init(
                telescopes: totals.telescopes, planned: totals.planned, completed: totals.completed, refused: totals.refused, aborted: totals.aborted,
                failed: totals.failed, notAttempted: totals.notAttempted, dropped: totals.dropped, unplanned: totals.unplanned, frames: totals.frames,
                framesCorrupt: totals.framesCorrupt, framesMissing: totals.framesMissing, exposureHours: rounded(totals.exposureHours, 3),
                darkHours: rounded(totals.darkHours, 3), openHours: rounded(totals.openHours, 3), openFraction: finite(totals.openFraction),
                medianFwhmArcsec: finite(totals.medianFWHMArcseconds), medianTransparency: finite(totals.medianTransparency),
                medianLimitingMagnitude: finite(totals.medianLimitingMagnitude), followUps: totals.followUps),
            sites: report.sites.map {
                .init(
                    id: $0.siteID.rawValue, planned: $0.planned, completed: $0.completed, frames: $0.frames, darkHours: rounded($0.darkHours, 3),
                    openHours: rounded($0.openHours, 3), openFraction: finite($0.openFraction), moonIllumination: rounded($0.moonIllumination, 3),
                    medianFwhmArcsec: finite($0.medianFWHMArcseconds))
            },
            shortfalls: shortfalls.map { .init(cause: $0.cause.rawValue, count: $0.count, plannedHours: rounded($0.plannedHours, 3)) },
            followUps: report.followUps.map {
                .init(
                    alertId: $0.alertID.rawValue, eventId: $0.eventID, mission: $0.mission, kind: $0.alertKind, assignments: $0.assignments.count,
                    frames: $0.frameCount, firstFrameAt: $0.firstFrameAt, secondsFromAlertToFirstFrame: finite($0.secondsFromAlertToFirstFrame))
            },
            attention: report.suggestions.telescopes.map { .init(telescopeId: $0.telescopeID.rawValue, issue: $0.issue.rawValue, detail: $0.detail) },
            surveyFieldsDue: report.suggestions.surveyFieldsDue, summary: summary)
        return try ToolAnswer(summary: summary, document: document)
    }
}
