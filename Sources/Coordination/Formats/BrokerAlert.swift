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

        if let candidate = json["candidate"], let candid = json["candid"]?.string {
            mission = "ZTF"
            let object = json["objectId"]?.string
            eventID = object.map { "ZTF-\($0)" } ?? "ZTF-candid-\(candid)"
            if object == nil { remarks.append("no objectId: the event is named by its candidate id") }
            noticeID = "ztf:\(candid)"
            ra = candidate["ra"]?.double
            dec = candidate["dec"]?.double
            // ZTF's `jd` is the Julian Date (UTC) of the exposure's start.
            eventTime = candidate["jd"]?.double.map { Date(timeIntervalSince1970: ($0 - 2_440_587.5) * 86_400) }
            if let rb = candidate["rb"]?.double, rb < 0.5 { remarks.append("real-bogus score \(rb): probably not real") }
        } else if let source = json["diaSource"] {
            mission = "LSST"
            let object = json["diaObject"]?["diaObjectId"]?.string ?? source["diaObjectId"]?.string
            let sourceID = json["diaSourceId"]?.string ?? source["diaSourceId"]?.string ?? "?"
            eventID = "LSST-\(object ?? sourceID)"
            noticeID = "lsst:\(sourceID)"
            ra = source["ra"]?.double
            dec = source["dec"]?.double
            eventTime = Self.dateFromMJDTAI(source["midpointMjdTai"]?.double)
        } else if let locus = json["locus_id"]?.string {
            mission = "ANTARES"
            eventID = "ANTARES-\(locus)"
            let latest = (json["alerts"]?.elements ?? []).compactMap { $0["lsst_diaSource_midpointMjdTai"]?.double }.max()
            noticeID = "antares:\(locus)/\(latest.map { String($0) } ?? "locus")"
            ra = json["ra"]?.double
            dec = json["dec"]?.double
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
        let position: EquatorialCoordinates
        do {
            position = try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec)
        } catch {
            throw AlertFormatError(.invalidValue, format: format, field: "ra/dec", "\(ra), \(dec): \(error)")
        }
        let alert = Alert(
            id: AlertID(noticeID), eventID: eventID, eventTime: eventTime, mission: mission, noticeType: "\(mission) candidate",
            position: position, errorRegion: .none, kind: .opticalTransient, priority: 1)
        return ParsedNotice(alert: alert, format: format, remarks: remarks)
    }

    /// A UTC date from an MJD in TAI (LSST's `…MjdTai`).
    private static func dateFromMJDTAI(_ mjd: Double?) -> Date? {
        guard let mjd else { return nil }
        let tai = Date(timeIntervalSince1970: (mjd - mjdOf1970) * 86_400)
        return tai.addingTimeInterval(-NoticeTime.taiMinusUTC(at: tai))
    }
}
