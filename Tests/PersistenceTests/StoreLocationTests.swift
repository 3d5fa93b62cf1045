import Foundation
import Persistence
import Testing

/// `--store` text: SQLite paths, PostgreSQL URLs (libpq's form), and refusals that say what to
/// write instead.
struct StoreLocationTests {
    static let sqliteCases: [(String, String)] = [
        ("out/night/starling.sqlite", "out/night/starling.sqlite"),
        ("sqlite:out/night/starling.sqlite", "out/night/starling.sqlite"),
        ("sqlite:/var/lib/starling/starling.sqlite", "/var/lib/starling/starling.sqlite"),
        ("sqlite:///var/lib/starling/starling.sqlite", "/var/lib/starling/starling.sqlite"),
        ("/tmp/a:b.sqlite", "/tmp/a:b.sqlite"),
        ("C:night.sqlite", "C:night.sqlite"),
    ]

    @Test(arguments: sqliteCases)
    func pathsAndSqliteURLsNameAFile(_ text: String, _ path: String) throws {
        #expect(try StoreLocation(parsing: text) == .sqlite(path: path))
        #expect(try StoreLocation(parsing: StoreLocation.sqlite(path: path).description) == .sqlite(path: path))
    }

    static let postgresCases: [(String, PostgresEndpoint)] = [
        (
            "postgresql://starling@db.example.org:5433/network",
            PostgresEndpoint(server: .tcp(host: "db.example.org", port: 5433), user: "starling", database: "network")
        ),
        ("postgres://starling@db/starling", PostgresEndpoint(server: .tcp(host: "db", port: 5432), user: "starling", database: "starling")),
        ("postgresql://starling@db", PostgresEndpoint(server: .tcp(host: "db", port: 5432), user: "starling", database: "starling")),
        (
            "postgresql://starling@[::1]:6543/s?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem&connect_timeout=3&application_name=site-teide",
            PostgresEndpoint(
                server: .tcp(host: "::1", port: 6543), user: "starling", database: "s", tlsMode: .verifyFull, rootCertificatePath: "/etc/ssl/ca.pem",
                connectTimeoutSeconds: 3, applicationName: "site-teide")
        ),
        (
            "postgresql://starling@/starling",
            PostgresEndpoint(server: .unixSocket(folder: PostgresEndpoint.defaultSocketFolder, port: 5432), user: "starling", database: "starling")
        ),
        (
            "postgresql://starling@:5999/night?host=/tmp/pg%20sockets",
            PostgresEndpoint(server: .unixSocket(folder: "/tmp/pg sockets", port: 5999), user: "starling", database: "night")
        ),
        (
            "postgresql://starling@%2Frun%2Fpg/night?port=5440",
            PostgresEndpoint(server: .unixSocket(folder: "/run/pg", port: 5440), user: "starling", database: "night")
        ),
        (
            "postgresql://st%40rling:s%3Acret@db/my%20night?sslmode=disable",
            PostgresEndpoint(server: .tcp(host: "db", port: 5432), user: "st@rling", password: "s:cret", database: "my night", tlsMode: .disable)
        ),
    ]

    @Test(arguments: postgresCases)
    func postgresqlURLsNameADatabase(_ text: String, _ endpoint: PostgresEndpoint) throws {
        #expect(try StoreLocation(parsing: text) == .postgreSQL(endpoint))
        // Printed, it reads back as the same database (a password is never printed).
        var withoutPassword = endpoint
        withoutPassword.password = nil
        let printed = StoreLocation.postgreSQL(endpoint).description
        #expect(!printed.contains("cret"))
        #expect(try StoreLocation(parsing: printed.replacingOccurrences(of: ":***@", with: "@")) == .postgreSQL(withoutPassword))
    }

    static let refusals: [(String, String)] = [
        ("", "no store given"),
        ("mysql://root@db/starling", "not mysql"),
        ("sqlite:", "write sqlite:PATH"),
        ("sqlite://night.sqlite", "write sqlite:PATH"),
        ("postgresql://starling@db:70000/s", "port 70000"),
        ("postgresql://starling@db/s?sslmode=allow", "sslmode 'allow'"),
        ("postgresql://starling@db/s?pool=3", "unknown parameter 'pool'"),
        ("postgresql://starling@db/s?connect_timeout=0", "connect_timeout"),
        ("postgresql://starling:hunter2@db/a/b", "contains '/'"),
    ]

    @Test(arguments: refusals)
    func locationsThatCannotBeUsedAreRefusedWithTheReason(_ text: String, _ reason: String) {
        #expect {
            try StoreLocation(parsing: text)
        } throws: { error in
            guard let error = error as? StoreError, error.code == .invalidLocation else { return false }
            return error.message.contains(reason) && !error.message.contains("hunter2")
        }
    }

    @Test func withoutAUserTheOperatingSystemsUserIsTaken() throws {
        let endpoint = try PostgresEndpoint(parsing: "postgresql:///night")
        #expect(!endpoint.user.isEmpty)
        #expect(endpoint.database == "night")
    }
}
