import Foundation
import Logging
import MCP
import Orchestration
import Persistence
import Planning
import StarlingCore

/// `night_plan`: a night's plan for one telescope or for every telescope of a site.
///
/// The plan is the latest one stored for the night (what the running network, or the last
/// `starling night` or `starling plan --db`, made). With none stored, `starling mcp` computes
/// it from the configuration as `starling plan` would (and says so); `starling serve` says
/// when the site will plan.
struct NightPlanTool: StarlingTool {
    let name = "night_plan"
    let title = "Night plan"
    let description = """
        The night's plan of one telescope, or of every telescope at a site: each planned observation with its target, start and \
        end (UTC), filter and exposures, altitude, airmass, merit and the planner's one-line reason. The night is the one that \
        begins on `date` (local date at the site; default tonight). Give telescope or site.
        """

    let parameters: [ToolParameter] = [
        ToolParameter("telescope", .string(), "A telescope's id (see network_status)."),
        ToolParameter("site", .string(), "A site's id or name: every telescope there."),
        ToolParameter("date", .date, "The local date the night begins on (YYYY-MM-DD); default: tonight at the site."),
        ToolParameter("max_entries", .integer(1...1000), "At most this many observations per telescope, the earliest first (default 50)."),
    ]

    var outputSchema: Value {
        Schema.object([
            "night": Schema.string("The local date the night begins on."),
            "source": Schema.string(
                "stored: the latest plan in the store; computed: none was stored, so it was computed now from the configuration as `starling plan` would; none: not planned yet.",
                choices: ["stored", "computed", "none"]),
            "note": Schema.nullable(Schema.string()),
            "plans": Schema.array(of: PlanDocument.schema),
            "summary": Schema.string(),
        ])
    }

    struct Document: Encodable {
        let night: String
        let source: String
        let note: String?
        let plans: [PlanDocument]
        let summary: String
    }

    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer {
        let site: Site
        var telescopes: Set<TelescopeID>
        switch (input.string("telescope"), input.string("site")) {
        case (let name?, nil):
            let found = try context.telescope(name)
            (site, telescopes) = (found.site, [found.telescope.id])
        case (nil, let name?):
            site = try context.site(name)
            telescopes = Set(site.telescopes.map(\.id))
        default:
            throw ToolError.invalid("telescope", "give either telescope or site")
        }
        let night = input.date("date") ?? context.tonight(at: site)
        let limit = input.integer("max_entries") ?? 50
        let scope = telescopes.count == 1 ? "\(telescopes.first!)" : "\(site.id)"
        var plans: [NightPlan]
        do {
            plans = try await context.store.latestPlans(night: night, site: site.id).filter { telescopes.contains($0.telescopeID) }
        } catch {
            throw ToolError(.failed, "cannot read the plans of \(scope) for the night of \(night): \(error.description)")
        }
        var source = "stored"
        var note: String?
        if plans.isEmpty {
            if context.live != nil {
                source = "none"
                note = "\(scope) has no plan for the night of \(night) yet: each site plans about an hour before its first dusk, and again when anything changes."
            } else if let catalog = context.surveyCatalog {
                plans = try await compute(night: night, telescopes: telescopes, catalog: catalog, context: context)
                source = "computed"
                note = "No plan of \(scope) for the night of \(night) is stored: computed now from the configuration and the catalog \(catalog.name), as `starling plan` would. A running network's plan (starling serve) may differ."
            } else {
                source = "none"
                note = "No plan of \(scope) for the night of \(night) is stored."
            }
        }
        let order = Dictionary(uniqueKeysWithValues: site.telescopes.enumerated().map { ($1.id, $0) })
        plans.sort { (order[$0.telescopeID] ?? 0) < (order[$1.telescopeID] ?? 0) }
        let documents = plans.map { PlanDocument($0, maximumEntries: limit) }
        let count = plans.reduce(0) { $0 + $1.entries.count }
        let summary = plans.isEmpty
            ? (note ?? "No plan.")
            : "\(plans.count) plan\(plans.count == 1 ? "" : "s") of \(scope) for the night of \(night) (\(source)): \(count) observations"
                + (plans.first.map { ", the first at \(ISO8601.string(from: $0.entries.first?.start ?? $0.createdAt, fractionalSeconds: false))" } ?? "") + "."
        return try ToolAnswer(summary: summary, document: Document(night: night.description, source: source, note: note, plans: documents, summary: summary))
    }

    /// The plans the planner makes now, in memory (nothing is written to the store).
    private func compute(night: CalendarDate, telescopes: Set<TelescopeID>, catalog: TargetCatalog, context: ToolContext) async throws(ToolError) -> [NightPlan] {
        let scratch: SQLiteStore
        do {
            scratch = try SQLiteStore.inMemory()
        } catch {
            throw ToolError(.failed, "cannot make a scratch store to plan in: \(error.description)")
        }
        var logger = context.logger
        logger.logLevel = .warning
        do {
            return try await PlanningHost(network: context.network, catalog: catalog, store: scratch, logger: logger).plan(localDate: night, telescopes: telescopes)
        } catch {
            throw ToolError(.failed, "the planner could not plan the night of \(night): \(error.description)")
        }
    }
}

/// A plan as the tools and the plan resources show it.
struct PlanDocument: Encodable {
    struct Entry: Encodable {
        let requestId: String
        let kind: String
        let targetId: String
        let targetName: String
        let raDeg: Double
        let decDeg: Double
        let start: Date
        let end: Date
        let filter: String
        let exposureS: Double
        let count: Int
        let altitudeStartDeg: Double
        let altitudeEndDeg: Double
        let airmass: Double
        let merit: Double
        let reason: String
    }

    let id: String
    let telescopeId: String
    let siteId: String
    let night: String
    let createdAt: Date
    /// `deterministic`, or the reasoning model's name.
    let rankedBy: String
    let reasoningTrace: String?
    let notes: [String]
    let entriesTotal: Int
    let entries: [Entry]

    init(_ plan: NightPlan, maximumEntries: Int = .max) {
        id = plan.id.rawValue
        telescopeId = plan.telescopeID.rawValue
        siteId = plan.siteID.rawValue
        night = plan.night.description
        createdAt = plan.createdAt
        switch plan.ranking {
        case .deterministic:
            rankedBy = "deterministic"
            reasoningTrace = nil
        case .model(let name, let trace):
            rankedBy = name
            reasoningTrace = trace
        }
        notes = plan.notes
        entriesTotal = plan.entries.count
        entries = plan.entries.prefix(maximumEntries).map { entry in
            let first = entry.request.exposures[0]
            return Entry(
                requestId: entry.request.id.rawValue, kind: entry.request.kind.rawValue, targetId: entry.request.target.id.rawValue,
                targetName: entry.request.target.name, raDeg: rounded(entry.request.target.coordinates.rightAscension.degrees, 5),
                decDeg: rounded(entry.request.target.coordinates.declination.degrees, 5), start: entry.start, end: entry.end, filter: first.filter.name,
                exposureS: first.exposureSeconds, count: entry.request.exposures.reduce(0) { $0 + $1.count },
                altitudeStartDeg: rounded(entry.altitudeStart.degrees), altitudeEndDeg: rounded(entry.altitudeEnd.degrees), airmass: rounded(entry.airmass, 3),
                merit: rounded(entry.merit, 4), reason: entry.reason)
        }
    }

    static var schema: Value {
        Schema.object([
            "id": Schema.string(), "telescope_id": Schema.string(), "site_id": Schema.string(), "night": Schema.string(),
            "created_at": Schema.instant(), "ranked_by": Schema.string("deterministic, or the reasoning model's name."),
            "reasoning_trace": Schema.nullable(Schema.string()), "notes": Schema.array(of: Schema.string()),
            "entries_total": Schema.integer(minimum: 0),
            "entries": Schema.array(
                of: Schema.object([
                    "request_id": Schema.string(), "kind": Schema.string(), "target_id": Schema.string(), "target_name": Schema.string(),
                    "ra_deg": Schema.number(), "dec_deg": Schema.number(), "start": Schema.instant(), "end": Schema.instant(),
                    "filter": Schema.string(), "exposure_s": Schema.number(), "count": Schema.integer(minimum: 1),
                    "altitude_start_deg": Schema.number(), "altitude_end_deg": Schema.number(), "airmass": Schema.number(),
                    "merit": Schema.number(), "reason": Schema.string(),
                ])),
        ])
    }
}
