import Foundation
import PropertyBased
import Sky
import StarlingCore
import Synchronization
import Testing

@testable import Planning

/// The planner's promise: a plan never holds an observation that breaks a constraint when it
/// is made, nor two observations at once on one telescope. Checked here independently of the
/// planner's grid, with a fresh `ObservingFrame` at the start and end of every planned block.
struct ConstraintPropertyTests {
    @Test func noPlannedObservationBreaksAConstraintOrOverlaps() async throws {
        let checked = Mutex(0)
        await propertyCheck(count: 12, input: Gen.int(in: 0...1_000_000), Gen.int(in: 0...364), Gen.bool) { seed, day, mixed in
            do {
                let count = try checkPlan(seed: UInt64(seed), day: day, mixed: mixed)
                checked.withLock { $0 += count }
            } catch {
                Issue.record("planning failed: \(error)")
            }
        }
        // Some nights have no darkness (high latitudes in summer), but most must have plans.
        #expect(checked.withLock { $0 } > 100)
    }

    /// Plans a random night and checks it; returns how many observations were checked.
    private func checkPlan(seed: UInt64, day: Int, mixed: Bool) throws -> Int {
        let site = try PlanningTestSupport.randomSite(seed: seed, telescope: PlanningTestSupport.surveyTelescope)
        let date = CalendarDate(year: 2026, month: 1, day: 1)!.adding(days: day)
        let targets = try PlanningTestSupport.randomCatalog(count: 60, seed: seed &+ 1)
        let requests = PlanningTestSupport.requests(for: targets, seed: seed &+ 2, mixed: mixed)
        let night = try SiteNight(site: site, localDate: date)
        let configuration = NightScheduler.Configuration(countsOverheads: mixed || seed % 2 == 0, improvementRoundsPerVisit: 1)
        let scheduler = NightScheduler(site: site, telescope: site.telescopes[0], configuration: configuration)
        let schedule = try scheduler.schedule(requests, night: night, forecast: ClimateForecast(climate: site.climate))
        let observer = Observer(site: site)
        var seen = Set<RequestID>()
        var previousEnd = Date.distantPast
        for entry in schedule.entries {
            #expect(seen.insert(entry.request.id).inserted, "\(entry.request.id) planned twice")
            #expect(entry.start >= previousEnd, "\(entry.request.id) overlaps the previous observation")
            #expect(entry.end > entry.start)
            previousEnd = entry.end
            let constraints = entry.request.constraints
            for instant in [entry.start, entry.end] {
                let frame = try observer.frame(at: instant)
                let position = frame.horizontal(of: entry.request.target.coordinates)
                let altitude = position.altitude.degrees
                let label = "\(entry.request.target.id) at \(ISO8601.string(from: instant)), site \(site.id) on \(date)"
                #expect(altitude >= constraints.minimumAltitude.degrees, "altitude \(altitude)° below the limit: \(label)")
                #expect(Airmass.secantZenith(altitudeDegrees: altitude) <= constraints.maximumAirmass, "airmass too high: \(label)")
                #expect(altitude >= site.horizonMask.minimumAltitude(atAzimuth: position.azimuth).degrees, "below the horizon mask: \(label)")
                #expect(frame.sun.horizontal.altitude.degrees <= constraints.darkness.sunAltitude.degrees, "not dark: \(label)")
                #expect(frame.moonSeparation(from: entry.request.target.coordinates).degrees >= constraints.minimumMoonSeparation.degrees, "too close to the Moon: \(label)")
            }
        }
        return schedule.entries.count
    }
}
