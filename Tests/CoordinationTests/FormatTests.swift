import Foundation
import StarlingCore
import Testing

@testable import Coordination

/// Format recognition and refusal, on small fixtures (no shared data needed).
struct AlertParserTests {
    let minimal: Data

    init() throws { minimal = try TestPaths.fixture("swift-bat-minimal.xml") }

    func replacing(_ old: String, with new: String) -> Data {
        Data(String(decoding: minimal, as: UTF8.self).replacingOccurrences(of: old, with: new).utf8)
    }

    @Test func minimalSwiftPacketIsNormalised() throws {
        let notice = try AlertParser.parse(minimal)
        let alert = notice.alert
        #expect(notice.format == .voevent20)
        #expect(alert.id == "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-001")
        #expect(alert.eventID == "Swift-999999")
        #expect(alert.mission == "Swift")
        #expect(alert.noticeType == "BAT_GRB_Pos")
        #expect(alert.kind == .gammaRayBurst)
        #expect(alert.significance == 12.5)
        #expect(alert.position == (try EquatorialCoordinates(rightAscensionDegrees: 150, declinationDegrees: -30.5)))
        #expect(alert.errorRegion == .circle(radius: .degrees(0.05)))
        #expect(abs(alert.eventTime.timeIntervalSince1970 - 1_709_287_201.25) < 1e-6)
        #expect(alert.issuedTime == Date(timeIntervalSince1970: 1_709_287_230))
    }

    @Test func parsingIsDeterministic() throws {
        #expect(try AlertParser.parse(minimal) == (try AlertParser.parse(minimal)))
    }

    /// (what is changed, replacement, expected code, field fragment)
    static let refusals: [(String, String, AlertFormatError.Code, String)] = [
        ("ivorn=\"ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-001\"", "", .missingField, "ivorn"),
        ("role=\"observation\"", "role=\"rumour\"", .invalidValue, "role"),
        ("<C2>-30.5</C2>", "<C2>117.9</C2>", .invalidValue, "Value2"),
        ("<C1>150.0</C1>", "<C1>abc</C1>", .invalidValue, "Value2"),
        ("2024-03-01T10:00:01.25", "2024-13-01T10:00:01", .invalidValue, "ISOTime"),
        ("<Time unit=\"s\"><TimeInstant><ISOTime>2024-03-01T10:00:01.25</ISOTime></TimeInstant></Time>", "", .missingField, "ISOTime"),
        ("UTC-FK5-GEO\"/>", "UTC-GAL-GEO\"/>", .unsupported, "coord_system_id"),
        ("Position2D unit=\"deg\"", "Position2D unit=\"rad\"", .unsupported, "unit"),
        ("http://www.ivoa.net/xml/VOEvent/v2.0", "http://www.ivoa.net/xml/VOEvent/v1.0", .unsupported, ""),
        ("</voe:VOEvent>", "", .malformed, ""),
    ]

    @Test("broken packets are refused with the reason", arguments: refusals)
    func brokenPacketIsRefused(old: String, new: String, code: AlertFormatError.Code, field: String) throws {
        var data = replacing(old, with: new)
        if old.hasPrefix("http://www.ivoa.net") {  // a namespace Starling does not know, and no version either
            data = Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "version=\"2.0\"", with: "").utf8)
        }
        let error = #expect(throws: AlertFormatError.self) { try AlertParser.parse(data) }
        #expect(error?.code == code)
        if !field.isEmpty { #expect(error?.field?.contains(field) == true, "\(String(describing: error))") }
        #expect(error?.description.isEmpty == false)
    }

    @Test func missingRoleIsTheSchemaDefault() throws {
        let notice = try AlertParser.parse(replacing("role=\"observation\"", with: ""))
        #expect(notice.alert.role == .observation)
        #expect(notice.remarks.contains { $0.contains("no role") })
    }

    @Test func transportMessagesEmptyAndOtherDocumentsAreRefused() throws {
        let transport = try TestPaths.fixture("transport-iamalive.xml")
        #expect(throws: AlertFormatError.self) { try AlertParser.parse(transport) }
        for (data, code) in [(Data(), AlertFormatError.Code.unrecognised), (Data("hello".utf8), .unrecognised), (Data("{\"a\": 1}".utf8), .unrecognised), (Data("{\"a\": ".utf8), .malformed), (Data("[1, 2]".utf8), .unsupported)] {
            let error = #expect(throws: AlertFormatError.self) { try AlertParser.parse(data) }
            #expect(error?.code == code)
        }
    }

    @Test func targetOfOpportunityRoundTrips() throws {
        let too = try TargetOfOpportunity(
            name: "AT2025abc", position: try EquatorialCoordinates(rightAscensionDegrees: 150.1, declinationDegrees: 2.2),
            errorRadius: .arcseconds(2), eventTime: Date(timeIntervalSince1970: 1_750_000_000), kind: .opticalTransient, priority: 8,
            submittedAt: Date(timeIntervalSince1970: 1_750_000_600), submittedBy: "duty")
        let notice = try AlertParser.parse(too.encoded())
        #expect(notice.format == .manual)
        #expect(notice.alert == too.alert)
        #expect(notice.alert.priority == 8)
        #expect(throws: AlertFormatError.self) {
            try TargetOfOpportunity(
                name: "x", position: try EquatorialCoordinates(rightAscensionDegrees: 1, declinationDegrees: 1), eventTime: .now,
                kind: .other, priority: 11, submittedAt: .now)
        }
    }

    /// (text, seconds since 1970)
    static let times: [(String, Double)] = [
        ("2018-11-01T22:22:46.654437Z", 1_541_110_966.654437),
        ("2016-09-25T11:16:48+00:00", 1_474_802_208),
        ("2024-09-18 07:19:03.518831+00:00", 1_726_643_943.518831),
        ("2023-02-23T18:44:06Z", 1_677_177_846),
        ("2024-01-01T01:00:00+01:00", 1_704_067_200),
        ("2000-02-29", 951_782_400),
    ]

    @Test("ISO 8601 variants", arguments: times)
    func noticeTimesParse(text: String, seconds: Double) throws {
        let date = try #require(NoticeTime.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-5)
    }

    @Test("not times", arguments: ["2019-02-29T00:00:00", "2024-01-01T25:00:00", "yesterday", "2024-01-01T10:00:00.Z", "2024-01-01T10:00:00Q"])
    func nonTimesAreRejected(text: String) {
        #expect(NoticeTime.parse(text) == nil)
    }
}

struct JSONValueTests {
    @Test func valuesEscapesAndExactIntegers() throws {
        let json = try JSONValue.parse(Data(#"{"a": [1, -2.5e3, true, false, null], "s": "x\"\\\/\n\u00e9\ud83d\ude00", "big": 281323062375219201, "e": {}}"#.utf8))
        #expect(json["a"] == .array([.integer(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(json["s"]?.string == "x\"\\/\né😀")
        #expect(json["big"]?.string == "281323062375219201")
        #expect(json["e"] == .object([:]))
        #expect(json["missing"] == nil)
    }

    @Test("malformed JSON is refused with where", arguments: ["{", "{\"a\" 1}", "[1,]", "{\"a\": tru}", "\"\\x\"", "1 2", "{\"a\": \"\u{01}\"}", "-", "1.", "\"\\ud83d\""])
    func malformedJSONIsRefused(text: String) {
        let error = #expect(throws: AlertFormatError.self) { try JSONValue.parse(Data(text.utf8)) }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("byte") == true)
    }
}
