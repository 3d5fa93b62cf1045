// ServiceBenchmark: the HTTP API under load while the whole array's night runs (issue 15).
//
// Runs the release build of `starling serve simulations/tonight.yaml --clock simulated
// --speed 600` (65 telescopes at 19 sites, every agent, the Reporter rendering one frame in 250)
// in a child process, with 200 clients following the live event stream (/api/events) from
// start to end. While the night runs, wrk (Debian's) sends a fixed 1,000 requests per second
// (paced.lua) for 30 s each to /health, /api/telescopes (every telescope's live state) and
// /api/plans (every telescope's plan for the night), with a viewer token. Then SIGTERM: the
// network closes its telescopes, the event stream ends, and every follower's ids are compared
// with the number of events the server says it sent.
//
// Peer: nginx (Debian's) serving the same two response bodies as static files, driven by the
// same wrk run right after Starling's, in the same run and while the same night goes on: the
// floor of serving those bytes on this machine. Printed: p99 latency of each and its ratio, and
// CPU time per request of each and its ratio. Both ratios are whole-process, not per core: each
// server uses both cores as it likes (Starling's event loops, nginx's `worker_processes auto`),
// and Starling's CPU is its whole process with the night's own CPU (measured over 10 s without
// load just before) taken off.
//
// Targets: p99 < 20 ms at 1,000 requests/s on the status and plan endpoints; every follower
// receives every event. wrk, the followers and the night share the machine's two cores with
// the server being measured.

import BenchmarkSupport
import Foundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let pacedScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("paced.lua").path

let rate = 1_000
let seconds = 30
let followerCount = 200
let speed = 600
let p99TargetMilliseconds = 20.0

/// What one wrk run measured.
struct LoadResult {
    let server: String
    let path: String
    let requests: Int
    let durationSeconds: Double
    let p50: Double, p90: Double, p99: Double, p999: Double, max: Double
    let errors: Int
    let non2xx: Int
    let serverCPU: Double?
    let simulatedHours: Double?

    var rate: Double { Double(requests) / durationSeconds }
    /// Server CPU seconds per request, in microseconds (nil when the CPU time was unreadable or
    /// no request completed).
    var cpuPerRequestMicroseconds: Double? {
        guard requests > 0 else { return nil }
        return serverCPU.map { $0 * durationSeconds / Double(requests) * 1e6 }
    }
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "?"
}

func which(_ name: String) -> String? {
    for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let path = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// The simulated instant the network has reached (`now` of /api/network).
func simulatedNow(base: String, token: String) async -> Date? {
    guard let (status, body) = try? await get(base + "/api/network", token: token), status == 200,
        let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let text = object["now"] as? String
    else { return nil }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}

/// One wrk run at the fixed rate against `base + path`. `cpu` reads the server's CPU time so
/// far and `background` is the server's CPU (in cores) when idle, taken off its figure.
func runLoad(
    wrk: String, server: String, base: String, path: String, token: String, cpu: () -> Double?, background: Double = 0,
    clock: (() async -> Date?)? = nil
) async throws -> LoadResult {
    let cpuBefore = cpu()
    let simulatedBefore = await clock?()
    let wallStart = ContinuousClock.now
    let output = try Peer.output(wrk, [
        "-t2", "-c32", "-d\(seconds)s", "--timeout", "5s", "-H", "Authorization: Bearer \(token)", "-s", pacedScript, base + path, "--", "\(rate)", "2",
    ])
    let wallSeconds = (ContinuousClock.now - wallStart) / .seconds(1)
    let simulatedAfter = await clock?()
    guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
        let figures = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double]
    else { throw BenchmarkFailure("wrk printed no figures: \(output)") }
    func ms(_ key: String) -> Double { (figures[key] ?? .nan) / 1000 }
    let errors = ["errors_connect", "errors_read", "errors_write", "errors_timeout"].reduce(0) { $0 + Int(figures[$1] ?? 0) }
    var serverCPU: Double?
    if let before = cpuBefore, let after = cpu() { serverCPU = max(0, (after - before) / wallSeconds - background) }
    var hours: Double?
    if let simulatedBefore, let simulatedAfter { hours = simulatedAfter.timeIntervalSince(simulatedBefore) / 3600 }
    return LoadResult(
        server: server, path: path, requests: Int(figures["requests"] ?? 0), durationSeconds: (figures["duration_us"] ?? 1) / 1e6, p50: ms("p50_us"),
        p90: ms("p90_us"), p99: ms("p99_us"), p999: ms("p999_us"), max: ms("max_us"), errors: errors, non2xx: Int(figures["errors_status"] ?? 0),
        serverCPU: serverCPU, simulatedHours: hours)
}

func describe(_ result: LoadResult) -> String {
    func padded(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: Swift.max(0, width - text.count)) }
    var text = padded(result.server, 9) + padded(result.path, 16) + String(
        format: " %6.0f req/s (%d requests): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms; errors %d, non-2xx %d",
        result.rate, result.requests, result.p50, result.p90, result.p99, result.p999, result.max, result.errors, result.non2xx)
    if let cpu = result.serverCPU, let perRequest = result.cpuPerRequestMicroseconds {
        text += String(format: "; server CPU %.0f %% of a core, %.0f µs per request", cpu * 100, perRequest)
    }
    if let hours = result.simulatedHours { text += String(format: "; the night advanced %.1f h", hours) }
    return text
}

func run() async throws {
    guard let wrk = which("wrk") else {
        throw BenchmarkFailure("wrk is not installed (Debian package wrk: scripts/install-deps --bench installs it)")
    }
    guard let nginx = which("nginx") ?? ["/usr/sbin/nginx"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
        throw BenchmarkFailure("nginx, the peer, is not installed (Debian package nginx-light: scripts/install-deps --bench installs it)")
    }
    print("== starling serve under load: \(rate) requests/s for \(seconds) s per endpoint, \(followerCount) event-stream followers, night at \(speed)× ==")
    // The release build of this checkout, or the binary $STARLING_BIN names (an installed one).
    let starling: String
    if let binary = ProcessInfo.processInfo.environment["STARLING_BIN"], !binary.isEmpty {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw BenchmarkFailure("STARLING_BIN=\(binary) is not an executable") }
        starling = binary
    } else {
        print("building starling (release)…")
        _ = try Peer.output("/usr/bin/env", ["swift", "build", "-c", "release", "--product", "starling"], directory: root)
        starling = root + "/.build/release/starling"
    }
    print("starling: \(starling)")
    let folder = NSTemporaryDirectory() + "starling-service-bench-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = "sqlite:" + folder + "/starling.sqlite"
    let tokenOutput = try Peer.output(starling, ["token", "create", "--role", "viewer", "--name", "benchmark", "--store", store], directory: root)
    guard let token = tokenOutput.split(separator: "\n").last.map(String.init), token.hasPrefix("stl_") else {
        throw BenchmarkFailure("token create printed no token: \(tokenOutput)")
    }
    print("load average before: \(loadAverage()) (2 cores; figures are unreliable above ~3)")

    let serve = try ServeChild(
        executable: starling,
        arguments: [
            "simulations/tonight.yaml", "--clock", "simulated", "--speed", "\(speed)", "--port", "0", "--store", store, "--out", folder + "/out",
            "--log-level", "notice",
        ], directory: root)
    defer { if serve.process.isRunning { kill(serve.process.processIdentifier, SIGKILL) } }
    let port = try await serve.port(within: .seconds(120))
    let base = "http://127.0.0.1:\(port)"

    let followers = EventFollowers(count: followerCount)
    try await followers.start(host: "127.0.0.1", port: port, token: token)
    let connectDeadline = ContinuousClock.now + .seconds(60)
    while followers.connected < followerCount, ContinuousClock.now < connectDeadline { try await Task.sleep(for: .milliseconds(100)) }
    print("\(followers.connected) of \(followerCount) followers connected to /api/events")

    // Wait for the night: plans made and telescopes open, so the endpoints serve real content.
    var planCount = 0
    let nightDeadline = ContinuousClock.now + .seconds(180)
    while ContinuousClock.now < nightDeadline {
        if let (status, body) = try? await get(base + "/api/plans", token: token), status == 200,
            let plans = try? JSONSerialization.jsonObject(with: body) as? [Any], !plans.isEmpty
        {
            planCount = plans.count
            break
        }
        try await Task.sleep(for: .seconds(1))
    }
    guard planCount > 0 else { throw BenchmarkFailure("no plan appeared within 180 s; serve's log ends: \(serve.errors.all.suffix(5).joined(separator: " | "))") }
    var bodies: [String: Data] = [:]
    for path in ["/health", "/api/telescopes", "/api/plans"] { bodies[path] = (try? await get(base + path, token: token))?.body }
    print("night running: \(planCount) plans; response sizes: " + ["/health", "/api/telescopes", "/api/plans"].map { "\($0) \(bodies[$0]?.count ?? 0) bytes" }.joined(separator: ", "))

    // The peer serves the very bodies Starling just answered.
    let peer = try NginxPeer(nginx: nginx, folder: folder + "/nginx", bodies: bodies.filter { $0.key != "/health" })
    defer { peer.stop() }
    try await peer.waitUntilServing("/api/plans", within: .seconds(30))

    // The night's own CPU, without requests (the followers connected, nothing to send them but events).
    let idleStart = ContinuousClock.now
    let idleBefore = serve.cpuSeconds
    try await Task.sleep(for: .seconds(10))
    var nightCPU = 0.0
    if let idleBefore, let idleAfter = serve.cpuSeconds { nightCPU = (idleAfter - idleBefore) / ((ContinuousClock.now - idleStart) / .seconds(1)) }
    print(String(format: "starling serve without requests: %.0f %% of a core (the night, its 200 event streams); taken off its figures below", nightCPU * 100))

    let clock = { await simulatedNow(base: base, token: token) }
    var results: [(starling: LoadResult, nginx: LoadResult?)] = []
    for path in ["/health", "/api/telescopes", "/api/plans"] {
        let ours = try await runLoad(wrk: wrk, server: "starling", base: base, path: path, token: token, cpu: { serve.cpuSeconds }, background: nightCPU, clock: clock)
        print(describe(ours))
        var theirs: LoadResult?
        if path != "/health" {
            theirs = try await runLoad(wrk: wrk, server: "nginx", base: peer.base, path: path, token: token, cpu: { peer.cpuSeconds })
            print(describe(theirs!))
        }
        results.append((ours, theirs))
    }
    peer.stop()
    print("load average after the load runs: \(loadAverage())")

    // Stop the network: telescopes close, the event stream ends, every follower's stream ends.
    let status = await serve.terminate(within: .seconds(180))
    let closed = await followers.waitUntilClosed(timeout: .seconds(60))
    let sentLine = serve.errors.all.last { $0.contains("Event stream ended") }
    let sent = sentLine.flatMap { line -> UInt64? in
        guard let range = line.range(of: "events.sent=") else { return nil }
        return UInt64(line[range.upperBound...].prefix(while: \.isNumber))
    }
    let tallies = followers.results
    await followers.shutdown()
    let reference = sent ?? tallies.map(\.lastID).max() ?? 0
    let complete = tallies.filter { $0.status == 200 && $0.firstID == 1 && $0.lastID == reference && $0.missing == 0 && $0.repeated == 0 }
    let missing = tallies.reduce(UInt64(0)) { $0 + $1.missing + (reference - min(reference, $1.lastID)) }
    print("serve exited \(status.map(String.init) ?? "— killed after 180 s") after SIGTERM; every follower's stream closed: \(closed)")
    print(
        "event fan-out: the server sent \(reference) events\(sent == nil ? " (its log had no count: taken from the followers)" : ""); "
            + "\(complete.count) of \(followerCount) followers received every one, in order; \(missing) events missing in all, "
            + "\(tallies.reduce(0) { $0 + $1.repeated }) repeated; failures: \(tallies.compactMap(\.failure).first ?? "none")")

    for (ours, theirs) in results {
        guard let theirs else { continue }
        let met = ours.p99 < p99TargetMilliseconds && ours.rate >= 0.98 * Double(rate) && ours.errors == 0 && ours.non2xx == 0
        guard ours.requests > 0 else {
            print("\(ours.path): Starling completed no request in \(seconds) s (nginx p99 \(String(format: "%.2f", theirs.p99)) ms); target: NOT met")
            continue
        }
        var line = ours.path + String(format: ": p99 Starling %.2f ms, nginx %.2f ms: ratio %.1f× at %.0f req/s", ours.p99, theirs.p99, ours.p99 / theirs.p99, ours.rate)
        if let cpuOurs = ours.cpuPerRequestMicroseconds, let cpuTheirs = theirs.cpuPerRequestMicroseconds {
            line += String(format: "; CPU per request Starling %.0f µs, nginx %.0f µs: ratio %.1f×", cpuOurs, cpuTheirs, cpuOurs / max(cpuTheirs, 0.001))
        }
        line += String(format: "; target p99 < %.0f ms at %d req/s: ", p99TargetMilliseconds, rate) + (met ? "met" : "NOT met")
        print(line)
    }
    // Met only against the server's own count: a server killed before it said how many it sent
    // leaves nothing to check the followers against.
    let delivered = sent != nil && complete.count == followerCount && reference > 0
    print("event fan-out to \(followerCount) followers, every event delivered: \(delivered ? "met" : sent == nil ? "NOT shown (the server did not say how many it sent)" : "NOT met")")
    print("(ratios are whole-process, not per core: each server uses both cores as it likes; Starling's CPU is its whole process less the night's own; wrk, the followers and the night share the two cores with both servers)")
}

do {
    try await run()
} catch {
    print("ServiceBenchmark failed: \(error)")
    exit(1)
}
