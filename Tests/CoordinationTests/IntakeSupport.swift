import Foundation
import InMemoryLogging
import Logging
import Persistence
import StarlingCore

@testable import Coordination

/// An intake over a store, with a simulation clock and logs kept in memory.
struct IntakeHarness {
    let store: SQLiteStore
    let intake: AlertIntake
    let logs: InMemoryLogHandler
    let clock: SimulationClock

    init(store: SQLiteStore? = nil, policy: IntakePolicy = IntakePolicy(acceptsTestNotices: true), maximumBatch: Int = 512) throws {
        self.store = try store ?? SQLiteStore.inMemory()
        let logs = InMemoryLogHandler()
        self.logs = logs
        clock = SimulationClock(start: UTCInstant(Date(timeIntervalSince1970: 1_700_000_000)))
        intake = AlertIntake(
            store: self.store, policy: policy, clock: clock, logger: Logger(label: "test.intake") { _ in logs }, maximumBatch: maximumBatch)
    }

    /// Takes the next `count` accepted alerts from the stream.
    func next(_ count: Int) async -> [AcceptedAlert] {
        var result: [AcceptedAlert] = []
        guard count > 0 else { return result }
        for await accepted in intake.accepted {
            result.append(accepted)
            if result.count == count { break }
        }
        return result
    }
}

/// A notice in a small, valid GCN JSON form, for tests that need many distinct notices.
func syntheticNotice(event: Int, serial: Int, issuedSecond: Int, position: Bool = true, retraction: Bool = false) -> Data {
    let issued = ISO8601.string(from: Date(timeIntervalSince1970: 1_700_000_000 + Double(issuedSecond)), fractionalSeconds: false)
    var fields = [
        "\"$schema\": \"https://gcn.nasa.gov/schema/main/gcn/notices/swift/bat/Guano.schema.json\"",
        "\"mission\": \"Swift\"", "\"instrument\": \"BAT-GUANO\"", "\"id\": [\"\(event)\"]", "\"record_number\": \(serial)",
        "\"trigger_time\": \"2023-11-14T22:13:20Z\"", "\"alert_datetime\": \"\(issued)\"",
        "\"alert_type\": \"\(retraction ? "retraction" : (serial == 1 ? "initial" : "update"))\"",
    ]
    if position { fields += ["\"ra\": \(Double(event % 360) + 0.5)", "\"dec\": \(Double(event % 170) - 84.5)", "\"ra_dec_error\": 0.05"] }
    return Data(("{" + fields.joined(separator: ", ") + "}").utf8)
}
