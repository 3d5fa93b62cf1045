import Foundation
import Testing

@testable import Sky
@testable import StarlingCore

/// Starling's one observing rule: the same answer from every evaluation of it.
struct ObservingLimitsTests {
    let site: Site = try! #require(try SkyTestPaths.layout.loadNetwork().site("teide"))

    /// A sample with everything fine except what a test sets.
    private func sample(altitude: Double, azimuth: Double = 180, sun: Double = -30, moonAltitude: Double = -20, illumination: Double = 0.5, separation: Double = 90) -> ConstraintSample {
        ConstraintSample(
            date: Date(timeIntervalSince1970: 1_800_000_000), altitudeDegrees: altitude, azimuthDegrees: azimuth, sunAltitudeDegrees: sun,
            moonAltitudeDegrees: moonAltitude, moonIllumination: illumination, moonSeparationDegrees: separation)
    }

    /// Regression (issue 17): follow-ups were refused at dispatch with "airmass 2.90 above 2.90"
    /// (Kasten–Young there, sec z in the planners) and started at sec z 2.911–2.921. The airmass
    /// limit is sec z everywhere, so sec z 2.911 is refused and the limit's own altitude passes.
    @Test(arguments: [(2.911, false), (2.921, false), (2.9, true), (2.5, true)])
    func airmassLimitIsSecZ(secantAirmass: Double, allowed: Bool) {
        let limits = ObservingLimits(.followUp, mountMinimumAltitude: .degrees(15))
        let altitude = Airmass.altitudeDegrees(forSecantAirmass: secantAirmass) + (allowed ? 1e-9 : 0)
        let violation = limits.violation(sample(altitude: altitude))
        #expect((violation == nil) == allowed, "\(violation.map(\.description) ?? "allowed")")
        if !allowed { #expect(violation?.reason.code == .airmassTooHigh) }
    }

    /// The follow-up constraints bind at sec z 2.9 (20.17°), above their 20° minimum altitude:
    /// the lowest altitude is the higher of the two, and a field at 20.0° is refused.
    @Test func lowestAltitudeIsTheHighestOfTheLimits() {
        let limits = ObservingLimits(.followUp, mountMinimumAltitude: .degrees(15), horizon: .flat(.degrees(10)))
        #expect(abs(limits.lowestAltitudeDegrees - Airmass.altitudeDegrees(forSecantAirmass: 2.9)) < 1e-12)
        #expect(limits.violation(sample(altitude: 20.0)) != nil)
        let mounted = ObservingLimits(.followUp, mountMinimumAltitude: .degrees(25))
        #expect(mounted.lowestAltitudeDegrees == 25)
        #expect(mounted.violation(sample(altitude: 24.99))?.reason.code == .belowHorizon)
        let masked = ObservingLimits(.followUp, horizon: HorizonMask(points: [.init(azimuth: .degrees(0), altitude: .degrees(30)), .init(azimuth: .degrees(180), altitude: .degrees(5))]))
        #expect(masked.violation(sample(altitude: 25, azimuth: 0))?.kind == .horizon)
        #expect(masked.violation(sample(altitude: 25, azimuth: 180)) == nil)
    }

    /// astroplan's rules for the Moon: the separation counts whether or not the Moon is up; its
    /// brightness only while it is up.
    @Test func moonSeparationAlwaysCountsAndBrightnessOnlyWhileUp() {
        let limits = ObservingLimits(ObservingConstraints(minimumMoonSeparation: .degrees(20), maximumMoonIllumination: 0.3))
        #expect(limits.violation(sample(altitude: 60, moonAltitude: -10, separation: 19))?.kind == .moonSeparation)
        #expect(limits.violation(sample(altitude: 60, moonAltitude: -0.1, illumination: 0.9)) == nil)
        #expect(limits.violation(sample(altitude: 60, moonAltitude: 0.1, illumination: 0.9))?.kind == .moonIllumination)
        // Tightened: a Moon just below the horizon may be up by the time the block runs.
        #expect(limits.tightened(by: ConstraintMargins()).violation(sample(altitude: 60, moonAltitude: -1, illumination: 0.9))?.kind == .moonIllumination)
    }

    @Test func windowAndDarknessAreInclusive() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let limits = ObservingLimits(ObservingConstraints(darkness: .nautical), window: DateInterval(start: start, duration: 600))
        var at = sample(altitude: 60, sun: -12)
        at.date = start
        #expect(limits.violation(at) == nil)
        at.date = start.addingTimeInterval(600)
        #expect(limits.violation(at) == nil)
        at.date = start.addingTimeInterval(-0.001)
        #expect(limits.violation(at)?.kind == .window)
        at.date = start
        at.sunAltitudeDegrees = -11.99
        #expect(limits.violation(at)?.reason.code == .notDarkEnough)
    }

    /// What the tightened limits allow, the exact limits allow (a decision taken with margins
    /// survives the exact check), and the clearance is non-negative exactly when allowed.
    @Test func tightenedLimitsAllowOnlyWhatTheExactLimitsAllow() {
        var random = SeededGenerator(seed: 5)
        let mask = HorizonMask(points: [.init(azimuth: .degrees(30), altitude: .degrees(25)), .init(azimuth: .degrees(200), altitude: .degrees(12))])
        let exact = ObservingLimits(.followUp, mountMinimumAltitude: .degrees(18), horizon: mask)
        let tight = exact.tightened(by: ConstraintMargins())
        var allowed = 0
        for _ in 0..<20_000 {
            let s = sample(
                altitude: 10 + 30 * random.nextUnit(), azimuth: 360 * random.nextUnit(), sun: -20 + 10 * random.nextUnit(),
                moonAltitude: -5 + 10 * random.nextUnit(), illumination: random.nextUnit(), separation: 30 * random.nextUnit())
            let tightAllows = tight.isObservable(s)
            if tightAllows {
                allowed += 1
                #expect(exact.isObservable(s))
            }
            #expect(tightAllows == (tight.clearanceDegrees(s) >= 0), "\(s)")
            #expect(exact.isObservable(s) == (exact.clearanceDegrees(s) >= 0), "\(s)")
        }
        #expect(allowed > 1000)
    }

    /// The grid's mask is the rule evaluated on the grid's samples, pair by pair.
    @Test func gridMaskIsTheRuleAtEverySample() throws {
        var random = SeededGenerator(seed: 9)
        let targets = try (0..<150).map { _ in
            try EquatorialCoordinates(rightAscensionDegrees: 360 * random.nextUnit(), declinationDegrees: asin(2 * random.nextUnit() - 1) * 180 / .pi)
        }
        let night = try NightWindows.compute(site: site, date: try #require(CalendarDate("2026-11-23")))
        let instants = stride(from: 0.0, to: night.window.duration, by: 900).map { night.window.start.addingTimeInterval($0) }
        let grid = try VisibilityGrid(observer: Observer(site: site), targets: targets, instants: instants)
        // The last: a bright Moon is up most of this night, so little or nothing passes.
        for (limits, fewestObservable) in [
            (ObservingLimits(.followUp, mountMinimumAltitude: .degrees(18), horizon: site.horizonMask), 500),
            (ObservingLimits(ObservingConstraints(minimumMoonSeparation: .degrees(40)), horizon: site.horizonMask).tightened(by: ConstraintMargins()), 300),
            (ObservingLimits(ObservingConstraints(maximumMoonIllumination: 0.2), horizon: site.horizonMask).tightened(by: ConstraintMargins()), 0),
        ] {
            let mask = grid.observability(limits)
            var agree = 0, observable = 0
            for target in targets.indices {
                for instant in instants.indices {
                    let sample = ConstraintSample(grid: grid, target: target, instant: instant)
                    // Separations: the grid compares cosines, the rule degrees; they differ only
                    // within a nanodegree of the limit.
                    if abs(sample.moonSeparationDegrees - limits.smallestMoonSeparationDegrees) < 1e-6 { continue }
                    if mask.isObservable(target: target, instant: instant) == limits.isObservable(sample) { agree += 1 } else {
                        Issue.record("target \(target) instant \(instant): the mask and the rule disagree on \(sample)")
                    }
                    if limits.isObservable(sample) { observable += 1 }
                }
            }
            #expect(agree > targets.count * instants.count * 99 / 100)
            #expect(observable >= fewestObservable, "\(observable) observable pairs")
        }
    }

    /// The sample from an exact ERFA frame and the grid's sample of the same instant agree,
    /// so dispatch (frames) and the planners (grids) see the same sky.
    @Test func frameAndGridSamplesAgree() throws {
        let observer = Observer(site: site)
        let date = try #require(CalendarDate("2026-11-23")).instant(hour: 23, in: site.timeZone)
        let targets = [try EquatorialCoordinates(rightAscensionDegrees: 40, declinationDegrees: 20), try EquatorialCoordinates(rightAscensionDegrees: 200, declinationDegrees: -10)]
        let grid = try VisibilityGrid(observer: observer, targets: targets, instants: [date])
        for (index, target) in targets.enumerated() {
            let exact = ConstraintSample(frame: try observer.frame(at: date), target: target)
            let fast = ConstraintSample(grid: grid, target: index, instant: 0)
            #expect(abs(exact.altitudeDegrees - fast.altitudeDegrees) * 3600 < 0.1)
            #expect(abs(exact.moonSeparationDegrees - fast.moonSeparationDegrees) * 3600 < 1)
            #expect(exact.sunAltitudeDegrees == fast.sunAltitudeDegrees)
            let horizontal = SkyTimeline(frames: [try observer.frame(at: date)]).horizontal(of: target, instant: 0)
            #expect(abs(horizontal.altitude.degrees - exact.altitudeDegrees) * 3600 < 0.1)
        }
    }
}
