import Foundation
import StarlingCore
import Testing

@testable import Service

/// The schemas of `/openapi.json`, to check a document the API returned against the one the
/// document promises: every required field there, no field it does not list (where it says
/// `additionalProperties: false`), each value of its type, enum and format.
struct OpenAPISchema: Sendable {
    /// The document as served; parsed on each check, so the value stays `Sendable` and can
    /// go into the test client's closures.
    let document: Data

    init() throws {
        document = try Resources.data("openapi.json")
    }

    /// Fails the test (naming the path) where `value` departs from the schema `name`.
    func check(_ value: Any, against name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let root = try JSONSerialization.jsonObject(with: document) as? [String: Any]
        let schemas = try #require((root?["components"] as? [String: Any])?["schemas"] as? [String: Any], sourceLocation: sourceLocation)
        let schema = try #require(schemas[name] as? [String: Any], "no schema \(name)", sourceLocation: sourceLocation)
        for problem in problems(value, schema, at: name, in: schemas) { Issue.record(Comment(rawValue: problem), sourceLocation: sourceLocation) }
    }

    private func problems(_ value: Any, _ schema: [String: Any], at path: String, in schemas: [String: Any]) -> [String] {
        if let reference = schema["$ref"] as? String {
            let name = String(reference.split(separator: "/").last ?? "")
            guard let resolved = schemas[name] as? [String: Any] else { return ["\(path): unknown schema \(reference)"] }
            return problems(value, resolved, at: path, in: schemas)
        }
        if let choices = schema["enum"] as? [String], let text = value as? String, !choices.contains(text) {
            return ["\(path): '\(text)' is not one of \(choices)"]
        }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path): expected an object, got \(value)"] }
            var found: [String] = []
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path).\(key): required, missing") }
            for (key, item) in object {
                if let property = properties[key] as? [String: Any] {
                    found += problems(item, property, at: "\(path).\(key)", in: schemas)
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    found += problems(item, extra, at: "\(path).\(key)", in: schemas)
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path).\(key): not in the schema")
                }
            }
            return found
        case "array":
            guard let array = value as? [Any] else { return ["\(path): expected an array, got \(value)"] }
            guard let items = schema["items"] as? [String: Any] else { return [] }
            return array.enumerated().flatMap { problems($0.element, items, at: "\(path)[\($0.offset)]", in: schemas) }
        case "string":
            guard let text = value as? String else { return ["\(path): expected a string, got \(value)"] }
            if schema["format"] as? String == "date-time", ISO8601.date(from: text) == nil { return ["\(path): '\(text)' is not a date-time"] }
            return []
        case "integer":
            guard let number = value as? NSNumber, !Self.isBoolean(value), number.doubleValue == number.doubleValue.rounded() else {
                return ["\(path): expected an integer, got \(value)"]
            }
            return []
        case "number":
            return value is NSNumber && !Self.isBoolean(value) ? [] : ["\(path): expected a number, got \(value)"]
        case "boolean":
            return Self.isBoolean(value) ? [] : ["\(path): expected true or false, got \(value)"]
        default:
            return []
        }
    }

    /// Whether a value JSONSerialization returned is a JSON `true` or `false`. Not `value is
    /// Bool`: on Linux every NSNumber holding 0 or 1 casts to Bool; a JSON Boolean is the one
    /// whose Objective-C type is `char`.
    private static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }
}
