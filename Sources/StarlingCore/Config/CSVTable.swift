/// A CSV file read into rows of named fields, each row keeping its line number.
///
/// RFC 4180: comma separated, fields optionally in double quotes (with `""` for a quote),
/// first line a header. Lines starting with `#` before the header are comments.
public struct CSVTable: Sendable {
    /// Column names from the header, in order.
    public let columns: [String]
    /// Data rows.
    public let rows: [Row]
    /// The file name used in errors.
    public let file: String

    /// One data row.
    public struct Row: Sendable {
        /// 1-based line number in the file.
        public let line: Int
        /// Field values by column name (absent columns are missing, empty fields are "").
        public let values: [String: String]

        public subscript(column: String) -> String? {
            guard let value = values[column] else { return nil }
            return value.isEmpty ? nil : value
        }
    }

    /// Parses CSV text.
    ///
    /// - Throws: ``ConfigErrors`` for an unterminated quote, a missing header or rows whose field
    ///   count differs from the header's (all such rows are reported).
    public init(text: String, file: String, separator: Character = ",") throws(ConfigErrors) {
        self.file = file
        var records: [(line: Int, fields: [String])] = []
        var errors: [ConfigError] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var fieldStarted = false
        var atRecordStart = true
        var skippingComment = false
        var characters = text.makeIterator()
        var pending: Character? = nil

        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []
            field = ""
            fieldStarted = false
            atRecordStart = true
        }

        while let character = pending ?? characters.next() {
            pending = nil
            if skippingComment {
                if character == "\n" { skippingComment = false; line += 1; atRecordStart = true }
                continue
            }
            if atRecordStart {
                recordLine = line
                atRecordStart = false
                if character == "#" && records.isEmpty { skippingComment = true; continue }
            }
            if inQuotes {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where !fieldStarted:
                inQuotes = true
                fieldStarted = true
            case separator:
                fields.append(field)
                field = ""
                fieldStarted = false
            case "\n", "\r\n":
                endRecord()
                line += 1
            case "\r":
                continue
            default:
                field.append(character)
                fieldStarted = true
            }
        }
        if inQuotes {
            errors.append(ConfigError(.syntax, file: file, line: recordLine, "a quoted field is never closed"))
        }
        if !fields.isEmpty || !field.isEmpty { endRecord() }

        guard let header = records.first else {
            throw ConfigErrors([ConfigError(.syntax, file: file, line: 1, "the file has no header line")])
        }
        let columns = header.fields.map { $0.trimmingWhitespace() }
        var rows: [Row] = []
        for record in records.dropFirst() {
            guard record.fields.count == columns.count else {
                errors.append(ConfigError(
                    .syntax, file: file, line: record.line,
                    "expected \(columns.count) fields as in the header, found \(record.fields.count)"))
                continue
            }
            var values: [String: String] = [:]
            for (name, value) in zip(columns, record.fields) { values[name] = value.trimmingWhitespace() }
            rows.append(Row(line: record.line, values: values))
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        self.columns = columns
        self.rows = rows
    }

    /// Throws unless every named column is present in the header.
    public func requireColumns(_ names: [String]) throws(ConfigErrors) {
        let missing = names.filter { !columns.contains($0) }
        guard missing.isEmpty else {
            throw ConfigErrors([ConfigError(
                .missingField, file: file, line: 1, field: missing[0],
                "header lacks column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))")])
        }
    }
}
