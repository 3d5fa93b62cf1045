/// Validation errors shaped like the document they are about, as the OCS observation
/// portal (Django REST framework) gives them: a message list per field, an object per
/// object, a list per list with an empty object for each item that is fine.
///
/// ```json
/// {"requests": [{"windows": [{"end": ["Window end time must be in the future"]}]}]}
/// ```
public indirect enum FieldErrors: Sendable, Hashable, Encodable {
    case messages([String])
    case object([String: FieldErrors])
    case list([FieldErrors])

    /// Whether nothing is wrong anywhere below.
    public var isEmpty: Bool {
        switch self {
        case .messages(let messages): messages.isEmpty
        case .object(let fields): fields.values.allSatisfy(\.isEmpty)
        case .list(let items): items.allSatisfy(\.isEmpty)
        }
    }

    /// Every message with the path to its field, e.g. `requests[0].windows[0].end: …`, for
    /// logs and people.
    public var flattened: [String] {
        func walk(_ node: FieldErrors, _ path: String) -> [String] {
            switch node {
            case .messages(let messages): return messages.map { path.isEmpty ? $0 : "\(path): \($0)" }
            case .object(let fields):
                return fields.keys.sorted().flatMap { key in walk(fields[key]!, path.isEmpty ? key : "\(path).\(key)") }
            case .list(let items): return items.enumerated().flatMap { walk($1, "\(path)[\($0)]") }
            }
        }
        return walk(self, "")
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .messages(let messages):
            var container = encoder.singleValueContainer()
            try container.encode(messages)
        case .object(let fields):
            var container = encoder.singleValueContainer()
            try container.encode(fields)
        case .list(let items):
            var container = encoder.singleValueContainer()
            try container.encode(items)
        }
    }
}

/// Collects the errors of one JSON object, field by field.
struct ObjectErrors {
    private(set) var fields: [String: FieldErrors] = [:]

    mutating func add(_ field: String, _ message: String) {
        if case .messages(let existing) = fields[field] {
            fields[field] = .messages(existing + [message])
        } else {
            fields[field] = .messages([message])
        }
    }

    /// Errors of a nested object or list, kept only if there are some.
    mutating func nest(_ field: String, _ errors: FieldErrors) {
        if !errors.isEmpty { fields[field] = errors }
    }

    var isEmpty: Bool { fields.values.allSatisfy(\.isEmpty) }
    var tree: FieldErrors { .object(fields) }
}
