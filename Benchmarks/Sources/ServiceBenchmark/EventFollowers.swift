import BenchmarkSupport
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What one client of `/api/events` received: how many events, the first and last ids, and
/// every irregularity against the stream's contract (ids 1, 2, 3, … with none missing).
struct FollowerTally: Sendable {
    var status: Int?
    var events = 0
    var firstID: UInt64?
    var lastID: UInt64 = 0
    /// Ids skipped (a gap of three missing ids counts three).
    var missing: UInt64 = 0
    /// Ids that came again or out of order.
    var repeated = 0
    var ended = false
    var failure: String?

    mutating func record(_ id: UInt64) {
        events += 1
        if firstID == nil { firstID = id }
        if id <= lastID {
            repeated += 1
            return
        }
        if lastID > 0 || firstID != id { missing += id - lastID - 1 }
        lastID = id
    }
}

/// One follower's tally, shared between its channel handler (which writes it on the event loop)
/// and the benchmark (which reads it at the end).
final class SharedTally: Sendable {
    private let tally = Mutex(FollowerTally())

    func withLock<T: Sendable>(_ body: (inout FollowerTally) -> T) -> T { tally.withLock { body(&$0) } }

    var value: FollowerTally { tally.withLock { $0 } }
}

/// Reads an SSE response: splits the (de-chunked) body into lines and records every `id:`.
private final class FollowerHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked Sendable: NIO calls a handler only on its channel's event loop; the tally it
    // writes is behind a Mutex for the benchmark's thread to read.
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let path: String
    private let token: String
    private let host: String
    private let tally: SharedTally
    private let connected: @Sendable () -> Void
    private var partial: [UInt8] = []

    init(host: String, path: String, token: String, tally: SharedTally, connected: @escaping @Sendable () -> Void) {
        self.host = host
        self.path = path
        self.token = token
        self.tally = tally
        self.connected = connected
    }

    func channelActive(context: ChannelHandlerContext) {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Accept", value: "text/event-stream")
        head.headers.add(name: "Authorization", value: "Bearer \(token)")
        // From the first event the server still holds: a follower that connects after the
        // night began is replayed what it missed, so every follower should see id 1 onwards.
        head.headers.add(name: "Last-Event-ID", value: "0")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            tally.withLock { $0.status = Int(head.status.code) }
            connected()
        case .body(let buffer):
            consume(buffer)
        case .end:
            tally.withLock { $0.ended = true }
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        tally.withLock { $0.failure = "\(error)" }
        context.close(promise: nil)
    }

    /// Splits on newlines, keeping a partial line for the next chunk; records `id: N` lines.
    private func consume(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            var start = bytes.startIndex
            for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
                if partial.isEmpty {
                    line(bytes[start..<index])
                } else {
                    partial.append(contentsOf: bytes[start..<index])
                    line(partial[...])
                    partial.removeAll(keepingCapacity: true)
                }
                start = index + 1
            }
            partial.append(contentsOf: bytes[start...])
        }
    }

    private func line<Bytes: Collection<UInt8>>(_ line: Bytes) {
        guard line.starts(with: [UInt8(ascii: "i"), UInt8(ascii: "d"), UInt8(ascii: ":")]) else { return }
        let text = String(decoding: line.dropFirst(3), as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard let id = UInt64(text) else {
            tally.withLock { $0.failure = "an id line that is not a number: '\(text)'" }
            return
        }
        tally.withLock { $0.record(id) }
    }
}

/// Many clients following `/api/events` at once, on one event-loop thread (so that they take
/// as little as possible of the two cores from the server they measure).
final class EventFollowers: Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let tallies: [SharedTally]
    private let channels = Mutex<[any Channel]>([])
    private let connectedCount = Atomic<Int>(0)

    init(count: Int) {
        tallies = (0..<count).map { _ in SharedTally() }
    }

    /// Connects every follower (each sends its request as soon as it connects).
    func start(host: String, port: Int, token: String) async throws {
        for tally in tallies {
            let channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.pipeline.addHTTPClientHandlers().flatMap {
                        channel.pipeline.addHandler(
                            FollowerHandler(host: "\(host):\(port)", path: "/api/events", token: token, tally: tally) { [self] in
                                connectedCount.add(1, ordering: .relaxed)
                            })
                    }
                }
                .connect(host: host, port: port).get()
            channels.withLock { $0.append(channel) }
        }
    }

    /// Followers whose response head (200 or not) has arrived.
    var connected: Int { connectedCount.load(ordering: .relaxed) }

    /// Waits until every follower's connection has closed (the server ends the streams when
    /// the network stops), at most `timeout`; returns whether they all did.
    func waitUntilClosed(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !channels.withLock({ $0.contains(where: \.isActive) }) { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Every follower's tally.
    var results: [FollowerTally] { tallies.map(\.value) }

    func shutdown() async {
        for channel in channels.withLock({ $0 }) { try? await channel.close() }
        try? await group.shutdownGracefully()
    }
}
