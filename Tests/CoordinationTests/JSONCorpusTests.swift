import Foundation
import StarlingCore
import Testing

@testable import Coordination

private func parse(_ path: String) throws -> ParsedNotice {
    try AlertParser.parse(Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Real JSON notices in `../shared/data/alerts/gcn_kafka_json/real`: all parse.
@Suite(.enabled(if: TestPaths.exists(TestPaths.alerts("gcn_kafka_json/real")), "../shared/data/alerts/gcn_kafka_json/real is absent (fresh clone)"))
struct RealJSONNoticeTests {
    static let folder = TestPaths.alerts("gcn_kafka_json/real")

    @Test("every real JSON notice parses", arguments: TestPaths.files(in: folder, extensions: ["json"]))
    func everyNoticeParses(file: String) throws {
        let notice = try parse(Self.folder + "/" + file)
        #expect(!notice.alert.eventID.isEmpty)
    }

    @Test func einsteinProbeWithoutIDIsNamedByItsTriggerTime() throws {
        let notice = try parse(Self.folder + "/EP240508_einstein_probe_wxt.json")
        #expect(notice.format == .gcnJSON)
        #expect(notice.alert.eventID == "EinsteinProbe-WXT-2024-05-08T07:38:01.151Z")
        #expect(notice.alert.kind == .xRayTransient)
        #expect(notice.alert.errorRegion == .circle(radius: .degrees(0.05089517)))
        #expect(notice.alert.errorContainment == 0.9)
        let tiny = try parse(Self.folder + "/goto_EinsteinProbe_10202399251-WXT-tiny_error.json").alert
        #expect(tiny.eventID == "EinsteinProbe-10202399251")
        #expect(tiny.errorRegion == .circle(radius: .degrees(0.006)))
    }

    @Test func voeventsKeptAsJSONReadLikeTheirXML() throws {
        let dipole = try parse(Self.folder + "/goto_Fermi_745811685-GBM_FIN_POS-dipole.json")
        #expect(dipole.format == .voeventJSON)
        #expect(dipole.alert.eventID == "Fermi-745811685")
        #expect(dipole.alert.errorRegion == .circle(radius: .degrees(29.48)))
        let gw = try parse(Self.folder + "/goto_LVC_S240421ar-INITIAL-cbc_no_dist.json").alert
        #expect(gw.eventID == "S240421ar")
        #expect(gw.serial == 4)
        #expect(gw.distance == nil)
        #expect(gw.classification?["Terrestrial"] == 0.5860884989875204)
        #expect(gw.errorRegion == .skyMap(SkyMapReference(location: "https://gracedb.ligo.org/api/superevents/S240421ar/files/cwb.multiorder.fits,1")))
    }

    @Test func igwnAlertEmbedsItsMultiOrderSkyMap() throws {
        let notice = try parse(Self.folder + "/igwn_gwalert_MS260605l_preliminary.json")
        #expect(notice.format == .igwnJSON)
        #expect(notice.alert.eventID == "MS260605l")
        #expect(notice.alert.role == .test)  // an MS… superevent is a mock
        #expect(notice.alert.errorRegion == .skyMap(SkyMapReference(location: "embedded:event.skymap")))
        #expect(notice.alert.falseAlarmRateHertz == 5.176954877338635e-16)
        #expect(notice.alert.classification?["BNS"] == 0.999997637888802)
    }

    @Test func userGuideExamplesWithElidedMapsHaveNoPosition() throws {
        let update = try parse(Self.folder + "/igwn_userguide_MS181101ab-ext-update_displayexample.json")
        #expect(update.alert.hasPosition == false)
        #expect(update.remarks.contains { $0.contains("not valid base64") })
        #expect(update.remarks.contains { $0.contains("Fermi") })
        let retraction = try parse(Self.folder + "/igwn_userguide_MS181101ab-retraction.json").alert
        #expect(retraction.isRetraction)
        #expect(retraction.serial == 5)
    }
}

/// The official GCN schema examples (nasa-gcn/gcn-schema): notices parse; a Circular and the
/// `core` building blocks are refused, each with its reason.
@Suite(.enabled(if: TestPaths.exists(TestPaths.alerts("gcn_kafka_json/gcn")), "../shared/data/alerts/gcn_kafka_json/gcn is absent (fresh clone)"))
struct GCNSchemaExampleTests {
    static let folder = TestPaths.alerts("gcn_kafka_json/gcn")
    static let examples = TestPaths.files(in: folder, extensions: ["json"], suffix: ".example.json")

    @Test("each example parses or is refused as not a notice", arguments: examples)
    func exampleParsesOrIsRefusedWithAReason(file: String) throws {
        do {
            let notice = try parse(Self.folder + "/" + file)
            #expect(!file.hasPrefix("notices/core/") && file != "circulars.example.json", "\(file) should have been refused")
            #expect(notice.format == .gcnJSON)
        } catch let error as AlertFormatError {
            #expect(error.code == .unsupported)
            #expect(file.hasPrefix("notices/core/") || file == "circulars.example.json", "\(file): \(error)")
        }
    }

    @Test func fermiGBMSequenceSharesOneEventWithRisingRecordNumbers() throws {
        let names = ["alert", "flight1", "flight2", "flight3", "ground1", "ground2", "final"]
        let alerts = try names.map { try parse(Self.folder + "/notices/fermi/gbm/trigger.\($0).example.json").alert }
        #expect(Set(alerts.map(\.eventID)) == ["Fermi-745121685"])
        #expect(alerts.map(\.serial) == [1, 2, 3, 4, 5, 6, 7])
        #expect(alerts[0].hasPosition == false)
        #expect(alerts[6].errorRegion == .circle(radius: .degrees(1)))
        #expect(alerts[6].errorContainment == 0.68)
    }

    @Test func ellipsesAndRectanglesBecomeTheirEnclosingCircle() throws {
        let ellipse = try parse(Self.folder + "/notices/maxi/gsc.unknown.ellipse.example.json").alert
        #expect(ellipse.errorRegion == .circle(radius: .degrees(0.22)))
        let rectangle = try parse(Self.folder + "/notices/maxi/gsc.unknown.rectangle.example.json").alert
        guard case .circle(let radius) = rectangle.errorRegion else {
            Issue.record("expected a circle")
            return
        }
        #expect(radius.degrees > 1.2 && radius.degrees < 1.3)
    }

    @Test func retractionsAndTestTensesAreRecognised() throws {
        #expect(try parse(Self.folder + "/notices/swift/bat/Guano.Retraction.example.json").alert.isRetraction)
        #expect(try parse(Self.folder + "/notices/chime/frb.retraction.example.json").alert.isRetraction)
        #expect(try parse(Self.folder + "/notices/superk/sn_alert.test.example.json").alert.role == .test)
        #expect(try parse(Self.folder + "/notices/superk/sn_alert.real.example.json").alert.role == .observation)
        #expect(try parse(Self.folder + "/notices/burstcube/test.example.json").alert.role == .test)
        let superK = try parse(Self.folder + "/notices/superk/sn_alert.real.example.json").alert
        #expect(superK.distance == Alert.Distance(meanMegaparsecs: 0.0025, sigmaMegaparsecs: 0.0004))
        #expect(superK.kind == .neutrino)
    }

    @Test func distinctNoticesOfOneEventHaveDistinctIDs() throws {
        let names = ["trigger.catalog", "trigger.not-slewing", "trigger.slewing", "trigger.wakeup"]
        let ids = try names.map { try parse(Self.folder + "/notices/svom/eclairs/\($0).example.json").alert.id }
        #expect(Set(ids).count == ids.count)
    }
}

/// Survey-broker alerts (ZTF, LSST, ANTARES): low-priority optical candidates.
@Suite(.enabled(if: TestPaths.exists(TestPaths.alerts("lsst")) && TestPaths.exists(TestPaths.alerts("ztf")), "../shared/data/alerts/lsst or ztf is absent (fresh clone)"))
struct BrokerAlertTests {
    @Test("broker alerts are optical candidates", arguments: ["lsst/lsst_alert_packet_v11_0_sample_alert.json", "lsst/skyportal_antares_lsst_locus.json", "ztf/skyportal_alert.json"])
    func brokerAlertIsALowPriorityOpticalCandidate(file: String) throws {
        let notice = try parse(TestPaths.alerts(file))
        #expect(notice.format == .brokerJSON)
        #expect(notice.alert.kind == .opticalTransient)
        #expect(notice.alert.priority == 1)
        #expect(notice.alert.hasPosition)
    }

    @Test func lsstObjectIDsBeyondTwoToTheFiftyThirdStayExact() throws {
        let alert = try parse(TestPaths.alerts("lsst/lsst_alert_packet_v11_0_sample_alert.json")).alert
        #expect(alert.eventID == "LSST-281323062375219201")
        #expect(abs(try #require(alert.position).rightAscension.degrees - 351.570546978) < 1e-9)
    }
}
