import Foundation
import Logging
import Persistence
import StarlingCore
import Synchronization
import Testing

@testable import Coordination

#if canImport(Glibc)
    import Glibc
#endif

struct VTPMessageTests {
    @Test func framesCarryABigEndianLength() {
        let framed = VTPMessage.frame(Data("abc".utf8))
        #expect(Array(framed) == [0, 0, 0, 3, 97, 98, 99])
        #expect(VTPMessage.length(ofHeader: Data([0, 1, 0, 2])) == 65_538)
    }

    @Test func repliesAreTransportMessagesNamingBothEnds() {
        let date = Date(timeIntervalSince1970: 1_709_287_201)
        let ack = VTPMessage.transport(role: "ack", origin: "ivo://x/y#a&b", response: "ivo://starling/test", timestamp: date)
        let text = String(decoding: ack, as: UTF8.self)
        #expect(text.contains("role=\"ack\""))
        #expect(text.contains("<Origin>ivo://x/y#a&amp;b</Origin>"))
        #expect(text.contains("<TimeStamp>2024-03-01T10:00:01Z</TimeStamp>"))
        #expect(VTPMessage.classify(ack) == .transport(role: "ack", origin: "ivo://x/y#a&b"))
    }

    @Test func framesAreClassified() throws {
        let voevent = try TestPaths.fixture("swift-bat-minimal.xml")
        #expect(VTPMessage.classify(voevent) == .voevent(ivorn: "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-001"))
        #expect(VTPMessage.classify(try TestPaths.fixture("transport-iamalive.xml")) == .transport(role: "iamalive", origin: "ivo://example/broker"))
        #expect(VTPMessage.classify(Data("garbage".utf8)) == .unknown)
    }
}

/// A broker on the loopback interface that plays a scripted VTP conversation (one side of the
/// seam; the other is the real subscriber). The Comet tests below use a real broker.
final class ScriptedBroker: @unchecked Sendable {
    // @unchecked Sendable: the listening descriptor is set once in init and only read after.
    let port: Int
    private let listener: Int32

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && listen(listener, 4) == 0)
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &size) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = listener
    }

    deinit { close(listener) }

    /// Accepts one subscriber.
    func accept() throws -> TCPConnection {
        let fd = Glibc.accept(listener, nil, nil)
        try #require(fd >= 0)
        // A ceiling, not a expectation of speed: on a busy machine the subscriber may answer late.
        return try TCPConnection(connectedDescriptor: fd, endpoint: "subscriber", readTimeout: .seconds(600))
    }

    static func send(_ payload: Data, on connection: TCPConnection) throws { try connection.send(VTPMessage.frame(payload)) }

    static func receive(on connection: TCPConnection) throws -> Data {
        try connection.receive(exactly: VTPMessage.length(ofHeader: connection.receive(exactly: 4)))
    }
}

/// Runs blocking work on its own thread and awaits its result.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

@Suite(.serialized)
struct VTPSubscriberTests {
    @Test func answersAuthenticateAndIAmAliveAcknowledgesAndReconnects() async throws {
        let broker = try ScriptedBroker()
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let subscriber = VTPSubscriber(
            configuration: .init(host: "127.0.0.1", port: broker.port, localIVORN: "ivo://starling/test", initialBackoff: .milliseconds(50)),
            clock: WallClock(), logger: Logger(label: "test.vtp"))
        let task = Task { await subscriber.run(into: harness.intake) }
        defer { task.cancel() }
        let packet = try TestPaths.fixture("swift-bat-minimal.xml")
        let second = Data(String(decoding: packet, as: UTF8.self).replacingOccurrences(of: "999999-001", with: "999999-002").utf8)

        let replies = try await onThread { () throws -> [Data] in
            var replies: [Data] = []
            let connection = try broker.accept()
            try ScriptedBroker.send(
                VTPMessage.transport(role: "authenticate", origin: "ivo://fake/broker", response: "", timestamp: .now), on: connection)
            replies.append(try ScriptedBroker.receive(on: connection))
            try ScriptedBroker.send(Data("<?xml version='1.0'?><trn:Transport xmlns:trn='http://www.telescope-networks.org/xml/Transport/v1.1' version='1.0' role='iamalive'><Origin>ivo://fake/broker</Origin><TimeStamp>2024-01-01T00:00:00Z</TimeStamp></trn:Transport>".utf8), on: connection)
            replies.append(try ScriptedBroker.receive(on: connection))
            try ScriptedBroker.send(packet, on: connection)
            replies.append(try ScriptedBroker.receive(on: connection))
            connection.shutdown()  // the broker goes away…
            let again = try broker.accept()  // …and the subscriber comes back
            try ScriptedBroker.send(second, on: again)
            replies.append(try ScriptedBroker.receive(on: again))
            again.shutdown()
            return replies
        }
        #expect(replies.map(VTPMessage.classify) == [
            .transport(role: "authenticate", origin: "ivo://fake/broker"),
            .transport(role: "iamalive", origin: "ivo://fake/broker"),
            .transport(role: "ack", origin: "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-001"),
            .transport(role: "ack", origin: "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-002"),
        ])
        #expect(String(decoding: replies[1], as: UTF8.self).contains("<Response>ivo://starling/test</Response>"))
        // Acknowledged means stored.
        #expect(try await harness.store.alert("ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-001")?.transport == subscriber.name)
        #expect(try await harness.store.alert("ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-002") != nil)
    }

    @Test func anUnreachableBrokerIsRetriedWithBackOff() async throws {
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let closedPort = try ScriptedBroker().port  // the listener is closed when the value goes away
        let subscriber = VTPSubscriber(
            configuration: .init(host: "127.0.0.1", port: closedPort, initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(40)),
            clock: WallClock(), logger: Logger(label: "test.vtp"))
        let task = Task { await subscriber.run(into: harness.intake) }
        var waits: [Duration] = []
        for await event in subscriber.events {
            if case .waiting(let delay) = event { waits.append(delay) }
            if waits.count == 4 { break }
        }
        task.cancel()
        await task.value
        #expect(waits == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(40)])
    }
}
