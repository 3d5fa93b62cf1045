import Foundation
import Logging
import MCP

/// A transport that knows which requests it has passed to the server and not yet seen
/// answered, so that a stdio server whose client has closed its input still answers what it
/// was asked before it closes its output.
///
/// The SDK's server ends its loop when its input ends, and stopping it then would drop the
/// answer of a tool call still under way. Requests are counted here, as they come in and
/// before the server sees them, and crossed off as their responses go out.
actor AnsweringTransport: Transport {
    private let inner: any Transport
    private var unanswered: Set<String> = []
    private var waiters: [CheckedContinuation<Void, Never>] = []

    nonisolated let logger: Logger

    init(_ inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func connect() async throws { try await inner.connect() }

    func disconnect() async { await inner.disconnect() }

    func send(_ data: Data) async throws {
        try await inner.send(data)
        for message in Self.messages(in: data) where message["method"] == nil && (message["result"] != nil || message["error"] != nil) {
            if let id = Self.id(of: message) { unanswered.remove(id) }
        }
        if unanswered.isEmpty {
            for waiter in waiters { waiter.resume() }
            waiters = []
        }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let incoming = Task { await inner.receive() }
        let forwarding = Task {
            do {
                for try await data in await incoming.value {
                    self.note(data)
                    continuation.yield(data)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in forwarding.cancel() }
        return stream
    }

    /// Returns once every request received has been answered.
    func drained() async {
        guard !unanswered.isEmpty else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func note(_ data: Data) {
        for message in Self.messages(in: data) where message["method"] != nil {
            if let id = Self.id(of: message) { unanswered.insert(id) }
        }
    }

    /// The JSON-RPC messages of a message or a batch; nothing for what is not JSON (the server
    /// answers that with a parse error of its own, which carries no id of ours).
    private static func messages(in data: Data) -> [[String: Any]] {
        switch try? JSONSerialization.jsonObject(with: data) {
        case let message as [String: Any]: [message]
        case let batch as [Any]: batch.compactMap { $0 as? [String: Any] }
        default: []
        }
    }

    private static func id(of message: [String: Any]) -> String? {
        switch message["id"] {
        case let text as String: "s:" + text
        case let number as NSNumber: "n:" + number.stringValue
        default: nil
        }
    }
}
