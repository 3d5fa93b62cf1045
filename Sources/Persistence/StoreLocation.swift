import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a store is: a SQLite file (the default, one machine) or a PostgreSQL database (sites on
/// separate machines sharing one network).
///
/// Written the way `--store` takes it:
///
/// | text | location |
/// |---|---|
/// | `sqlite:out/night/starling.sqlite`, `out/night/starling.sqlite` | a SQLite file (a plain path is one) |
/// | `postgresql://starling@db.example.org:5432/starling` | a PostgreSQL database over TCP |
/// | `postgresql://starling@/starling?host=/var/run/postgresql` | the same through the server's Unix socket |
///
/// ```swift
/// let location = try StoreLocation(parsing: "postgresql://starling@db:5432/starling?sslmode=require")
/// print(location)   // postgresql://starling@db:5432/starling?sslmode=require (a password is never printed)
/// ```
///
/// `PersistencePostgres` opens any location (`StoreLocation.open(logger:)`); `SQLiteStore(path:)`
/// opens a SQLite one without it.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// A SQLite file, created with its schema if it does not exist.
    case sqlite(path: String)
    /// A PostgreSQL database; its schema is created or brought up to date when it is opened.
    case postgreSQL(PostgresEndpoint)

    /// Reads a location as `--store` takes it (see the table above).
    ///
    /// - Throws: ``StoreError`` `.invalidLocation`, saying what is wrong and what to write.
    public init(parsing text: String) throws(StoreError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw StoreError(.invalidLocation, "no store given: write sqlite:PATH, a path, or postgresql://USER@HOST:PORT/DATABASE")
        }
        if let scheme = Self.scheme(of: trimmed) {
            switch scheme.lowercased() {
            case "postgresql", "postgres":
                self = .postgreSQL(try PostgresEndpoint(parsing: trimmed))
                return
            case "sqlite":
                // `sqlite:///var/lib/x.sqlite` (the form some tools write) is the absolute path.
                var path = String(trimmed.dropFirst(scheme.count + 1))
                if path.hasPrefix("///") { path = String(path.dropFirst(2)) }
                guard !path.isEmpty, !path.hasPrefix("//") else {
                    throw StoreError(
                        .invalidLocation, "\(text): write sqlite:PATH, e.g. sqlite:out/starling.sqlite or sqlite:/var/lib/starling/starling.sqlite")
                }
                self = .sqlite(path: path)
                return
            default:
                throw StoreError(
                    .invalidLocation,
                    "\(text): Starling stores are SQLite (sqlite:PATH or a path) or PostgreSQL (postgresql://USER@HOST:PORT/DATABASE), not \(scheme)")
            }
        }
        self = .sqlite(path: trimmed)
    }

    /// The scheme of `scheme:…`, when the text starts with one Starling could mean (`sqlite:`,
    /// or any `name://`); `nil` for a path (which may itself contain a colon).
    private static func scheme(of text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isLetter,
            scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) })
        else { return nil }
        if scheme.lowercased() == "sqlite" || text[colon...].hasPrefix("://") { return String(scheme) }
        return nil
    }

    /// The location as `--store` takes it, without any password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgreSQL(let endpoint): endpoint.description
        }
    }

    /// Whether this is a SQLite file.
    public var sqlitePath: String? {
        if case .sqlite(let path) = self { return path }
        return nil
    }
}

/// A PostgreSQL database as a `postgresql://` URL names it (libpq's connection URI, the form
/// `psql` takes): `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAMETERS]`.
///
/// Defaults follow libpq's: the port is 5432, the user the operating system's user, the
/// database the user's name, and with no host the server's Unix socket in
/// `/var/run/postgresql` (Debian's and Ubuntu's). Parameters: `host` (a host name, or a socket
/// folder when it starts with `/`), `port`, `sslmode` (``TLSMode``), `sslrootcert`,
/// `connect_timeout` (seconds), `application_name`. A password is better kept out of the URL
/// (process lists show command lines): `PGPASSWORD` is read when the URL has none.
public struct PostgresEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// How the server is reached.
    public enum Server: Sendable, Hashable {
        /// Over TCP (a host name or an IP address, without brackets).
        case tcp(host: String, port: Int)
        /// Through the Unix socket the server keeps in a folder (`<folder>/.s.PGSQL.<port>`).
        case unixSocket(folder: String, port: Int)

        public var port: Int {
            switch self {
            case .tcp(_, let port), .unixSocket(_, let port): port
            }
        }
    }

    /// libpq's `sslmode`, for TCP connections (a Unix socket never uses TLS).
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Never encrypt.
        case disable
        /// Encrypt when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// Always encrypt, without checking the certificate (libpq's meaning of `require`).
        case require
        /// Always encrypt; the certificate must be signed by a trusted authority.
        case verifyCA = "verify-ca"
        /// Always encrypt; the certificate must be trusted and name the host.
        case verifyFull = "verify-full"
    }

    public var server: Server
    public var user: String
    /// The password from the URL, if it has one (never printed).
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// A file of trusted certificate authorities (PEM) for `verify-ca` and `verify-full`;
    /// `nil`: the system's.
    public var rootCertificatePath: String?
    /// How long to wait for a connection.
    public var connectTimeoutSeconds: Int?
    /// The name the server shows for the connection (`pg_stat_activity`).
    public var applicationName: String?

    /// The default port.
    public static let defaultPort = 5432
    /// Where Debian's and Ubuntu's server keeps its Unix socket: the default host.
    public static let defaultSocketFolder = "/var/run/postgresql"

    public init(
        server: Server, user: String, password: String? = nil, database: String, tlsMode: TLSMode = .prefer,
        rootCertificatePath: String? = nil, connectTimeoutSeconds: Int? = nil, applicationName: String? = nil
    ) {
        self.server = server
        self.user = user
        self.password = password
        self.database = database
        self.tlsMode = tlsMode
        self.rootCertificatePath = rootCertificatePath
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.applicationName = applicationName
    }

    /// Reads a `postgresql://` (or `postgres://`) URL.
    ///
    /// - Throws: ``StoreError`` `.invalidLocation` naming the part that is wrong.
    public init(parsing url: String) throws(StoreError) {
        func invalid(_ reason: String) -> StoreError {
            StoreError(.invalidLocation, "\(Self.redacted(url)): \(reason) (expected postgresql://USER@HOST:PORT/DATABASE)")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgresql" || scheme == "postgres"
        else { throw invalid("not a postgresql:// URL (is a character in it not percent-encoded?)") }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard let value = item.value, !value.isEmpty else { throw invalid("parameter '\(item.name)' has no value") }
            guard Self.parameterNames.contains(item.name) else {
                throw invalid("unknown parameter '\(item.name)' (known: \(Self.parameterNames.sorted().joined(separator: ", ")))")
            }
            parameters[item.name] = value
        }
        var port = components.port ?? Self.defaultPort
        if let text = parameters["port"] {
            guard let value = Int(text) else { throw invalid("port '\(text)' is not a number") }
            port = value
        }
        guard (1...65_535).contains(port) else { throw invalid("port \(port) is not in 1...65535") }
        var host = components.host ?? ""
        if let parameter = parameters["host"] { host = parameter }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }  // an IPv6 address
        if host.isEmpty {
            server = .unixSocket(folder: Self.defaultSocketFolder, port: port)
        } else if host.hasPrefix("/") {
            server = .unixSocket(folder: host, port: port)
        } else {
            server = .tcp(host: host, port: port)
        }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? Self.operatingSystemUser
        guard let user else { throw invalid("no user: write postgresql://USER@…") }
        self.user = user
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { throw invalid("the database name '\(path)' contains '/'") }
        database = path.isEmpty ? user : path
        if let mode = parameters["sslmode"] {
            guard let parsed = TLSMode(rawValue: mode) else {
                throw invalid("sslmode '\(mode)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tlsMode = parsed
        } else {
            tlsMode = .prefer
        }
        rootCertificatePath = parameters["sslrootcert"]
        if let text = parameters["connect_timeout"] {
            guard let seconds = Int(text), seconds > 0 else { throw invalid("connect_timeout '\(text)' is not a positive number of seconds") }
            connectTimeoutSeconds = seconds
        } else {
            connectTimeoutSeconds = nil
        }
        applicationName = parameters["application_name"]
    }

    /// The URL parameters Starling understands (libpq's names).
    static let parameterNames: Set<String> = ["host", "port", "sslmode", "sslrootcert", "connect_timeout", "application_name"]

    /// The user this process runs as, libpq's default user: `$USER`, `$LOGNAME`, else the
    /// account of the effective user id (a service started without a login has neither variable).
    private static var operatingSystemUser: String? {
        let environment = ProcessInfo.processInfo.environment
        for name in ["USER", "LOGNAME"] { if let user = environment[name], !user.isEmpty { return user } }
        guard let account = getpwuid(geteuid()), let name = account.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// The URL, with a password shown as `***`; parsing it gives this endpoint back (but the
    /// password).
    public var description: String {
        var text = "postgresql://" + Self.encoded(user, allowed: .urlUserAllowed)
        if password != nil { text += ":***" }
        text += "@"
        var parameters: [String] = []
        switch server {
        case .tcp(let host, let port):
            text += host.contains(":") ? "[\(host)]" : host
            text += ":\(port)"
        case .unixSocket(let folder, let port):
            if port != Self.defaultPort { text += ":\(port)" }
            if folder != Self.defaultSocketFolder { parameters.append("host=" + Self.encoded(folder, allowed: .urlQueryValueAllowed)) }
        }
        text += "/" + Self.encoded(database, allowed: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
        if tlsMode != .prefer { parameters.append("sslmode=\(tlsMode.rawValue)") }
        if let rootCertificatePath { parameters.append("sslrootcert=" + Self.encoded(rootCertificatePath, allowed: .urlQueryValueAllowed)) }
        if let connectTimeoutSeconds { parameters.append("connect_timeout=\(connectTimeoutSeconds)") }
        if let applicationName { parameters.append("application_name=" + Self.encoded(applicationName, allowed: .urlQueryValueAllowed)) }
        return parameters.isEmpty ? text : text + "?" + parameters.joined(separator: "&")
    }

    private static func encoded(_ text: String, allowed: CharacterSet) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A URL as typed, with any password replaced by `***`, for error messages.
    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let schemeEnd = url.range(of: "://"), schemeEnd.upperBound < at else { return url }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

extension CharacterSet {
    /// What may stand unescaped in a query parameter's value (not `&`, `=`, `+` or `#`).
    fileprivate static let urlQueryValueAllowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#?"))
}
