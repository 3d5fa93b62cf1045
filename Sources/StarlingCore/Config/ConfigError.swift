/// A problem in a configuration file: a site, a catalog or a scenario.
///
/// Its ``description`` is the line `starling validate` prints, e.g.
/// `sites/xinglong.yaml:7: latitude_deg 117.575 is outside -90...90 (swapped with longitude_deg?)`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem.
    public let code: Code
    /// The file, as the user named it.
    public let file: String
    /// 1-based line number, when known.
    public let line: Int?
    /// The field (YAML key path or CSV column), when the problem is in one.
    public let field: String?
    /// What is wrong, and what to do about it.
    public let message: String

    public init(_ code: Code, file: String, line: Int? = nil, field: String? = nil, _ message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }

    /// The kinds of configuration problems.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// The file cannot be read (missing, a directory, not UTF-8).
        case unreadable
        /// The file is not valid YAML or CSV.
        case syntax
        /// A required field is absent.
        case missingField = "missing-field"
        /// A field has the wrong type (text where a number belongs).
        case wrongType = "wrong-type"
        /// A number is outside its allowed range.
        case outOfRange = "out-of-range"
        /// A value is not one of the allowed ones.
        case unknownValue = "unknown-value"
        /// A field name is not one the format knows (often a typo).
        case unknownField = "unknown-field"
        /// An identifier is used twice.
        case duplicate
        /// Fields disagree with each other (time zone in the other hemisphere, id ≠ file name).
        case inconsistent
        /// A time-zone name is a deprecated alias or unknown.
        case timeZone = "time-zone"
        /// A file the configuration refers to is missing.
        case missingReference = "missing-reference"
    }
}

/// Several configuration problems found together, e.g. every bad row of a catalog.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [ConfigError]

    /// - Parameter errors: the problems; one reported twice (a shared telescope model's bad
    ///   field, met through every telescope that uses it) is kept once.
    public init(_ errors: [ConfigError]) {
        precondition(!errors.isEmpty, "ConfigErrors needs at least one error")
        self.errors = errors.uniqued()
    }

    /// One problem per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Collects configuration errors while a loader carries on past them, so one run of
/// `starling validate` reports every problem in a file, not just the first.
package final class Diagnostics {
    package private(set) var errors: [ConfigError] = []
    /// Findings that leave the file valid (a normalised longitude, a remote position).
    package private(set) var notes: [ConfigError] = []

    package init() {}

    package func report(_ error: ConfigError) { errors.append(error) }

    package func note(_ note: ConfigError) { notes.append(note) }

    /// Runs `body`; on a ``ConfigError`` records it and returns `nil`.
    package func attempt<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as ConfigError {
            errors.append(error)
        } catch let many as ConfigErrors {
            errors.append(contentsOf: many.errors)
        } catch {
            preconditionFailure("loaders throw only ConfigError: \(error)")
        }
        return nil
    }

    /// Throws everything collected, if anything was.
    package func throwIfAny() throws(ConfigErrors) {
        if !errors.isEmpty { throw ConfigErrors(errors) }
    }
}

extension Array where Element == ConfigError {
    /// The problems in order, each once.
    package func uniqued() -> [ConfigError] {
        var seen: Set<ConfigError> = []
        return filter { seen.insert($0).inserted }
    }
}
