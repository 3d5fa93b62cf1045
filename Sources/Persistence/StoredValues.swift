import Foundation
package import StarlingCore

/// JSON coding of stored values, the same for every store: sorted keys, so the same value is
/// the same text.
package enum StoredJSON {
    package static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    package static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// Encodes values before a transaction starts, so encoding errors surface as StoreErrors.
    package static func encodeEach<T, R>(_ values: [T], _ body: (T) throws -> R) throws(StoreError) -> [R] {
        do {
            return try values.map(body)
        } catch {
            throw StoreError(.failed, "a value could not be encoded for the database", underlying: error)
        }
    }

    /// Encodes one value before a transaction starts (see ``encodeEach(_:_:)``).
    package static func encodeOne<R>(_ body: () throws -> R) throws(StoreError) -> R {
        do {
            return try body()
        } catch {
            throw StoreError(.failed, "a value could not be encoded for the database", underlying: error)
        }
    }
}

/// How values are keyed in every store's tables.
package enum StoredKey {
    /// A review's subject as the `review.subject` column holds it.
    package static func review(_ subject: Review.Subject) -> String {
        switch subject {
        case .frame(let id): "frame:\(id)"
        case .observation(let id): "observation:\(id)"
        }
    }

    /// The `assignment.state` values that are final (``Assignment/State/isFinal``).
    package static let finalAssignmentStates: [String] = Assignment.State.allCases.filter(\.isFinal).map(\.rawValue)
}

extension String {
    /// The text as every store keeps it: a NUL (U+0000) becomes U+FFFD, the replacement
    /// character. PostgreSQL's text cannot hold a NUL, and SQLite (through GRDB) would cut the
    /// text at it, so that two notice ids differing after a NUL would collide; a notice's text
    /// comes from outside and may hold one. Every string from outside (an alert's id, event,
    /// transport, format and note; journal lines; and in PostgreSQL every string) is bound
    /// through this, keys included, so a key looked up finds what was stored under it.
    package var storable: String {
        contains("\u{0}") ? replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : self
    }
}
