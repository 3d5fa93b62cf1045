import Foundation
public import Logging
import Persistence
public import StarlingCore
import Synchronization

/// Subscribes to a VOEvent broker over the VOEvent Transport Protocol and feeds every
/// VOEvent it receives into an ``AlertIntake``.
///
/// It connects to the broker's broadcast port, answers `iamalive` and `authenticate`
/// Transport messages, acknowledges each VOEvent with a Transport `ack` once the intake has
/// stored it (a `nak` when it could not be stored), and reconnects with exponential back-off
/// when the connection drops or stays silent longer than ``Configuration/aliveTimeout``.
///
/// ```swift
/// let subscriber = VTPSubscriber(configuration: .init(host: "voevent.4pisky.org", port: 8099), clock: WallClock(), logger: logger)
/// let task = Task { await subscriber.run(into: intake) }   // until cancelled
/// ```
///
/// Socket I/O runs on one dedicated thread per connection (blocking `recv` with a timeout),
/// never on Swift's cooperative thread pool; replies are written from the subscriber's task.
public struct VTPSubscriber: AlertTransport {
    /// Where to connect and how patiently.
    public struct Configuration: Sendable, Hashable {
        /// The broker's host name or address.
        public var host: String
        /// The broker's broadcast (subscriber) port; 8099 by convention.
        public var port: Int
        /// Our IVORN, sent as `Response` in replies.
        public var localIVORN: String
        /// The longest a connection attempt may take.
        public var connectTimeout: Duration
        /// Silence after which the broker is taken for gone (Comet sends `iamalive` every 60 s).
        public var aliveTimeout: Duration
        /// The first wait before reconnecting; it doubles after each failed attempt.
        public var initialBackoff: Duration
        /// The longest wait between attempts.
        public var maximumBackoff: Duration
        /// The largest message accepted; a larger length prefix means a broken stream.
        public var maximumMessageBytes: Int
        /// XPath filters sent to the broker in reply to `authenticate` (Comet applies them).
        public var filters: [String]

        /// Creates a configuration.
        public init(
            host: String, port: Int = 8099, localIVORN: String = "ivo://starling/subscriber", connectTimeout: Duration = .seconds(10),
            aliveTimeout: Duration = .seconds(180), initialBackoff: Duration = .seconds(1), maximumBackoff: Duration = .seconds(60),
            maximumMessageBytes: Int = 16 << 20, filters: [String] = []
        ) {
            self.host = host
            self.port = port
            self.localIVORN = localIVORN
            self.connectTimeout = connectTimeout
            self.aliveTimeout = aliveTimeout
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
            self.maximumMessageBytes = maximumMessageBytes
            self.filters = filters
        }
    }

    /// What the subscriber does, for operators and tests.
    public enum Event: Sendable, Hashable {
        /// Connected to the broker.
        case connected
        /// The connection ended, for this reason.
        case disconnected(reason: String)
        /// Waiting this long before the next attempt.
        case waiting(Duration)
        /// Answered the broker's `iamalive`.
        case answeredIAmAlive
        /// Answered the broker's `authenticate` (Comet sends it on connecting; from then on
        /// the broker forwards events to this subscriber).
        case answeredAuthenticate
        /// A VOEvent was stored and acknowledged to the broker.
        case acknowledged(AlertID, IntakeReceipt.Outcome)
        /// A VOEvent could not be stored; a `nak` was sent.
        case refusedToAcknowledge(ivorn: String, reason: String)
    }

    /// The configuration in use.
    public let configuration: Configuration
    /// What the subscriber does, newest 1,024 kept when nobody reads.
    public let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private let clock: any UTCClock
    private let logger: Logger

    /// Creates a subscriber; nothing happens until ``run(into:)``.
    public init(configuration: Configuration, clock: any UTCClock, logger: Logger) {
        self.configuration = configuration
        self.clock = clock
        var logger = logger
        logger[metadataKey: "vtp.broker"] = "\(configuration.host):\(configuration.port)"
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1024))
    }

    public var name: String { "vtp://\(configuration.host):\(configuration.port)" }

    /// Connects and stays connected until the task is cancelled, reconnecting with back-off.
    public func run(into intake: AlertIntake) async {
        var delay = configuration.initialBackoff
        while !Task.isCancelled {
            let (wasConnected, reason) = await session(into: intake)
            if Task.isCancelled { break }
            if wasConnected { delay = configuration.initialBackoff }
            eventSink.yield(.disconnected(reason: reason))
            logger.warning("VOEvent broker connection ended; reconnecting", metadata: ["vtp.reason": "\(reason)", "vtp.retry_in": "\(delay)"])
            eventSink.yield(.waiting(delay))
            do {
                try await clock.sleep(until: clock.now.advanced(by: delay), tolerance: nil)
            } catch {
                break  // cancelled
            }
            delay = min(delay * 2, configuration.maximumBackoff)
        }
        eventSink.yield(.disconnected(reason: "stopped"))
    }

    /// What the reader thread reports.
    private enum Incoming: Sendable {
        case connected(TCPConnection)
        case message(Data)
        case failed(AlertTransportError)
    }

    /// One connection: from connecting to its end. Returns whether it connected, and why it ended.
    private func session(into intake: AlertIntake) async -> (Bool, String) {
        let (incoming, sink) = AsyncStream.makeStream(of: Incoming.self)
        let shared = SharedConnection()
        let configuration = self.configuration
        let thread = Thread {
            Self.read(configuration: configuration, shared: shared, into: sink)
        }
        thread.name = "vtp-reader \(configuration.host):\(configuration.port)"
        thread.start()

        var connection: TCPConnection?
        var reason = "the connection closed"
        await withTaskCancellationHandler {
            for await item in incoming {
                switch item {
                case .connected(let established):
                    connection = established
                    eventSink.yield(.connected)
                    logger.notice("Connected to the VOEvent broker")
                case .failed(let error):
                    reason = error.description
                case .message(let data):
                    guard let connection else { continue }
                    do throws(AlertTransportError) {
                        try await handle(data, connection: connection, intake: intake)
                    } catch {
                        reason = error.description
                        connection.shutdown()
                    }
                }
            }
        } onCancel: {
            shared.cancel()
        }
        connection?.shutdown()
        return (connection != nil, Task.isCancelled ? "stopped" : reason)
    }

    /// The reader thread: connect, then read frames until the connection fails or is shut down.
    private static func read(configuration: Configuration, shared: SharedConnection, into sink: AsyncStream<Incoming>.Continuation) {
        defer { sink.finish() }
        let connection: TCPConnection
        do {
            connection = try TCPConnection.connect(
                host: configuration.host, port: configuration.port, timeout: configuration.connectTimeout,
                readTimeout: configuration.aliveTimeout)
        } catch {
            sink.yield(.failed(error))
            return
        }
        guard shared.adopt(connection) else { return }  // cancelled while connecting
        sink.yield(.connected(connection))
        while true {
            do throws(AlertTransportError) {
                let length = VTPMessage.length(ofHeader: try connection.receive(exactly: 4))
                guard length > 0, length <= configuration.maximumMessageBytes else {
                    throw AlertTransportError(
                        .protocolViolation, endpoint: connection.endpoint,
                        "a message of \(length) bytes announced (limit \(configuration.maximumMessageBytes)): the stream is broken")
                }
                sink.yield(.message(try connection.receive(exactly: length)))
            } catch {
                if error.code == .timedOut {
                    sink.yield(.failed(AlertTransportError(.timedOut, endpoint: connection.endpoint, "the broker was silent for \(configuration.aliveTimeout)")))
                } else {
                    sink.yield(.failed(error))
                }
                connection.shutdown()
                return
            }
        }
    }

    /// Routes one message: answers Transport messages, stores and acknowledges VOEvents.
    private func handle(_ data: Data, connection: TCPConnection, intake: AlertIntake) async throws(AlertTransportError) {
        switch VTPMessage.classify(data) {
        case .transport(let role, let origin):
            switch role {
            case "iamalive":
                try reply("iamalive", origin: origin ?? "", connection: connection)
                eventSink.yield(.answeredIAmAlive)
                logger.trace("Answered iamalive")
            case "authenticate":
                let meta = configuration.filters.map { (name: "xpath-filter", value: $0) }
                try reply("authenticate", origin: origin ?? "", connection: connection, meta: meta)
                eventSink.yield(.answeredAuthenticate)
                logger.debug("Answered authenticate")
            default:
                logger.debug("Transport message ignored", metadata: ["vtp.role": "\(role)"])
            }
        case .voevent(let ivorn):
            let receipt: IntakeReceipt
            do {
                receipt = try await intake.submit(data, transport: name)
            } catch {
                // Not stored: tell the broker (nak) and reconnect; it was not acknowledged.
                try reply("nak", origin: ivorn ?? "", connection: connection, result: error.description)
                eventSink.yield(.refusedToAcknowledge(ivorn: ivorn ?? "", reason: error.description))
                throw AlertTransportError(.connectionLost, endpoint: connection.endpoint, "a VOEvent could not be stored: \(error)")
            }
            try reply("ack", origin: ivorn ?? receipt.id.rawValue, connection: connection)
            eventSink.yield(.acknowledged(receipt.id, receipt.outcome))
            logger.debug("VOEvent acknowledged", metadata: ["alert.id": "\(receipt.id)"])
        case .unknown:
            // Keep what the broker sent (stored as refused with the reason), but there is no
            // IVORN to acknowledge.
            do {
                let receipt = try await intake.submit(data, transport: name)
                logger.warning("Unreadable message from the broker kept", metadata: ["alert.id": "\(receipt.id)"])
            } catch {
                logger.error("Unreadable message from the broker could not be stored", metadata: ["store.error": "\(error)"])
            }
        }
    }

    private func reply(
        _ role: String, origin: String, connection: TCPConnection, meta: [(name: String, value: String)] = [], result: String? = nil
    ) throws(AlertTransportError) {
        let message = VTPMessage.transport(
            role: role, origin: origin, response: configuration.localIVORN, timestamp: clock.currentDate, meta: meta, result: result)
        try connection.send(VTPMessage.frame(message))
    }
}

/// The connection of a session, shared between the reader thread and the task that cancels it.
private final class SharedConnection: Sendable {
    private let state = Mutex<(connection: TCPConnection?, isCancelled: Bool)>((nil, false))

    /// Records the new connection; `false` (and shuts it down) if the session was cancelled meanwhile.
    func adopt(_ connection: TCPConnection) -> Bool {
        let cancelled = state.withLock { state in
            state.connection = connection
            return state.isCancelled
        }
        if cancelled { connection.shutdown() }
        return !cancelled
    }

    func cancel() {
        let connection = state.withLock { state in
            state.isCancelled = true
            return state.connection
        }
        connection?.shutdown()
    }
}
