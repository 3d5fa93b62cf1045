import ArgumentParser
import Foundation
import Persistence
import StarlingCore

/// Options shared by every subcommand: where the configuration is, and JSON output.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The folder holding sites/, catalogs/ and simulations/ (default: $STARLING_CONFIG, else found from the current folder upwards, else the installed one).",
            valueName: "DIR"))
    var configRoot: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// The environment variable naming the configuration folder.
    static let configEnvironmentKey = "STARLING_CONFIG"

    /// The project layout: `--config`, else `$STARLING_CONFIG`, else the first folder from the
    /// current one upwards that has `sites/`, else the configuration `make install` put beside
    /// the binary (`<prefix>/share/starling`).
    func layout() throws -> ProjectLayout {
        if let configRoot { return try Self.layout(at: configRoot, from: "--config") }
        if let root = ProcessInfo.processInfo.environment[Self.configEnvironmentKey], !root.isEmpty {
            return try Self.layout(at: root, from: "$\(Self.configEnvironmentKey)")
        }
        if let layout = ProjectLayout.locate() { return layout }
        if let installed = Self.installedLayout() { return installed }
        throw ValidationError(
            "no sites/ folder here or in any parent folder: run from the Starling folder, pass --config DIR or set \(Self.configEnvironmentKey)=DIR")
    }

    private static func layout(at root: String, from origin: String) throws -> ProjectLayout {
        let layout = ProjectLayout(root: root)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: layout.sitesDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(origin) \(root): no sites/ folder there")
        }
        return layout
    }

    /// `<prefix>/share/starling` for a binary installed as `<prefix>/bin/starling`.
    private static func installedLayout() -> ProjectLayout? {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let share = binary.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/starling").path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: share + "/sites", isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        return ProjectLayout(root: share)
    }
}

/// `--db STORE`: the store a command reads, shared by `report` and `review`.
struct StoreOptions: ParsableArguments {
    @Option(
        help: StoreArgument.help("The store (default: $STARLING_STORE, else out/night/starling.sqlite, where `starling night` writes)"),
        transform: StoreArgument.parse)
    var db: StoreLocation?

    /// The environment variable naming the store (a path or a URL, as `--db` takes it).
    static let storeEnvironmentKey = "STARLING_STORE"
    /// Where `starling night` writes its store by default (`--out out/night`).
    static let nightStore = "out/night/starling.sqlite"

    /// The store: `--db`, else `$STARLING_STORE`, else `out/night/starling.sqlite`.
    var location: StoreLocation {
        get throws { try Self.location(given: db) }
    }

    /// The store a command reads: the one given, else `$STARLING_STORE`, else
    /// `out/night/starling.sqlite` (`starling mcp` follows the same rule with its own `--db`).
    static func location(given db: StoreLocation?) throws -> StoreLocation {
        if let db { return db }
        if let text = ProcessInfo.processInfo.environment[storeEnvironmentKey], !text.isEmpty {
            do {
                return try StoreLocation(parsing: text)
            } catch {
                throw ValidationError("$\(storeEnvironmentKey): \(error.message)")
            }
        }
        return .sqlite(path: nightStore)
    }

    func validate() throws {
        // A SQLite file must be there already: reading an empty new one would only say "nothing stored".
        guard case .sqlite(let path) = try location, !FileManager.default.fileExists(atPath: path) else { return }
        let origin = db != nil ? "--db" : (ProcessInfo.processInfo.environment[Self.storeEnvironmentKey].map { _ in "$\(Self.storeEnvironmentKey)" } ?? "the default store")
        throw ValidationError(
            "\(origin) \(path): no store there (run `starling night`, pass --db STORE or set \(Self.storeEnvironmentKey)=STORE)")
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

/// Looks up a name a user typed (a site, telescope, filter, target); an unknown one is a
/// wrong command line, said in one line ("no site 'haleakla' (did you mean 'haleakala'?)").
func lookUp<T>(_ option: String, _ body: () throws(UnknownNameError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw ValidationError("\(option): \(error.description)")
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Encodes a value as pretty, key-sorted JSON and prints it.
///
/// JSON has no NaN or infinity: documents carry such values as `null` (see
/// ``FiniteNumber``); if one still gets here, the command fails with the reason rather than
/// the encoder's message.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    do {
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    } catch EncodingError.invalidValue(let value, let context) {
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        printError("cannot write JSON: \(path.isEmpty ? "a value" : path) is \(value), which JSON cannot hold")
        throw ExitCode(1)
    }
}

/// A number for JSON: `nil` (written as `null`) when it is NaN or infinite.
enum FiniteNumber {
    static func value(_ number: Double?) -> Double? {
        guard let number, number.isFinite else { return nil }
        return number
    }
}
