import ArgumentParser
import Foundation
import StarlingCore

/// Options shared by every subcommand.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("The folder holding sites/, catalogs/ and simulations/.", valueName: "DIR"))
    var configRoot: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    /// The project layout: --config, else found from the current folder upwards.
    func layout() throws -> ProjectLayout {
        if let configRoot {
            let layout = ProjectLayout(root: configRoot)
            guard FileManager.default.fileExists(atPath: layout.sitesDirectory) else {
                throw ValidationError("--config \(configRoot): no sites/ folder there")
            }
            return layout
        }
        guard let layout = ProjectLayout.locate() else {
            throw ValidationError("no sites/ folder here or in any parent folder; run from the Starling folder or pass --config DIR")
        }
        return layout
    }
}

/// Runs a loader; on configuration errors prints each on standard error and exits with
/// status 1 (invalid data).
func loadOrExit<T>(_ load: () throws(ConfigErrors) -> T) throws -> T {
    do {
        return try load()
    } catch {
        for problem in error.errors { printError(problem.description) }
        throw ExitCode(1)
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Encodes a value as pretty, key-sorted JSON and prints it.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
