import Foundation
import Testing

@testable import Sky
@testable import StarlingCore

struct FastMathTests {
    @Test func fastArcTangentMatchesLibm() {
        var random = SeededGenerator(seed: 11)
        var worst = 0.0
        for _ in 0..<200_000 {
            let y = (random.nextUnit() - 0.5) * pow(10, 4 * random.nextUnit() - 2)
            let x = (random.nextUnit() - 0.5) * pow(10, 4 * random.nextUnit() - 2)
            worst = max(worst, abs(fastAtan2(y, x) - atan2(y, x)))
        }
        for (y, x) in [(0.0, 1.0), (1.0, 0.0), (0.0, -1.0), (-1.0, 0.0), (1.0, 1.0), (-1.0, -1.0), (1e-300, -1.0)] {
            worst = max(worst, abs(fastAtan2(y, x) - atan2(y, x)))
        }
        #expect(worst < 1e-14)
    }
}

/// The fast path against ERFA's full one, and the altitude screen against the fast path.
struct VisibilityGridTests {
    let site: Site

    init() throws { site = try #require(try SkyTestPaths.layout.loadNetwork().site("la-palma")) }

    func randomTargets(_ count: Int, seed: UInt64) -> [EquatorialCoordinates] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            try! EquatorialCoordinates(rightAscensionDegrees: 360 * random.nextUnit(), declinationDegrees: asin(2 * random.nextUnit() - 1) * 180 / .pi)
        }
    }

    @Test func fastPathAgreesWithERFAsFullPathToATenthOfAnArcsecond() throws {
        let targets = randomTargets(2000, seed: 5)
        let start = try #require(ISO8601.date(from: "2026-11-23T19:00:00Z"))
        // Dates across years, including ones in ERFA's "dubious year" range.
        let instants = [start, start.addingTimeInterval(4 * 3600), start.addingTimeInterval(400 * 86_400 + 9000), start.addingTimeInterval(-3 * 365 * 86_400)]
        let observer = Observer(site: site, earthOrientation: .fixed(EarthOrientation(ut1MinusUTCSeconds: 0.1, polarMotionX: .arcseconds(0.2), polarMotionY: .arcseconds(0.35))))
        let grid = try VisibilityGrid(observer: observer, targets: targets, instants: instants, threads: 2)
        var worst = 0.0
        for (instantIndex, instant) in instants.enumerated() {
            let frame = try observer.frame(at: instant)
            for (index, target) in targets.enumerated() {
                let exact = frame.horizontal(of: target)
                let altitude = grid.altitudeDegrees(target: index, instant: instantIndex)
                let azimuth = grid.azimuthDegrees(target: index, instant: instantIndex)
                let separation = horizontalSeparationDegrees(altitude, azimuth, exact.altitude.degrees, exact.azimuth.degrees) * 3600
                worst = max(worst, separation)
            }
        }
        #expect(worst < 0.1, "worst difference \(worst)″")
    }

    @Test func altitudeScreenAgreesWithTheGridAwayFromTheLimit() throws {
        let targets = randomTargets(3000, seed: 8)
        let start = try #require(ISO8601.date(from: "2026-11-23T20:00:00Z"))
        let instants = (0..<24).map { start.addingTimeInterval(Double($0) * 1800) }
        let observer = Observer(site: site)
        let frames = try instants.map { date throws(SkyError) in try observer.frame(at: date) }
        let grid = VisibilityGrid(frames: frames, targets: targets)
        let flags = AltitudeScreen.isAbove(.degrees(30), targets: TargetDirections(targets), frames: frames)
        var disagreements = 0
        for index in 0..<flags.count {
            let altitude = grid.altitudes[index]
            // Within 0.001° of the limit the two may legitimately round differently.
            if abs(altitude - 30) > 0.001, flags[index] != (altitude >= 30) { disagreements += 1 }
        }
        #expect(disagreements == 0)
    }

    @Test func screenedGridIsExactWhereverTheTargetIsNearOrAboveTheScreenedAltitude() throws {
        let targets = randomTargets(300, seed: 8)
        let start = try #require(ISO8601.date(from: "2026-11-23T19:00:00Z"))
        let instants = (0..<40).map { start.addingTimeInterval(Double($0) * 900) }
        let observer = Observer(site: site)
        let frames = try instants.map { date throws(SkyError) in try observer.frame(at: date) }
        let timeline = SkyTimeline(frames: frames)
        let flags = AltitudeScreen.isAbove(.degrees(29.9), targets: TargetDirections(targets), frames: frames)
        let full = VisibilityGrid(timeline: timeline, targets: targets, threads: 2)
        let screened = VisibilityGrid(timeline: timeline, targets: targets, screen: flags, threads: 2)
        var computed = 0
        for target in 0..<targets.count {
            for instant in 0..<instants.count {
                let index = target * instants.count + instant
                let near = flags[index] || (instant > 0 && flags[index - 1]) || (instant + 1 < instants.count && flags[index + 1])
                if near {
                    computed += 1
                    #expect(screened.altitudes[index] == full.altitudes[index] && screened.azimuths[index] == full.azimuths[index])
                } else {
                    #expect(screened.altitudes[index] == -90 && full.altitudes[index] < 29.9)
                }
                // Every pair of neighbouring instants that reaches 30° is exact in the screened grid.
                if instant + 1 < instants.count, max(full.altitudes[index], full.altitudes[index + 1]) >= 30 {
                    #expect(screened.altitudes[index] == full.altitudes[index] && screened.altitudes[index + 1] == full.altitudes[index + 1])
                }
            }
        }
        #expect(computed > 0 && computed < flags.count, "the screen leaves out part of the grid")
    }

    @Test func gridCarriesSunAndMoonAndTheyMatchTheFrames() throws {
        let start = try #require(ISO8601.date(from: "2026-11-23T22:00:00Z"))
        let observer = Observer(site: site)
        let grid = try VisibilityGrid(observer: observer, targets: randomTargets(10, seed: 1), instants: [start])
        let frame = try observer.frame(at: start)
        #expect(abs(grid.sky[0].sunAltitudeDegrees - frame.sun.horizontal.altitude.degrees) < 1e-9)
        #expect(abs(grid.sky[0].moonIllumination - frame.moonIllumination) < 1e-9)
        let target = randomTargets(10, seed: 1)[3]
        #expect(abs(grid.moonSeparationDegrees(target: 3, instant: 0) - frame.moonSeparation(from: target).degrees) < 1e-3)
    }

    @Test func moonSeparationWithoutTrigonometryMatchesTheExactPathToATenthOfAnArcsecond() throws {
        let start = try #require(ISO8601.date(from: "2026-11-23T18:00:00Z"))
        let observer = Observer(site: site)
        let targets = randomTargets(200, seed: 5)
        let instants = (0..<12).map { start.addingTimeInterval(Double($0) * 3600) }
        let grid = try VisibilityGrid(observer: observer, targets: targets, instants: instants)
        var worst = 0.0
        for (instant, date) in instants.enumerated() {
            let frame = try observer.frame(at: date)
            for (index, target) in targets.enumerated() where frame.sunSeparation(from: target).degrees > 10 {
                let exact = frame.moonSeparation(from: target).degrees
                worst = max(worst, abs(grid.moonSeparationDegrees(target: index, instant: instant) - exact) * 3600)
            }
        }
        #expect(worst < 0.1, "worst difference \(worst)″")
    }

    @Test func observabilityRespectsEveryConstraint() throws {
        let targets = randomTargets(500, seed: 21)
        let night = try NightWindows.compute(site: site, date: try #require(CalendarDate("2026-11-23")))
        let instants = stride(from: 0.0, to: night.window.duration, by: 900).map { night.window.start.addingTimeInterval($0) }
        let grid = try VisibilityGrid(observer: Observer(site: site), targets: targets, instants: instants)
        let constraints = ObservingConstraints(minimumAltitude: .degrees(30), maximumAirmass: 1.8, minimumMoonSeparation: .degrees(25))
        let mask = grid.observability(constraints: constraints, horizon: site.horizonMask)
        var observable = 0
        for target in 0..<targets.count {
            for instant in 0..<instants.count where mask.isObservable(target: target, instant: instant) {
                observable += 1
                let altitude = grid.altitudeDegrees(target: target, instant: instant)
                #expect(altitude >= 30)
                #expect(grid.airmass(target: target, instant: instant) <= 1.8 + 1e-12)
                #expect(altitude >= site.horizonMask.minimumAltitudeDegrees(atAzimuthDegrees: grid.azimuthDegrees(target: target, instant: instant)))
                #expect(grid.sky[instant].sunAltitudeDegrees <= -18)
                if grid.sky[instant].moonAltitudeDegrees > 0 { #expect(grid.moonSeparationDegrees(target: target, instant: instant) >= 25) }
            }
        }
        #expect(observable > 1000, "a November night at La Palma leaves much of the sky observable")
        let windows = mask.windows(target: 0)
        #expect(windows.reduce(0) { $0 + $1.count } == mask.observableCount(target: 0))
    }
}

struct SkyErrorTests {
    @Test func instantsERFARefusesAreErrorsNotNaN() throws {
        let site = try #require(try SkyTestPaths.layout.loadNetwork().site("teide"))
        #expect(throws: SkyError.self) { try Observer(site: site).frame(at: Date(timeIntervalSince1970: .nan)) }
        #expect(throws: SkyError.self) { try Observer(site: site).frame(at: Date(timeIntervalSince1970: -300_000_000_000)) }
    }

    @Test func iersTableIsParsedAndInterpolated() throws {
        // Two rows in finals2000A column layout (MJD 61000 and 61001).
        func row(_ mjd: Int, _ xp: String, _ yp: String, _ dut1: String) -> String {
            var line = Array(repeating: Character(" "), count: 80)
            func put(_ text: String, at column: Int) { for (offset, character) in text.enumerated() { line[column - 1 + offset] = character } }
            put(String(mjd) + ".00", at: 8)
            put(xp, at: 19)
            put(yp, at: 38)
            put(dut1, at: 59)
            return String(line)
        }
        let text = row(61000, " 0.100000", " 0.300000", " 0.1000000") + "\n" + row(61001, " 0.200000", " 0.400000", " 0.0800000") + "\n"
        let table = try IERSTable(text: text)
        let midway = Date(timeIntervalSince1970: (61000.5 - 40_587) * 86_400)
        let value = try #require(table.orientation(at: midway))
        #expect(abs(value.ut1MinusUTCSeconds - 0.09) < 1e-9)
        #expect(abs(value.polarMotionX.arcseconds - 0.15) < 1e-9)
        #expect(table.orientation(at: Date(timeIntervalSince1970: 0)) == nil)
        #expect(throws: SkyError.self) { try IERSTable(text: "nothing here\n") }
    }
}

struct SkyTimelineTests {
    @Test func gridsOnASharedTimelineEqualFreshGrids() throws {
        let site = try #require(try SkyTestPaths.layout.loadNetwork().site("cerro-tololo"))
        let start = try #require(ISO8601.date(from: "2026-11-24T01:00:00Z"))
        let instants = SkyTimeline.instants(covering: DateInterval(start: start, duration: 4 * 3600), step: 300)
        #expect(instants.count == 49)
        #expect(instants.last == start.addingTimeInterval(4 * 3600))
        let timeline = try SkyTimeline(observer: Observer(site: site), instants: instants)
        let targets = [try EquatorialCoordinates(rightAscensionDegrees: 83.8, declinationDegrees: -5.4)]
        let shared = VisibilityGrid(timeline: timeline, targets: targets)
        let fresh = try VisibilityGrid(observer: Observer(site: site), targets: targets, instants: instants)
        #expect(shared.altitudes == fresh.altitudes)
        #expect(shared.sky == fresh.sky)
    }
}

struct SkyInputValidationTests {
    @Test func impossibleAtmosphereOrEarthOrientationIsAnError() throws {
        let site = try #require(try SkyTestPaths.layout.loadNetwork().site("teide"))
        let date = try #require(ISO8601.date(from: "2026-11-23T22:00:00Z"))
        let nanAir = Atmosphere(pressureHectopascals: .nan, temperatureCelsius: 10, relativeHumidity: 0.5)
        #expect(throws: SkyError.self) { try Observer(site: site, atmosphere: nanAir).frame(at: date) }
        let wetAir = Atmosphere(pressureHectopascals: 760, temperatureCelsius: 10, relativeHumidity: 1.5)
        #expect(throws: SkyError.self) { try Observer(site: site, atmosphere: wetAir).frame(at: date) }
        let badUT1 = EarthOrientation(ut1MinusUTCSeconds: 3)
        #expect(throws: SkyError.self) { try Observer(site: site, earthOrientation: .fixed(badUT1)).frame(at: date) }
    }

    @Test func inverseTransformReturnsTheTarget() throws {
        let site = try #require(try SkyTestPaths.layout.loadNetwork().site("teide"))
        let frame = try Observer(site: site).frame(at: try #require(ISO8601.date(from: "2026-11-23T22:00:00Z")))
        let target = try EquatorialCoordinates(rightAscensionDegrees: 12.375, declinationDegrees: 31.244)
        let back = try frame.equatorial(of: frame.horizontal(of: target))
        #expect(back.separation(from: target).arcseconds < 0.01)
        #expect(throws: SkyError.self) { try frame.equatorial(of: HorizontalCoordinates(altitude: .radians(.nan), azimuth: .zero)) }
    }

    @Test func theLeapSecondDayIsPlacedByERFA() throws {
        // 2016-12-31 had a leap second: its last POSIX second maps into an 86,401-s day.
        let (day, fraction) = try JulianDate.utc(try #require(ISO8601.date(from: "2016-12-31T23:59:59Z")))
        #expect(day == 2_457_753.5)
        #expect(abs(fraction - 86_399.0 / 86_401.0) < 1e-12)
        let (ordinary, ordinaryFraction) = try JulianDate.utc(try #require(ISO8601.date(from: "2026-11-23T12:00:00Z")))
        #expect(ordinary + ordinaryFraction == 2_461_368.0)
    }
}
