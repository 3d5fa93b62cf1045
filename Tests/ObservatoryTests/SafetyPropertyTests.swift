import Foundation
import Sky
import StarlingCore
import Synchronization
import Testing

@testable import Observatory

/// Over many random nights of weather and faults at the real sites, the agent never breaks a
/// safety rule and never drops a request.
///
/// Each night: a real site and telescope, a random date, a two-hour stretch somewhere in the
/// night (sometimes across twilight), the site's climate weather with random rain, cloud and
/// sensor outages on top, random device faults, and random work: plan entries, immediate
/// requests and follow-ups, some aimed below the horizon or near the Sun on purpose. A monitor
/// task samples the simulated hardware (not what the agent believes) every 10 s.
struct SafetyPropertyTests {
    static let nights = Int(ProcessInfo.processInfo.environment["STARLING_SAFETY_NIGHTS"] ?? "1000") ?? 1000

    @Test func noSafetyRuleIsBrokenAndNoRequestIsDroppedOverAThousandRandomNights() async throws {
        let network = try AgentTestSupport.network()
        let sites = network.sites.filter { !$0.telescopes.isEmpty }
        var failures: [String] = []
        var checked = 0
        try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            var next = Int(ProcessInfo.processInfo.environment["STARLING_SAFETY_FIRST_NIGHT"] ?? "0") ?? 0
            // Two nights at a time per core: each night has its own simulation clock.
            for _ in 0..<4 where next < Self.nights {
                let index = next
                next += 1
                group.addTask { (index, try await Self.runNight(seed: UInt64(index) &* 7919 &+ 17, sites: sites)) }
            }
            while let (index, problems) = try await group.next() {
                checked += 1
                if !problems.isEmpty { failures.append("night \(index): " + problems.prefix(3).joined(separator: "; ")) }
                if next < Self.nights {
                    let index = next
                    next += 1
                    group.addTask { (index, try await Self.runNight(seed: UInt64(index) &* 7919 &+ 17, sites: sites)) }
                }
            }
        }
        #expect(checked >= Self.nights - (Int(ProcessInfo.processInfo.environment["STARLING_SAFETY_FIRST_NIGHT"] ?? "0") ?? 0))
        #expect(failures.isEmpty, "\(failures.count) nights broke a rule: \(failures.prefix(5).joined(separator: " | "))")
    }

    /// Runs one random night; returns the broken rules, if any.
    static func runNight(seed: UInt64, sites: [Site]) async throws -> [String] {
        var random = SeededGenerator(seed: seed)
        let site = sites[Int(random.next() % UInt64(sites.count))]
        let telescope = site.telescopes[Int(random.next() % UInt64(site.telescopes.count))]
        let date = CalendarDate(year: 2026, month: 1, day: 1)!.adding(days: Int(random.next() % 365))
        let windows = try NightWindows.compute(site: site, date: date)
        guard let dusk = windows.civil.dusk.date ?? windows.sunset.date, let dawn = windows.civil.dawn.date ?? windows.sunrise.date, dawn > dusk else {
            return []  // no night at this site and date: nothing to check
        }
        let length = 2.0 * 3600
        let start = dusk.addingTimeInterval(-1800 + random.nextUnit() * max(0, dawn.timeIntervalSince(dusk) - length + 1800))
        let end = start.addingTimeInterval(length)

        var changes: [WeatherChange] = []
        for _ in 0..<Int(random.next() % 4) {
            let at = start.addingTimeInterval(random.nextUnit() * length)
            switch random.next() % 4 {
            case 0: changes.append(WeatherChange(at: at, isRaining: true))
            case 1: changes.append(WeatherChange(at: at, isRaining: false))
            case 2: changes.append(WeatherChange(at: at, cloudFraction: random.nextUnit()))
            default: changes.append(WeatherChange(at: at, feedLost: random.next() % 2 == 0))
            }
        }
        let weather = WeatherScenario(defaultModel: random.next() % 3 == 0 ? .clear : .climate, changes: [site.id: changes.sorted { $0.at < $1.at }])
        var faults: [DeviceFault] = []
        for _ in 0..<Int(random.next() % 3) {
            let kind = FaultInjection.Kind.allCases[Int(random.next() % UInt64(FaultInjection.Kind.allCases.count))]
            let devices = Array(kind.devices).sorted { $0.rawValue < $1.rawValue }
            let device = devices[Int(random.next() % UInt64(devices.count))]
            let at = start.addingTimeInterval(random.nextUnit() * length)
            faults.append(DeviceFault(device: device, kind: kind, start: at, end: random.next() % 3 == 0 ? nil : at.addingTimeInterval(60 + random.nextUnit() * 2400)))
        }
        let harness = AgentHarness(site: site, telescope: telescope, start: start, hours: 4, weather: weather, faults: faults, seed: seed)
        let injectedFaults = faults

        // Work: plan entries across the stretch, plus immediate requests and follow-ups at random times.
        let observer = Observer(site: site)
        func randomTarget(_ name: String) throws -> Target {
            let coordinates = try EquatorialCoordinates(
                rightAscensionDegrees: 360 * random.nextUnit(), declinationDegrees: asin(2 * random.nextUnit() - 1) * 180 / .pi)
            return Target(id: TargetID(name), name: name, coordinates: coordinates, kind: .galaxy, priority: 5)
        }
        var entries: [PlannedObservation] = []
        var slot = start.addingTimeInterval(random.nextUnit() * 600)
        var index = 0
        while slot < end.addingTimeInterval(-600) {
            let duration = 300 + random.nextUnit() * 900
            let request = AgentTestSupport.request(try randomTarget("p\(index)"), seconds: 30 + random.nextUnit() * 200, count: 1 + Int(random.next() % 3), telescope: telescope, id: "plan-\(index)")
            entries.append(PlannedObservation(request: request, start: slot, end: slot.addingTimeInterval(duration), altitudeStart: .degrees(45), altitudeEnd: .degrees(45), airmass: 1.4, merit: 1, reason: "random"))
            slot = slot.addingTimeInterval(duration + random.nextUnit() * 600)
            index += 1
        }
        var expected = Set(entries.map(\.request.id))
        var injections: [(Date, TelescopeCommand)] = []
        for n in 0..<Int(random.next() % 4) {
            let at = start.addingTimeInterval(random.nextUnit() * (length - 1800))
            let request = AgentTestSupport.request(try randomTarget("i\(n)"), seconds: 30 + random.nextUnit() * 120, telescope: telescope, id: "now-\(n)")
            expected.insert(request.id)
            injections.append((at, .observe(request)))
        }
        var assignments: Set<AssignmentID> = []
        for n in 0..<Int(random.next() % 3) {
            let at = start.addingTimeInterval(random.nextUnit() * (length - 1800))
            let request = AgentTestSupport.request(try randomTarget("f\(n)"), seconds: 60, count: 3, telescope: telescope, kind: .followUp, id: "fu-\(n)")
            let assignment = Assignment(
                id: AssignmentID("a-\(n)"), alertID: AlertID("alert-\(n)"), telescopeID: telescope.id, siteID: site.id, request: request,
                plannedStart: at.addingTimeInterval(random.nextUnit() * 600), leaseExpiry: at.addingTimeInterval(1500), state: .offered, reason: "random")
            assignments.insert(assignment.id)
            injections.append((at, .followUp(assignment)))
        }

        let violations = Mutex<[String]>([])
        let monitorEnd = end.addingTimeInterval(1800)
        let policy = telescope.safety
        let simulated = harness.simulated
        let timeline = harness.timeline
        let clock = harness.clock
        let mountLimit = telescope.mount
        clock.spawn(named: "monitor") {
            var rainSince: Date?
            var unknownSince: Date?
            var sunUpSince: Date?
            var lastReading: Date? = start
            while clock.currentDate < monitorEnd {
                let now = clock.currentDate
                let snapshot = simulated.snapshot
                let truth = timeline.conditions(at: now)
                rainSince = truth.isRaining == true ? (rainSince ?? now) : nil
                if timeline.sensorReading(at: now) != nil, !injectedFaults.contains(where: { $0.device == .weather && $0.isActive(at: now) }) { lastReading = now }
                let sinceReading = lastReading.map { now.timeIntervalSince($0) } ?? .infinity
                unknownSince = sinceReading > policy.weatherDataGraceSeconds ? (unknownSince ?? now) : nil
                let frame = try? observer.frame(at: now)
                let sunAltitude = frame?.sun.horizontal.altitude ?? .degrees(90)
                sunUpSince = sunAltitude > policy.maximumSunAltitudeForOpening ? (sunUpSince ?? now) : nil
                let stuck = injectedFaults.contains { $0.device == .enclosure && ($0.kind == .stuck || $0.kind == .disconnect) && $0.start <= now }
                if snapshot.enclosure == .open || snapshot.enclosure == .opening, !stuck {
                    let slack = policy.closeDeadlineSeconds + 10
                    if let rainSince, now.timeIntervalSince(rainSince) > slack {
                        violations.withLock { $0.append("open in rain since \(ISO8601.string(from: rainSince)) at \(ISO8601.string(from: now))") }
                    }
                    if let unknownSince, now.timeIntervalSince(unknownSince) > slack {
                        violations.withLock { $0.append("open with unknown weather at \(ISO8601.string(from: now))") }
                    }
                    if let sunUpSince, now.timeIntervalSince(sunUpSince) > slack {
                        violations.withLock { $0.append("open with the Sun up at \(ISO8601.string(from: now))") }
                    }
                }
                if snapshot.enclosure == .open, snapshot.isTracking, !snapshot.isSlewing, let pointing = snapshot.pointing, let frame {
                    let position = frame.horizontal(of: pointing)
                    let limit = max(site.horizonMask.minimumAltitude(atAzimuth: position.azimuth), mountLimit.minimumAltitude)
                    if position.altitude.degrees < limit.degrees - 1 {
                        violations.withLock { $0.append("tracking at altitude \(position.altitude.degrees)° below the limit \(limit.degrees)° at \(ISO8601.string(from: now))") }
                    }
                    if frame.sunSeparation(from: pointing) < policy.sunAvoidance {
                        violations.withLock { $0.append("pointing \(frame.sunSeparation(from: pointing).degrees)° from the Sun") }
                    }
                }
                try? await clock.sleep(seconds: 10)
            }
        }
        for (at, command) in injections {
            let agent = harness.agent
            clock.spawn(named: "inject") {
                try? await clock.sleep(until: at)
                agent.send(command)
            }
        }
        harness.start()
        harness.agent.send(.load(NightPlan(id: "plan", telescopeID: telescope.id, siteID: site.id, night: date, createdAt: start, entries: entries, ranking: .deterministic)))
        await harness.run(until: monitorEnd)
        harness.agent.stop(reason: "end of test")
        await harness.run(until: monitorEnd.addingTimeInterval(3600))

        var problems = violations.withLock { $0 }
        let ended = harness.log.observations
        for observation in ended where observation.outcome != .completed {
            if observation.outcome.reason?.detail.isEmpty ?? true { problems.append("\(observation.requestID) ended \(observation.outcome.name) without a reason") }
        }
        let answered = Set(ended.map(\.requestID))
        let refusedAssignments = Set(harness.log.events.compactMap { if case .assignmentRefused(let id, _, _, _) = $0 { id } else { nil } })
        let acceptedAssignments = Set(harness.log.events.compactMap { if case .assignmentAccepted(let id, _, _) = $0 { id } else { nil } })
        for id in expected where !answered.contains(id) { problems.append("request \(id) never ended") }
        for id in assignments where !refusedAssignments.contains(id) {
            if !acceptedAssignments.contains(id) { problems.append("assignment \(id) neither accepted nor refused") }
        }
        for n in 0..<assignments.count {
            let id = AssignmentID("a-\(n)")
            if acceptedAssignments.contains(id), !refusedAssignments.contains(id), !answered.contains(RequestID("fu-\(n)")) {
                let trail = harness.log.events.filter { "\($0)".contains("a-\(n)") || "\($0)".contains("fu-\(n)") }.suffix(30).map { "\($0)" }.joined(separator: "\n")
                let status = await harness.agent.status()
                let last = harness.log.events.suffix(6).map { "\($0)" }.joined(separator: "\n")
                problems.append("accepted follow-up \(id) never ended; status \(status); events:\n\(trail)\nlast:\n\(last)")
            }
        }
        return problems
    }
}
