import ArgumentParser
import StarlingCore

extension Starling {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check sites, telescope models, catalogs and scenarios.",
            discussion: """
                With no paths, checks everything under sites/, catalogs/ and simulations/. Prints one \
                FILE:LINE: message per problem on standard error, and notes (findings that leave a \
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
            let report = paths.isEmpty ? validator.validateAll() : validator.validate(paths: paths)
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
