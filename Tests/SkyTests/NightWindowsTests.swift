import Foundation
import Testing

@testable import Sky
@testable import StarlingCore

@Suite(.enabled(if: SkyTestPaths.hasReference, "../shared/data/astro_reference.json is not beside this checkout; twilight comparison skipped"))
struct TwilightReferenceTests {
    static let entries = AstroReference.loaded?.twilight ?? []

    /// A site as astropy's registry gives it, with the reference's time zone.
    func site(_ key: String) throws -> Site {
        let location = try AstroReference.loaded!.location(key)
        let zones = ["lapalma": "Atlantic/Canary", "sso": "Australia/Sydney", "BAO": "Asia/Shanghai", "ctio": "America/Santiago",
                     "haleakala": "Pacific/Honolulu", "salt": "Africa/Johannesburg", "greenwich": "Europe/London"]
        let zoneName = try #require(zones[key])
        let zone = try #require(TimeZone(identifier: zoneName))
        return Site(id: SiteID(key), name: key, location: location, timeZone: zone, telescopes: [])
    }

    func check(_ event: SunEvent, _ reference: String?, _ label: String) {
        guard let reference else {
            #expect(event.date == nil, "\(label): astropy finds no crossing")
            return
        }
        guard let expected = ISO8601.date(from: reference), let date = event.date else {
            Issue.record("\(label): expected \(reference), got \(event)")
            return
        }
        #expect(abs(date.timeIntervalSince(expected)) < 30, "\(label): \(date) vs \(expected)")
    }

    @Test(arguments: entries)
    func twilightWithinThirtySeconds(entry: AstroReference.Twilight) throws {
        let night = try NightWindows.compute(site: try site(entry.site), date: try #require(CalendarDate(entry.local_date)))
        check(night.sunset, entry.sunset_utc, "sunset")
        check(night.sunrise, entry.sunrise_utc, "sunrise")
        check(night.nautical.dusk, entry.evening_nautical_utc, "nautical dusk")
        check(night.nautical.dawn, entry.morning_nautical_utc, "nautical dawn")
        check(night.astronomical.dusk, entry.evening_astronomical_utc, "astronomical dusk")
        check(night.astronomical.dawn, entry.morning_astronomical_utc, "astronomical dawn")
    }

    @Test func greenwichMidsummerHasNoAstronomicalNight() throws {
        let night = try NightWindows.compute(site: try site("greenwich"), date: try #require(CalendarDate("2024-06-21")))
        #expect(night.astronomical.dusk == .sunStaysAbove)
        #expect(night.darkInterval(.astronomical) == nil)
        #expect(night.darkInterval(.nautical) != nil, "the Sun reaches about −15°: nautical night exists")
        #expect(night.darkInterval(.civil) != nil)
    }
}

struct NightWindowsTests {
    func site(latitude: Double, longitude: Double, zone: String) throws -> Site {
        Site(
            id: "test", name: "test",
            location: try GeodeticLocation(latitude: .degrees(latitude), longitude: .degrees(longitude), elevationMeters: 100),
            timeZone: try #require(TimeZone(identifier: zone)), telescopes: [])
    }

    @Test func polarNightAndPolarDayAreValuesNotCrashes() throws {
        let svalbard = try site(latitude: 78.2, longitude: 15.6, zone: "Arctic/Longyearbyen")
        let winter = try NightWindows.compute(site: svalbard, date: try #require(CalendarDate("2026-12-21")))
        #expect(winter.sunset == .sunStaysBelow)
        #expect(winter.darkInterval(.sunset) == winter.window)
        let summer = try NightWindows.compute(site: svalbard, date: try #require(CalendarDate("2026-06-21")))
        #expect(summer.sunset == .sunStaysAbove)
        #expect(summer.darkInterval(.civil) == nil)
    }

    @Test func tonightAtXinglongIsDarkInTheLocalEvening() throws {
        let site = try #require(try SkyTestPaths.layout.loadNetwork().site("xinglong"))
        let night = try NightWindows.compute(site: site, date: try #require(CalendarDate("2026-11-23")))
        let dark = try #require(night.darkInterval(.astronomical))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = site.timeZone
        let duskHour = calendar.component(.hour, from: dark.start)
        #expect((18...19).contains(duskHour))
        #expect(dark.duration > 10 * 3600 && dark.duration < 12 * 3600)
        #expect((0...1).contains(night.moonIllumination))
    }
}

struct TargetPassageTests {
    @Test func vegaRisesTransitsAndSetsAtKittPeak() throws {
        let site = try #require(try SkyTestPaths.layout.loadNetwork().site("kitt-peak"))
        let vega = try EquatorialCoordinates(rightAscensionDegrees: 279.2347, declinationDegrees: 38.7837)
        let start = try #require(ISO8601.date(from: "2026-07-01T00:00:00Z"))
        let passage = try TargetPassage.compute(target: vega, observer: Observer(site: site), interval: DateInterval(start: start, duration: 86_400))
        let transit = try #require(passage.transit)
        // At transit the altitude is 90° − |φ − δ|.
        let expected = 90 - abs(site.location.latitude.degrees - 38.7837)
        #expect(abs(passage.maximumAltitude.degrees - expected) < 0.05)
        let altitudeAtTransit = try Observer(site: site).horizontal(of: vega, at: transit).altitude.degrees
        #expect(abs(altitudeAtTransit - expected) < 0.05)
        #expect(passage.rise != nil && passage.set != nil)
        #expect(!passage.isAlwaysUp && !passage.isNeverUp)
    }

    @Test func circumpolarAndNeverRisingTargets() throws {
        let site = try #require(try SkyTestPaths.layout.loadNetwork().site("siding-spring"))
        let start = try #require(ISO8601.date(from: "2026-11-23T00:00:00Z"))
        let day = DateInterval(start: start, duration: 86_400)
        let smc = try EquatorialCoordinates(rightAscensionDegrees: 13.2, declinationDegrees: -72.8)
        #expect(try TargetPassage.compute(target: smc, observer: Observer(site: site), interval: day).isAlwaysUp)
        let polaris = try EquatorialCoordinates(rightAscensionDegrees: 37.95, declinationDegrees: 89.26)
        #expect(try TargetPassage.compute(target: polaris, observer: Observer(site: site), interval: day).isNeverUp)
    }
}
