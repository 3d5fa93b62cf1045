import Foundation
import MCP
import Persistence
import Planning
import StarlingCore

/// `telescope_status`: one telescope's state now, why it is closed, and its night so far.
struct TelescopeStatusTool: StarlingTool {
    let name = "telescope_status"
    let title = "Telescope status"
    let description = """
        One telescope: what it is (aperture, field, filters, driver), its state now (needs the running network), why it is closed \
        when it is (operator hold, fault, daylight, weather, no work left, waiting), its faults and weather readings, the \
        observation running, and tonight's plan and observations so far from the store.
        """

    let parameters: [ToolParameter] = [
        ToolParameter("telescope", .string(), required: true, "The telescope's id (see network_status)."),
    ]

    var outputSchema: Value {
        Schema.object([
            "live": Schema.boolean(),
            "note": Schema.nullable(Schema.string()),
            "telescope": TelescopeDocument.schema,
            "night": Schema.string("The local date of the night in progress or next at its site."),
            "planned_tonight": Schema.integer(minimum: 0),
            "observations_tonight": Schema.integer(minimum: 0),
            "completed_tonight": Schema.integer(minimum: 0),
            "summary": Schema.string(),
        ])
    }

    struct Document: Encodable {
        let live: Bool
        let note: String?
        let telescope: TelescopeDocument
        let night: String
        let plannedTonight: Int
        let observationsTonight: Int
        let completedTonight: Int
        let summary: String
    }

    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer {
        let (site, telescope) = try context.telescope(try input.requiredString("telescope"))
        let now = context.now
        let document = await TelescopeDocument.make(telescope, at: site, context: context, now: now)
        let night = SiteNight.localDate(containing: now, at: site)
        let planned: Int
        let observations: [Observation]
        do {
            planned = try await context.store.plans(telescope: telescope.id, night: night).last?.entries.count ?? 0
            let span = DateInterval(start: night.instant(hour: 12, in: site.timeZone), end: night.adding(days: 1).instant(hour: 12, in: site.timeZone))
            observations = try await context.store.observations(startedIn: span, site: site.id).filter { $0.telescopeID == telescope.id }
        } catch {
            throw ToolError(.failed, "cannot read \(telescope.id)'s night from the store: \(error.description)")
        }
        let completed = observations.filter { $0.outcome.name == "completed" }.count
        var summary = "\(telescope.id) at \(site.id)"
        if let state = document.state {
            summary += ": \(state)" + (document.closedBecause.map { " (\($0.cause): \($0.detail))" } ?? "")
        } else {
            summary += ": live state needs starling serve"
        }
        summary += "; night of \(night): \(planned) planned, \(observations.count) observed so far (\(completed) completed)."
        return try ToolAnswer(summary: summary, document: Document(
            live: context.live != nil, note: context.live == nil ? TelescopeDocument.offlineNote : nil, telescope: document, night: night.description,
            plannedTonight: planned, observationsTonight: observations.count, completedTonight: completed, summary: summary))
    }
}
