import Foundation
import Persistence
import Sky
import StarlingCore
import Testing

@testable import Observatory

/// The telescope agent over the simulator, on a simulation clock at a real site.
struct TelescopeAgentTests {
    let night = CalendarDate(year: 2026, month: 11, day: 23)!

    @Test func observesAPlanThroughTheNightAndClosesAtDawn() async throws {
        let (site, telescope) = try AgentTestSupport.site("xinglong")
        let (dusk, dawn) = try AgentTestSupport.darkHours(site: site, date: night)
        let store = try SQLiteStore.inMemory()
        let harness = AgentHarness(site: site, telescope: telescope, start: dusk.addingTimeInterval(-1800), store: store)
        var entries: [PlannedObservation] = []
        for index in 0..<6 {
            let start = dusk.addingTimeInterval(Double(index) * 1800 + 600)
            let target = try AgentTestSupport.target(near: site, at: start, name: "field-\(index)")
            let request = AgentTestSupport.request(target, seconds: 120, count: 2, telescope: telescope)
            entries.append(PlannedObservation(request: request, start: start, end: start.addingTimeInterval(900), altitudeStart: .degrees(80), altitudeEnd: .degrees(75), airmass: 1.02, merit: 1, reason: "test"))
        }
        let plan = NightPlan(id: "plan-1", telescopeID: telescope.id, siteID: site.id, night: night, createdAt: dusk, entries: entries, ranking: .deterministic)
        harness.start()
        harness.agent.send(.load(plan))
        await harness.run(until: dawn.addingTimeInterval(3600))

        let observations = harness.log.observations
        #expect(observations.count == 6)
        #expect(observations.allSatisfy { $0.outcome == .completed }, "\(observations.map(\.outcome))")
        #expect(observations.flatMap(\.frames).count == 12)
        let stored = try await store.observations(startedIn: DateInterval(start: dusk.addingTimeInterval(-7200), end: dawn.addingTimeInterval(7200)), site: site.id)
        #expect(stored.count == 6)
        #expect(stored.allSatisfy { $0.outcome == .completed })
        let quality = try await store.frameQuality(of: try #require(observations.first?.frames.first).id)
        #expect(quality?.source == .model)
        // Closed and parked once the work was done, and the hardware agrees.
        #expect(await harness.agent.status().state == .parked)
        #expect(harness.simulated.snapshot.enclosure == .closed)
        #expect(harness.simulated.snapshot.isParked)
        // Every frame started after the enclosure opened, each observation inside its slot.
        for (observation, entry) in zip(observations, entries) {
            #expect(observation.started >= entry.start && observation.started < entry.end)
        }
    }

    @Test func refusesATargetBelowTheHorizonBeforeTheMountMoves() async throws {
        let (site, telescope) = try AgentTestSupport.site("cerro-tololo")
        let (dusk, _) = try AgentTestSupport.darkHours(site: site, date: night)
        let harness = AgentHarness(site: site, telescope: telescope, start: dusk)
        // Dec +60° never rises above the horizon at latitude −30°.
        let low = try AgentTestSupport.target(near: site, at: dusk, hourAngleHours: 12, altitudeOffset: -90, name: "below")
        let altitude = try Observer(site: site).horizontal(of: low.coordinates, at: dusk).altitude
        #expect(altitude.degrees < 0)
        harness.start()
        harness.agent.send(.observe(AgentTestSupport.request(low, telescope: telescope)))
        await harness.run(until: dusk.addingTimeInterval(600))

        let observation = try #require(harness.log.observations.first)
        guard case .refused(let reason) = observation.outcome else { Issue.record("expected a refusal, got \(observation.outcome)"); return }
        #expect(reason.code == .belowHorizon)
        #expect(reason.detail.contains("below"))
        // The mount never left the zenith park position.
        #expect(!harness.log.states.contains { $0.0 == .slewing })
    }

    @Test func closesWithinTheDeadlineWhenRainStartsMidExposure() async throws {
        let (site, telescope) = try AgentTestSupport.site("la-palma")
        let (dusk, _) = try AgentTestSupport.darkHours(site: site, date: night)
        let rainAt = dusk.addingTimeInterval(3000)
        let weather = WeatherScenario(defaultModel: .clear, changes: [site.id: [WeatherChange(at: rainAt, isRaining: true)]])
        let harness = AgentHarness(site: site, telescope: telescope, start: dusk, weather: weather)
        let target = try AgentTestSupport.target(near: site, at: dusk.addingTimeInterval(2400))
        harness.start()
        harness.agent.send(.observe(AgentTestSupport.request(target, seconds: 300, count: 20, telescope: telescope)))
        await harness.run(until: dusk.addingTimeInterval(3 * 3600))

        // The weather model changes in 10-minute steps: rain begins at the first step at or after rainAt.
        let rainStarts = try #require(stride(from: rainAt.timeIntervalSince1970, to: rainAt.timeIntervalSince1970 + 700, by: 10)
            .map { Date(timeIntervalSince1970: $0) }.first { harness.timeline.conditions(at: $0).isRaining == true })
        let parked = try #require(harness.log.states.first { $0.0 == .parked && $0.1 > rainStarts })
        #expect(parked.1.timeIntervalSince(rainStarts) <= telescope.safety.closeDeadlineSeconds)
        let observation = try #require(harness.log.observations.first)
        guard case .aborted(let reason) = observation.outcome else { Issue.record("expected an abort, got \(observation.outcome)"); return }
        #expect(reason.code == .weatherUnsafe)
        #expect(!observation.frames.isEmpty)  // frames before the rain are kept
        // It does not reopen while it rains.
        #expect(!harness.log.states.contains { $0.0 == .opening && $0.1 > rainStarts })
    }

    @Test func followUpAbortsASurveyExposureAndIsObservedFirst() async throws {
        let (site, telescope) = try AgentTestSupport.site("siding-spring")
        let (dusk, _) = try AgentTestSupport.darkHours(site: site, date: night)
        let harness = AgentHarness(site: site, telescope: telescope, start: dusk)
        let survey = try AgentTestSupport.target(near: site, at: dusk, name: "survey")
        let burst = try AgentTestSupport.target(near: site, at: dusk, hourAngleHours: -1, altitudeOffset: 10, name: "grb")
        harness.start()
        harness.agent.send(.observe(AgentTestSupport.request(survey, seconds: 600, telescope: telescope)))
        await harness.run(until: dusk.addingTimeInterval(400))
        #expect(await harness.agent.status().state == .exposing)

        let request = AgentTestSupport.request(burst, seconds: 60, count: 3, telescope: telescope, kind: .followUp, id: "fu:grb")
        let now = harness.clock.now.date
        let assignment = Assignment(
            id: "assign-1", alertID: "alert-1", telescopeID: telescope.id, siteID: site.id, request: request, plannedStart: now,
            leaseExpiry: now.addingTimeInterval(1800), state: .offered, reason: "earliest start")
        harness.agent.send(.followUp(assignment))
        await harness.run(until: dusk.addingTimeInterval(1500))

        let observations = harness.log.observations
        let first = try #require(observations.first)
        guard case .aborted(let reason) = first.outcome else { Issue.record("survey should be aborted, got \(first.outcome)"); return }
        #expect(reason.code == .preempted)
        #expect(first.ended.timeIntervalSince(now) < 1)
        let followUp = try #require(observations.first { $0.requestID == "fu:grb" })
        #expect(followUp.outcome == .completed)
        #expect(followUp.frames.count == 3)
        #expect(harness.log.events.contains { if case .assignmentAccepted("assign-1", _, _) = $0 { true } else { false } })
    }

    /// Regression: while closed the safety watch polls every 5 min, longer than the weather
    /// grace (2 min), and a request or follow-up arriving then was refused as
    /// "no weather reading for 230 s" though the sensor worked.
    /// Several arrival times, so that some fall late in a closed poll.
    @Test(arguments: [0.0, 70, 140, 210, 280])
    func workArrivingWhileClosedIsJudgedOnAFreshWeatherReading(delay: Double) async throws {
        let (site, telescope) = try AgentTestSupport.site("xinglong")
        let (dusk, _) = try AgentTestSupport.darkHours(site: site, date: night)
        let start = dusk.addingTimeInterval(1800)
        let harness = AgentHarness(site: site, telescope: telescope, start: start)
        let target = try AgentTestSupport.target(near: site, at: start.addingTimeInterval(1800))
        harness.start()
        harness.agent.send(.observe(AgentTestSupport.request(target, seconds: 60, telescope: telescope, id: "first")))
        await harness.run(until: start.addingTimeInterval(1200))
        #expect(await harness.agent.status().state == .parked)
        await harness.run(until: start.addingTimeInterval(1200 + delay))
        harness.agent.send(.observe(AgentTestSupport.request(target, seconds: 60, telescope: telescope, id: "second")))
        let now = harness.clock.now.date
        let followUp = AgentTestSupport.request(target, seconds: 60, telescope: telescope, kind: .followUp, id: "fu:late")
        harness.agent.send(.followUp(Assignment(
            id: "assign-late", alertID: "alert-late", telescopeID: telescope.id, siteID: site.id, request: followUp, plannedStart: now,
            leaseExpiry: now.addingTimeInterval(1800), state: .offered, reason: "test")))
        await harness.run(until: start.addingTimeInterval(3600))

        let outcomes = Dictionary(uniqueKeysWithValues: harness.log.observations.map { ($0.requestID, $0.outcome) })
        #expect(outcomes["first"] == .completed)
        #expect(outcomes["second"] == .completed, "\(String(describing: outcomes["second"]))")
        #expect(outcomes["fu:late"] == .completed, "\(String(describing: outcomes["fu:late"]))")
        #expect(harness.log.events.contains { if case .assignmentAccepted("assign-late", _, _) = $0 { true } else { false } })
    }

    @Test func recoversFromACameraTimeoutWithBackOff() async throws {
        let (site, telescope) = try AgentTestSupport.site("haleakala")
        let (dusk, _) = try AgentTestSupport.darkHours(site: site, date: night)
        let fault = DeviceFault(device: .camera, kind: .timeout, start: dusk, end: dusk.addingTimeInterval(900))
        let harness = AgentHarness(site: site, telescope: telescope, start: dusk, faults: [fault])
        let target = try AgentTestSupport.target(near: site, at: dusk.addingTimeInterval(1200))
        harness.start()
        harness.agent.send(.observe(AgentTestSupport.request(target, seconds: 30, telescope: telescope, id: "first")))
        await harness.run(until: dusk.addingTimeInterval(600))
        harness.agent.send(.observe(AgentTestSupport.request(target, seconds: 30, telescope: telescope, id: "second")))
        await harness.run(until: dusk.addingTimeInterval(3600))

        let first = try #require(harness.log.observations.first { $0.requestID == "first" })
        guard case .failed(let reason) = first.outcome else { Issue.record("expected a failure, got \(first.outcome)"); return }
        #expect(reason.code == .deviceTimeout)
        #expect(harness.log.faults.contains { $0.0 == .camera })
        #expect(harness.log.recoveries.contains(.camera))
        let second = try #require(harness.log.observations.first { $0.requestID == "second" })
        #expect(second.outcome == .completed)
        #expect(second.started >= fault.end!)
    }

    @Test func neverOpensInDaylightOrUnknownWeather() async throws {
        let (site, telescope) = try AgentTestSupport.site("xinglong")
        let (dusk, _) = try AgentTestSupport.darkHours(site: site, date: night)
        let weather = WeatherScenario(defaultModel: .clear, changes: [site.id: [WeatherChange(at: dusk.addingTimeInterval(-7200), feedLost: true)]])
        let harness = AgentHarness(site: site, telescope: telescope, start: dusk.addingTimeInterval(-7200), weather: weather)
        let target = try AgentTestSupport.target(near: site, at: dusk)
        harness.start()
        harness.agent.send(.observe(AgentTestSupport.request(target, telescope: telescope)))
        await harness.run(until: dusk.addingTimeInterval(600))
        let observation = try #require(harness.log.observations.first)
        guard case .refused(let reason) = observation.outcome else { Issue.record("expected a refusal, got \(observation.outcome)"); return }
        #expect([.weatherUnknown, .notDarkEnough].contains(reason.code))
        #expect(!harness.log.states.contains { $0.0 == .opening })
        #expect(harness.simulated.snapshot.enclosure == .closed)
    }
}
