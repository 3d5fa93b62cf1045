import ArgumentParser
import Coordination
import Foundation
import StarlingCore

extension Starling {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check sites, telescope models, catalogs and scenarios.",
            discussion: """
                With no paths, checks everything under sites/, catalogs/ and simulations/. Prints one \
                FILE:LINE: message per problem on standard error (a scenario's alert files must exist and \
                parse as notices, as `starling alert parse` reads them), and notes (findings that leave a \
                file valid, such as a site far from every observatory the Minor Planet Center lists) \
                as `note: FILE:LINE: message`. Site positions are cross-checked against the MPC's \
                observatory codes (sites/registry/). With --json prints {"valid", "checked": [{"path", \
                "kind"}], "problems": [{"file", "line", "field", "code", "message"}], "notes": [...]} \
                on standard output. Exits 0 when all is valid, 1 otherwise.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("Files or folders to check (default: the whole configuration).", valueName: "PATH"))
        var paths: [String] = []

        func run() async throws {
            let validator = ConfigValidator(layout: try options.layout())
            var report = paths.isEmpty ? validator.validateAll() : validator.validate(paths: paths)
            for scenario in report.checked where scenario.kind == .scenario {
                report.add(Self.alertFileProblems(scenario: scenario.path))
            }
            if options.json {
                try printJSON(ValidationDocument(report))
            } else {
                for error in report.errors { printError(error.description) }
                for note in report.notes { printError("note: \(note.description)") }
                let kinds = Dictionary(grouping: report.checked, by: \.kind).map { $0.key.counted($0.value.count) }.sorted()
                if report.isValid {
                    print("valid: \(report.checked.count) files (\(kinds.joined(separator: ", ")))")
                } else {
                    print("\(report.errors.count) problem\(report.errors.count == 1 ? "" : "s") in \(Set(report.errors.map(\.file)).count) file(s)")
                }
            }
            if !report.isValid { throw ExitCode(1) }
        }

        /// The alert files of a scenario that the intake would refuse, each with the reason:
        /// a night would store them as refused instead of following them up. A scenario that
        /// does not load has its problems reported by the validator already.
        static func alertFileProblems(scenario path: String) -> [ConfigError] {
            guard let scenario = try? Scenario.load(path: path, context: nil) else { return [] }
            let lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").components(separatedBy: "\n")
            var problems: [ConfigError] = []
            for injection in scenario.alerts {
                let name = URL(fileURLWithPath: injection.path).lastPathComponent
                // The `file:` line naming it (AlertInjection keeps no line of its own).
                let line = lines.firstIndex { $0.contains("file:") && $0.contains(name) }.map { $0 + 1 }
                let reason: String
                do {
                    _ = try AlertParser.parse(try Data(contentsOf: URL(fileURLWithPath: injection.path)))
                    continue
                } catch let error as AlertFormatError {
                    reason = error.description
                } catch {
                    reason = "cannot be read (\(error.localizedDescription))"
                }
                problems.append(
                    ConfigError(.unknownValue, file: path, line: line, field: "alerts", "alert file '\(name)' is not a notice Starling reads: \(reason)"))
            }
            return problems
        }
    }
}

/// `starling validate --json`.
struct ValidationDocument: Encodable {
    struct Checked: Encodable {
        let path: String
        let kind: String
    }

    struct Finding: Encodable {
        let file: String
        let line: Int?
        let field: String?
        let code: String
        let message: String

        init(_ error: ConfigError) {
            file = error.file
            line = error.line
            field = error.field
            code = error.code.rawValue
            message = error.message
        }
    }

    let valid: Bool
    let checked: [Checked]
    let problems: [Finding]
    let notes: [Finding]

    init(_ report: ConfigValidator.Report) {
        valid = report.isValid
        checked = report.checked.map { Checked(path: $0.path, kind: $0.kind.rawValue) }
        problems = report.errors.map(Finding.init)
        notes = report.notes.map(Finding.init)
    }
}
