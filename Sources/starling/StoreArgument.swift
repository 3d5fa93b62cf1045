import ArgumentParser
import Foundation
import Logging
import Persistence
import PersistencePostgres

/// `--store` and `--db`: where a command's store is, as ``Persistence/StoreLocation`` reads it
/// (`sqlite:PATH`, a path, or `postgresql://USER@HOST:PORT/DATABASE`).
enum StoreArgument {
    /// The value name and help of a store option, with what it is for and its default.
    static func help(_ purpose: String, default defaultValue: String? = nil) -> ArgumentHelp {
        let fallback = defaultValue.map { " (default: \($0))" } ?? ""
        return ArgumentHelp("\(purpose): a SQLite file (PATH or sqlite:PATH) or postgresql://USER@HOST:PORT/DATABASE\(fallback).", valueName: "STORE")
    }

    /// Reads the option's text; a location that cannot be used is a wrong command line, said
    /// with its reason (argument-parser prints it after the value).
    @Sendable static func parse(_ text: String) throws -> StoreLocation {
        do {
            return try StoreLocation(parsing: text)
        } catch {
            throw ValidationError(error.message)
        }
    }
}

extension StoreLocation {
    /// `starling serve`'s store unless told otherwise (and so `starling token`'s).
    static let serveDefault = StoreLocation.sqlite(path: "out/serve/starling.sqlite")
}

/// Opens a command's store (creating a SQLite file and its folder if needed); exits 1 with the
/// reason if it cannot. The store's warnings (a PostgreSQL server without fsync) go to
/// standard error.
func openStore(_ location: StoreLocation) async throws -> any Store {
    var logger = Logger(label: "starling.store") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    do {
        return try await location.open(logger: logger)
    } catch {
        printError("\(location): \(error)")
        throw ExitCode(1)
    }
}
