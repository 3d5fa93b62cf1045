import Foundation

/// A parsed JSON document as a tree, for notice formats whose fields vary by mission and
/// version (a number here, a string or a one-element array there).
enum JSONValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    /// An integer that fits in 64 bits, kept exactly (LSST object ids exceed 2⁵³).
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses JSON text.
    static func parse(_ data: Data) throws(AlertFormatError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
            throw AlertFormatError(.malformed, format: nil, "not valid JSON (\(detail))")
        } catch {
            throw AlertFormatError(.malformed, format: nil, "not valid JSON (\(error))")
        }
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    var object: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// A number, or a string holding one (VOEvent-as-JSON keeps every value as text).
    var double: Double? {
        switch self {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        case .string(let text): return Double(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// A string, or a number written as one; the first element of a one-element array.
    var string: String? {
        switch self {
        case .string(let text): return text
        case .integer(let value): return String(value)
        case .number(let value):
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .array(let items): return items.first?.string
        default: return nil
        }
    }

    var bool: Bool? {
        switch self {
        case .bool(let value): return value
        case .string(let text): return ["true", "1", "yes"].contains(text.lowercased()) ? true : (["false", "0", "no"].contains(text.lowercased()) ? false : nil)
        case .number(let value): return value != 0
        case .integer(let value): return value != 0
        default: return nil
        }
    }

    /// The elements of an array; a single value is a one-element array (xmltodict's habit).
    var elements: [JSONValue] {
        switch self {
        case .array(let items): return items
        case .null: return []
        default: return [self]
        }
    }
}
