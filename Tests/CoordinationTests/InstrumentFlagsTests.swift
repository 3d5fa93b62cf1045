import Foundation
import Logging
import Persistence
import StarlingCore
import Testing

@testable import Coordination

/// Notices read the way their instruments meant them: a position the instrument distrusts, or
/// a source class that is not the transient the trigger implies, is recorded with the reason
/// and never scheduled; the containment of an error radius is carried; times keep their
/// precision (issue 16, "Alerts read as their instruments meant"). Minimal fixtures of our own
/// here; the real notices of `../shared/data` below.
struct InstrumentFlagsTests {
    /// The minimal Swift packet with extra `What` parameters and another packet type.
    static func swift(_ params: String, packetType: Int = 61) throws -> Data {
        var text = String(decoding: try TestPaths.fixture("swift-bat-minimal.xml"), as: UTF8.self)
        text = text.replacingOccurrences(of: "<Param name=\"Packet_Type\" value=\"61\"/>", with: "<Param name=\"Packet_Type\" value=\"\(packetType)\"/>")
        text = text.replacingOccurrences(of: "</What>", with: params + "</What>")
        return Data(text.utf8)
    }

    static func flag(_ name: String, _ value: String = "true", group: String = "Solution_Status") -> String {
        "<Group name=\"\(group)\"><Param name=\"\(name)\" value=\"\(value)\"/></Group>"
    }

    @Test(
        "Swift flags that forbid a follow-up",
        arguments: [
            ("StarTrack_Lost_Lock", "not to be trusted", Alert.Kind.gammaRayBurst),
            ("ImTrig_during_ST_LoL", "a false detection", .gammaRayBurst),
            ("Def_NOT_a_GRB", "definitely not a gamma-ray burst", .other),
            ("Target_in_Flt_Catalog", "a known source of the on-board catalog", .other),
            ("Target_in_Gnd_Catalog", "a known source of the ground catalog", .other),
            ("Values_Out_of_Range", "not to be trusted", .gammaRayBurst),
            ("CRC_Error", "corrupted", .gammaRayBurst),
        ])
    func swiftFlags(name: String, reason: String, kind: Alert.Kind) throws {
        let notice = try AlertParser.parse(try Self.swift(Self.flag(name)))
        #expect(notice.alert.followUpVeto?.contains(name) == true)
        #expect(notice.alert.followUpVeto?.contains(reason) == true, "\(notice.alert.followUpVeto ?? "")")
        #expect(notice.alert.kind == kind)
        #expect(notice.alert.hasPosition, "the position is kept, only not followed")
    }

    @Test func falseFlagsChangeNothing() throws {
        let flags = ["StarTrack_Lost_Lock", "Def_NOT_a_GRB", "Target_in_Flt_Catalog", "CRC_Error"].map { Self.flag($0, "false") }.joined()
        let notice = try AlertParser.parse(try Self.swift(flags))
        #expect(notice.alert.followUpVeto == nil)
        #expect(notice.alert.kind == .gammaRayBurst)
    }

    @Test(
        "Fermi GBM's classification of the trigger",
        arguments: [
            (4, nil as String?, Alert.Kind.gammaRayBurst), (6, nil, .gammaRayBurst), (1, "UNRELIABLE_LOCATION", .gammaRayBurst),
            (2, "LOCAL_PARTICLES", .other), (3, "BELOW_HORIZON", .other), (7, "DISTANT_PARTICLES", .other), (8, "SOLAR_FLARE", .other),
            (5, "GENERIC_SGR", .other), (9, "CYG_X1", .other), (19, "TGF", .other),
        ])
    func fermiGBMClasses(index: Int, vetoing: String?, kind: Alert.Kind) throws {
        let params = "<Param name=\"Most_Likely_Index\" value=\"\(index)\"/><Param name=\"Most_Likely_Prob\" value=\"87\"/>"
        let notice = try AlertParser.parse(try Self.swift(params, packetType: 111))
        #expect(notice.alert.kind == kind)
        if let vetoing {
            #expect(notice.alert.followUpVeto?.contains("Fermi GBM classes the trigger \(vetoing) (87 %)") == true, "\(notice.alert.followUpVeto ?? "")")
        } else {
            #expect(notice.alert.followUpVeto == nil)
        }
        #expect(notice.alert.errorContainment == 0.68)
    }

    @Test func gecamSourceClassOtherThanGRBIsNotABurst() throws {
        let notice = try AlertParser.parse(try Self.swift("<Param name=\"SRC_CLASS\" value=\"SFL\"/>", packetType: 188))
        #expect(notice.alert.kind == .other)
        #expect(notice.alert.followUpVeto == "GECAM classes the source SRC_CLASS SFL, not a GRB")
    }

    @Test(
        "notice types about known sources or unconfirmed triggers",
        arguments: [(135, "MAXI reports the known source"), (203, "SVOM ECLAIRs matched its on-board catalogue"), (62, "no point source")])
    func knownSourceNoticeTypes(packetType: Int, reason: String) throws {
        let notice = try AlertParser.parse(try Self.swift("", packetType: packetType))
        #expect(notice.alert.followUpVeto?.contains(reason) == true, "\(notice.alert.followUpVeto ?? "")")
    }

    @Test func aGammaRayPositionWithoutAnErrorEstimateIsNotFollowed() throws {
        let text = String(decoding: try Self.swift("", packetType: 201), as: UTF8.self)
        let notice = try AlertParser.parse(Data(text.replacingOccurrences(of: "<Error2Radius>0.05</Error2Radius>", with: "<Error2Radius>-1.0000</Error2Radius>").utf8))
        #expect(notice.alert.followUpVeto?.contains("no error estimate") == true)
        #expect(notice.remarks.contains("error radius -1.0: the notice gives no error estimate"))
    }

    // MARK: JSON

    static func gcn(_ schema: String, _ body: String) -> Data {
        Data("""
            {"$schema": "https://gcn.nasa.gov/schema/main/gcn/notices/\(schema).schema.json", "id": ["5"], \
            "trigger_time": "2024-06-01T00:00:00.81Z", "ra": 232, "dec": -53.1, "ra_dec_error": 10, \(body)}
            """.utf8)
    }

    @Test(
        "the most probable class of a JSON classification speaks for the trigger",
        arguments: [
            (#""mission": "BurstCube", "classification": {"GRB": 0.95, "SF": 0.03}"#, nil as String?, Alert.Kind.gammaRayBurst),
            (#""mission": "BurstCube", "classification": {"GRB": 0.05, "SF": 0.9}"#, "a solar flare", .other),
            (#""mission": "BurstCube", "classification": {"GRB": 0.2, "Local Particles": 0.8}"#, "particles", .other),
            (#""mission": "Fermi", "classification": {"UNRELIABLE_LOCATION": 1}"#, "not to be trusted", .gammaRayBurst),
            (#""mission": "GLOWBUG", "classification": {"BNS": 0.9, "BBH": 0.1}"#, nil, .gammaRayBurst),
        ])
    func jsonClassification(body: String, vetoing: String?, kind: Alert.Kind) throws {
        let notice = try AlertParser.parse(Self.gcn("burstcube/alert", body))
        #expect(notice.alert.kind == kind)
        if let vetoing {
            #expect(notice.alert.followUpVeto?.contains(vetoing) == true, "\(notice.alert.followUpVeto ?? "")")
        } else {
            #expect(notice.alert.followUpVeto == nil)
        }
    }

    @Test func jsonKnownSourcesAreNotFollowed() throws {
        let maxi = try AlertParser.parse(Self.gcn("maxi/gsc.known", #""mission": "MAXI""#))
        #expect(maxi.alert.followUpVeto?.contains("known-source stream") == true)
        let chime = try AlertParser.parse(Self.gcn("chime/frb", #""known_source": "FRB 20180916B""#))
        #expect(chime.alert.followUpVeto?.contains("FRB 20180916B") == true)
    }

    @Test func aStatedContainmentIsCarriedAndAnUnstatedOneIsSaid() throws {
        let stated = try AlertParser.parse(Self.gcn("burstcube/alert", #""containment_probability": 0.5"#))
        #expect(stated.alert.errorContainment == 0.5)
        let unstated = try AlertParser.parse(Self.gcn("burstcube/alert", #""systematic_included": false"#))
        #expect(unstated.alert.errorContainment == 0.9)
        #expect(unstated.remarks.contains("no containment_probability: the schema's default, 90 %"))
        #expect(unstated.remarks.contains("the error radius is statistical only (systematic_included false)"))
    }

    @Test func aZTFDetectionItsClassifierCallsBogusIsNotFollowed() throws {
        let ztf = Data(#"{"candid": 1, "objectId": "ZTF24aaa", "candidate": {"ra": 10, "dec": 20, "jd": 2460000.5, "rb": 0.2}}"#.utf8)
        let notice = try AlertParser.parse(ztf)
        #expect(notice.alert.followUpVeto == "ZTF's real-bogus score is 0.2: the detection is probably not real")
    }

    // MARK: Containment and fields

    /// A circular Gaussian: a 68 % radius holds 90 % at √(ln 0.1 / ln 0.32) = 1.4215 times it.
    @Test func fieldsAreSizedForTheNinetyPercentRegion() throws {
        let position = try EquatorialCoordinates(rightAscensionDegrees: 100, declinationDegrees: 10)
        func alert(_ containment: Double?) -> Alert {
            Alert(
                id: "a", eventID: "e", eventTime: Date(timeIntervalSince1970: 0), mission: "Fermi", noticeType: "GBM_Fin_Pos", position: position,
                errorRegion: .circle(radius: .degrees(5)), kind: .gammaRayBurst, errorContainment: containment)
        }
        #expect(abs(try #require(alert(0.68).errorRadius(containing: 0.9)).degrees - 7.1076) < 1e-3)
        #expect(abs(try #require(alert(0.5).errorRadius(containing: 0.9)).degrees - 9.1130) < 1e-3)
        #expect(try #require(alert(nil).errorRadius(containing: 0.9)).degrees == 5)
        // A 68 % circle of 5° is tiled out to 7.1°: fields beyond 5° from the centre.
        let fields = FieldSelection.fields(for: alert(0.68), fieldSide: .degrees(2), maximumFields: 200)
        let farthest = fields.map { $0.center.separation(from: position).degrees }.max() ?? 0
        #expect(farthest > 5.5 && farthest < 7.1 + 1.0, "\(farthest)")
        let ninety = FieldSelection.fields(for: alert(0.9), fieldSide: .degrees(2), maximumFields: 200)
        #expect(fields.count > ninety.count)
    }

    // MARK: The intake and the coordinator act on a veto

    @Test func theIntakeRecordsAVetoedNoticeWithItsReasonAndDoesNotHandItOn() async throws {
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let receipt = try await harness.intake.submit(try Self.swift(Self.flag("StarTrack_Lost_Lock")), transport: "test")
        guard case .ignored(let reason) = receipt.outcome else {
            Issue.record("expected the notice to be recorded and ignored, got \(receipt.outcome)")
            return
        }
        #expect(reason.hasPrefix("not followed up: Swift flags StarTrack_Lost_Lock"))
        let stored = try #require(try await harness.store.alert(receipt.id))
        #expect(stored.status == .ignored)
        #expect(stored.note == reason)
        #expect(stored.alert?.followUpVeto != nil)
    }

    @Test func aVetoedUpdateOfAFollowedEventIsHandedOnToCancelItsFollowUps() async throws {
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let first = try await harness.intake.submit(try Self.swift(""), transport: "test")
        #expect(first.outcome == .accepted)
        let text = String(decoding: try Self.swift(Self.flag("Def_NOT_a_GRB")), as: UTF8.self)
            .replacingOccurrences(of: "999999-001", with: "999999-002").replacingOccurrences(of: "2024-03-01T10:00:30", with: "2024-03-01T10:05:00")
        let second = try await harness.intake.submit(Data(text.utf8), transport: "test")
        #expect(second.outcome == .accepted)
        let accepted = await harness.next(2)
        #expect(accepted.last?.change == .update(previous: first.id))
        #expect(accepted.last?.alert.followUpVeto != nil)
    }
}

/// The same flags on real notices.
@Suite(.enabled(if: TestPaths.exists(TestPaths.alerts("voevent")), "../shared/data/alerts is absent (fresh clone)"))
struct RealInstrumentFlagsTests {
    static func parse(_ path: String) throws -> ParsedNotice {
        try AlertParser.parse(try Data(contentsOf: URL(fileURLWithPath: TestPaths.alerts(path))))
    }

    @Test(
        "real notices the instrument says not to follow",
        arguments: [
            ("voevent/goto_Swift_1187142-BAT_GRB_POS.xml", "Target_in_Flt_Catalog: a known source of the on-board catalog (catalog number 26959)"),
            ("gcn_kafka_json/real/goto_Swift_1187142v2-BAT_GRB_POS.json", "Target_in_Flt_Catalog"),
            ("voevent/aware_maxi_known.xml", "MAXI reports the known source XTE J1856+053 (x-ray-star)"),
            ("voevent/goto_SVOM_sb25030804-GRM_TRIGGER.xml", "no error estimate"),
            ("gcn_kafka_json/gcn/notices/fermi/gbm/trigger.flight1.example.json", "BELOW_HORIZON (100 %)"),
            ("gcn_kafka_json/gcn/notices/fermi/gbm/trigger.flight2.example.json", "UNRELIABLE_LOCATION (100 %)"),
            ("gcn_kafka_json/gcn/notices/maxi/gsc.known.example.json", "known-source stream"),
        ])
    func vetoed(path: String, reason: String) throws {
        let notice = try Self.parse(path)
        #expect(notice.alert.followUpVeto?.contains(reason) == true, "\(notice.alert.followUpVeto ?? "no veto")")
    }

    @Test(
        "real notices followed as before",
        arguments: [
            "voevent/GRB180116A_Fermi_GBM_Flt_Pos.xml", "voevent/pygcn_gbm_flt_pos.xml", "voevent/goto_GECAM_260-FLT.xml",
            "voevent/BAT_GRB_Pos_655721-214.xml", "voevent/SWIFT_1125809-104.xml", "voevent/AMON_ICECUBE_GOLD_190730.xml",
            "voevent/goto_SVOM_sb25031101-ECLAIRS_WAKEUP.xml", "gcn_kafka_json/gcn/notices/fermi/gbm/trigger.flight3.example.json",
            "gcn_kafka_json/gcn/notices/burstcube/alert.example.json", "gcn_kafka_json/real/EP240508_einstein_probe_wxt.json",
        ])
    func followed(path: String) throws {
        let notice = try Self.parse(path)
        #expect(notice.alert.followUpVeto == nil, "\(notice.alert.followUpVeto ?? "")")
        #expect(notice.alert.hasPosition)
    }

    @Test func fermiGBMSaysGRBWithItsProbability() throws {
        let notice = try Self.parse("voevent/GRB180116A_Fermi_GBM_Flt_Pos.xml")
        #expect(notice.alert.kind == .gammaRayBurst)
        #expect(notice.alert.errorContainment == 0.68)
        // The event time is kept to the precision given: .81, not .809.
        #expect(ISO8601.string(from: notice.alert.eventTime) == "2018-01-16T00:36:52.810Z")
    }

    @Test(
        "the containment each notice states or its mission documents",
        arguments: [
            ("voevent/AMON_ICECUBE_GOLD_190730.xml", 0.9 as Double?), ("voevent/BAT_GRB_Pos_655721-214.xml", 0.9),
            ("voevent/SWIFT_1125809-104.xml", 0.9), ("voevent/GRB180116A_Fermi_GBM_Fin_Pos.xml", 0.68),
            ("gcn_kafka_json/gcn/notices/fermi/gbm/trigger.final.example.json", 0.68), ("voevent/Gaia16aac.xml", nil),
        ])
    func containment(path: String, expected: Double?) throws {
        #expect(try Self.parse(path).alert.errorContainment == expected)
    }
}
