import ArgumentParser

/// Where the store is, as `--store` takes it: `sqlite:PATH` (or a plain path) for the embedded
/// SQLite store. PostgreSQL (`postgresql://…`) is for sites on separate machines and is not
/// available in this build yet.
enum StoreLocation: ExpressibleByArgument, Equatable, CustomStringConvertible {
    case sqlite(path: String)

    init?(argument: String) {
        if argument.hasPrefix("postgresql://") || argument.hasPrefix("postgres://") { return nil }
        let path = argument.hasPrefix("sqlite:") ? String(argument.dropFirst("sqlite:".count)) : argument
        guard !path.isEmpty else { return nil }
        self = .sqlite(path: path)
    }

    static var defaultValueDescription: String { "sqlite:out/serve/starling.sqlite" }

    var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        }
    }

    /// The SQLite file.
    var sqlitePath: String {
        switch self {
        case .sqlite(let path): path
        }
    }

    /// The serve command's store unless told otherwise.
    static let serveDefault = StoreLocation.sqlite(path: "out/serve/starling.sqlite")
}
