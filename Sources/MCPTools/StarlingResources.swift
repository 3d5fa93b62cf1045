import Foundation
public import MCP
import Persistence
import Planning
import Reporting
import StarlingCore

/// The resources the tools offer: the night reports the Reporter has written (Markdown and
/// JSON) and the plans in the store, as JSON.
///
/// | URI | content |
/// |---|---|
/// | `starling://reports/{night}/{scope}/report.md` | a night report (scope `network` or a site id), Markdown |
/// | `starling://reports/{night}/{scope}/report.json` | the same report as JSON (docs/report-schema.json) |
/// | `starling://plans/{night}/{telescope}` | a telescope's latest plan for a night, JSON |
///
/// `resources/list` lists every report written and tonight's stored plans; the templates
/// reach any other night.
public struct StarlingResources: Sendable {
    let context: ToolContext

    static let scheme = "starling://"
    static let reportFiles = ["report.md": "text/markdown", "report.json": "application/json"]

    /// The templates of every resource.
    public var templates: [Resource.Template] {
        [
            Resource.Template(
                uriTemplate: Self.scheme + "reports/{night}/{scope}/report.md", name: "night-report-markdown", title: "Night report (Markdown)",
                description: "The Reporter's night report: night is the local date the night began on, scope `network` or a site id.",
                mimeType: "text/markdown"),
            Resource.Template(
                uriTemplate: Self.scheme + "reports/{night}/{scope}/report.json", name: "night-report-json", title: "Night report (JSON)",
                description: "The night report as JSON (schema: docs/report-schema.json).", mimeType: "application/json"),
            Resource.Template(
                uriTemplate: Self.scheme + "plans/{night}/{telescope}", name: "night-plan", title: "Night plan (JSON)",
                description: "A telescope's latest plan for the night that begins on the local date `night`.", mimeType: "application/json"),
        ]
    }

    /// Every report written, newest night first, and tonight's stored plans.
    public func list() async throws -> [Resource] {
        var resources: [Resource] = []
        let root = context.reportsDirectory
        let files = FileManager.default
        // A reports folder not made yet lists no reports.
        let nights = ((try? files.contentsOfDirectory(atPath: root)) ?? []).filter { CalendarDate($0) != nil }.sorted(by: >)
        for night in nights {
            for scope in ((try? files.contentsOfDirectory(atPath: "\(root)/\(night)")) ?? []).sorted() {
                for (file, type) in Self.reportFiles.sorted(by: { $0.key < $1.key }) where files.fileExists(atPath: "\(root)/\(night)/\(scope)/\(file)") {
                    resources.append(Resource(
                        name: "report-\(night)-\(scope)-\(file)", uri: Self.scheme + "reports/\(night)/\(scope)/\(file)",
                        title: "Night report \(night), \(scope) (\(type == "application/json" ? "JSON" : "Markdown"))", mimeType: type))
                }
            }
        }
        for site in context.network.sites {
            let night = context.tonight(at: site)
            for plan in try await context.store.latestPlans(night: night, site: site.id) {
                resources.append(Resource(
                    name: "plan-\(night)-\(plan.telescopeID)", uri: Self.scheme + "plans/\(night)/\(plan.telescopeID)",
                    title: "Plan of \(plan.telescopeID) for the night of \(night) (\(plan.entries.count) observations)", mimeType: "application/json"))
            }
        }
        return resources
    }

    /// A resource's content.
    ///
    /// - Throws: `MCPError.invalidParams` for a URI that names no resource, saying which exist.
    public func read(_ uri: String) async throws -> [Resource.Content] {
        guard uri.hasPrefix(Self.scheme) else { throw MCPError.invalidParams("\(uri): Starling's resources start with \(Self.scheme) (see resources/list)") }
        let parts = uri.dropFirst(Self.scheme.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else { throw MCPError.invalidParams("\(uri): not a resource path") }
        switch parts.first {
        case "reports" where parts.count == 4:
            guard CalendarDate(parts[1]) != nil, let type = Self.reportFiles[parts[3]] else {
                throw MCPError.invalidParams("\(uri): expected \(Self.scheme)reports/YYYY-MM-DD/SCOPE/report.md or report.json")
            }
            let path = [context.reportsDirectory, parts[1], parts[2], parts[3]].joined(separator: "/")
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MCPError.invalidParams("\(uri): no such report written (see resources/list; night_report_summary builds one from the store)")
            }
            return [.text(String(decoding: data, as: UTF8.self), uri: uri, mimeType: type)]
        case "plans" where parts.count == 3:
            guard let night = CalendarDate(parts[1]) else { throw MCPError.invalidParams("\(uri): \(parts[1]) is not a date YYYY-MM-DD") }
            guard let located = context.network.locate(TelescopeID(parts[2])) else { throw MCPError.invalidParams("\(uri): no telescope '\(parts[2])'") }
            guard let plan = try await context.store.plans(telescope: located.telescope.id, night: night).last else {
                throw MCPError.invalidParams("\(uri): no plan of \(parts[2]) for the night of \(night) is stored")
            }
            let value: Value
            do {
                value = try ToolJSON.value(PlanDocument(plan))
            } catch {
                throw MCPError.internalError(error.message)
            }
            return [.text(ToolJSON.text(value), uri: uri, mimeType: "application/json")]
        default:
            throw MCPError.invalidParams("\(uri): no such resource (reports/NIGHT/SCOPE/report.md|json or plans/NIGHT/TELESCOPE)")
        }
    }

    /// The URIs of a night's written report (empty when the Reporter has not written it).
    static func reportURIs(night: CalendarDate, site: SiteID?, context: ToolContext) -> [String] {
        let directory = Reporter.reportDirectory(under: context.reportsDirectory, night: night, site: site)
        let scope = URL(fileURLWithPath: directory).lastPathComponent
        return reportFiles.keys.sorted().filter { FileManager.default.fileExists(atPath: directory + "/" + $0) }
            .map { scheme + "reports/\(night)/\(scope)/\($0)" }
    }
}
