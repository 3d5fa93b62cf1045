import ArgumentParser
import Foundation
import StarlingCore

/// The `starling` command: runs and inspects a self-running network of robotic telescopes.
@main
struct Starling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starling",
        abstract: "Run a global network of robotic telescopes: plan, observe, follow up alerts, report.",
        discussion: """
            Configuration lives in sites/ (observatories and telescopes), catalogs/ (targets) and \
            simulations/ (scenarios) under the project folder: --config DIR, else $STARLING_CONFIG, \
            else found from the current folder upwards, else the one `make install` installed. \
            Commands that read a store use --db, else $STARLING_STORE, else out/night/starling.sqlite; \
            a store is a SQLite file (PATH or sqlite:PATH) or postgresql://USER@HOST:PORT/DATABASE. \
            Exit status: 0 success, 1 invalid data or a failure, 64 a wrong command line.
            """,
        version: Release.version,
        subcommands: [Sites.self, Catalog.self, Validate.self, Sky.self, Plan.self, Observe.self, Night.self, Serve.self, Mcp.self, Ask.self, Token.self, Fits.self, Alert.self, Report.self, ReviewCommand.self]
    )

    /// Parses and runs a command like argument-parser's own `main`, but reports a wrong
    /// command line by saying only what is wrong (see ``CommandLineFailure``).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            printError(CommandLineFailure(fullMessage: fullMessage(for: error), arguments: arguments).text)
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
    }
}

/// What `starling` prints for a wrong command line: the error and the option's help, then a
/// pointer to `--help`, without argument-parser's generic usage block (which buries the one
/// line that matters under every option of the command).
struct CommandLineFailure {
    let text: String

    /// - Parameters:
    ///   - fullMessage: argument-parser's message: `Error: …`, maybe `Help: …`, then `Usage: …`
    ///     and `  See '… --help' for more information.`
    ///   - arguments: the command line, to explain a negative number read as an option.
    init(fullMessage: String, arguments: [String]) {
        var lines = fullMessage.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let usage = lines.firstIndex(where: { $0.hasPrefix("Usage:") }) { lines.removeSubrange(usage...) }
        if let first = lines.first, let explained = Self.negativeNumber(in: first, arguments: arguments) {
            lines[0] = explained
            lines.removeAll { $0.hasPrefix("Help:") }
        }
        // argument-parser names the root command for errors thrown by `run()`: name the one run.
        lines.append("See '\(Self.commandPath(arguments).joined(separator: " ")) --help' for its options.")
        text = lines.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// `["starling", "sky", "target"]` for `sky target --site …`: the command names at the
    /// start of the command line.
    static func commandPath(_ arguments: [String]) -> [String] {
        var path = [Starling._commandName]
        var command: any ParsableCommand.Type = Starling.self
        for argument in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            path.append(argument)
            command = next
        }
        return path
    }

    /// argument-parser reads `--exposure -5` as `--exposure` without a value followed by an
    /// option `-5`, and says "Missing value for '--exposure <SECONDS>'". An option that takes
    /// negative numbers parses its value unconditionally and never gets here, so the message
    /// can say plainly that this option does not.
    static func negativeNumber(in message: String, arguments: [String]) -> String? {
        guard message.contains("Missing value for") else { return nil }
        for (option, value) in zip(arguments, arguments.dropFirst())
        where option.hasPrefix("--") && message.contains("'\(option) ") && value.hasPrefix("-") && Double(value) != nil {
            return "Error: \(option) \(value): \(option) does not take a negative number"
        }
        return nil
    }
}
