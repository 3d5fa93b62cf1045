import Foundation
public import Persistence
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server of its own for tests and benchmarks: Debian's `initdb` and `pg_ctl` in a
/// temporary folder, listening on its Unix socket in that folder and on a free loopback port,
/// with a superuser `starling` that needs no password.
///
/// ```swift
/// let server = try await TemporaryPostgreSQL.shared()      // one per test process
/// let location = try server.makeDatabase()                 // a fresh, empty database
/// let store = try await location.open(logger: logger)      // PersistencePostgres
/// ```
///
/// A watchdog process in a session of its own stops the server and removes the folder once
/// the process that started it has exited, however it exits (a crash and `kill -9` run no
/// `defer`), so a server never outlives its test run. ``stop()`` does the same at once.
///
/// Running as root (PostgreSQL refuses to), the server's commands run as the `postgres` user
/// that Debian's package creates (`runuser -u postgres`). Where the binaries are missing,
/// ``unavailableReason`` says so, for a test to skip with.
public final class TemporaryPostgreSQL: Sendable {
    /// The temporary folder: the cluster (`data/`), the server's log and its Unix socket.
    public let folder: String
    /// The loopback TCP port, which also names the socket (`.s.PGSQL.<port>`).
    public let port: Int
    /// Whether commits are synced to disk (`fsync`); off makes a throwaway server faster.
    public let isDurable: Bool
    /// The superuser the tests connect as.
    public let user = "starling"

    private let tools: Tools
    private let databases = Counter()

    /// How to start a server.
    public struct Options: Sendable {
        /// `fsync` on, as in production (benchmarks of commit latency); off for tests.
        public var isDurable: Bool
        /// The server's `max_connections`: every store opened in the test process has a pool.
        public var maximumConnections: Int

        public init(isDurable: Bool = false, maximumConnections: Int = 300) {
            self.isDurable = isDurable
            self.maximumConnections = maximumConnections
        }
    }

    /// Why a server cannot be started here, or `nil` when it can.
    public static let unavailableReason: String? = {
        switch Tools.locate() {
        case .success: nil
        case .failure(let failure): failure.message
        }
    }()

    /// The one server of this process, started on first use (about two seconds) and stopped by
    /// its watchdog when the process exits.
    ///
    /// - Throws: ``Failure`` when the binaries are missing or the server does not start (with
    ///   its log).
    public static func shared() async throws(Failure) -> TemporaryPostgreSQL {
        try await SharedServer.instance.server()
    }

    /// Starts a server of its own (see ``stop()``).
    ///
    /// - Throws: ``Failure`` when the binaries are missing or the server does not start.
    public static func start(options: Options = Options()) throws(Failure) -> TemporaryPostgreSQL {
        let tools = try Tools.locate().get()
        let folder = try Self.makeFolder(owner: tools.runAs)
        var lastFailure: Failure?
        // The port is free when chosen and taken when the server starts: another process may
        // take it in between, so try a few.
        for _ in 0..<3 {
            let port = try Self.freeLoopbackPort()
            do throws(Failure) {
                return try TemporaryPostgreSQL(folder: folder, port: port, options: options, tools: tools)
            } catch {
                lastFailure = error
                guard error.isPortTaken else { break }
            }
        }
        try? FileManager.default.removeItem(atPath: folder)
        throw lastFailure ?? Failure("PostgreSQL did not start")
    }

    private init(folder: String, port: Int, options: Options, tools: Tools) throws(Failure) {
        self.folder = folder
        self.port = port
        self.isDurable = options.isDurable
        self.tools = tools
        let data = folder + "/data"
        if !FileManager.default.fileExists(atPath: data) {
            try tools.run(
                "initdb", ["-D", data, "-U", user, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
                log: folder + "/initdb.log")
            try Watchdog.start(owner: getpid(), tools: tools, data: data, folder: folder)
        }
        let settings = [
            "-p \(port)", "-k '\(folder)'", "-c listen_addresses=127.0.0.1", "-c max_connections=\(options.maximumConnections)",
            "-c fsync=\(options.isDurable ? "on" : "off")", "-c full_page_writes=\(options.isDurable ? "on" : "off")",
        ]
        do throws(Failure) {
            try tools.run("pg_ctl", ["-D", data, "-l", folder + "/server.log", "-w", "-t", "60", "-o", settings.joined(separator: " "), "start"], log: folder + "/pg_ctl.log")
        } catch {
            let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
            throw Failure("PostgreSQL did not start on port \(port): \(error.message)\n\(log)", isPortTaken: log.contains("Address already in use"))
        }
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`) and removes its folder.
    public func stop() {
        _ = try? tools.run("pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"], log: folder + "/pg_ctl.log")
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Creates an empty database and returns its location, reached through the server's Unix
    /// socket (or over TCP on loopback, with `overTCP`).
    ///
    /// - Parameter name: the database's name; by default a new one each call.
    public func makeDatabase(named name: String? = nil, overTCP: Bool = false) throws(Failure) -> StoreLocation {
        let database = name ?? "starling_\(getpid())_\(databases.next())"
        try tools.run("createdb", ["-h", folder, "-p", "\(port)", "-U", user, database], log: folder + "/createdb.log")
        return .postgreSQL(endpoint(database: database, overTCP: overTCP))
    }

    /// The endpoint of a database of this server.
    public func endpoint(database: String, overTCP: Bool = false) -> PostgresEndpoint {
        PostgresEndpoint(
            server: overTCP ? .tcp(host: "127.0.0.1", port: port) : .unixSocket(folder: folder, port: port), user: user, database: database)
    }

    /// Runs SQL as the superuser with `psql` (for tests that set the server up in ways the store
    /// would not, e.g. `ALTER DATABASE … SET synchronous_commit = off`).
    ///
    /// - Returns: what `psql` printed (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws(Failure) -> String {
        let output = folder + "/psql-\(databases.next()).out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        try tools.run(
            "psql", ["-h", folder, "-p", "\(port)", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-X", "-A", "-t", "-c", sql], log: output,
            asServer: false)
        return ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Why a server could not be started or used.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let message: String
        let isPortTaken: Bool

        init(_ message: String, isPortTaken: Bool = false) {
            self.message = message
            self.isPortTaken = isPortTaken
        }

        public var description: String { message }
    }

    // MARK: Setting up

    private static func makeFolder(owner: RunAs?) throws(Failure) -> String {
        let temporary = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("starling-postgres-XXXXXX").path
        var template = Array(temporary.utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure("cannot make a temporary folder for PostgreSQL (errno \(errno))") }
        let folder = String(cString: made)
        if let owner, chown(folder, owner.uid, owner.gid) != 0 {
            throw Failure("cannot give \(folder) to the postgres user (errno \(errno))")
        }
        return folder
    }

    /// A TCP port on loopback that nothing listens on now (the kernel's pick, released at once).
    private static func freeLoopbackPort() throws(Failure) -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("cannot open a socket to find a free port (errno \(errno))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0 else { throw Failure("cannot bind a loopback port (errno \(errno))") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The process's one server, started once whoever asks first.
private actor SharedServer {
    static let instance = SharedServer()
    private var started: Result<TemporaryPostgreSQL, TemporaryPostgreSQL.Failure>?

    func server() throws(TemporaryPostgreSQL.Failure) -> TemporaryPostgreSQL {
        if started == nil { started = Result { () throws(TemporaryPostgreSQL.Failure) in try TemporaryPostgreSQL.start() } }
        return try started!.get()
    }
}

/// A count shared between tasks (database and file names).
final class Counter: Sendable {
    private let value = Mutex(0)

    func next() -> Int {
        value.withLock { value in
            value += 1
            return value
        }
    }
}

/// Who the server's commands run as: `postgres` when this process is root.
struct RunAs: Sendable {
    let runuser: String
    let uid: uid_t
    let gid: gid_t
}

/// The PostgreSQL programs, and how to run them.
struct Tools: Sendable {
    /// The folder holding `initdb`, `pg_ctl`, `createdb`, `psql`.
    let binaries: String
    let runAs: RunAs?

    /// Finds the programs: `$STARLING_POSTGRES_BIN`, else the newest of Debian's
    /// `/usr/lib/postgresql/<version>/bin`, else the `PATH`.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<Tools, TemporaryPostgreSQL.Failure> {
        let needed = ["initdb", "pg_ctl", "createdb", "psql"]
        var candidates: [String] = []
        if let folder = environment["STARLING_POSTGRES_BIN"], !folder.isEmpty { candidates.append(folder) }
        let debian = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: debian)) ?? []).compactMap(Int.init).sorted(by: >)
        candidates += versions.map { "\(debian)/\($0)/bin" }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard let binaries = candidates.first(where: { folder in needed.allSatisfy { FileManager.default.isExecutableFile(atPath: "\(folder)/\($0)") } })
        else {
            return .failure(
                TemporaryPostgreSQL.Failure(
                    "PostgreSQL's initdb, pg_ctl, createdb and psql were not found (install Debian's postgresql package: scripts/install-deps --test; or set STARLING_POSTGRES_BIN)"
                ))
        }
        guard geteuid() == 0 else { return .success(Tools(binaries: binaries, runAs: nil)) }
        // PostgreSQL refuses to run as root.
        guard let account = getpwnam("postgres") else {
            return .failure(TemporaryPostgreSQL.Failure("running as root, and there is no 'postgres' user to run the PostgreSQL server as"))
        }
        guard let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first(where: FileManager.default.isExecutableFile(atPath:))
        else {
            return .failure(TemporaryPostgreSQL.Failure("running as root, and runuser (util-linux) is missing to run PostgreSQL as 'postgres'"))
        }
        return .success(Tools(binaries: binaries, runAs: RunAs(runuser: runuser, uid: account.pointee.pw_uid, gid: account.pointee.pw_gid)))
    }

    /// The command line that runs a program, as the `postgres` user when `asServer` and root.
    func commandLine(_ program: String, _ arguments: [String], asServer: Bool = true) -> [String] {
        let command = ["\(binaries)/\(program)"] + arguments
        guard asServer, let runAs else { return command }
        return [runAs.runuser, "-u", "postgres", "--"] + command
    }

    /// Runs a program to its end with its output in `log`.
    ///
    /// - Throws: ``TemporaryPostgreSQL/Failure`` with the output when it fails.
    func run(_ program: String, _ arguments: [String], log: String, asServer: Bool = true) throws(TemporaryPostgreSQL.Failure) {
        let command = commandLine(program, arguments, asServer: asServer)
        let status = try ChildProcess.run(command, output: log)
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw TemporaryPostgreSQL.Failure("\(program) failed (exit \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}

/// Runs a program to its end, with `posix_spawn` and `waitpid` rather than Foundation's
/// `Process`.
///
/// `Process` on Linux learns that its child exited when a socket it passed to the child closes
/// (swift-corelibs-foundation issue 4795). `pg_ctl start` leaves the server running with that
/// socket inherited, and the watchdog's `setsid -f` leaves the watchdog with it, so
/// `waitUntilExit()` would wait for them, forever. Here the child gets standard input from
/// `/dev/null`, its output in a file, and no other descriptor of this process (closed from 3
/// up, where the C library can), so a server it leaves behind holds none of the test
/// process's pipes open either.
enum ChildProcess {
    /// Runs `command` (an absolute path and its arguments) and returns its exit status (128 + the
    /// signal when a signal ended it).
    ///
    /// - Parameter output: a file for its standard output and error; `nil`: `/dev/null`.
    static func run(_ command: [String], output: String?) throws(TemporaryPostgreSQL.Failure) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let closeFrom { _ = closeFrom(&actions, 3) }
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, &argv, environ)
        guard spawned == 0 else {
            throw TemporaryPostgreSQL.Failure("cannot run \(command.joined(separator: " ")): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw TemporaryPostgreSQL.Failure("lost \(command[0]) (waitpid: errno \(errno))") }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc
    /// module does not import; `nil` where the C library lacks it.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
    }()
}

/// Stops a server once the process that started it has gone.
enum Watchdog {
    /// Starts `sh` in a session of its own (`setsid -f`, so neither a signal to the test's
    /// process group nor its exit reaches it), polling the owner once a second.
    static func start(owner: pid_t, tools: Tools, data: String, folder: String) throws(TemporaryPostgreSQL.Failure) {
        let stop = tools.commandLine("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).map(quoted).joined(separator: " ")
        let script = """
            while kill -0 \(owner) 2>/dev/null; do sleep 1; done
            \(stop) >/dev/null 2>&1
            rm -rf \(quoted(folder))
            """
        guard let setsid = ["/usr/bin/setsid", "/bin/setsid"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw TemporaryPostgreSQL.Failure("setsid (util-linux) is missing: it runs the watchdog that stops a test's PostgreSQL")
        }
        // setsid -f returns once the watchdog is forked.
        let status = try ChildProcess.run([setsid, "-f", "/bin/sh", "-c", script], output: nil)
        guard status == 0 else { throw TemporaryPostgreSQL.Failure("cannot start the watchdog of a test's PostgreSQL (setsid exit \(status))") }
    }

    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
