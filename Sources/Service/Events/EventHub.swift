import Foundation
import Orchestration
import StarlingCore
import Synchronization

/// Fans the network's one event stream out to every live client (Server-Sent Events), with the
/// latest events kept so a client that reconnects with `Last-Event-ID` misses nothing.
///
/// Each event is encoded once, numbered (the SSE `id:`), kept in a ring of ``capacity``
/// events, and queued for every subscriber. A subscriber that falls more than
/// ``clientBuffer`` events behind is dropped (its stream ends); it reconnects with its last id
/// and is replayed what the ring still holds.
final class EventHub: Sendable {
    struct Message: Sendable {
        let id: UInt64
        let document: EventDocument
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

    /// Reads the network's events until their stream ends, then ends every client's.
    func run(events: AsyncStream<NetworkEvent>) async {
        for await event in events {
            guard let document = EventDocument(event, network: network, at: clock.currentDate) else { continue }
            publish(document)
        }
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
