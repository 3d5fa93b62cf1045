import Foundation

/// One line of RFC 4180 CSV: fields separated by commas, a field quoted when it holds a
/// comma, a double quote, a carriage return or a line feed, its quotes doubled.
///
/// Both CSV exports write through this one rule, so a target name with a comma in it
/// ("NGC 5194, M51a") cannot shift the columns of either.
enum CSVRecord {
    /// The record's text, without its line ending.
    static func line(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",")
    }

    /// The file's text: the header, then the rows, each ended by CRLF as RFC 4180 §2 says.
    static func file(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { line($0) + "\r\n" }.joined()
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
