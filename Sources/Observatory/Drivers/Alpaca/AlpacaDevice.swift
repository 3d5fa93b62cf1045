import Foundation
import StarlingCore
import Synchronization

/// How long the Alpaca drivers wait, and how often they poll (Alpaca has no events: a
/// driver starts an operation and polls its state until done).
public struct AlpacaDriverTimeouts: Sendable, Hashable {
    public var slew: Duration
    public var park: Duration
    public var enclosure: Duration
    public var focuser: Duration
    public var filterWheel: Duration
    /// Added to the exposure time for readout and download.
    public var readout: Duration
    /// The interval between polls.
    public var pollInterval: Duration

    public init(
        slew: Duration = .seconds(240), park: Duration = .seconds(240), enclosure: Duration = .seconds(180), focuser: Duration = .seconds(120),
        filterWheel: Duration = .seconds(60), readout: Duration = .seconds(60), pollInterval: Duration = .milliseconds(250)
    ) {
        self.slew = slew
        self.park = park
        self.enclosure = enclosure
        self.focuser = focuser
        self.filterWheel = filterWheel
        self.readout = readout
        self.pollInterval = pollInterval
    }
}

/// One device on an Alpaca server: the typed reads, writes and polls the drivers share.
struct AlpacaDevice: Sendable {
    let client: AlpacaClient
    let type: AlpacaDeviceType
    let number: Int
    let kind: DeviceKind
    /// Counts aborts, so a poll started before an abort can tell it happened.
    let aborts = AbortCounter()

    var name: String { "\(type.rawValue) \(number) on \(client.host):\(client.port)" }

    func get(_ member: String, _ parameters: [(String, String)] = []) async throws(DriverError) -> AlpacaValue {
        try await client.get(type, number, member, parameters: parameters, kind: kind).value
    }

    func put(_ member: String, _ parameters: [(String, String)] = []) async throws(DriverError) {
        try await client.put(type, number, member, parameters: parameters, kind: kind)
    }

    func bool(_ member: String) async throws(DriverError) -> Bool {
        let value = try await get(member)
        guard let result = value.bool else { throw DriverError(.protocolError, device: kind, "\(name): \(member) is \(value), not a Boolean") }
        return result
    }

    func double(_ member: String) async throws(DriverError) -> Double {
        let value = try await get(member)
        guard let result = value.double else { throw DriverError(.protocolError, device: kind, "\(name): \(member) is \(value), not a number") }
        return result
    }

    /// A number the device may not implement: `nil` for NotImplemented (0x400) and ValueNotSet (0x402).
    func optionalDouble(_ member: String) async throws(DriverError) -> Double? {
        do {
            return try await get(member).double
        } catch where error.code == .refused {
            return nil
        }
    }

    func connect() async throws(DriverError) {
        if try await get("connected").bool == true { return }
        try await put("connected", [("Connected", "True")])
    }

    func disconnect() async {
        _ = try? await put("connected", [("Connected", "False")])
    }

    /// Polls until `done` says so; throws `.timeout` after `timeout`, `.aborted` when the
    /// device's abort counter moves or the task is cancelled.
    func poll(
        every interval: Duration, timeout: Duration, what: String, until done: () async throws(DriverError) -> Bool
    ) async throws(DriverError) {
        let start = ContinuousClock.now
        let abortsAtStart = aborts.value
        while true {
            if try await done() { return }
            if aborts.value != abortsAtStart { throw DriverError(.aborted, device: kind, "\(name): aborted while waiting for \(what)") }
            if ContinuousClock.now - start > timeout { throw DriverError(.timeout, device: kind, "\(name): no \(what) within \(timeout)") }
            do {
                try await Task.sleep(for: interval)
            } catch {
                throw DriverError(.aborted, device: kind, "\(name): cancelled while waiting for \(what)")
            }
        }
    }
}

/// A counter shared by copies of a driver (drivers are structs).
final class AbortCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

func alpacaBool(_ value: Bool) -> String { value ? "True" : "False" }
