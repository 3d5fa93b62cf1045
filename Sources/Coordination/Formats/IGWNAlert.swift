import Foundation
import StarlingCore

/// Reads IGWN (LIGO/Virgo/KAGRA) gravitational-wave alerts in JSON, as distributed on GCN
/// Kafka's `igwn.gwalert` topic (LVK user guide, "Alert contents").
///
/// - `superevent_id` is the event; `alert_type` (`EARLYWARNING`, `PRELIMINARY`, `INITIAL`,
///   `UPDATE`, `RETRACTION`) the notice type; `time_created` the issue time; `event.time` the
///   merger time (a retraction has `event: null`, so its issue time stands in).
/// - The notice carries no serial number: ``StarlingCore/Alert/serial`` is the alert type's
///   place in that sequence (1…5), and the issue time orders notices of one type.
/// - `event.skymap` is a base64 multi-order FITS map, referred to as
///   `embedded:event.skymap`; with a RAVEN `external_coinc`, its `combined_skymap` (GW ×
///   GRB) is preferred. A map that is not valid base64 (the user guide's display examples
///   elide it with `…`) is reported in the remarks and the alert has no position.
/// - Superevent ids beginning with `M` (mock data challenge) or `T` (test) have role `test`.
enum IGWNAlert {
    static func matches(_ json: JSONValue) -> Bool {
        json["superevent_id"] != nil && json["alert_type"] != nil
    }

    private static let sequence = ["EARLYWARNING": (1, "EarlyWarning"), "PRELIMINARY": (2, "Preliminary"), "INITIAL": (3, "Initial"), "UPDATE": (4, "Update"), "RETRACTION": (5, "Retraction")]

    static func parse(_ json: JSONValue) throws(AlertFormatError) -> ParsedNotice {
        let format = AlertFormat.igwnJSON
        var remarks: [String] = []
        guard let superevent = json["superevent_id"]?.string, !superevent.isEmpty else {
            throw AlertFormatError(.missingField, format: format, field: "superevent_id", "the alert names no superevent")
        }
        let typeText = json["alert_type"]?.string?.uppercased() ?? ""
        guard let (serial, noticeType) = sequence[typeText] else {
            throw AlertFormatError(
                .invalidValue, format: format, field: "alert_type",
                "'\(typeText)' is not EARLYWARNING, PRELIMINARY, INITIAL, UPDATE or RETRACTION")
        }
        let createdText = json["time_created"]?.string
        let created = createdText.flatMap(NoticeTime.parse)
        if let createdText, created == nil {
            throw AlertFormatError(.invalidValue, format: format, field: "time_created", NoticeTime.problem(createdText))
        }
        let isRetraction = typeText == "RETRACTION"
        let event = json["event"]

        let eventTime: Date
        if let timeText = event?["time"]?.string {
            guard let time = NoticeTime.parse(timeText) else {
                throw AlertFormatError(.invalidValue, format: format, field: "event.time", NoticeTime.problem(timeText))
            }
            eventTime = time
        } else if let created {
            eventTime = created
            if !isRetraction { remarks.append("no event.time: time_created used as the event time") }
        } else {
            throw AlertFormatError(.missingField, format: format, field: "event.time", "the alert gives neither event.time nor time_created")
        }
        if !isRetraction, event == nil {
            throw AlertFormatError(.missingField, format: format, field: "event", "a \(noticeType) alert without its event")
        }

        var errorRegion = Alert.ErrorRegion.none
        if let combined = json["external_coinc"]?["combined_skymap"]?.string, Base64Check.isPlausible(combined) {
            errorRegion = .skyMap(SkyMapReference(location: SkyMapLocation.embedded(field: "external_coinc.combined_skymap").rawValue))
            remarks.append("sky map: the combined GW × external map of the coincidence")
        } else if let skymap = event?["skymap"]?.string {
            if Base64Check.isPlausible(skymap) {
                errorRegion = .skyMap(SkyMapReference(location: SkyMapLocation.embedded(field: "event.skymap").rawValue))
            } else {
                remarks.append("event.skymap is not valid base64 (elided?): no sky map, so no position")
            }
        }
        if let coincidence = json["external_coinc"], coincidence.object != nil {
            let observatory = coincidence["observatory"]?.string ?? "?"
            let ivorn = coincidence["ivorn"]?.string ?? "?"
            remarks.append("coincident with \(observatory) \(ivorn)")
        }

        var classification: [String: Double] = [:]
        for key in ["classification", "properties"] {
            for (name, value) in event?[key]?.object ?? [:] { if let number = value.double { classification[name] = number } }
        }
        let role: Alert.Role = superevent.hasPrefix("M") || superevent.hasPrefix("T") ? .test : .observation
        let id = "igwn:\(superevent)/\(noticeType)/\(createdText ?? ISO8601.string(from: eventTime))"
        let alert = Alert(
            id: AlertID(id), eventID: superevent, eventTime: eventTime, issuedTime: created, mission: "LVK", noticeType: noticeType,
            position: nil, errorRegion: errorRegion, distance: nil, significance: nil, falseAlarmRateHertz: event?["far"]?.double,
            role: role, kind: .gravitationalWave, serial: serial, isRetraction: isRetraction,
            classification: classification.isEmpty ? nil : classification)
        return ParsedNotice(alert: alert, format: format, remarks: remarks)
    }
}

/// A cheap check that a string can be base64 (RFC 4648 alphabet, length a multiple of four
/// after removing line breaks), without decoding a megabyte twice.
enum Base64Check {
    static func isPlausible(_ text: String) -> Bool {
        var count = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
                count += 1
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                continue
            default:
                return false
            }
        }
        return count > 0 && count % 4 == 0
    }
}
