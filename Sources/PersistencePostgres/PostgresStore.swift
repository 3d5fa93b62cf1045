import Foundation
public import Logging
public import Persistence
import StarlingCore
internal import PostgresNIO
internal import _ConnectionPoolModule

/// The ``Persistence/Store`` over a PostgreSQL database, through postgres-nio: for sites on
/// separate machines sharing one network. Same protocols, same answers as
/// ``Persistence/SQLiteStore``; the same store tests run against both.
///
/// ```swift
/// let endpoint = try PostgresEndpoint(parsing: "postgresql://starling@db.example.org/starling")
/// let store = try await PostgresStore.open(endpoint, logger: logger)  // schema created or migrated
/// ```
///
/// Durability: every write is one explicit transaction and returns after its `COMMIT` has
/// been answered, which with `synchronous_commit` on (the default; the store refuses a
/// connection where it is off) means the commit is on the server's disk. Writes that belong
/// together are one transaction, as in SQLite. Transactions run at PostgreSQL's READ COMMITTED
/// level; the conditional updates that make alert processing exactly-once
/// (`UPDATE … WHERE status = 'received'`) stay exactly-once between processes, because a
/// second update of the same row waits for the first to commit and then re-checks its
/// condition.
///
/// Connections come from a pool (postgres-nio's `PostgresClient`), which runs in a task of its
/// own until ``close()`` or until the store is released.
public final class PostgresStore: Sendable {
    /// The database (never printed with its password).
    public let endpoint: PostgresEndpoint
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    /// How the store uses the server.
    public struct Options: Sendable {
        /// The most connections this store opens at once. Every process of a network has its
        /// own pool: mind the server's `max_connections` (100 by default) across them all.
        public var maximumConnections: Int

        public init(maximumConnections: Int = 8) {
            precondition(maximumConnections > 0, "a pool needs at least one connection")
            self.maximumConnections = maximumConnections
        }
    }

    /// Connects to the database, checks that it can keep Starling's promises, creates or
    /// migrates its schema, and starts the connection pool.
    ///
    /// The checks and the migration run on one connection of their own before the pool starts,
    /// so that a wrong password, a missing database or an unreachable server is reported as
    /// such at once (a pool would go on retrying).
    ///
    /// - Parameters:
    ///   - endpoint: the database. Without a password in the URL, `PGPASSWORD` is used.
    ///   - logger: for the pool's background work and the store's notices (migrations, a
    ///     server with `fsync` off).
    /// - Throws: ``Persistence/StoreError``: `.unavailable` when the server cannot be reached,
    ///   `.cannotOpen` when it refuses the user or has no such database, `.incompatible` when
    ///   it is older than PostgreSQL 10, does not use UTF-8, commits without waiting for its
    ///   disk (`synchronous_commit = off`), or holds a newer Starling schema,
    ///   `.invalidLocation` when a TLS setting cannot be used.
    public static func open(_ endpoint: PostgresEndpoint, options: Options = Options(), logger: Logger) async throws(StoreError) -> PostgresStore {
        let connection = try PostgresConnectionSettings(endpoint: endpoint)
        let opening: PostgresConnection
        do {
            opening = try await PostgresConnection.connect(configuration: connection.connectionConfiguration, id: 0, logger: logger)
        } catch {
            throw storeError(error, doing: "connecting", to: endpoint)
        }
        do {
            try await ServerCheck.run(on: opening, endpoint: endpoint, logger: logger)
            try await PostgresSchema.migrate(opening, logger: logger, database: endpoint.description)
        } catch {
            try? await opening.close()
            throw storeError(error, doing: "preparing the database", to: endpoint)
        }
        try? await opening.close()
        return PostgresStore(endpoint: endpoint, configuration: connection.clientConfiguration(maximumConnections: options.maximumConnections), logger: logger)
    }

    private init(endpoint: PostgresEndpoint, configuration: PostgresClient.Configuration, logger: Logger) {
        self.endpoint = endpoint
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        // Detached: the pool must not inherit a ServiceGroup's graceful-shutdown handler from
        // whoever opened the store (PostgresClient.run() stops at graceful shutdown), since the
        // hosts still write while they shut down. It ends with close() or the store's release.
        running = Task.detached { await client.run() }
    }

    deinit {
        running.cancel()
    }

    /// Closes the pool's connections and waits until they are closed. The store must not be
    /// used afterwards (its calls then fail with `.unavailable`).
    public func close() async {
        running.cancel()
        await running.value
    }

    // MARK: Access

    /// Runs `body` in one transaction on a pooled connection: `BEGIN`, the body, `COMMIT`
    /// (or `ROLLBACK` when it throws). Returns after the commit.
    ///
    /// Where later work adds cross-process coordination, this is its place: a
    /// `SELECT … FOR UPDATE SKIP LOCKED` claim or a `NOTIFY` (delivered at commit) goes in a
    /// body like any other statement.
    func transaction<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch {
            throw Self.storeError(error, doing: what, to: endpoint)
        }
    }

    /// Runs one read-only statement and decodes its rows.
    func read<T>(_ what: String, _ query: PostgresQuery, _ decode: (PostgresRow) throws -> T) async throws(StoreError) -> [T] {
        do {
            var rows: [T] = []
            for try await row in try await client.query(query, logger: logger) { rows.append(try decode(row)) }
            return rows
        } catch {
            throw Self.storeError(error, doing: what, to: endpoint)
        }
    }

    /// The server's value of a setting for the store's connections (`synchronous_commit`,
    /// `fsync`, …), for tests that check how the store is set up.
    func setting(_ name: String) async throws(StoreError) -> String? {
        try await read("reading the setting \(name)", "SELECT current_setting(\(name))") { row in try row.decode(String.self) }.first
    }
}

/// The checks a database must pass before Starling uses it.
enum ServerCheck {
    /// The oldest server Starling uses (identity columns came in PostgreSQL 10).
    static let minimumVersion = 100_000

    static func run(on connection: PostgresConnection, endpoint: PostgresEndpoint, logger: Logger) async throws {
        var settings: (version: Int, encoding: String, synchronousCommit: String, fsync: String)?
        let query: PostgresQuery = """
            SELECT current_setting('server_version_num')::int, current_setting('server_encoding'),
                   current_setting('synchronous_commit'), current_setting('fsync')
            """
        for try await row in try await connection.query(query, logger: logger).decode((Int, String, String, String).self) {
            settings = (row.0, row.1, row.2, row.3)
        }
        guard let settings else { throw StoreError(.failed, "the server did not answer a query about its settings (\(endpoint))") }
        guard settings.version >= minimumVersion else {
            throw StoreError(
                .incompatible, "\(endpoint): the server is PostgreSQL \(settings.version / 10_000); Starling needs PostgreSQL 10 or later")
        }
        guard settings.encoding == "UTF8" else {
            throw StoreError(
                .incompatible,
                "\(endpoint): the database's encoding is \(settings.encoding); Starling needs UTF8 (createdb --encoding=UTF8 --template=template0 \(endpoint.database))")
        }
        guard settings.synchronousCommit != "off" else {
            throw StoreError(
                .incompatible,
                "\(endpoint): the server acknowledges commits before they are on disk (synchronous_commit = off), so a crash could lose an alert Starling had accepted; turn it on for Starling: ALTER ROLE \(endpoint.user) SET synchronous_commit = on")
        }
        if settings.fsync == "off" {
            logger.warning(
                "The PostgreSQL server runs with fsync off: a power loss can lose or corrupt committed data (fine for a throwaway test server only)",
                metadata: ["store": "\(endpoint)"])
        }
    }
}

/// postgres-nio's configurations for an endpoint: one for a single connection, one for the pool.
struct PostgresConnectionSettings {
    let endpoint: PostgresEndpoint
    let password: String?
    let tls: TLSConfiguration?
    let startupParameters: [(String, String)]
    let connectTimeout: Duration

    /// The application name the server shows for Starling's connections, unless the URL names one.
    static let applicationName = "starling"

    init(endpoint: PostgresEndpoint, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        self.endpoint = endpoint
        password = endpoint.password ?? environment["PGPASSWORD"]
        startupParameters = [("application_name", endpoint.applicationName ?? Self.applicationName)]
        connectTimeout = .seconds(endpoint.connectTimeoutSeconds ?? 10)
        guard case .tcp = endpoint.server, endpoint.tlsMode != .disable else {
            tls = nil
            return
        }
        // libpq's meanings: prefer and require encrypt without checking the certificate,
        // verify-ca checks its signer, verify-full its signer and host name.
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch endpoint.tlsMode {
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let path = endpoint.rootCertificatePath {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw StoreError(.invalidLocation, "\(endpoint): sslrootcert \(path) cannot be read")
            }
            configuration.trustRoots = .file(path)
        }
        tls = configuration
    }

    var connectionConfiguration: PostgresConnection.Configuration {
        get throws(StoreError) {
            var configuration: PostgresConnection.Configuration
            switch endpoint.server {
            case .tcp(let host, let port):
                let mode: PostgresConnection.Configuration.TLS
                if let tls {
                    let context: NIOSSLContext
                    do {
                        context = try NIOSSLContext(configuration: tls)
                    } catch {
                        throw StoreError(.invalidLocation, "\(endpoint): its TLS settings cannot be used", underlying: error)
                    }
                    mode = endpoint.tlsMode == .prefer ? .prefer(context) : .require(context)
                } else {
                    mode = .disable
                }
                configuration = .init(host: host, port: port, username: endpoint.user, password: password, database: endpoint.database, tls: mode)
            case .unixSocket(let folder, let port):
                configuration = .init(
                    unixSocketPath: PostgresConnectionSettings.socketPath(folder: folder, port: port), username: endpoint.user, password: password,
                    database: endpoint.database)
            }
            configuration.options.connectTimeout = .seconds(Int64(connectTimeout.components.seconds))
            configuration.options.additionalStartupParameters = startupParameters
            return configuration
        }
    }

    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch endpoint.server {
        case .tcp(let host, let port):
            let mode: PostgresClient.Configuration.TLS
            if let tls { mode = endpoint.tlsMode == .prefer ? .prefer(tls) : .require(tls) } else { mode = .disable }
            configuration = .init(host: host, port: port, username: endpoint.user, password: password, database: endpoint.database, tls: mode)
        case .unixSocket(let folder, let port):
            configuration = .init(
                unixSocketPath: Self.socketPath(folder: folder, port: port), username: endpoint.user, password: password, database: endpoint.database)
        }
        configuration.options.connectTimeout = connectTimeout
        configuration.options.additionalStartupParameters = startupParameters
        configuration.options.maximumConnections = maximumConnections
        return configuration
    }

    /// The server's socket in a folder: `<folder>/.s.PGSQL.<port>` (libpq's naming).
    static func socketPath(folder: String, port: Int) -> String {
        (folder.hasSuffix("/") ? folder : folder + "/") + ".s.PGSQL.\(port)"
    }
}
