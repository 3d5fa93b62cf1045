import Foundation
import StarlingCore
import Testing

@testable import Coordination

/// Every VOEvent in `../shared/data/alerts/voevent` parses, with the values the packets state.
@Suite(.enabled(if: TestPaths.exists(TestPaths.alerts("voevent")), "../shared/data/alerts/voevent is absent (fresh clone)"))
struct VOEventCorpusTests {
    static let folder = TestPaths.alerts("voevent")
    static let files = TestPaths.files(in: folder, extensions: ["xml"])

    static func parse(_ name: String) throws -> ParsedNotice {
        try AlertParser.parse(Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
    }

    @Test("every VOEvent parses", arguments: files)
    func everyPacketParses(file: String) throws {
        let notice = try Self.parse(file)
        #expect(notice.alert.id.rawValue.hasPrefix("ivo://"))
        #expect(!notice.alert.eventID.isEmpty)
        #expect([AlertFormat.voevent20, .voevent11].contains(notice.format))
    }

    @Test func corpusIsComplete() {
        #expect(Self.files.count >= 40)
    }

    /// (file, event, RA°, Dec°, error radius°, serial, role)
    static let positions: [(String, String, Double, Double, Double, Int, Alert.Role)] = [
        ("SWIFT_1125809-104.xml", "Swift-1125809", 64.7149, 13.3500, 0.0013, 4, .observation),
        ("SWIFT_1125809-092.xml", "Swift-1125809", 64.7373, 13.3517, 0.05, 4, .observation),
        ("aware_xrt_alert_1165948.xml", "Swift-1165948", 153.3106, 48.2043, 0.0011, 1, .observation),
        ("GRB180422.913_Subthreshold.xml", "Fermi-546126856", 262.97, 19.7399, 22.1299, 6, .test),
        ("GRB180116A_Fermi_GBM_Flt_Pos.xml", "Fermi-537755817", 216.3833, 18.7, 19.8333, 12, .observation),
        ("GRB180116A_Fermi_GBM_Fin_Pos.xml", "Fermi-537755817", 212.77, 27.05, 5.2, 5, .observation),
        ("aware_icecube_cascade.xml", "IceCube-134244_34406854", 220.0434, 43.1731, 44.0584, 1, .observation),
        ("AMON_ICECUBE_GOLD_190730.xml", "IceCube-132910_57145925", 225.7899, 10.47, 1.185, 2, .observation),
        ("pygcn_gbm_flt_pos.xml", "Fermi-336801278", 193.0, -31.75, 17.4333, 10, .observation),
        ("goto_GECAM_260-FLT.xml", "GECAM-B-260", 290.35, 18.41, 3.6099, 18, .observation),
        ("aware_integral_weak.xml", "INTEGRAL-0", 1.2343, 2.3455, 0.0169, 2901, .test),
        ("Gaia16aac.xml", "Gaia16aac", 73.29423, 7.35212, 0.00002, 1, .observation),
        ("goto_SVOM_sb25031101-ECLAIRS_WAKEUP.xml", "SVOM-sb25031101", 146.8848, 29.8907, 0.1755, 1, .observation),
    ]

    @Test("positions, error radii, events, serials and roles", arguments: positions)
    func statedValues(file: String, event: String, ra: Double, dec: Double, radius: Double, serial: Int, role: Alert.Role) throws {
        let alert = try Self.parse(file).alert
        #expect(alert.eventID == event)
        let position = try #require(alert.position)
        #expect(abs(position.rightAscension.degrees - ra) < 1e-9)
        #expect(abs(position.declination.degrees - dec) < 1e-9)
        guard case .circle(let stated) = alert.errorRegion else {
            Issue.record("\(file): expected an error circle, got \(alert.errorRegion)")
            return
        }
        #expect(abs(stated.degrees - radius) < 1e-9)
        #expect(alert.serial == serial)
        #expect(alert.role == role)
    }

    @Test func xrtIsTheSmallestAndGBMSubThresholdTheLargestCircle() throws {
        let radii = try Self.files.compactMap { file -> Double? in
            if case .circle(let radius) = try Self.parse(file).alert.errorRegion { return radius.degrees }
            return nil
        }
        // Gaia's 0.00002° and IceCube's 44° cascade bracket the GRB range 0.0011°…22°.
        #expect(abs(try #require(radii.min()) - 0.00002) < 1e-12)
        #expect(radii.contains { abs($0 - 0.0011) < 1e-9 } && radii.contains { abs($0 - 22.1299) < 1e-9 })
    }

    @Test("GCN's 0/0/0 is no position", arguments: ["GRB180116A_Fermi_GBM_Alert.xml", "aware_gbm_alert.xml", "Konus_Lightcurve_2015-07-10T00_28_01.68.xml"])
    func zeroPositionIsNoPosition(file: String) throws {
        let notice = try Self.parse(file)
        #expect(notice.alert.position == nil)
        #expect(notice.alert.hasPosition == false)
        #expect(notice.remarks.contains { $0.contains("no position") })
    }

    @Test func svomGRMWithoutErrorKeepsItsPositionWithoutACircle() throws {
        let notice = try Self.parse("goto_SVOM_sb25030804-GRM_TRIGGER.xml")
        #expect(notice.alert.position != nil)
        #expect(notice.alert.errorRegion == .none)
        #expect(notice.remarks.contains { $0.contains("-1.0") })
    }

    @Test func versionOneOneAndGECAMQuirksAreAcceptedWithRemarks() throws {
        let gold = try Self.parse("AMON_ICECUBE_GOLD_190730.xml")
        #expect(gold.format == .voevent11)
        #expect(gold.remarks.first == "VOEvent 1.1 namespace")
        // AMON's FAR is per year: 1.3583 yr⁻¹ … here 0.677 yr⁻¹ → Hz.
        #expect(abs(try #require(gold.alert.falseAlarmRateHertz) - 0.6770 / (365.25 * 86_400)) < 1e-15)
        let gecam = try Self.parse("goto_GECAM_260-FLT.xml")
        #expect(gecam.remarks.contains { $0.contains("datatype") })
        #expect(gecam.alert.significance == 4.9)
    }

    @Test func gravitationalWaveNoticesCarryTheirSkyMapAndClassification() throws {
        let initial = try Self.parse("GW190425_initial.xml").alert
        #expect(initial.eventID == "S190425z")
        #expect(initial.kind == .gravitationalWave)
        #expect(initial.noticeType == "Initial")
        #expect(initial.falseAlarmRateHertz == 4.53764787126e-13)
        #expect(initial.errorRegion == .skyMap(SkyMapReference(location: "skyportal/tests/data/bayestar.fits.gz")))
        #expect(initial.classification?["BNS"] == 0.999402567114)
        #expect(initial.hasPosition)
        #expect(ISO8601.string(from: initial.eventTime).hasPrefix("2019-04-25T08:18:05.01"))
    }

    @Test func mockSequenceIsTestRoleWithRisingSerialsAndARetraction() throws {
        let names = ["igwn_O4_MS181101ab-1-EarlyWarning.xml", "igwn_O4_MS181101ab-2-Preliminary.xml", "igwn_O4_MS181101ab-3-Initial.xml", "igwn_O4_MS181101ab-4-Update.xml"]
        let alerts = try names.map { try Self.parse($0).alert }
        #expect(alerts.map(\.serial) == [1, 2, 3, 4])
        #expect(alerts.allSatisfy { $0.role == .test && $0.eventID == "MS181101ab" && !$0.isRetraction })
        let retraction = try Self.parse("MS181101ab-4-Retraction.xml").alert
        #expect(retraction.isRetraction)
        #expect(retraction.eventID == "MS181101ab")
        #expect(retraction.hasPosition == false)
    }

    @Test func gaiaTimeInTDBIsConvertedToUTC() throws {
        let alert = try Self.parse("Gaia16aac.xml").alert
        // 2016-01-16T07:52:27 TDB − (32.184 s + 36 s) = 07:51:18.816 UTC.
        let expected = try #require(NoticeTime.parse("2016-01-16T07:51:18.816"))
        #expect(abs(alert.eventTime.timeIntervalSince(expected)) < 1e-3)
        #expect(alert.kind == .opticalTransient)
    }
}
