import Foundation
import Logging
import Persistence
import PersistencePostgres
import PersistenceTesting
@testable import StarlingCore
import Testing

/// The stores the contract tests run against: every test of ``StoreContractTests`` runs once
/// on each, and both must give the same answers.
typealias StoreKind = StoreBackend

extension StoreBackend {
    /// A new, empty store of this kind: SQLite in memory, or a new database on the test
    /// process's PostgreSQL server (started on first use). Without PostgreSQL's programs the
    /// PostgreSQL case is cancelled (reported as skipped) with the reason.
    func freshStore() async throws -> any Store {
        switch self {
        case .sqlite:
            return try SQLiteStore.inMemory()
        case .postgreSQL:
            return try await freshLocationOrSkip().open(logger: .quiet)
        }
    }

    /// A location for a new store (a file in `folder`, or a new PostgreSQL database), or the
    /// test is cancelled saying why this kind of store cannot be used here.
    func freshLocationOrSkip(in folder: String = NSTemporaryDirectory()) async throws -> StoreLocation {
        if let reason = unavailableReason { try Test.cancel(Comment(rawValue: reason)) }
        return try await freshLocation(in: folder)
    }
}

/// The test process's PostgreSQL server.
enum TestPostgreSQL {
    /// The server, or the test is cancelled (skipped) saying why there is none.
    static func server() async throws -> TemporaryPostgreSQL {
        if let reason = StoreBackend.postgreSQL.unavailableReason { try Test.cancel(Comment(rawValue: reason)) }
        return try await TemporaryPostgreSQL.shared()
    }
}

extension Logger {
    /// A logger that writes only errors (store notices would clutter the test output).
    static var quiet: Logger {
        var logger = Logger(label: "starling.test.store")
        logger.logLevel = .error
        return logger
    }
}

/// A folder under the system's temporary folder, removed when released.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "starling-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Builds the domain values the store tests save and read back.
enum Sample {
    static let t0 = Date(timeIntervalSince1970: 1_795_469_400)  // 2026-11-23T21:30:00Z

    static func target(_ id: String) -> Target {
        Target(
            id: TargetID(id), name: id.uppercased(),
            coordinates: try! EquatorialCoordinates(rightAscensionDegrees: 41.2, declinationDegrees: 18.4), kind: .galaxy)
    }

    static func request(_ id: String, target: String = "ngc1023") -> ObservationRequest {
        ObservationRequest(id: RequestID(id), target: Self.target(target), exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 60, count: 2)])
    }

    static func observation(_ id: String, target: String = "ngc1023", at offset: Double = 0, outcome: Observation.Outcome = .completed, site: String = "teide") -> Observation {
        let start = t0.addingTimeInterval(offset)
        let frames = (0..<2).map { index in
            FrameRecord(
                id: FrameID("\(id)-f\(index)"), observationID: ObservationID(id), telescopeID: "teide-1m-a", path: "/frames/\(id)-\(index).fits",
                imageType: .light, filter: Filter("r"), exposureSeconds: 60, started: start.addingTimeInterval(Double(index) * 70),
                pointing: try! EquatorialCoordinates(rightAscensionDegrees: 41.2, declinationDegrees: 18.4), airmass: 1.2)
        }
        return Observation(
            id: ObservationID(id), requestID: RequestID("r-\(id)"), telescopeID: "teide-1m-a", siteID: SiteID(site), targetID: TargetID(target),
            started: start, ended: start.addingTimeInterval(150), outcome: outcome, frames: outcome == .completed ? frames : [])
    }

    static func alertRecord(_ id: String, event: String = "GRB-1", serial: Int = 1) -> AlertRecord {
        let alert = Alert(
            id: AlertID(id), eventID: event, eventTime: t0, mission: "Swift", noticeType: "BAT_GRB_Pos",
            position: try! EquatorialCoordinates(rightAscensionDegrees: 41.225, declinationDegrees: 18.412),
            errorRegion: .circle(radius: .arcminutes(3)), kind: .gammaRayBurst, serial: serial)
        return AlertRecord(id: AlertID(id), receivedAt: t0.addingTimeInterval(40), transport: "test", format: "voevent-2.0", raw: Data("<xml/>".utf8), alert: alert)
    }

    static func plan(_ id: String, _ telescope: String, night: CalendarDate, created: Double) -> NightPlan {
        NightPlan(
            id: PlanID(id), telescopeID: TelescopeID(telescope), siteID: "teide", night: night, createdAt: t0.addingTimeInterval(created),
            entries: [], ranking: .deterministic)
    }

    static func assignment(_ id: String, _ state: Assignment.State, alert: String = "a1") -> Assignment {
        Assignment(
            id: AssignmentID(id), alertID: AlertID(alert), telescopeID: "teide-1m-a", siteID: "teide", request: request("fu-\(id)"),
            plannedStart: t0, leaseExpiry: t0.addingTimeInterval(120), state: state, reason: "earliest dark start")
    }
}
