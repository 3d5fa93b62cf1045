import BenchmarkSupport
import Foundation

/// The peer: nginx (Debian's) serving the same response bodies as static files, so the same
/// wrk run against it gives the floor of what serving those bytes over HTTP/1.1 costs on this
/// machine. Starling does more per request (the token, the agents' state or the store, JSON
/// encoding); nginx only reads a file it keeps in the page cache.
///
/// Runs in the foreground with every path under its own folder (`-p`, `-e`), so it needs no
/// root and leaves nothing behind; `worker_processes auto` lets it use both cores, as the
/// Starling server may.
final class NginxPeer: Sendable {
    let process: Process
    let port: Int
    let folder: String

    /// Writes `bodies` (path → bytes) under `folder/www` and starts nginx on a free port.
    init(nginx: String, folder: String, bodies: [String: Data]) throws {
        self.folder = folder
        let www = folder + "/www"
        for (path, body) in bodies {
            let file = URL(fileURLWithPath: www + path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try body.write(to: file)
        }
        port = try freePort()
        let configuration = """
            worker_processes auto;
            daemon off;
            pid \(folder)/nginx.pid;
            error_log \(folder)/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                default_type application/json;
                client_body_temp_path \(folder)/client_body;
                proxy_temp_path \(folder)/proxy;
                fastcgi_temp_path \(folder)/fastcgi;
                uwsgi_temp_path \(folder)/uwsgi;
                scgi_temp_path \(folder)/scgi;
                server {
                    listen 127.0.0.1:\(port);
                    root \(www);
                    keepalive_requests 1000000;
                }
            }
            """
        try configuration.write(toFile: folder + "/nginx.conf", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-p", folder, "-e", folder + "/error.log", "-c", folder + "/nginx.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Waits until nginx answers `path` with 200, at most `timeout`.
    func waitUntilServing(_ path: String, within timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if process.isRunning == false { break }
            if let (status, _) = try? await get(base + path, token: ""), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = (try? String(contentsOfFile: folder + "/error.log", encoding: .utf8)) ?? ""
        throw BenchmarkFailure("nginx did not serve \(path) within \(timeout): \(log.suffix(500))")
    }

    /// CPU time of the master and its workers so far, in seconds.
    var cpuSeconds: Double? {
        let master = process.processIdentifier
        var total = processCPUSeconds(master) ?? 0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != master, parentProcess(pid) == master else { continue }
            total += processCPUSeconds(pid) ?? 0
        }
        return total
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// A TCP port nothing listens on now (the kernel picks it; nginx cannot be given port 0 and say
/// which it took).
func freePort() throws -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw BenchmarkFailure("socket() failed: errno \(errno)") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
    }
    guard bound else { throw BenchmarkFailure("could not bind a free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

private func parentProcess(_ pid: Int32) -> Int32? {
    guard let fields = statFields(pid), fields.count > 1 else { return nil }
    return Int32(fields[1])
}
