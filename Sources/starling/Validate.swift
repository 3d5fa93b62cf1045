import ArgumentParser
import StarlingCore

extension Starling {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check sites, telescope models, catalogs and scenarios.",
            discussion: """
                With no paths, checks everything under sites/, catalogs/ and simulations/. Prints one \
                FILE:LINE: message per problem on standard error. Exits 0 when all is valid, 1 otherwise.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("Files or folders to check (default: the whole configuration).", valueName: "PATH"))
        var paths: [String] = []

        func run() async throws {
            let validator = ConfigValidator(layout: try options.layout())
            let report = paths.isEmpty ? validator.validateAll() : validator.validate(paths: paths)
            for error in report.errors { printError(error.description) }
            let kinds = Dictionary(grouping: report.checked, by: \.kind).map { $0.key.counted($0.value.count) }.sorted()
            if report.isValid {
                print("valid: \(report.checked.count) files (\(kinds.joined(separator: ", ")))")
            } else {
                print("\(report.errors.count) problem\(report.errors.count == 1 ? "" : "s") in \(Set(report.errors.map(\.file)).count) file(s)")
                throw ExitCode(1)
            }
        }
    }
}
