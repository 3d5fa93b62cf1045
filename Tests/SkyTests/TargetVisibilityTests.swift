import Foundation
import Sky
import StarlingCore
import Testing

/// A target's night at a site (`starling sky target` and the observability tool): every
/// sample of the night is either observable or in exactly one span that names the constraint
/// it breaks, and the spans say what ObservingLimits says sample by sample.
struct TargetVisibilityTests {
    static let date = CalendarDate("2026-11-23")!
    static let cases: [(site: String, raDegrees: Double, decDegrees: Double)] = [
        ("xinglong", 40.6696, -0.0133),  // NGC 1068: up in the evening, observable for hours
        ("xinglong", 148.888, 69.065),  // M81: circumpolar
        ("xinglong", 201.365, -43.019),  // NGC 5128: never above 7° there
        ("cerro-tololo", 201.365, -43.019),  // NGC 5128 from the south: low, then up before dawn
        ("siding-spring", 80.894, -69.756),  // the LMC: circumpolar in the south, the Moon near full
    ]

    @Test(arguments: cases)
    func everySampleIsObservableOrInOneSpanNamingTheConstraintItBreaks(site id: String, raDegrees: Double, decDegrees: Double) throws {
        let site = try #require(try SkyTestPaths.layout.loadNetwork().site(SiteID(id)))
        let target = try EquatorialCoordinates(rightAscension: .degrees(raDegrees), declination: .degrees(decDegrees))
        let visibility = try TargetVisibility(site: site, date: Self.date, target: target)
        var covered = [Int](repeating: 0, count: visibility.instants.count)
        for run in visibility.observable { for index in run { covered[index] += 1 } }
        for span in visibility.unobservableSpans { for index in span.samples { covered[index] += 1 } }
        #expect(covered.allSatisfy { $0 == 1 }, "samples covered other than once: \(covered.enumerated().filter { $0.element != 1 }.map(\.offset))")
        // Consecutive spans break different constraints (a run is one constraint, as long as it lasts).
        for (before, after) in zip(visibility.unobservableSpans, visibility.unobservableSpans.dropFirst()) where before.samples.upperBound + 1 == after.samples.lowerBound {
            #expect(before.kind != after.kind)
        }
        // Each span's constraint is the one ObservingLimits names at every sample in it.
        let limits = ObservingLimits(visibility.constraints, horizon: site.horizonMask)
        let grid = try VisibilityGrid(observer: Observer(site: site), targets: [target], instants: visibility.instants)
        for span in visibility.unobservableSpans {
            for index in span.samples {
                #expect(limits.violation(ConstraintSample(grid: grid, target: 0, instant: index))?.kind == span.kind)
            }
        }
    }

    @Test func aTargetThatNeverClimbsHighEnoughIsNotObservableForItsAltitudeOnceItIsDark() throws {
        let site = try #require(try SkyTestPaths.layout.loadNetwork().site("xinglong"))
        let visibility = try TargetVisibility(site: site, date: Self.date, target: try EquatorialCoordinates(rightAscension: .degrees(201.365), declination: .degrees(-43.019)))
        #expect(visibility.observable.isEmpty)
        let kinds = Set(visibility.unobservableSpans.map(\.kind))
        #expect(kinds.isSubset(of: [.darkness, .horizon, .altitude, .airmass]))
        #expect(kinds.contains(.darkness) && kinds.contains(.horizon))
        #expect(visibility.unobservableSpans.first?.kind == .darkness, "sunset comes first")
        #expect(visibility.unobservableSpans.first?.reason.detail.contains("astronomical twilight") == true)
    }
}
