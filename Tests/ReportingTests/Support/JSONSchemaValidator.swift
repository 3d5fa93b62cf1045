import Foundation

/// A JSON Schema (draft 2020-12) validator for the subset `docs/report-schema.json` uses:
/// `type` (one or a list), `properties`, `required`, `additionalProperties` (boolean or
/// schema), `items`, `enum`, `const`, `minimum`, `maximum`, `minLength`, `minItems`,
/// `pattern`, `format` (`date-time`, `date`) and `$ref` to `#/$defs/…`. Any other keyword
/// is reported as unsupported rather than ignored, so the schema cannot silently outgrow it.
struct JSONSchemaValidator {
    let root: [String: Any]

    init(schemaData: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: schemaData) as? [String: Any] else {
            throw Problem(path: "", message: "the schema is not a JSON object")
        }
        self.root = root
    }

    struct Problem: Error, CustomStringConvertible {
        let path: String
        let message: String
        var description: String { "\(path.isEmpty ? "(root)" : path): \(message)" }
    }

    static let annotations: Set<String> = ["$schema", "$id", "$defs", "title", "description", "examples", "$comment"]
    static let supported: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "enum", "const", "minimum", "maximum", "minLength",
        "minItems", "pattern", "format", "$ref",
    ]

    /// Every way the instance breaks the schema; empty when it is valid.
    func problems(in instance: Any) -> [Problem] {
        var problems: [Problem] = []
        validate(instance, against: root, path: "", problems: &problems)
        return problems
    }

    private func resolve(_ reference: String) -> [String: Any]? {
        guard reference.hasPrefix("#/$defs/") else { return nil }
        let name = String(reference.dropFirst("#/$defs/".count))
        return (root["$defs"] as? [String: Any])?[name] as? [String: Any]
    }

    private func validate(_ instance: Any, against schema: [String: Any], path: String, problems: inout [Problem]) {
        for keyword in schema.keys where !Self.annotations.contains(keyword) && !Self.supported.contains(keyword) {
            problems.append(Problem(path: path, message: "schema keyword '\(keyword)' is not supported by this validator"))
        }
        if let reference = schema["$ref"] as? String {
            guard let target = resolve(reference) else {
                problems.append(Problem(path: path, message: "unresolvable $ref \(reference)"))
                return
            }
            validate(instance, against: target, path: path, problems: &problems)
        }
        if let type = schema["type"] {
            let types = (type as? [String]) ?? [(type as? String) ?? ""]
            guard types.contains(where: { Self.matches(instance, type: $0) }) else {
                problems.append(Problem(path: path, message: "expected \(types.joined(separator: " or ")), found \(Self.typeName(instance))"))
                return
            }
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { Self.equal($0, instance) }) {
            problems.append(Problem(path: path, message: "\(instance) is not one of \(allowed)"))
        }
        if let constant = schema["const"], !Self.equal(constant, instance) {
            problems.append(Problem(path: path, message: "\(instance) is not \(constant)"))
        }
        if let number = Self.number(instance) {
            if let minimum = (schema["minimum"] as? NSNumber)?.doubleValue, number < minimum {
                problems.append(Problem(path: path, message: "\(number) is below the minimum \(minimum)"))
            }
            if let maximum = (schema["maximum"] as? NSNumber)?.doubleValue, number > maximum {
                problems.append(Problem(path: path, message: "\(number) is above the maximum \(maximum)"))
            }
        }
        if let string = instance as? String {
            if let minimum = schema["minLength"] as? Int, string.count < minimum {
                problems.append(Problem(path: path, message: "'\(string)' is shorter than \(minimum)"))
            }
            if let pattern = schema["pattern"] as? String,
                string.range(of: pattern, options: .regularExpression) == nil
            {
                problems.append(Problem(path: path, message: "'\(string)' does not match \(pattern)"))
            }
            if let format = schema["format"] as? String, !Self.conforms(string, format: format) {
                problems.append(Problem(path: path, message: "'\(string)' is not a \(format)"))
            }
        }
        if let object = instance as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append(Problem(path: path, message: "missing required property '\(name)'"))
            }
            for (name, value) in object {
                let childPath = path + "/" + name
                if let property = properties[name] as? [String: Any] {
                    validate(value, against: property, path: childPath, problems: &problems)
                } else if let additional = schema["additionalProperties"] {
                    if let allowed = additional as? Bool {
                        if !allowed { problems.append(Problem(path: childPath, message: "property not in the schema")) }
                    } else if let additionalSchema = additional as? [String: Any] {
                        validate(value, against: additionalSchema, path: childPath, problems: &problems)
                    }
                }
            }
        }
        if let array = instance as? [Any] {
            if let minimum = schema["minItems"] as? Int, array.count < minimum {
                problems.append(Problem(path: path, message: "\(array.count) items, fewer than \(minimum)"))
            }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { validate(item, against: items, path: path + "/\(index)", problems: &problems) }
            }
        }
    }

    /// Whether a parsed JSON value is `true` or `false`: JSONSerialization gives booleans as
    /// NSNumbers of Objective-C type `c` (char), and numbers never as chars.
    private static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    private static func number(_ value: Any) -> Double? {
        guard !isBoolean(value), let number = value as? NSNumber else { return nil }
        return number.doubleValue
    }

    private static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        case "boolean": isBoolean(value)
        case "null": value is NSNull
        case "number": number(value) != nil
        case "integer": number(value).map { $0.rounded() == $0 } ?? false
        default: false
        }
    }

    private static func typeName(_ value: Any) -> String {
        for type in ["null", "boolean", "integer", "number", "string", "array", "object"] where matches(value, type: type) { return type }
        return "\(Swift.type(of: value))"
    }

    private static func equal(_ a: Any, _ b: Any) -> Bool {
        if let a = a as? String, let b = b as? String { return a == b }
        if let a = number(a), let b = number(b) { return a == b }
        if isBoolean(a), isBoolean(b), let a = a as? NSNumber, let b = b as? NSNumber { return a.boolValue == b.boolValue }
        return false
    }

    /// `date-time`: RFC 3339 (`2026-11-23T21:30:00Z`, optional fraction, `Z` or an offset);
    /// `date`: `YYYY-MM-DD`.
    private static func conforms(_ string: String, format: String) -> Bool {
        switch format {
        case "date-time":
            string.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
        case "date":
            string.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil
        default:
            false
        }
    }
}
