import Foundation
import Testing

@testable import Service

/// docs/api.md cannot drift from the API: its endpoint tables are the OpenAPI document's
/// (method, path, role, query parameters, summary), and its table of event types is the set
/// of types the event stream sends.
///
/// After changing the document, rewrite the tables with `make api-docs`
/// (`STARLING_WRITE_API_DOCS=1` makes the first test write them instead of comparing).
struct APIDocsTests {
    static let documentPath = ServeTestPaths.packageRoot + "/docs/api.md"
    static let begin = "<!-- Generated from Sources/Service/Resources/openapi.json by `make api-docs`; APIDocsTests checks it. -->"
    static let end = "<!-- End of the generated endpoint tables. -->"
    static let eventsBegin = "<!-- The event types: APIDocsTests checks this table against the types the server sends. -->"

    /// The endpoint tables, one per tag in the document's order; within a tag by path, GET first.
    static func endpointTables() throws -> String {
        let document = try #require(try JSONSerialization.jsonObject(with: try Resources.data("openapi.json")) as? [String: Any])
        let tags = try #require(document["tags"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        struct Row {
            let tag: String
            let method: String
            let path: String
            let role: String
            let parameters: [String]
            let summary: String
        }
        var rows: [Row] = []
        for (path, operations) in paths {
            for (method, value) in operations {
                guard let operation = value as? [String: Any] else { continue }
                let parameters = (operation["parameters"] as? [[String: Any]] ?? []).filter { $0["in"] as? String == "query" }
                    .compactMap { $0["name"] as? String }
                rows.append(
                    Row(
                        tag: (operation["tags"] as? [String])?.first ?? "other", method: method.uppercased(), path: path,
                        role: operation["x-starling-role"] as? String ?? "public", parameters: parameters,
                        summary: operation["summary"] as? String ?? ""))
            }
        }
        var lines = [begin, ""]
        for tag in tags + ["other"] {
            let inTag = rows.filter { $0.tag == tag }.sorted {
                ($0.path, $0.method == "GET" ? 0 : 1, $0.method) < ($1.path, $1.method == "GET" ? 0 : 1, $1.method)
            }
            guard !inTag.isEmpty else { continue }
            lines += ["### \(tag)", "", "| endpoint | role | query parameters | what |", "|---|---|---|---|"]
            for row in inTag {
                let parameters = row.parameters.map { "`\($0)`" }.joined(separator: ", ")
                let summary = row.summary.replacingOccurrences(of: "|", with: "\\|")
                lines.append("| `\(row.method) \(row.path)` | \(row.role) | \(parameters) | \(summary) |")
            }
            lines.append("")
        }
        lines.append(end)
        return lines.joined(separator: "\n")
    }

    @Test func theEndpointTablesAreTheOpenAPIDocument() throws {
        let document = try String(contentsOfFile: Self.documentPath, encoding: .utf8)
        let expected = try Self.endpointTables()
        let start = try #require(document.range(of: Self.begin), "docs/api.md has no generated endpoint tables; run `make api-docs`")
        let stop = try #require(document.range(of: Self.end, range: start.upperBound..<document.endIndex))
        let current = String(document[start.lowerBound..<stop.upperBound])
        if ProcessInfo.processInfo.environment["STARLING_WRITE_API_DOCS"] == "1" {
            try document.replacingCharacters(in: start.lowerBound..<stop.upperBound, with: expected)
                .write(toFile: Self.documentPath, atomically: true, encoding: .utf8)
            return
        }
        #expect(current == expected, "docs/api.md's endpoint tables differ from openapi.json: run `make api-docs`")
    }

    @Test func theEventTableNamesEveryTypeTheStreamSendsAndNoOther() throws {
        let document = try String(contentsOfFile: Self.documentPath, encoding: .utf8)
        let start = try #require(document.range(of: Self.eventsBegin), "docs/api.md has no table of event types")
        var documented: [String] = []
        for line in document[start.upperBound...].split(separator: "\n").dropFirst(2) {
            guard line.hasPrefix("| `") else { break }
            documented.append(String(line.dropFirst(3).prefix { $0 != "`" }))
        }
        #expect(Set(documented) == Set(EventDocument.types), "documented \(documented.sorted()), sent \(EventDocument.types.sorted())")
        #expect(documented.count == Set(documented).count, "a type is listed twice")
    }
}
