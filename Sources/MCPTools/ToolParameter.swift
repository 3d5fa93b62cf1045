public import Foundation
public import MCP
public import StarlingCore

/// One argument of a tool: its name, what it means, its type and limits, and whether it is
/// required.
///
/// A tool's JSON Schema (what `tools/list` shows) and the check of each call's arguments
/// (``ToolInput``) are both made from these declarations, so they cannot disagree.
public struct ToolParameter: Sendable {
    /// The argument's type and limits.
    public enum Kind: Sendable {
        /// Any string, or one of `choices`.
        case string(choices: [String]? = nil)
        /// A local calendar date, `YYYY-MM-DD`.
        case date
        /// A UTC instant in ISO 8601.
        case instant
        /// A number in an inclusive range.
        case number(ClosedRange<Double>)
        /// A whole number in an inclusive range.
        case integer(ClosedRange<Int>)
        case boolean
    }

    public let name: String
    public let description: String
    public let kind: Kind
    public let isRequired: Bool

    public init(_ name: String, _ kind: Kind, required: Bool = false, _ description: String) {
        self.name = name
        self.kind = kind
        self.isRequired = required
        self.description = description
    }

    /// The argument's JSON Schema.
    public var schema: Value {
        switch kind {
        case .string(let choices): Schema.string(description, choices: choices)
        case .date: Schema.string(description, pattern: #"^\d{4}-\d{2}-\d{2}$"#, format: "date")
        case .instant: Schema.instant(description)
        case .number(let range): Schema.number(description, minimum: range.lowerBound, maximum: range.upperBound)
        case .integer(let range): Schema.integer(description, minimum: range.lowerBound, maximum: range.upperBound)
        case .boolean: Schema.boolean(description)
        }
    }

    /// The input schema of a tool taking these arguments (a closed object).
    public static func inputSchema(_ parameters: [ToolParameter]) -> Value {
        var properties: [String: Value] = [:]
        for parameter in parameters { properties[parameter.name] = parameter.schema }
        return Schema.object(properties, optional: Set(parameters.filter { !$0.isRequired }.map(\.name)))
    }
}

/// A call's arguments, checked against the tool's ``ToolParameter``s: no unknown name, every
/// required one present, each of its type and within its limits.
///
/// ```swift
/// let input = try ToolInput(arguments, parameters: parameters)
/// let site = try input.requiredString("site")
/// let date = input.date("date")       // a CalendarDate, checked
/// ```
public struct ToolInput: Sendable {
    private let values: [String: Value]

    /// Checks arguments.
    ///
    /// - Throws: ``ToolError/Code/invalidArgument`` naming the first argument that is wrong and why.
    public init(_ arguments: [String: Value]?, parameters: [ToolParameter]) throws(ToolError) {
        let arguments = (arguments ?? [:]).filter { !$0.value.isNull }  // null is "not given"
        let known = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0) })
        for name in arguments.keys.sorted() where known[name] == nil {
            throw ToolError.invalid(name, "not an argument of this tool (it takes \(parameters.map(\.name).joined(separator: ", ")))")
        }
        for parameter in parameters {
            guard let value = arguments[parameter.name] else {
                if parameter.isRequired { throw ToolError.invalid(parameter.name, "required: \(parameter.description)") }
                continue
            }
            try Self.check(value, against: parameter)
        }
        values = arguments
    }

    private static func check(_ value: Value, against parameter: ToolParameter) throws(ToolError) {
        let name = parameter.name
        switch parameter.kind {
        case .string(let choices):
            guard let text = value.stringValue else { throw ToolError.invalid(name, "should be a string, not \(value)") }
            if let choices, !choices.contains(text) { throw ToolError.invalid(name, "'\(text)' should be one of \(choices.joined(separator: ", "))") }
        case .date:
            guard let text = value.stringValue, CalendarDate(text) != nil else {
                throw ToolError.invalid(name, "\(value) is not a date YYYY-MM-DD (the local date the night begins on, e.g. 2026-11-23)")
            }
        case .instant:
            guard let text = value.stringValue, ISO8601.date(from: text) != nil else {
                throw ToolError.invalid(name, "\(value) is not an ISO 8601 UTC instant such as 2026-11-24T00:30:00Z")
            }
        case .number(let range):
            guard let number = Self.number(value), number.isFinite else { throw ToolError.invalid(name, "should be a number, not \(value)") }
            guard range.contains(number) else { throw ToolError.invalid(name, "\(number) is outside \(range.lowerBound)…\(range.upperBound)") }
        case .integer(let range):
            guard let number = Self.integer(value) else { throw ToolError.invalid(name, "should be a whole number, not \(value)") }
            guard range.contains(number) else { throw ToolError.invalid(name, "\(number) is outside \(range.lowerBound)…\(range.upperBound)") }
        case .boolean:
            guard value.boolValue != nil else { throw ToolError.invalid(name, "should be true or false, not \(value)") }
        }
    }

    private static func number(_ value: Value) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }

    private static func integer(_ value: Value) -> Int? {
        switch value {
        case .int(let number): number
        case .double(let number) where number.rounded() == number && abs(number) < 1e15: Int(number)
        default: nil
        }
    }

    /// Whether an argument was given.
    public func has(_ name: String) -> Bool { values[name] != nil }

    public func string(_ name: String) -> String? { values[name]?.stringValue }

    public func requiredString(_ name: String) throws(ToolError) -> String {
        guard let text = string(name) else { throw ToolError.invalid(name, "required") }
        return text
    }

    public func number(_ name: String) -> Double? { values[name].flatMap(Self.number) }

    public func integer(_ name: String) -> Int? { values[name].flatMap(Self.integer) }

    public func bool(_ name: String) -> Bool? { values[name]?.boolValue }

    public func date(_ name: String) -> CalendarDate? { string(name).flatMap(CalendarDate.init) }

    public func instant(_ name: String) -> Date? { string(name).flatMap(ISO8601.date(from:)) }
}
