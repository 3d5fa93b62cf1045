import Foundation
internal import Yams

/// A YAML node with its file and position, read through methods that throw a
/// ``ConfigError`` naming the file, line and field when a value is missing or wrong.
struct ConfigNode {
    let node: Yams.Node
    let file: String
    /// The key path to this node, e.g. `telescopes[2].camera.gain_e_per_adu`.
    let path: String

    var line: Int? { node.mark?.line }

    /// Parses a whole YAML document.
    static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigNode {
        do {
            guard let root = try Yams.compose(yaml: text) else {
                throw ConfigError(.syntax, file: file, line: 1, "the file is empty")
            }
            return ConfigNode(node: root, file: file, path: "")
        } catch let error as ConfigError {
            throw error
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            throw duplicateKeyError(duplicates, mappingMark: context.mark, text: text, file: file)
        } catch let error as YamlError {
            throw ConfigError(.syntax, file: file, line: Self.line(of: error), "not valid YAML: \(Self.problem(of: error))")
        } catch {
            throw ConfigError(.syntax, file: file, "not valid YAML: \(error)")
        }
    }

    /// Yams reports a repeated key at the start of its mapping; find the repeat's own line
    /// (a key at the mapping's indentation, seen before in it) so the error points there.
    private static func duplicateKeyError(_ duplicates: [String], mappingMark: Mark, text: String, file: String) -> ConfigError {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let indent = max(0, mappingMark.column - 1)
        let names = duplicates.sorted()
        var first: [String: Int] = [:]
        var index = max(0, mappingMark.line - 1)
        while index < lines.count {
            let line = lines[index]
            let leading = line.prefix { $0 == " " || $0 == "-" }.count
            if index > mappingMark.line - 1, leading < indent, !line.trimmingWhitespace().isEmpty, !line.trimmingWhitespace().hasPrefix("#") {
                break  // the mapping has ended
            }
            if leading == indent || (index == mappingMark.line - 1) {
                let body = line.dropFirst(leading)
                if let colon = body.firstIndex(of: ":") {
                    let key = body[..<colon].trimmingWhitespace().trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                    if names.contains(key) {
                        if let earlier = first[key] {
                            return ConfigError(
                                .duplicate, file: file, line: index + 1, field: key,
                                "key '\(key)' is repeated (first on line \(earlier)); each key may appear once")
                        }
                        first[key] = index + 1
                    }
                }
            }
            index += 1
        }
        let keys = names.map { "'\($0)'" }.joined(separator: ", ")
        return ConfigError(.duplicate, file: file, line: mappingMark.line, "key \(keys) is repeated in this mapping; each key may appear once")
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(error)"
        }
    }

    func error(_ code: ConfigError.Code, _ message: String) -> ConfigError {
        ConfigError(code, file: file, line: line, field: path.isEmpty ? nil : path, message)
    }

    var fieldName: String { path.isEmpty ? "document" : path }

    func mapping() throws(ConfigError) -> ConfigMapping {
        guard case .mapping(let mapping) = node else {
            throw error(.wrongType, "\(fieldName) should be a mapping of `key: value` lines")
        }
        return ConfigMapping(mapping: mapping, owner: self)
    }

    func sequence() throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let sequence) = node else {
            throw error(.wrongType, "\(fieldName) should be a list")
        }
        return sequence.enumerated().map { index, child in
            ConfigNode(node: child, file: file, path: "\(path)[\(index)]")
        }
    }

    func string() throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(.wrongType, "\(fieldName) should be a single value, not a list or mapping")
        }
        return scalar.string
    }

    func double() throws(ConfigError) -> Double {
        let text = try string()
        guard let value = Double(text.trimmingWhitespace()), value.isFinite else {
            throw error(.wrongType, "\(fieldName) should be a number, not '\(text)'")
        }
        return value
    }

    func double(in range: ClosedRange<Double>, hint: String = "") throws(ConfigError) -> Double {
        let value = try double()
        guard range.contains(value) else {
            throw error(.outOfRange, "\(fieldName) \(Self.format(value)) is outside \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))\(hint)")
        }
        return value
    }

    func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let text = try string()
        guard let value = Int(text.trimmingWhitespace()) else {
            throw error(.wrongType, "\(fieldName) should be a whole number, not '\(text)'")
        }
        guard range.contains(value) else {
            throw error(.outOfRange, "\(fieldName) \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func bool() throws(ConfigError) -> Bool {
        let text = try string().lowercased()
        switch text {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(.wrongType, "\(fieldName) should be true or false, not '\(text)'")
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(ConfigError) -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(.unknownValue, "\(fieldName) '\(text)' is not one of: \(allowed)")
        }
        return value
    }

    /// A UTC instant in ISO 8601.
    func instant() throws(ConfigError) -> Date {
        let text = try string()
        guard let date = ISO8601.date(from: text) else {
            throw error(.wrongType, "\(fieldName) '\(text)' is not an ISO 8601 UTC time such as 2026-11-23T18:30:00Z")
        }
        return date
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// A YAML mapping whose keys are checked against what the format knows.
struct ConfigMapping {
    let mapping: Yams.Node.Mapping
    let owner: ConfigNode

    var keys: [String] { mapping.keys.compactMap(\.string) }

    func child(_ key: String) -> ConfigNode? {
        guard let value = mapping[key] else { return nil }
        let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
        // A key with an empty value (`key:`) is YAML null: treat as absent.
        if case .scalar(let scalar) = value, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" {
            return nil
        }
        return ConfigNode(node: value, file: owner.file, path: path)
    }

    func required(_ key: String) throws(ConfigError) -> ConfigNode {
        guard let node = child(key) else {
            let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            throw ConfigError(.missingField, file: owner.file, line: owner.line, field: path, "missing required field '\(path)'")
        }
        return node
    }

    /// Rejects keys the format does not know, suggesting the nearest known one.
    func rejectUnknownKeys(_ known: Set<String>) throws(ConfigErrors) {
        var errors: [ConfigError] = []
        for (keyNode, _) in mapping {
            guard let key = keyNode.string, !known.contains(key) else { continue }
            let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            var message = "unknown field '\(path)'"
            if let suggestion = NameLookup.suggestion(for: key, among: known.sorted()) {
                message += " (did you mean '\(suggestion)'?)"
            } else {
                message += " (known: \(known.sorted().joined(separator: ", ")))"
            }
            errors.append(ConfigError(.unknownField, file: owner.file, line: keyNode.mark?.line, field: path, message))
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
    }
}
