import Foundation
import PropertyBased
import StarlingCore
import Testing

@testable import Coordination

/// What a notice says is read as it says it, or refused, or carried with a remark the output
/// shows: never silently changed (issue 16, "Input silently changed").
struct InputIntegrityTests {
    static func packet(_ old: String, _ new: String) throws -> Data {
        let text = String(decoding: try TestPaths.fixture("swift-bat-minimal.xml"), as: UTF8.self)
        try #require(text.contains(old), "the fixture has no \(old)")
        return Data(text.replacingOccurrences(of: old, with: new).utf8)
    }

    static func refusal(_ data: Data) -> AlertFormatError? {
        do {
            let notice = try AlertParser.parse(data)
            Issue.record("expected a refusal, got \(notice.alert.position as Any) \(notice.alert.errorRegion)")
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "coordinates outside their range or not decimal are refused, not wrapped or re-read",
        arguments: [
            ("<C1>150.0</C1>", "<C1>400</C1>", "RA 400.0° is outside 0…360°"),
            ("<C1>150.0</C1>", "<C1>-10</C1>", "RA -10.0° is outside 0…360°"),
            ("<C1>150.0</C1>", "<C1>0x10</C1>", "are not decimal numbers"),
            ("<C1>150.0</C1>", "<C1>nan</C1>", "are not decimal numbers"),
            ("<C2>-30.5</C2>", "<C2>inf</C2>", "are not decimal numbers"),
            ("<C2>-30.5</C2>", "<C2>-95</C2>", "declination -95"),
        ])
    func voeventCoordinates(old: String, new: String, reason: String) throws {
        let error = Self.refusal(try Self.packet(old, new))
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains(reason) == true, "\(String(describing: error))")
    }

    @Test func raOf360IsReadAs0WithARemark() throws {
        let notice = try AlertParser.parse(try Self.packet("<C1>150.0</C1>", "<C1>360</C1>"))
        #expect(notice.alert.position?.rightAscension.degrees == 0)
        #expect(notice.remarks.contains("RA 360° read as 0°"))
    }

    @Test(
        "an element given twice is refused: which value is meant cannot be known",
        arguments: [
            ("<C1>150.0</C1>", "<C1>150.0</C1><C1>151.0</C1>", "C1"), ("<C2>-30.5</C2>", "<C2>-30.5</C2><C2>-31</C2>", "C2"),
            ("<Error2Radius>0.05</Error2Radius>", "<Error2Radius>0.05</Error2Radius><Error2Radius>5</Error2Radius>", "Error2Radius"),
            ("</TimeInstant>", "<ISOTime>2024-03-01T11:00:00</ISOTime></TimeInstant>", "ISOTime"),
        ])
    func duplicatedElements(old: String, new: String, element: String) throws {
        let error = Self.refusal(try Self.packet(old, new))
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains("<\(element)> appears 2 times") == true, "\(String(describing: error))")
    }

    @Test(
        "an error radius that is not a number is refused, not read as no error region",
        arguments: ["NaN", "abc", "0x10", "1e999", "200"])
    func errorRadiusNotANumber(radius: String) throws {
        let error = Self.refusal(try Self.packet("<Error2Radius>0.05</Error2Radius>", "<Error2Radius>\(radius)</Error2Radius>"))
        #expect(error?.code == .invalidValue)
        #expect(error?.field == "Error2Radius")
    }

    @Test func anEmptyErrorRadiusIsCarriedWithARemarkAndAGammaRayPositionIsNotFollowed() throws {
        let notice = try AlertParser.parse(try Self.packet("<Error2Radius>0.05</Error2Radius>", "<Error2Radius></Error2Radius>"))
        #expect(notice.remarks.contains("Error2Radius is empty: the notice gives no error estimate"))
        #expect(notice.alert.errorRegion == .none)
        #expect(notice.alert.followUpVeto?.contains("no error estimate") == true)
    }

    @Test(
        "a UTC offset must be a real one",
        arguments: [("+25:00", false), ("+14:00", true), ("-12:00", true), ("+05:30", true), ("+0530", true), ("+05:60", false), ("+15", false)])
    func isoTimeOffsets(offset: String, accepted: Bool) throws {
        let data = try Self.packet("<ISOTime>2024-03-01T10:00:01.25</ISOTime>", "<ISOTime>2024-03-01T10:00:01.25\(offset)</ISOTime>")
        if accepted {
            #expect(throws: Never.self) { try AlertParser.parse(data) }
        } else {
            let error = Self.refusal(data)
            #expect(error?.code == .invalidValue)
            #expect(error?.message.contains("UTC offset \(offset)") == true, "\(String(describing: error))")
        }
    }

    @Test func anOffsetShiftsTheTimeByItsOwnAmount() throws {
        let utc = try AlertParser.parse(try Self.packet("10:00:01.25</ISOTime>", "10:00:01.25Z</ISOTime>")).alert.eventTime
        let india = try AlertParser.parse(try Self.packet("10:00:01.25</ISOTime>", "15:30:01.25+05:30</ISOTime>")).alert.eventTime
        #expect(utc == india)
    }

    // MARK: JSON

    static func json(_ body: String) -> Data {
        Data("""
            {"$schema": "https://gcn.nasa.gov/schema/main/gcn/notices/swift/bat/Guano.schema.json", "mission": "Swift", \
            "id": ["77"], "trigger_time": "2023-11-14T22:13:20Z", \(body)}
            """.utf8)
    }

    @Test func aDuplicatedJSONKeyIsRefused() {
        let error = Self.refusal(Self.json(#""ra": 10.0, "dec": 20.0, "ra": 11.0"#))
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("the key \"ra\" appears twice") == true, "\(String(describing: error))")
    }

    @Test(
        "JSON ra and dec of the wrong type are refused, not read as no position",
        arguments: [
            #""ra": "abc", "dec": 20.0"#, #""ra": "10.5", "dec": 20.0"#, #""ra": 10.5, "dec": true"#, #""ra": [10.5], "dec": 20.0"#,
            #""dec": 20.0"#, #""ra": 10.5"#,
        ])
    func jsonCoordinateTypes(body: String) {
        let error = Self.refusal(Self.json(body))
        #expect(error?.code == .invalidValue)
        #expect(error?.field == "ra/dec")
        #expect(error?.message.contains("must be numbers of degrees") == true, "\(String(describing: error))")
    }

    @Test(
        "JSON values out of range or of the wrong kind are refused",
        arguments: [
            (#""ra": 400, "dec": 20"#, "ra/dec"), (#""ra": -10, "dec": 20"#, "ra/dec"), (#""ra": 10, "dec": 20, "ra_dec_error": "abc""#, "ra_dec_error"),
            (#""ra": 10, "dec": 20, "ra_dec_error": [1, "x"]"#, "ra_dec_error"), (#""ra": 10, "dec": 20, "ra_dec_error": -1"#, "ra_dec_error"),
            (#""ra": 10, "dec": 20, "ra_dec_error": 1, "containment_probability": 1.5"#, "containment_probability"),
        ])
    func jsonValues(body: String, field: String) {
        let error = Self.refusal(Self.json(body))
        #expect(error?.code == .invalidValue)
        #expect(error?.field == field, "\(String(describing: error))")
    }

    @Test func aJSONNumberBeyondDoubleIsRefused() {
        let error = Self.refusal(Self.json(#""ra": 1e400, "dec": 20"#))
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("out of range") == true)
    }

    @Test func aTriggerTimeWithAnImpossibleOffsetIsRefused() {
        let data = Data(#"{"$schema": "https://gcn.nasa.gov/schema/main/gcn/notices/swift/bat/Guano.schema.json", "id": ["1"], "trigger_time": "2023-11-14T22:13:20+25:00"}"#.utf8)
        let error = Self.refusal(data)
        #expect(error?.field == "trigger_time")
        #expect(error?.message.contains("UTC offset +25:00") == true)
    }

    // MARK: Numbers and times

    @Test(arguments: ["0x10", "nan", "NaN", "inf", "-infinity", "", " ", "1.2.3", "1e", "e5", "+", ".", "1 2", "١٢"])
    func textThatIsNotADecimalNumber(text: String) {
        #expect(NoticeNumber.parse(text) == nil)
    }

    @Test func decimalNumbersReadAsSwiftDoes() async {
        await propertyCheck(input: Gen.double(in: -1e6...1e6)) { value in
            for text in [String(value), String(format: "%.6f", value), String(format: "%.3e", value), " \(value) "] {
                #expect(NoticeNumber.parse(text) == Double(text.trimmingCharacters(in: .whitespaces)), "\(text)")
            }
        }
    }

    /// `.81` used to print as `.809`: a time is printed to the precision it was given.
    @Test func timesKeepTheirPrecision() async throws {
        let time = try #require(NoticeTime.parse("2018-01-16T00:36:52.81"))
        #expect(ISO8601.string(from: time) == "2018-01-16T00:36:52.810Z")
        let lvk = try #require(NoticeTime.parse("2019-04-25T08:18:05.017147"))
        #expect(ISO8601.string(from: lvk, fractionDigits: 6) == "2019-04-25T08:18:05.017147Z")
        await propertyCheck(input: Gen.int(in: 0...999_999), Gen.int(in: 1_000_000_000...2_000_000_000)) { micro, second in
            let text = ISO8601.string(from: Date(timeIntervalSince1970: Double(second)), fractionDigits: 0).dropLast()
                + "." + String(format: "%06d", micro)
            let parsed = try #require(NoticeTime.parse(String(text)))
            #expect(ISO8601.string(from: parsed, fractionDigits: 6) == text + "Z")
        }
    }
}
