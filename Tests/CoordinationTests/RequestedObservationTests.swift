import Foundation
import Logging
import Testing

@testable import Coordination
@testable import Persistence
@testable import StarlingCore

/// An observer's request through the coordinator: it goes to a telescope of the class asked
/// for with the filters asked for, with the exposures, constraints and window asked for; one
/// whose window opens later waits, undecided and unprocessed, and a cancellation drops it.
struct RequestedObservationTests {
    let network: ObservatoryNetwork
    let support = NetworkCoordinatorTests.self
    /// 2026-11-23 18:00 UTC: dark in Europe and Africa.
    let now = Date(timeIntervalSince1970: 1_795_456_800)

    init() throws {
        network = try ProjectLayout(root: NetworkCoordinatorTests.packageRoot).loadNetwork()
    }

    func notice(
        number: Int, start: Date, end: Date, mode: ObservingMode = .normal, cancel: Bool = false, priority: Double = 4, telescope chosen: Telescope? = nil,
        target chosenTarget: RequestedTarget? = nil
    ) throws -> (ObservationRequestNotice, Data) {
        let telescope = chosen ?? network.sites.flatMap(\.telescopes).first { $0.filter(named: "r") != nil }!
        let requested = RequestedObservation(
            requestNumber: number, targetName: "NGC 1068", exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 90, count: 2)],
            constraints: ObservingConstraints(minimumAltitude: .degrees(0), maximumAirmass: 1.8, minimumMoonSeparation: .degrees(30), darkness: .nautical),
            window: DateInterval(start: start, end: end), mode: mode, telescopeClass: telescope.telescopeClass)
        // NGC 1068: up in the European evening in late November.
        let target = try chosenTarget ?? RequestedTarget(name: "NGC 1068", coordinates: try EquatorialCoordinates(rightAscensionDegrees: 40.6696, declinationDegrees: -0.0133))
        let notice = ObservationRequestNotice(target: target, requested: requested, priority: priority, submittedAt: now, submittedBy: "tom", isCancellation: cancel)
        return (notice, notice.encoded())
    }

    func make(_ alerts: [(Alert, Data)], network: ObservatoryNetwork? = nil) async throws -> (NetworkCoordinator, SimulationClock, SQLiteStore, CoordinatorEventLog) {
        let network = network ?? self.network
        let store = try SQLiteStore.inMemory()
        for (alert, raw) in alerts {
            _ = try await store.insertAlert(AlertRecord(id: alert.id, receivedAt: now, transport: "test", format: AlertFormat.observationRequest.rawValue, raw: raw, alert: alert))
        }
        let clock = SimulationClock(start: UTCInstant(now))
        let log = CoordinatorEventLog()
        let coordinator = NetworkCoordinator(network: network, store: store, clock: clock, logger: Logger(label: "test"), skyMaps: nil, events: { log.append($0) })
        clock.spawn(named: "coordinator") { try? await coordinator.run() }
        await clock.run(until: clock.now)
        return (coordinator, clock, store, log)
    }

    func accepted(_ alert: Alert, _ raw: Data) -> AcceptedAlert {
        AcceptedAlert(alert: alert, change: .new, raw: raw, transport: "test", receivedAt: now, format: .observationRequest, isRedelivery: false)
    }

    @Test func theNoticeReadsBackAsTheRequest() throws {
        let (notice, raw) = try notice(number: 7, start: now, end: now.addingTimeInterval(86_400))
        let parsed = try AlertParser.parse(raw)
        #expect(parsed.format == .observationRequest)
        #expect(parsed.alert == notice.alert)
        #expect(parsed.alert.requested == notice.requested)
    }

    @Test func aRequestGoesToATelescopeOfItsClassWithItsExposuresInsideItsWindow() async throws {
        let window = DateInterval(start: now, duration: 86_400)
        let (notice, raw) = try notice(number: 7, start: window.start, end: window.end)
        let (coordinator, clock, store, log) = try await make([(notice.alert, raw)])
        coordinator.send(.ingest([accepted(notice.alert, raw)]))
        await clock.run(until: clock.now)
        let assignment = try #require(log.made.first)
        let telescope = try #require(network.locate(assignment.telescopeID)?.telescope)
        #expect(notice.requested.fits(telescope))
        #expect(assignment.request.exposures == notice.requested.exposures)
        #expect(assignment.request.constraints == notice.requested.constraints)
        #expect(assignment.request.kind == .requested, "a normal request does not preempt")
        #expect(assignment.request.target.name == "NGC 1068", "the frames carry the observer's name for the target")
        #expect(!assignment.reason.contains("interrupting"))
        let requestWindow = try #require(assignment.request.window)
        #expect(requestWindow.start >= window.start && requestWindow.end <= window.end)
        #expect(assignment.plannedStart >= window.start && assignment.plannedStart < window.end)
        #expect(try await store.alert(notice.alert.id)?.status == .processed)
    }

    /// Two requests for the one telescope of a class, arriving together: the more urgent gets
    /// the earlier start, whatever the order they came in.
    @Test func requestsArrivingTogetherAreDecidedMostUrgentFirst() async throws {
        // A network of one telescope (La Palma's first, dark at 18:00 UTC), so both want it.
        let site = try #require(network.site("la-palma"))
        let only = try #require(site.telescopes.first { $0.filter(named: "r") != nil })
        let single = ObservatoryNetwork(sites: [
            Site(
                id: site.id, name: site.name, location: site.location, timeZone: site.timeZone, horizonMask: site.horizonMask, weatherSource: site.weatherSource,
                climate: site.climate, telescopes: [only], source: site.source)
        ])
        let window = DateInterval(start: now, duration: 86_400)
        // M2: high over La Palma in the evening, 90° from the Moon.
        let m2 = RequestedTarget(name: "M2", coordinates: try EquatorialCoordinates(rightAscensionDegrees: 323.3625, declinationDegrees: -0.8233))
        let (low, lowRaw) = try notice(number: 11, start: window.start, end: window.end, priority: 2, telescope: only, target: m2)
        let (high, highRaw) = try notice(number: 12, start: window.start, end: window.end, priority: 7, telescope: only, target: m2)
        let (coordinator, clock, _, log) = try await make([(low.alert, lowRaw), (high.alert, highRaw)], network: single)
        coordinator.send(.ingest([accepted(low.alert, lowRaw), accepted(high.alert, highRaw)]))
        await clock.run(until: clock.now)
        let starts = Dictionary(uniqueKeysWithValues: log.made.map { ($0.alertID, $0.plannedStart) })
        let first = try #require(starts[high.alert.id]), second = try #require(starts[low.alert.id])
        #expect(first < second, "priority 7 before priority 2 on \(only.id)")
    }

    @Test func aRapidResponseRequestPreemptsAsAFollowUpDoes() async throws {
        let (notice, raw) = try notice(number: 8, start: now, end: now.addingTimeInterval(86_400), mode: .rapidResponse)
        let (coordinator, clock, _, log) = try await make([(notice.alert, raw)])
        coordinator.send(.ingest([accepted(notice.alert, raw)]))
        await clock.run(until: clock.now)
        #expect(try #require(log.made.first).request.kind == .followUp)
    }

    @Test func aRequestWhoseWindowOpensLaterWaitsUndecidedAndACancellationDropsIt() async throws {
        let (notice, raw) = try notice(number: 9, start: now.addingTimeInterval(3 * 86_400), end: now.addingTimeInterval(4 * 86_400))
        let (cancel, cancelRaw) = try self.notice(number: 9, start: notice.requested.window.start, end: notice.requested.window.end, cancel: true)
        let (coordinator, clock, store, log) = try await make([(notice.alert, raw), (cancel.alert, cancelRaw)])
        coordinator.send(.ingest([accepted(notice.alert, raw)]))
        await clock.run(until: clock.now.advanced(by: .seconds(3600)))
        #expect(log.made.isEmpty)
        #expect(try await store.alert(notice.alert.id)?.status == .received, "left for a restarted coordinator to find")
        coordinator.send(.ingest([accepted(cancel.alert, cancelRaw)]))
        await clock.run(until: clock.now.advanced(by: .seconds(3 * 86_400)))
        #expect(log.made.isEmpty, "a cancelled request is never assigned")
        #expect(try await store.alert(notice.alert.id)?.status == .processed)
    }

    @Test func aDeferredRequestIsDecidedWhenItsWindowNears() async throws {
        let start = now.addingTimeInterval(2 * 86_400)
        let (notice, raw) = try notice(number: 10, start: start, end: start.addingTimeInterval(86_400))
        let (coordinator, clock, _, log) = try await make([(notice.alert, raw)])
        coordinator.send(.ingest([accepted(notice.alert, raw)]))
        await clock.run(until: clock.now.advanced(by: .seconds(3600)))
        #expect(log.made.isEmpty)
        await clock.run(until: UTCInstant(start))
        let assignment = try #require(log.made.first)
        #expect(assignment.plannedStart >= start)
    }
}
