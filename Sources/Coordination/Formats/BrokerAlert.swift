import Foundation
import StarlingCore

/// Reads optical-survey broker alerts: ZTF (the JSON form of its Avro packet), LSST/Rubin
/// (alert packet schema v7–v11) and ANTARES loci. They become low-priority optical
/// candidates (``StarlingCore/Alert/priority`` 1): a position measured to a fraction of an
/// arcsecond, no error circle worth tiling.
enum BrokerAlert {
    static func matches(_ json: JSONValue) -> Bool {
        (json["candidate"] != nil && json["candid"] != nil) || json["diaSource"] != nil || json["locus_id"] != nil
    }

    /// Modified Julian Date of 1970-01-01.
    private static let mjdOf1970 = 40_587.0

    static func parse(_ json: JSONValue) throws(AlertFormatError) -> ParsedNotice {
        let format = AlertFormat.brokerJSON
        var remarks: [String] = []
        let mission: String
        let eventID: String
        let noticeID: String
        let ra: Double?
        let dec: Double?
        var eventTime: Date?
        var realBogus: Double?

        if let candidate = json["candidate"], let candid = json["candid"]?.string {
            mission = "ZTF"
            let object = json["objectId"]?.string
            eventID = object.map { "ZTF-\($0)" } ?? "ZTF-candid-\(candid)"
            if object == nil { remarks.append("no objectId: the event is named by its candidate id") }
            noticeID = "ztf:\(candid)"
            ra = candidate["ra"]?.number
            dec = candidate["dec"]?.number
            // ZTF's `jd` is the Julian Date (UTC) of the exposure's start.
            eventTime = candidate["jd"]?.number.map { Date(timeIntervalSince1970: ($0 - 2_440_587.5) * 86_400) }
            if let rb = candidate["rb"]?.number, rb < 0.5 { realBogus = rb }
        } else if let source = json["diaSource"] {
            mission = "LSST"
            let object = json["diaObject"]?["diaObjectId"]?.string ?? source["diaObjectId"]?.string
            let sourceID = json["diaSourceId"]?.string ?? source["diaSourceId"]?.string ?? "?"
            eventID = "LSST-\(object ?? sourceID)"
            noticeID = "lsst:\(sourceID)"
            ra = source["ra"]?.number
            dec = source["dec"]?.number
            eventTime = Self.dateFromMJDTAI(source["midpointMjdTai"]?.double)
        } else if let locus = json["locus_id"]?.string {
            mission = "ANTARES"
            eventID = "ANTARES-\(locus)"
            let latest = (json["alerts"]?.elements ?? []).compactMap { $0["lsst_diaSource_midpointMjdTai"]?.double }.max()
            noticeID = "antares:\(locus)/\(latest.map { String($0) } ?? "locus")"
            ra = json["ra"]?.number
            dec = json["dec"]?.number
            eventTime = Self.dateFromMJDTAI(latest)
            remarks.append("a locus: the latest of its \(json["alerts"]?.elements.count ?? 0) detections is the event time")
        } else {
            throw AlertFormatError(.unrecognised, format: format, "neither a ZTF, an LSST nor an ANTARES alert")
        }
        guard let eventTime else {
            throw AlertFormatError(.missingField, format: format, field: "time", "the \(mission) alert gives no detection time")
        }
        guard let ra, let dec else {
            throw AlertFormatError(.missingField, format: format, field: "ra/dec", "the \(mission) alert gives no position")
        }
        let position = try NoticePosition.coordinates(rightAscensionDegrees: ra, declinationDegrees: dec, format: format, field: "ra/dec")
        var alert = Alert(
            id: AlertID(noticeID), eventID: eventID, eventTime: eventTime, mission: mission, noticeType: "\(mission) candidate",
            position: position, errorRegion: .none, kind: .opticalTransient, priority: 1)
        if let realBogus {
            // ZTF's real-bogus classifier (Duev et al. 2019): below 0.5 the detection is most
            // likely an artefact, not a source on the sky.
            alert = alert.vetoed("ZTF's real-bogus score is \(realBogus): the detection is probably not real")
        }
        return ParsedNotice(alert: alert, format: format, remarks: remarks)
    }

    /// A UTC date from an MJD in TAI (LSST's `…MjdTai`).
    private static func dateFromMJDTAI(_ mjd: Double?) -> Date? {
        guard let mjd else { return nil }
        let tai = Date(timeIntervalSince1970: (mjd - mjdOf1970) * 86_400)
        return tai.addingTimeInterval(-NoticeTime.taiMinusUTC(at: tai))
    }
}
