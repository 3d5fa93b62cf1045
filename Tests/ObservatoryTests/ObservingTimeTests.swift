import Foundation
import Persistence
import Sky
import StarlingCore
import Synchronization
import Testing

@testable import Observatory

/// The simulator follows its own model, and the agent times observations by the rule the
/// planners and the coordinator plan with (issue 17).
struct ObservingTimeTests {
    let night = CalendarDate(year: 2026, month: 11, day: 23)!

    /// A telescope of a site whose mount is of a kind.
    private func telescope(at siteID: String, mount kind: MountModel.Kind) throws -> (Site, Telescope) {
        let site = try #require(try AgentTestSupport.network().site(SiteID(siteID)))
        return (site, try #require(site.telescopes.first { $0.mount.kind == kind }))
    }

    private func position(_ target: EquatorialCoordinates, _ frame: ObservingFrame) -> MountPosition {
        MountPosition(equatorial: target, horizontal: frame.horizontal(of: target))
    }

    /// A plan with one entry two hours on: the telescope stays open (and idle) until then.
    private func keepOpen(_ harness: AgentHarness, site: Site, telescope: Telescope, after dusk: Date) async {
        let start = dusk.addingTimeInterval(2 * 3600)
        guard let target = try? AgentTestSupport.target(near: site, at: start, name: "later") else { return }
        let entry = PlannedObservation(
            request: AgentTestSupport.request(target, telescope: telescope), start: start, end: start.addingTimeInterval(600), altitudeStart: .degrees(80),
            altitudeEnd: .degrees(80), airmass: 1, merit: 1, reason: "keeps the telescope open")
        harness.agent.send(.load(NightPlan(id: "later", telescopeID: telescope.id, siteID: site.id, night: night, createdAt: dusk, entries: [entry], ranking: .deterministic)))
    }

    /// Regression: simulated alt-azimuth mounts slewed on RA/Dec differences (a 158° azimuth
    /// move took 7 s against 15 s modelled). Near the zenith a small RA/Dec step is a large
    /// azimuth swing; the simulated move takes the model's time on azimuth and altitude.
    @Test func altAzimuthMountSlewsOnAzimuthAndAltitude() async throws {
        let (site, telescope) = try telescope(at: "teide", mount: .altAzimuth)
        let (dusk, _) = try AgentTestSupport.darkHours(site: site, date: night)
        let start = dusk.addingTimeInterval(3600)
        let clock = SimulationClock(start: UTCInstant(start))
        let simulated = SimulatedTelescope(telescope: telescope, site: site, clock: clock, weather: nil, renderer: FlatFrameRenderer())
        let frame = try Observer(site: site).frame(at: start)
        let a = try frame.equatorial(of: HorizontalCoordinates(altitude: .degrees(80), azimuth: .degrees(10)))
        let b = try frame.equatorial(of: HorizontalCoordinates(altitude: .degrees(80), azimuth: .degrees(168)))
        let mount = simulated.devices.mount
        let times = Times()
        clock.spawn(named: "slews") {
            try? await mount.unpark()
            try? await mount.slew(to: a)
            let begin = clock.currentDate
            try? await mount.slew(to: b)
            times.set(begin, clock.currentDate)
        }
        await clock.run(until: UTCInstant(start.addingTimeInterval(600)))
        let (begin, end) = try #require(times.value)
        let now = try Observer(site: site).frame(at: begin)
        let expected = telescope.mount.moveSeconds(from: position(a, now), to: position(b, now))
        #expect(expected > 10, "a 158° azimuth swing at 15°/s takes about 12 s")
        #expect(abs(end.timeIntervalSince(begin) - expected) < 1e-6, "took \(end.timeIntervalSince(begin)) s, the model says \(expected) s")
        // On RA/Dec differences, as the simulator used to move, it would have been much quicker.
        let ra = (b.rightAscension - a.rightAscension).normalizedSigned, dec = b.declination - a.declination
        #expect(max(telescope.mount.axisMoveSeconds(ra), telescope.mount.axisMoveSeconds(dec)) < expected - 3)
    }

    /// Regression: the settle ended early whenever the agent was woken (47 slews short by
    /// exactly the settle). Commands arriving every half second through the slew and settle
    /// leave the exposure start exactly where it is without them.
    @Test func aWakeDoesNotCutTheSettle() async throws {
        func firstExposure(woken: Bool) async throws -> (slewing: Date, exposing: Date) {
            let (site, telescope) = try AgentTestSupport.site("la-palma")
            let (dusk, _) = try AgentTestSupport.darkHours(site: site, date: night)
            let harness = AgentHarness(site: site, telescope: telescope, start: dusk)
            let target = try AgentTestSupport.target(near: site, at: dusk, hourAngleHours: 2, altitudeOffset: 20)
            harness.start()
            harness.agent.send(.observe(AgentTestSupport.request(target, telescope: telescope)))
            if woken {
                let agent = harness.agent
                harness.clock.spawn(named: "pokes") {
                    for _ in 0..<400 {
                        agent.send(.open)
                        try? await harness.clock.sleep(seconds: 0.5)
                    }
                }
            }
            await harness.run(until: dusk.addingTimeInterval(600))
            let slewing = try #require(harness.log.states.first { $0.0 == .slewing }).1
            let exposing = try #require(harness.log.states.first { $0.0 == .exposing }).1
            return (slewing, exposing)
        }
        let quiet = try await firstExposure(woken: false)
        let woken = try await firstExposure(woken: true)
        #expect(woken.slewing == quiet.slewing)
        #expect(woken.exposing == quiet.exposing, "woken: \(woken.exposing.timeIntervalSince(woken.slewing)) s, quiet: \(quiet.exposing.timeIntervalSince(quiet.slewing)) s")
    }

    /// Regression: the planned start of an immediate follow-up already held the slew and the
    /// telescope then started its slew at it (16.5 s of the Swift burst's 46 s spent waiting).
    /// An idle, open telescope starts moving at the assignment's slew start, and its first
    /// exposure starts after the lead-in the model gives from where the mount and dome stand.
    @Test func idleFollowUpExposesAfterTheLeadInAlone() async throws {
        let (site, telescope) = try AgentTestSupport.site("siding-spring")
        let (dusk, _) = try AgentTestSupport.darkHours(site: site, date: night)
        let harness = AgentHarness(site: site, telescope: telescope, start: dusk)
        let survey = try AgentTestSupport.target(near: site, at: dusk, name: "survey")
        let burst = try AgentTestSupport.target(near: site, at: dusk, hourAngleHours: -2, altitudeOffset: 25, name: "grb")
        harness.start()
        await keepOpen(harness, site: site, telescope: telescope, after: dusk)
        harness.agent.send(.observe(AgentTestSupport.request(survey, seconds: 30, telescope: telescope)))
        await harness.run(until: dusk.addingTimeInterval(600))
        #expect(await harness.agent.status().state == .idle)

        let now = harness.clock.now.date
        let frame = try Observer(site: site).frame(at: now)
        let pointing = try #require(try await harness.simulated.devices.mount.status().pointing)
        let dome = try await harness.simulated.devices.enclosure.azimuth()
        let filter = telescope.filters[1]
        let expected = Overheads(telescope: telescope).leadInSeconds(
            from: position(pointing, frame), to: position(burst.coordinates, frame), domeAzimuthDegrees: dome?.degrees,
            changesFilter: harness.simulated.snapshot.filter != filter)
        let request = ObservationRequest(
            id: "fu:grb", target: burst, exposures: [ExposureSpec(filter: filter, exposureSeconds: 60, count: 3)], constraints: .followUp,
            priority: 10, window: DateInterval(start: now, duration: 3600), kind: .followUp)
        harness.agent.send(.followUp(Assignment(
            id: "assign-grb", alertID: "alert-grb", telescopeID: telescope.id, siteID: site.id, request: request,
            plannedStart: now.addingTimeInterval(expected + 30), slewStart: now, leaseExpiry: now.addingTimeInterval(600), state: .offered,
            reason: "test")))
        await harness.run(until: now.addingTimeInterval(900))

        let observation = try #require(harness.log.observations.first { $0.requestID == "fu:grb" })
        #expect(observation.outcome == .completed)
        #expect(observation.started == now, "the telescope starts moving at once")
        let firstFrame = try #require(observation.frames.first)
        #expect(expected > telescope.mount.settleSeconds)
        #expect(abs(firstFrame.started.timeIntervalSince(now) - expected) < 1e-3, "first frame after \(firstFrame.started.timeIntervalSince(now)) s, lead-in \(expected) s")
    }

    /// A follow-up whose window opens after the telescope could arrive (its field still rising)
    /// waits to start moving, arrives as the window opens and exposes then, not before.
    @Test func followUpArrivingEarlyStartsItsSlewLateAndExposesAsTheWindowOpens() async throws {
        let (site, telescope) = try AgentTestSupport.site("siding-spring")
        let (dusk, _) = try AgentTestSupport.darkHours(site: site, date: night)
        let harness = AgentHarness(site: site, telescope: telescope, start: dusk)
        let survey = try AgentTestSupport.target(near: site, at: dusk, name: "survey")
        let field = try AgentTestSupport.target(near: site, at: dusk, hourAngleHours: -2, altitudeOffset: 25, name: "gw-field")
        harness.start()
        await keepOpen(harness, site: site, telescope: telescope, after: dusk)
        harness.agent.send(.observe(AgentTestSupport.request(survey, seconds: 30, telescope: telescope)))
        await harness.run(until: dusk.addingTimeInterval(600))
        let now = harness.clock.now.date
        let opens = now.addingTimeInterval(90)
        let request = ObservationRequest(
            id: "fu:gw", target: field, exposures: [ExposureSpec(filter: telescope.filters[0], exposureSeconds: 120)], constraints: .followUp,
            priority: 9, window: DateInterval(start: opens, duration: 3600), kind: .followUp)
        harness.agent.send(.followUp(Assignment(
            id: "assign-gw", alertID: "alert-gw", telescopeID: telescope.id, siteID: site.id, request: request, plannedStart: opens,
            slewStart: now, leaseExpiry: now.addingTimeInterval(600), state: .offered, reason: "test")))
        await harness.run(until: now.addingTimeInterval(900))

        let observation = try #require(harness.log.observations.first { $0.requestID == "fu:gw" })
        #expect(observation.outcome == .completed)
        let firstFrame = try #require(observation.frames.first).started
        // The lead-in is recomputed when the slew starts (the dome's target moved a little meanwhile).
        #expect(firstFrame >= opens && firstFrame < opens.addingTimeInterval(1), "first frame \(firstFrame.timeIntervalSince(opens)) s after the window opened")
        let slewing = try #require(harness.log.states.last { $0.0 == .slewing && $0.1 >= now }).1
        #expect(slewing > now, "the slew starts late enough to arrive as the window opens")
    }

    /// Regression: dispatch estimated a block as 60 s + settle + a filter change per filter +
    /// exposures, about 60 s more than the plan's block, and refused 35 planned blocks that
    /// fit (a block ending 5 s before astronomical dawn was "Sun at −17.9° at the end"). A
    /// block the plan puts just inside dawn is observed.
    @Test func plannedBlockEndingJustBeforeDawnIsObserved() async throws {
        let (site, telescope) = try AgentTestSupport.site("xinglong")
        let windows = try NightWindows.compute(site: site, date: night)
        let dawn = try #require(windows.astronomical.dawn.date)
        let harness = AgentHarness(site: site, telescope: telescope, start: dawn.addingTimeInterval(-3 * 3600))
        // Near the zenith, north of it: a short slew from the park position and no dome turn.
        let target = try AgentTestSupport.target(near: site, at: dawn.addingTimeInterval(-400), altitudeOffset: -4, name: "ngc-dawn")
        let request = ObservationRequest(
            id: "survey:dawn", target: target, exposures: [ExposureSpec(filter: telescope.filters[0], exposureSeconds: 300)],
            constraints: ObservingConstraints(), priority: 8)
        let block = Overheads(telescope: telescope).blockSeconds(request)
        let end = dawn.addingTimeInterval(-5)
        let start = end.addingTimeInterval(-block - 30)
        let entry = PlannedObservation(
            request: request, start: start, end: end, altitudeStart: .degrees(85), altitudeEnd: .degrees(84), airmass: 1.01, merit: 1, reason: "test")
        harness.start()
        harness.agent.send(.load(NightPlan(id: "p", telescopeID: telescope.id, siteID: site.id, night: night, createdAt: start, entries: [entry], ranking: .deterministic)))
        await harness.run(until: dawn.addingTimeInterval(600))
        let observation = try #require(harness.log.observations.first)
        #expect(observation.outcome == .completed, "\(observation.outcome)")
        #expect(observation.ended <= dawn)
    }
}

/// A pair of instants recorded by a task on the simulation clock.
private final class Times: Sendable {
    private let storage = Mutex<(Date, Date)?>(nil)
    func set(_ a: Date, _ b: Date) { storage.withLock { $0 = (a, b) } }
    var value: (Date, Date)? { storage.withLock { $0 } }
}
