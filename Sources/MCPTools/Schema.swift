public import MCP

/// JSON Schema (draft 2020-12, the dialect MCP names) for tools' inputs and outputs, built as
/// MCP ``MCP/Value``s.
///
/// Objects are closed (`additionalProperties: false`) and list every property they may hold,
/// so a client validating a result against a tool's output schema catches any drift between
/// the schema and what the tool writes. A property is required unless named optional or
/// ``nullable(_:)`` (a value that may be unknown is written as `null` or left out).
public enum Schema {
    /// An object with these properties; every one required but those in `optional`.
    public static func object(_ properties: [String: Value], optional: Set<String> = [], description: String? = nil) -> Value {
        precondition(optional.isSubset(of: properties.keys), "optional names a property the object does not have")
        var schema: [String: Value] = [
            "type": "object",
            "properties": .object(properties),
            "required": .array(properties.filter { !optional.contains($0.key) && !isNullable($0.value) }.keys.sorted().map { .string($0) }),
            "additionalProperties": false,
        ]
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// A string, optionally one of `choices` or matching `pattern`.
    public static func string(_ description: String? = nil, choices: [String]? = nil, pattern: String? = nil, format: String? = nil) -> Value {
        var schema: [String: Value] = ["type": "string"]
        if let description { schema["description"] = .string(description) }
        if let choices { schema["enum"] = .array(choices.map { .string($0) }) }
        if let pattern { schema["pattern"] = .string(pattern) }
        if let format { schema["format"] = .string(format) }
        return .object(schema)
    }

    /// A UTC instant as ISO 8601 (`2026-11-24T00:30:00Z`).
    public static func instant(_ description: String? = nil) -> Value {
        string(description, format: "date-time")
    }

    /// A number within optional inclusive bounds.
    public static func number(_ description: String? = nil, minimum: Double? = nil, maximum: Double? = nil) -> Value {
        var schema: [String: Value] = ["type": "number"]
        if let description { schema["description"] = .string(description) }
        if let minimum { schema["minimum"] = .double(minimum) }
        if let maximum { schema["maximum"] = .double(maximum) }
        return .object(schema)
    }

    /// A whole number within optional inclusive bounds.
    public static func integer(_ description: String? = nil, minimum: Int? = nil, maximum: Int? = nil) -> Value {
        var schema: [String: Value] = ["type": "integer"]
        if let description { schema["description"] = .string(description) }
        if let minimum { schema["minimum"] = .int(minimum) }
        if let maximum { schema["maximum"] = .int(maximum) }
        return .object(schema)
    }

    /// `true` or `false`.
    public static func boolean(_ description: String? = nil) -> Value {
        var schema: [String: Value] = ["type": "boolean"]
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// An array of items of one schema.
    public static func array(of items: Value, description: String? = nil) -> Value {
        var schema: [String: Value] = ["type": "array", "items": items]
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// An object whose keys are free and whose values follow one schema (a map).
    public static func map(of values: Value, description: String? = nil) -> Value {
        var schema: [String: Value] = ["type": "object", "additionalProperties": values]
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// Whether a schema admits `null`.
    static func isNullable(_ schema: Value) -> Bool {
        guard case .object(let fields) = schema else { return false }
        if let types = fields["type"]?.arrayValue { return types.contains("null") }
        return fields["anyOf"]?.arrayValue?.contains(.object(["type": "null"])) ?? false
    }

    /// The same schema, or `null` (for a value that may be unknown).
    public static func nullable(_ schema: Value) -> Value {
        guard case .object(var fields) = schema, let type = fields["type"]?.stringValue else {
            return .object(["anyOf": .array([schema, .object(["type": "null"])])])
        }
        fields["type"] = .array([.string(type), "null"])
        if let choices = fields["enum"]?.arrayValue { fields["enum"] = .array(choices + [.null]) }
        return .object(fields)
    }
}
