import Foundation
import Testing

@testable import Observatory
@testable import StarlingCore

struct SafetyRulesTests {
    let policy = SafetyPolicy()
    let night = Angle.degrees(-20)

    @Test func opensOnlyWithKnownSafeWeatherAndALowSun() {
        #expect(SafetyRules.mayOpen(weather: .safe, sunAltitude: night, policy: policy) == .allowed)
        guard case .refused(let rain) = SafetyRules.mayOpen(weather: .unsafe(["rain detected"]), sunAltitude: night, policy: policy) else {
            Issue.record("rain must keep the enclosure closed"); return
        }
        #expect(rain.code == .weatherUnsafe)
        guard case .refused(let unknown) = SafetyRules.mayOpen(weather: .unknown(secondsSinceLastReading: 600), sunAltitude: night, policy: policy) else {
            Issue.record("unknown weather must keep the enclosure closed"); return
        }
        #expect(unknown.code == .weatherUnknown)
        guard case .refused(let day) = SafetyRules.mayOpen(weather: .safe, sunAltitude: .degrees(2), policy: policy) else {
            Issue.record("daylight must keep the enclosure closed"); return
        }
        #expect(day.code == .notDarkEnough)
    }

    @Test func closesOnLostContactBeforeAnythingElse() {
        let reason = SafetyRules.mustClose(weather: .safe, sunAltitude: night, secondsSinceContact: policy.lostContactSeconds + 1, policy: policy)
        #expect(reason?.code == .disconnected)
        #expect(SafetyRules.mustClose(weather: .safe, sunAltitude: night, secondsSinceContact: 0, policy: policy) == nil)
        #expect(SafetyRules.mustClose(weather: .unsafe(["wind 20.0 m/s above 15.0 m/s"]), sunAltitude: night, secondsSinceContact: 0, policy: policy)?.code == .weatherUnsafe)
    }

    @Test(arguments: [
        (10.0, 180.0, 90.0, false),  // below the mount limit (15°)
        (16.0, 0.0, 90.0, false),    // above the mount limit, below the 20° mask to the north
        (25.0, 0.0, 90.0, true),
        (60.0, 180.0, 29.9, false),  // inside the 30° Sun avoidance
        (60.0, 180.0, 30.0, true),   // exactly at the limit is allowed
    ])
    func pointingRespectsMaskMountLimitAndSun(altitude: Double, azimuth: Double, sunSeparation: Double, allowed: Bool) {
        let mask = HorizonMask(points: [.init(azimuth: .degrees(0), altitude: .degrees(20)), .init(azimuth: .degrees(180), altitude: .degrees(10))])
        let verdict = SafetyRules.mayPoint(
            at: HorizontalCoordinates(altitude: .degrees(altitude), azimuth: .degrees(azimuth)), sunSeparation: .degrees(sunSeparation),
            horizon: mask, mount: MountModel(), policy: policy)
        #expect(verdict.isAllowed == allowed)
    }
}
