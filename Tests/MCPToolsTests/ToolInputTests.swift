import Foundation
import MCP
import StarlingCore
import Testing

@testable import MCPTools

/// A call's arguments are checked against the same declarations the tool's JSON Schema is made
/// from: every refusal names the argument and says what it should be.
struct ToolInputTests {
    static let parameters = [
        ToolParameter("site", .string(), required: true, "A site."),
        ToolParameter("twilight", .string(choices: ["civil", "nautical"]), "How dark."),
        ToolParameter("date", .date, "A night."),
        ToolParameter("since", .instant, "An instant."),
        ToolParameter("ra", .number(0...360), "Degrees."),
        ToolParameter("count", .integer(1...10), "How many."),
        ToolParameter("validate_only", .boolean, "Whether."),
    ]

    static func refusal(_ arguments: [String: Value]) -> String? {
        do {
            _ = try ToolInput(arguments, parameters: parameters)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        (["site": "x", "bogus": 1] as [String: Value], "invalid-argument: bogus: not an argument of this tool"),
        (["twilight": "civil"], "invalid-argument: site: required"),
        (["site": 5], "invalid-argument: site: should be a string"),
        (["site": "x", "twilight": "dusk"], "invalid-argument: twilight: 'dusk' should be one of civil, nautical"),
        (["site": "x", "date": "2026-13-40"], "invalid-argument: date:"),
        (["site": "x", "since": "yesterday"], "invalid-argument: since:"),
        (["site": "x", "ra": 360.5], "invalid-argument: ra: 360.5 is outside 0.0…360.0"),
        (["site": "x", "ra": "12h"], "invalid-argument: ra: should be a number"),
        (["site": "x", "count": 2.5], "invalid-argument: count: should be a whole number"),
        (["site": "x", "count": 11], "invalid-argument: count: 11 is outside 1…10"),
        (["site": "x", "validate_only": "yes"], "invalid-argument: validate_only: should be true or false"),
    ])
    func aWrongArgumentIsRefusedByName(arguments: [String: Value], expected: String) {
        let refusal = Self.refusal(arguments)
        #expect(refusal?.hasPrefix(expected) == true, "\(refusal ?? "accepted")")
    }

    @Test func nullIsNotGivenAndWholeNumbersWrittenAsDecimalsAreWhole() throws {
        let input = try ToolInput(["site": "x", "twilight": .null, "count": 3.0, "date": "2026-11-23"], parameters: Self.parameters)
        #expect(!input.has("twilight"))
        #expect(input.integer("count") == 3)
        #expect(input.date("date")?.description == "2026-11-23")
    }

    @Test func theSchemaRequiresWhatTheCheckRequiresAndIsClosed() throws {
        let schema = try #require(ToolParameter.inputSchema(Self.parameters).objectValue)
        #expect(schema["required"] == ["site"])
        #expect(schema["additionalProperties"] == false)
        let properties = try #require(schema["properties"]?.objectValue)
        #expect(Set(properties.keys) == Set(Self.parameters.map(\.name)))
        #expect(properties["ra"]?.objectValue?["maximum"] == .double(360))
        #expect(properties["twilight"]?.objectValue?["enum"] == ["civil", "nautical"])
    }

    @Test func aNullableOutputPropertyIsNotRequired() throws {
        let schema = try #require(Schema.object(["a": Schema.string(), "b": Schema.nullable(Schema.instant()), "c": Schema.integer()], optional: ["c"]).objectValue)
        #expect(schema["required"] == ["a"])
        #expect(schema["properties"]?.objectValue?["b"]?.objectValue?["type"] == ["string", "null"])
    }
}
