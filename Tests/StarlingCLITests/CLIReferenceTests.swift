import Foundation
import Testing

/// docs/cli.md cannot drift from the commands: its reference section is every command's
/// `--help`, and its summary table names every command and only options the command has.
///
/// After changing a command, rewrite the reference with `make cli-docs`
/// (`STARLING_WRITE_CLI_DOCS=1` makes the first test write the section instead of comparing).
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: StarlingCLI.executable), "the starling binary was not built beside the tests"))
struct CLIReferenceTests {
    static let documentPath = StarlingCLI.packageRoot + "/docs/cli.md"
    static let begin = "<!-- Generated from each command's --help by `make cli-docs`; CLIReferenceTests checks it. -->"
    static let end = "<!-- End of the generated reference. -->"
    /// Help is wrapped to the terminal; the reference is made at one width.
    static let environment = ["COLUMNS": "100"]

    /// A command of the tree: its words after `starling`, and its long option names.
    struct Command {
        let path: [String]
        let options: Set<String>
        let isLeaf: Bool
    }

    /// Every command, from argument-parser's description of the tool (`--experimental-dump-help`).
    static func commands() async throws -> [Command] {
        let dump = try await StarlingCLI.run(["--experimental-dump-help"])
        let root = try #require((try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any])?["command"] as? [String: Any])
        var found: [Command] = []
        func visit(_ node: [String: Any], path: [String]) {
            let arguments = node["arguments"] as? [[String: Any]] ?? []
            let options = arguments.flatMap { ($0["names"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "long" } }
                .compactMap { $0["name"] as? String }.map { "--" + $0 }
            let children = (node["subcommands"] as? [[String: Any]] ?? []).filter { $0["commandName"] as? String != "help" }
            found.append(Command(path: path, options: Set(options), isLeaf: children.isEmpty))
            for child in children { visit(child, path: path + [child["commandName"] as? String ?? "?"]) }
        }
        visit(root, path: [])
        return found
    }

    /// The reference section: each command's `--help`, in the tree's order.
    static func reference() async throws -> String {
        var lines = [begin, ""]
        for command in try await commands() {
            let help = try await StarlingCLI.run(command.path + ["--help"], environment: environment)
            #expect(help.status == 0, "\(command.path) --help: \(help.errors)")
            lines.append("### `" + (["starling"] + command.path).joined(separator: " ") + "`")
            lines.append("")
            lines.append("```text")
            lines.append(contentsOf: help.output.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).replacingOccurrences(of: " +$", with: "", options: .regularExpression) })
            while lines.last?.isEmpty == true { lines.removeLast() }
            lines.append("```")
            lines.append("")
        }
        lines.append(end)
        return lines.joined(separator: "\n")
    }

    @Test func theReferenceIsEveryCommandsHelp() async throws {
        let document = try String(contentsOfFile: Self.documentPath, encoding: .utf8)
        let expected = try await Self.reference()
        let start = try #require(document.range(of: Self.begin), "docs/cli.md has no generated reference; run `make cli-docs`")
        let stop = try #require(document.range(of: Self.end, range: start.upperBound..<document.endIndex))
        let current = String(document[start.lowerBound..<stop.upperBound])
        if ProcessInfo.processInfo.environment["STARLING_WRITE_CLI_DOCS"] == "1" {
            try document.replacingCharacters(in: start.lowerBound..<stop.upperBound, with: expected)
                .write(toFile: Self.documentPath, atomically: true, encoding: .utf8)
            return
        }
        #expect(current == expected, "docs/cli.md's reference differs from the commands' --help: run `make cli-docs`")
    }

    /// docs/cli.md promises that every command takes `--config` and `--json`.
    @Test func everyCommandTakesConfigAndJSON() async throws {
        for command in try await Self.commands() where command.isLeaf {
            #expect(command.options.isSuperset(of: ["--config", "--json"]), "`starling \(command.path.joined(separator: " "))` lacks --config or --json")
        }
    }

    @Test func theSummaryTableNamesEveryCommandAndOnlyItsOptions() async throws {
        let document = try String(contentsOfFile: Self.documentPath, encoding: .utf8)
        let commands = try await Self.commands()
        var described: Set<[String]> = []
        for row in document.split(separator: "\n") where row.hasPrefix("| `starling ") {
            let synopsis = row.dropFirst(3).prefix { $0 != "`" }
            let words = synopsis.split(separator: " ").dropFirst().map(String.init)
            let path = Array(words.prefix { $0.allSatisfy { $0.isLowercase || $0 == "-" } && !$0.hasPrefix("-") })
            let command = try #require(commands.first { $0.path == path }, "docs/cli.md describes `starling \(path.joined(separator: " "))`, which does not exist")
            described.insert(path)
            let mentioned = synopsis.matches(of: /--[a-z][a-z0-9-]*/).map { String($0.output) }
            for option in mentioned {
                #expect(command.options.contains(option), "docs/cli.md gives `starling \(path.joined(separator: " "))` an option \(option) it does not have")
            }
        }
        for command in commands where command.isLeaf {
            #expect(described.contains(command.path), "docs/cli.md's table has no row for `starling \(command.path.joined(separator: " "))`")
        }
    }
}
