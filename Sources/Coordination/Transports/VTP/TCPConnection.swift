import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One TCP connection over POSIX sockets, owning its file descriptor.
///
/// Blocking calls (``connect(host:port:timeout:readTimeout:)``, ``receive(exactly:)``) are
/// meant for one dedicated thread (the VTP reader); ``send(_:)`` and ``shutdown()`` may be
/// called from any task. ``shutdown()`` wakes a thread blocked in `recv` (shutdown(2)) but
/// leaves the descriptor open; it is closed in `deinit`, when no thread can still be using it,
/// so its number cannot be reused under a reader. Writers are serialised by a lock. That is
/// what makes the `@unchecked Sendable` sound.
final class TCPConnection: @unchecked Sendable {
    private let fd: Int32
    private let isShutDown = Mutex(false)
    private let sendLock = Mutex(())
    let endpoint: String

    private init(descriptor: Int32, endpoint: String) {
        self.fd = descriptor
        self.endpoint = endpoint
    }

    /// Adopts a connected socket (one `accept(2)` returned), setting its read timeout.
    convenience init(connectedDescriptor: Int32, endpoint: String, readTimeout: Duration) throws(AlertTransportError) {
        try Self.setTimeout(connectedDescriptor, option: SO_RCVTIMEO, readTimeout)
        self.init(descriptor: connectedDescriptor, endpoint: endpoint)
    }

    deinit { Glibc.close(fd) }

    /// Connects, trying each address of `host` in turn, each within `timeout`.
    ///
    /// Reads then time out after `readTimeout` (SO_RCVTIMEO) and writes after 10 s (SO_SNDTIMEO).
    static func connect(host: String, port: Int, timeout: Duration, readTimeout: Duration) throws(AlertTransportError) -> TCPConnection {
        let endpoint = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw AlertTransportError(.cannotConnect, endpoint: endpoint, "cannot resolve the host (\(String(cString: gai_strerror(status))))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = Self.errnoText()
                continue
            }
            do {
                try connect(fd, to: info.pointee.ai_addr, length: info.pointee.ai_addrlen, timeout: timeout, endpoint: endpoint)
                try setTimeout(fd, option: SO_RCVTIMEO, readTimeout)
                try setTimeout(fd, option: SO_SNDTIMEO, .seconds(10))
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return TCPConnection(descriptor: fd, endpoint: endpoint)
            } catch {
                Glibc.close(fd)
                if error.code == .timedOut { throw error }
                lastError = error.message
            }
        }
        throw AlertTransportError(.cannotConnect, endpoint: endpoint, lastError)
    }

    /// A non-blocking connect(2) bounded by poll(2), then back to blocking mode.
    private static func connect(
        _ fd: Int32, to address: UnsafeMutablePointer<sockaddr>?, length: socklen_t, timeout: Duration, endpoint: String
    ) throws(AlertTransportError) {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, address, length) != 0 {
            guard errno == EINPROGRESS else {
                throw AlertTransportError(.cannotConnect, endpoint: endpoint, "connect: \(errnoText())")
            }
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&poller, 1, Int32(milliseconds(timeout)))
            guard ready > 0 else {
                throw AlertTransportError(.timedOut, endpoint: endpoint, "no connection within \(timeout)")
            }
            var socketError: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &size)
            guard socketError == 0 else {
                throw AlertTransportError(.cannotConnect, endpoint: endpoint, "connect: \(String(cString: strerror(socketError)))")
            }
        }
        _ = fcntl(fd, F_SETFL, flags)
    }

    private static func setTimeout(_ fd: Int32, option: Int32, _ duration: Duration) throws(AlertTransportError) {
        let total = milliseconds(duration)
        var value = timeval(tv_sec: total / 1000, tv_usec: (total % 1000) * 1000)
        guard setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw AlertTransportError(.cannotConnect, endpoint: nil, "setsockopt: \(errnoText())")
        }
    }

    /// Reads exactly `count` bytes, blocking.
    ///
    /// - Throws: `.timedOut` when nothing arrives within the read timeout, `.connectionLost`
    ///   when the peer closes or the socket fails.
    func receive(exactly count: Int) throws(AlertTransportError) -> Data {
        guard !isShutDown.withLock({ $0 }) else {
            throw AlertTransportError(.connectionLost, endpoint: endpoint, "the connection is closed")
        }
        var buffer = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let result = buffer.withUnsafeMutableBytes { bytes in
                recv(fd, bytes.baseAddress! + received, count - received, 0)
            }
            if result > 0 {
                received += result
            } else if result == 0 {
                throw AlertTransportError(.connectionLost, endpoint: endpoint, "the peer closed the connection")
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                throw AlertTransportError(.timedOut, endpoint: endpoint, "nothing received within the read timeout")
            } else {
                throw AlertTransportError(.connectionLost, endpoint: endpoint, "recv: \(Self.errnoText())")
            }
        }
        return Data(buffer)
    }

    /// Writes all of `data` (one writer at a time).
    func send(_ data: Data) throws(AlertTransportError) {
        guard !isShutDown.withLock({ $0 }) else {
            throw AlertTransportError(.connectionLost, endpoint: endpoint, "the connection is closed")
        }
        let failure: AlertTransportError? = sendLock.withLock { _ in
            var sent = 0
            while sent < data.count {
                let result = data.withUnsafeBytes { bytes in
                    Glibc.send(fd, bytes.baseAddress! + sent, data.count - sent, Int32(MSG_NOSIGNAL))
                }
                if result >= 0 {
                    sent += result
                } else if errno != EINTR {
                    return AlertTransportError(.connectionLost, endpoint: endpoint, "send: \(Self.errnoText())")
                }
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Shuts the connection down in both directions, waking a blocked reader; a no-op the
    /// second time. The descriptor itself is released when the object goes away.
    func shutdown() {
        let first = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        if first { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
