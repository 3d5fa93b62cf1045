import ArgumentParser
import Foundation
import Persistence
import Service
import StarlingCore

extension Starling {
    /// `starling token`: API tokens for `starling serve`.
    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make, list and revoke API tokens for `starling serve`.",
            subcommands: [Create.self, List.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make an API token and print it once (the last line of the output).",
                discussion: """
                    Only a digest of the token is stored, so it cannot be shown again: keep it. Roles: viewer \
                    reads; observer also reviews frames and submits requests; operator also submits alerts \
                    and closes or opens telescopes.
                    """)

            @OptionGroup var options: GlobalOptions

            @Option(help: "What the token may do.")
            var role: AccessRole

            @Option(help: "Who or what it is for (shown in logs and as the reviewer).")
            var name: String?

            @Option(help: ArgumentHelp("The store the service uses.", valueName: "sqlite:PATH"))
            var store: StoreLocation = .serveDefault

            func run() async throws {
                let database = try openStore(store)
                let name = self.name ?? "\(role.rawValue)-\(ProcessInfo.processInfo.environment["USER"] ?? "user")"
                do {
                    let (token, secret) = try await TokenAuthority(store: database).create(name: name, role: role, at: Date())
                    if options.json {
                        struct Made: Encodable { let id, name, role, store, token: String }
                        try printJSON(Made(id: token.id, name: token.name, role: token.role.rawValue, store: store.description, token: secret))
                        return
                    }
                    print("Made token \(token.id) '\(token.name)' with the \(token.role.rawValue) role in \(store). Keep it: it is not shown again.")
                    print(secret)
                } catch {
                    printError("starling token create: \(error)")
                    throw ExitCode(1)
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the API tokens (never their secrets).")

            @OptionGroup var options: GlobalOptions

            @Option(help: ArgumentHelp("The store the service uses.", valueName: "sqlite:PATH"))
            var store: StoreLocation = .serveDefault

            func run() async throws {
                let tokens = try await openStore(store).tokens()
                if options.json {
                    struct Entry: Encodable { let id, name, role, created_utc: String; let revoked_utc: String? }
                    try printJSON(tokens.map {
                        Entry(
                            id: $0.id, name: $0.name, role: $0.role.rawValue, created_utc: ISO8601.string(from: $0.createdAt, fractionalSeconds: false),
                            revoked_utc: $0.revokedAt.map { ISO8601.string(from: $0, fractionalSeconds: false) })
                    })
                    return
                }
                var table = TextTable(headers: ["id", "name", "role", "made (UTC)", "revoked (UTC)"])
                for token in tokens {
                    table.append([
                        token.id, token.name, token.role.rawValue, ISO8601.string(from: token.createdAt, fractionalSeconds: false),
                        token.revokedAt.map { ISO8601.string(from: $0, fractionalSeconds: false) } ?? "",
                    ])
                }
                print(tokens.isEmpty ? "No tokens in \(store)." : table.render())
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke an API token: it is refused from then on (within seconds by a running service).")

            @OptionGroup var options: GlobalOptions

            @Argument(help: ArgumentHelp("The token's id (see `starling token list`).", valueName: "ID"))
            var id: String

            @Option(help: ArgumentHelp("The store the service uses.", valueName: "sqlite:PATH"))
            var store: StoreLocation = .serveDefault

            func run() async throws {
                guard try await openStore(store).revokeToken(id: id, at: Date()) else {
                    printError("starling token revoke: no token '\(id)' in \(store) (see `starling token list`)")
                    throw ExitCode(1)
                }
                if options.json {
                    try printJSON(["revoked": id])
                } else {
                    print("Revoked \(id).")
                }
            }
        }
    }
}

/// Opens the SQLite store at a location, creating its folder; exits 1 with the reason if it cannot.
func openStore(_ location: StoreLocation) throws -> SQLiteStore {
    do {
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: location.sqlitePath).deletingLastPathComponent().path, withIntermediateDirectories: true)
        return try SQLiteStore(path: location.sqlitePath)
    } catch {
        printError("\(location): \(error)")
        throw ExitCode(1)
    }
}
