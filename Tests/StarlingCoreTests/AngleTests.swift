import Testing

@testable import StarlingCore

struct AngleTests {
    @Test func convertsBetweenUnits() {
        #expect(abs(Angle.hours(1).degrees - 15) < 1e-12)
        #expect(abs(Angle.arcseconds(3600).degrees - 1) < 1e-12)
        #expect(abs(Angle.degrees(180).radians - .pi) < 1e-15)
        #expect(abs(Angle.arcminutes(90).degrees - 1.5) < 1e-12)
    }

    @Test(arguments: zip([-10.0, 370.0, 360.0, 0.0, -720.5], [350.0, 10.0, 0.0, 0.0, 359.5]))
    func normalizesToZeroUpTo360(input: Double, expected: Double) {
        #expect(abs(Angle.degrees(input).normalizedPositive.degrees - expected) < 1e-9)
    }

    @Test(arguments: zip([190.0, 342.12, -180.0, 180.0, 45.0], [-170.0, -17.88, -180.0, -180.0, 45.0]))
    func normalizesToSigned(input: Double, expected: Double) {
        #expect(abs(Angle.degrees(input).normalizedSigned.degrees - expected) < 1e-9)
    }

    @Test func encodesAsDegrees() throws {
        let data = try JSONEncoder().encode(Angle.degrees(12.5))
        #expect(String(decoding: data, as: UTF8.self) == "12.5")
        #expect(try JSONDecoder().decode(Angle.self, from: data) == .degrees(12.5))
    }
}

struct SexagesimalTests {
    @Test(arguments: [
        ("22:04:08", Sexagesimal.Unit.hours, 331.0333333),
        ("-96:27:11", .degrees, -96.4530556),
        ("00 30 04.593", .hours, 7.5191375),
        ("-46 28 10.17", .degrees, -46.4694917),
        ("+27d43m03.6s", .degrees, 27.7176667),
        ("12h30m00s", .degrees, 187.5),
        ("187.5", .degrees, 187.5),
        ("-0:30:00", .degrees, -0.5),
    ])
    func parsesObservatoryNotations(text: String, unit: Sexagesimal.Unit, expectedDegrees: Double) throws {
        let angle = try #require(Sexagesimal.parse(text, unit: unit))
        #expect(abs(angle.degrees - expectedDegrees) < 1e-6)
    }

    @Test(arguments: ["", "abc", "12:61:00", "12:30:75", "1:2:3:4", "--5"])
    func rejectsMalformedText(text: String) {
        #expect(Sexagesimal.parse(text, unit: .degrees) == nil)
    }

    @Test func formatsAndParsesBack() throws {
        let angle = Angle.degrees(-62.684722)
        let text = Sexagesimal.format(angle, unit: .degrees)
        #expect(text == "-62:41:05.0")
        let back = try #require(Sexagesimal.parse(text, unit: .degrees))
        #expect(abs(back.arcseconds - angle.arcseconds) < 0.1)
    }
}

import Foundation

struct CoordinatesTests {
    @Test func rejectsDeclinationBeyondThePoles() {
        #expect(throws: CoordinateError.declinationOutOfRange(91)) {
            try EquatorialCoordinates(rightAscensionDegrees: 10, declinationDegrees: 91)
        }
        #expect(throws: CoordinateError.notFinite) {
            try EquatorialCoordinates(rightAscensionDegrees: .nan, declinationDegrees: 0)
        }
    }

    @Test func normalizesRightAscension() throws {
        let coordinates = try EquatorialCoordinates(rightAscensionDegrees: -15, declinationDegrees: 0)
        #expect(abs(coordinates.rightAscension.degrees - 345) < 1e-9)
    }

    @Test func separationIsExactAtSmallAndLargeAngles() throws {
        let a = try EquatorialCoordinates(rightAscensionDegrees: 10, declinationDegrees: 20)
        let b = try EquatorialCoordinates(rightAscensionDegrees: 10, declinationDegrees: 20 + 1.0 / 3600)
        #expect(abs(a.separation(from: b).arcseconds - 1) < 1e-6)
        let antipode = try EquatorialCoordinates(rightAscensionDegrees: 190, declinationDegrees: -20)
        #expect(abs(a.separation(from: antipode).degrees - 180) < 1e-9)
    }
}

struct HorizonMaskTests {
    let mask = HorizonMask(points: [
        .init(azimuth: .degrees(0), altitude: .degrees(15)),
        .init(azimuth: .degrees(90), altitude: .degrees(10)),
        .init(azimuth: .degrees(270), altitude: .degrees(20)),
    ])

    @Test(arguments: zip([0.0, 45.0, 90.0, 180.0, 270.0, 315.0, 359.0], [15.0, 12.5, 10.0, 15.0, 20.0, 17.5, 15.0555556]))
    func interpolatesInAzimuthThroughNorth(azimuth: Double, expected: Double) {
        #expect(abs(mask.minimumAltitude(atAzimuth: .degrees(azimuth)).degrees - expected) < 1e-6)
    }

    @Test func flatMaskIsTheSameEverywhere() {
        let flat = HorizonMask.flat(.degrees(12))
        for azimuth in stride(from: 0.0, to: 360, by: 17) {
            #expect(flat.minimumAltitudeDegrees(atAzimuthDegrees: azimuth) == 12)
        }
    }
}

struct CalendarDateTests {
    @Test func parsesAndRejects() {
        #expect(CalendarDate("2026-11-23")?.description == "2026-11-23")
        #expect(CalendarDate("2026-02-30") == nil)
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2023-02-29") == nil)
        #expect(CalendarDate("23/11/2026") == nil)
    }

    @Test func givesLocalInstantsInTheSiteZone() throws {
        let zone = try #require(TimeZone(identifier: "Asia/Shanghai"))
        let date = try #require(CalendarDate("2026-11-23"))
        let evening = date.instant(hour: 18, in: zone)
        #expect(ISO8601.string(from: evening, fractionalSeconds: false) == "2026-11-23T10:00:00Z")
        #expect(date.adding(days: 8).description == "2026-12-01")
    }
}

struct ISO8601Tests {
    @Test(arguments: [
        "2026-11-23T21:30:00Z", "2026-11-23T21:30:00", "2026-11-23 21:30:00", "2026-11-23T21:30:00.000Z",
        "2026-11-23T22:30:00+01:00",
    ])
    func parsesCommonForms(text: String) throws {
        let date = try #require(ISO8601.date(from: text))
        #expect(date.timeIntervalSince1970 == 1_795_469_400)
    }

    @Test func keepsFractionsOfAnyLength() throws {
        let date = try #require(ISO8601.date(from: "2026-11-23T21:30:00.25Z"))
        #expect(abs(date.timeIntervalSince1970 - 1_795_469_400.25) < 1e-6)
    }

    @Test func rejectsNonDates() {
        #expect(ISO8601.date(from: "yesterday") == nil)
        #expect(ISO8601.date(from: "2026-13-01T00:00:00Z") == nil)
    }
}
