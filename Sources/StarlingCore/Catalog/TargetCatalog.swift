import Foundation

/// A named list of targets, loaded from `catalogs/<name>.csv`.
///
/// The CSV format (documented in `catalogs/README.md`):
///
/// | column | meaning |
/// |---|---|
/// | `id` | unique slug |
/// | `name` | display name |
/// | `ra_deg`, `dec_deg` | ICRS position, degrees |
/// | `kind` | `galaxy`, `star`, `standard-star`, `transient`, `field` |
/// | `magnitude`, `magnitude_band` | optional apparent magnitude and its band |
/// | `distance_mpc` | optional distance, megaparsecs |
/// | `major_axis_arcmin` | optional major-axis diameter |
/// | `priority` | 0…10 |
/// | `cadence_nights` | optional nights between survey visits |
/// | `aliases` | optional other names, `;`-separated (`M31;UGC 00454;Andromeda Galaxy`) |
public struct TargetCatalog: Sendable {
    /// The catalog's name (its file's base name).
    public let name: String
    public let targets: [Target]
    /// Other names of targets (Messier, NGC/IC, PGC/UGC numbers, common names), by target id.
    public let aliases: [TargetID: [String]]

    public init(name: String, targets: [Target], aliases: [TargetID: [String]] = [:]) {
        self.name = name
        self.targets = targets
        self.aliases = aliases
    }

    /// The columns a catalog file must have.
    public static let requiredColumns = ["id", "name", "ra_deg", "dec_deg", "kind", "priority"]
    /// Columns a catalog file may have besides the required ones.
    public static let optionalColumns = ["magnitude", "magnitude_band", "distance_mpc", "major_axis_arcmin", "cadence_nights", "aliases"]

    /// Parses catalog CSV text.
    ///
    /// - Throws: ``ConfigErrors`` naming the line and column of every bad row, and any id used twice.
    public static func parse(text: String, file: String, name: String) throws(ConfigErrors) -> TargetCatalog {
        let table = try CSVTable(text: text, file: file)
        try table.requireColumns(requiredColumns)
        let known = Set(requiredColumns + optionalColumns)
        var errors: [ConfigError] = []
        for column in table.columns where !known.contains(column) {
            errors.append(ConfigError(.unknownField, file: file, line: 1, field: column, "unknown column '\(column)'"))
        }
        var targets: [Target] = []
        var aliases: [TargetID: [String]] = [:]
        var seen: [String: Int] = [:]
        for row in table.rows {
            do {
                let target = try parseRow(row, file: file)
                if let first = seen[target.id.rawValue] {
                    errors.append(ConfigError(
                        .duplicate, file: file, line: row.line, field: "id", "id '\(target.id)' is already used on line \(first)"))
                    continue
                }
                seen[target.id.rawValue] = row.line
                targets.append(target)
                let names = (row["aliases"] ?? "").split(separator: ";").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
                if !names.isEmpty { aliases[target.id] = names }
            } catch {
                errors.append(error)
            }
        }
        if table.rows.isEmpty {
            errors.append(ConfigError(.missingField, file: file, line: 1, "no targets: the file has its header line but no rows"))
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return TargetCatalog(name: name, targets: targets, aliases: aliases)
    }

    /// Loads `<directory>/<name>.csv`.
    public static func load(named name: String, directory: String) throws(ConfigErrors) -> TargetCatalog {
        let path = directory + "/" + name + ".csv"
        return try parse(text: try readText(path), file: path, name: name)
    }

    /// Loads a catalog file by path; its name is the file's base name.
    public static func load(path: String) throws(ConfigErrors) -> TargetCatalog {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try parse(text: try readText(path), file: path, name: name)
    }

    /// The names of the catalogs in a directory (`*.csv` base names), sorted.
    public static func names(in directory: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".csv") }.map { String($0.dropLast(4)) }.sorted()
    }

    private static func parseRow(_ row: CSVTable.Row, file: String) throws(ConfigError) -> Target {
        func fail(_ code: ConfigError.Code, _ column: String, _ message: String) -> ConfigError {
            ConfigError(code, file: file, line: row.line, field: column, message)
        }
        func required(_ column: String) throws(ConfigError) -> String {
            guard let value = row[column] else { throw fail(.missingField, column, "\(column) is empty") }
            return value
        }
        func number(_ column: String, in range: ClosedRange<Double>, required isRequired: Bool) throws(ConfigError) -> Double? {
            guard let text = row[column] else {
                if isRequired { throw fail(.missingField, column, "\(column) is empty") }
                return nil
            }
            guard let value = Double(text), value.isFinite else {
                throw fail(.wrongType, column, "\(column) '\(text)' is not a number")
            }
            guard range.contains(value) else {
                throw fail(.outOfRange, column, "\(column) \(text) is outside \(ConfigNode.format(range.lowerBound))...\(ConfigNode.format(range.upperBound))")
            }
            return value
        }
        let id = try required("id")
        let name = try required("name")
        let rightAscension = try number("ra_deg", in: 0...360, required: true)!
        let declination = try number("dec_deg", in: -90...90, required: true)!
        let kindText = try required("kind")
        guard let kind = Target.Kind(rawValue: kindText) else {
            throw fail(.unknownValue, "kind", "kind '\(kindText)' is not one of: \(Target.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let priority = try number("priority", in: 0...10, required: true)!
        let magnitude = try number("magnitude", in: -30...35, required: false)
        var band: PhotometricBand?
        if let bandText = row["magnitude_band"] {
            guard let parsed = PhotometricBand(filterName: bandText) else {
                throw fail(.unknownValue, "magnitude_band", "magnitude_band '\(bandText)' is not a known band (u g r i z U B V R I clear)")
            }
            band = parsed
        }
        let distance = try number("distance_mpc", in: 0...100_000, required: false)
        let majorAxis = try number("major_axis_arcmin", in: 0...10_000, required: false)
        let cadence = try number("cadence_nights", in: 0.1...3650, required: false)
        let coordinates: EquatorialCoordinates
        do {
            coordinates = try EquatorialCoordinates(rightAscensionDegrees: rightAscension, declinationDegrees: declination)
        } catch {
            throw fail(.outOfRange, "dec_deg", error.description)
        }
        return Target(
            id: TargetID(id), name: name, coordinates: coordinates, kind: kind, magnitude: magnitude, magnitudeBand: band,
            distanceMegaparsecs: distance, majorAxis: majorAxis.map(Angle.arcminutes), priority: priority,
            cadenceNights: cadence)
    }
}

extension TargetCatalog {
    /// Finds a target by id, name or alias, forgiving spacing, case and leading zeros:
    /// `NGC 4258`, `ngc4258`, `NGC4258` and `M106` (from a name like "NGC 4258 (M106)") all
    /// match, and so do aliases such as `Andromeda Galaxy`, `UGC 454` or `Caldwell 5`.
    public func target(named query: String) -> Target? {
        let key = Self.searchKey(query)
        guard !key.isEmpty else { return nil }
        return targets.first { names(of: $0).contains { Self.searchKey($0) == key } }
    }

    /// Every name a target goes by here: id, name, the parts of a name such as
    /// "NGC 4258 (M106)", and its aliases.
    public func names(of target: Target) -> [String] {
        let parts = target.name.split(whereSeparator: { $0 == "(" || $0 == ")" }).map(String.init)
        return [target.id.rawValue, target.name] + parts + (aliases[target.id] ?? [])
    }

    /// Lowercase letters and digits only, without leading zeros in runs of digits.
    static func searchKey(_ text: String) -> String {
        var key = ""
        var previousWasDigit = false
        for character in text.lowercased() where character.isLetter || character.isNumber {
            if character == "0", !previousWasDigit { continue }
            key.append(character)
            previousWasDigit = character.isNumber
        }
        return key
    }
}

extension ProjectLayout {
    /// Finds a target by id, name or alias in every catalog of `catalogs/`, in name order.
    /// - Returns: the target and its catalog's name, or `nil` if no catalog has it.
    public func findTarget(named query: String) throws(ConfigErrors) -> (target: Target, catalog: String)? {
        for name in catalogNames {
            if let target = try loadCatalog(named: name).target(named: query) { return (target, name) }
        }
        return nil
    }

    /// Finds a target by id, name or alias in every catalog of `catalogs/`, or says plainly
    /// that no catalog knows the name (with the nearest name when it looks like a typo).
    ///
    /// - Throws: ``UnknownNameError`` when no catalog has the name; ``ConfigErrors`` when a
    ///   catalog cannot be read.
    public func resolveTarget(named query: String) throws -> (target: Target, catalog: String) {
        var catalogs: [(name: String, catalog: TargetCatalog)] = []
        for name in catalogNames { catalogs.append((name, try loadCatalog(named: name))) }
        return try TargetCatalog.resolveTarget(named: query, in: catalogs).get()
    }
}

extension TargetCatalog {
    /// Finds a target by id, name or alias in catalogs already loaded, in their order, or says
    /// plainly that none knows the name (with the nearest name when it looks like a typo): the
    /// rule ``ProjectLayout/resolveTarget(named:)`` follows, for a long-running process that
    /// loads the catalogs once.
    public static func resolveTarget(
        named query: String, in catalogs: [(name: String, catalog: TargetCatalog)]
    ) -> Result<(target: Target, catalog: String), UnknownNameError> {
        var names: [String] = []
        for (name, catalog) in catalogs {
            if let target = catalog.target(named: query) { return .success((target, name)) }
            names += catalog.targets.flatMap { catalog.names(of: $0) }
        }
        return .failure(UnknownNameError(
            kind: "target", name: query.trimmingWhitespace(),
            scope: "in catalogs \(catalogs.map(\.name).joined(separator: ", ")) (ids, names and aliases: Messier, NGC/IC, PGC/UGC, common names); give --ra and --dec for a position",
            known: names, listsKnown: false))
    }
}
