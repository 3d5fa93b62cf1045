import Foundation
import NIOCore
import Orchestration
import StarlingCore
import Synchronization

/// Fans the network's one event stream out to every live client (Server-Sent Events), with the
/// latest events kept so a client that reconnects with `Last-Event-ID` misses nothing.
///
/// Each event is encoded once, numbered (the SSE `id:`), written once as its SSE frame (a
/// `ByteBuffer` every client's response shares, so a fan-out to many clients copies nothing),
/// kept in a ring of ``capacity`` events, and queued for every subscriber. A subscriber that falls more than
/// ``clientBuffer`` events behind is dropped (its stream ends); it reconnects with its last id
/// and is replayed what the ring still holds.
final class EventHub: Sendable {
    struct Message: Sendable {
        let id: UInt64
        let document: EventDocument
        /// `id: N`, `event: TYPE` and `data: JSON` lines and the blank line that ends the event.
        let frame: ByteBuffer

        init(id: UInt64, document: EventDocument) {
            self.id = id
            self.document = document
            frame = ByteBuffer(string: "id: \(id)\nevent: \(document.type)\ndata: \(document.json)\n\n")
        }
    }

    private struct State {
        var nextID: UInt64 = 1
        var ring: [Message] = []
        var ringStart = 0
        var clients: [UInt64: AsyncStream<Message>.Continuation] = [:]
        var nextClient: UInt64 = 0
        var isFinished = false
    }

    let capacity: Int
    let clientBuffer: Int
    private let state = Mutex(State())
    private let network: ObservatoryNetwork
    private let clock: any UTCClock

    init(network: ObservatoryNetwork, clock: any UTCClock, capacity: Int = 4096, clientBuffer: Int = 16_384) {
        self.network = network
        self.clock = clock
        self.capacity = capacity
        self.clientBuffer = clientBuffer
    }

    /// Encodes one of the network's events and queues it for every client (events the
    /// stream leaves out are dropped).
    func publish(_ event: NetworkEvent) {
        guard let document = EventDocument(event, network: network, at: clock.currentDate) else { return }
        publish(document)
    }

    /// Ends every client's stream, once the network's has ended; later subscribers get only
    /// what the ring holds.
    func finish() {
        let clients = state.withLock { state in
            state.isFinished = true
            defer { state.clients.removeAll() }
            return Array(state.clients.values)
        }
        for client in clients { client.finish() }
    }

    /// Numbers an event, keeps it, and queues it for every client.
    func publish(_ document: EventDocument) {
        let (message, clients) = state.withLock { state -> (Message, [AsyncStream<Message>.Continuation]) in
            let message = Message(id: state.nextID, document: document)
            state.nextID += 1
            if state.ring.count < capacity {
                state.ring.append(message)
            } else {
                state.ring[state.ringStart] = message
                state.ringStart = (state.ringStart + 1) % capacity
            }
            return (message, Array(state.clients.values))
        }
        for client in clients {
            if case .dropped = client.yield(message) { client.finish() }
        }
    }

    /// A client's stream: the kept events after `lastID` (none when `nil`), then every new one.
    func subscribe(after lastID: UInt64?) -> AsyncStream<Message> {
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .bufferingOldest(clientBuffer))
        let id = state.withLock { state -> UInt64? in
            if let lastID {
                let kept = state.ring[state.ringStart...] + state.ring[..<state.ringStart]
                for message in kept where message.id > lastID { continuation.yield(message) }
            }
            guard !state.isFinished else { return nil }
            defer { state.nextClient += 1 }
            state.clients[state.nextClient] = continuation
            return state.nextClient
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.clients.removeValue(forKey: id) }
        }
        return stream
    }

    /// Clients following the stream now.
    var clientCount: Int { state.withLock { $0.clients.count } }

    /// The id the next event will have (clients may start from `nextID - 1`).
    var lastID: UInt64 { state.withLock { $0.nextID - 1 } }
}
