import Foundation
import Synchronization
import StarlingCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the connection's reader thread reports, in stream order.
enum INDIConnectionEvent: Sendable {
    case elements([INDIXMLElement])
    /// The stream ended: the server closed it, the read failed, or the bytes were not INDI XML.
    case closed(reason: String)
}

/// One TCP connection to an INDI server: a POSIX socket, a dedicated reader thread that
/// parses the stream, and a lock-guarded `send`.
///
/// Why a thread: reads block for as long as the server is quiet (minutes between weather
/// updates), and a blocking `recv` on Swift's cooperative pool would starve it (two cores
/// here). The thread hands complete elements to an `AsyncStream`, which keeps their order.
///
/// `@unchecked Sendable` is sound because the descriptor is only written under `state`'s
/// mutex, the parser lives on the reader thread alone, and `send` holds the mutex while writing.
final class INDIConnection: @unchecked Sendable {
    private struct State {
        var descriptor: Int32
        var isClosed = false
    }

    private let state: Mutex<State>
    let events: AsyncStream<INDIConnectionEvent>
    private let continuation: AsyncStream<INDIConnectionEvent>.Continuation
    let endpoint: String

    /// Opens a TCP connection and starts reading.
    /// - Throws: ``DriverError`` `.disconnected` when the host does not resolve or refuses, `.timeout`
    ///   when it does not answer within `timeout`.
    init(host: String, port: Int, timeout: Duration) throws(DriverError) {
        endpoint = "\(host):\(port)"
        let descriptor = try Self.open(host: host, port: port, timeout: timeout)
        state = Mutex(State(descriptor: descriptor))
        (events, continuation) = AsyncStream.makeStream(of: INDIConnectionEvent.self, bufferingPolicy: .unbounded)
        let thread = Thread { [self] in self.readLoop(descriptor: descriptor) }
        thread.name = "INDI reader \(endpoint)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { close() }

    /// Writes a command; the whole string or an error.
    func send(_ text: String) throws(DriverError) {
        let bytes = Array(text.utf8)
        let result: String? = state.withLock { state in
            guard !state.isClosed else { return "the connection to \(endpoint) is closed" }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBufferPointer { buffer in
                    // MSG_NOSIGNAL: a closed peer gives EPIPE instead of killing the process (send(2)).
                    Glibc.send(state.descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    return "writing to \(endpoint) failed: \(String(cString: strerror(errno)))"
                }
                offset += written
            }
            return nil
        }
        if let result { throw DriverError(.disconnected, device: .mount, result) }
    }

    /// Closes the socket; the reader thread sees the end of the stream and reports `.closed`.
    func close() {
        state.withLock { state in
            guard !state.isClosed else { return }
            state.isClosed = true
            // shutdown(2) wakes the reader blocked in recv(2); it closes the descriptor itself.
            _ = shutdown(state.descriptor, Int32(SHUT_RDWR))
        }
    }

    private func readLoop(descriptor: Int32) {
        var parser = INDIXMLParser()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var reason = "the server closed the connection"
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                reason = "reading from \(endpoint) failed: \(String(cString: strerror(errno)))"
                break
            }
            do {
                let elements = try parser.feed(buffer[0..<count])
                if !elements.isEmpty { continuation.yield(.elements(elements)) }
            } catch {
                reason = "the server sent malformed XML: \(error.message)"
                break
            }
        }
        let wasClosedByUs = state.withLock { state in
            let was = state.isClosed
            state.isClosed = true
            return was
        }
        Glibc.close(descriptor)
        continuation.yield(.closed(reason: wasClosedByUs ? "closed by the client" : reason))
        continuation.finish()
    }

    /// Resolves and connects with a deadline (non-blocking connect(2) then poll(2)).
    private static func open(host: String, port: Int, timeout: Duration) throws(DriverError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw DriverError(.disconnected, device: .mount, "cannot resolve INDI host '\(host)': \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        while let info = candidate {
            candidate = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard descriptor >= 0 else { lastError = String(cString: strerror(errno)); continue }
            let flags = fcntl(descriptor, F_GETFL)
            _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
            var result = connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen)
            if result < 0, errno == EINPROGRESS {
                var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&poller, 1, milliseconds)
                if ready == 0 {
                    Glibc.close(descriptor)
                    throw DriverError(.timeout, device: .mount, "INDI server \(host):\(port) did not accept a connection within \(timeout)")
                }
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
                if socketError != 0 { errno = socketError; result = -1 } else { result = 0 }
            }
            if result == 0 {
                _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK)
                var one: Int32 = 1
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return descriptor
            }
            lastError = String(cString: strerror(errno))
            Glibc.close(descriptor)
        }
        throw DriverError(.disconnected, device: .mount, "cannot connect to INDI server \(host):\(port): \(lastError) (is indiserver running?)")
    }
}
