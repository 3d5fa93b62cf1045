import Foundation
import StarlingCore

/// Reads GCN Kafka JSON notices: the unified schema (nasa-gcn/gcn-schema `core/*`: `ra`,
/// `dec`, `ra_dec_error`, `containment_probability`, `trigger_time`, `alert_datetime`,
/// `alert_type`, `alert_tense`, `id`, `mission`, `instrument`, `record_number`, `far`, …) and
/// the mission schemas built on it (Fermi GBM/LAT, Swift BAT-GUANO, Einstein Probe WXT, SVOM,
/// IceCube, KM3NeT, Super-K, MAXI, CHIME, DSA-110, BurstCube, GLOWBUG, BOOM, HEASARC).
///
/// Error regions: a circle's radius as given; an ellipse (`[a, b, angle]`) as the circle of
/// its larger semi-axis (it contains the ellipse); MAXI's `rectangular_error_corners` as the
/// circle through the farthest corner. A notice with no position but a `healpix_url` or
/// `healpix_file` gets a sky-map error region.
///
/// Refused: a GCN Circular (text written by people, not a notice), an example of a `core`
/// building block (a fragment of a notice), a notice with no time at all.
enum GCNJSONNotice {
    /// Whether a JSON document is a GCN notice (it names a gcn-schema `$schema`, or has the
    /// unified schema's fields).
    static func matches(_ json: JSONValue) -> Bool {
        if let schema = json["$schema"]?.string, schema.contains("/gcn/") { return true }
        return json["trigger_time"] != nil || (json["alert_datetime"] != nil && json["mission"] != nil)
    }

    static func parse(_ json: JSONValue, raw: Data) throws(AlertFormatError) -> ParsedNotice {
        let format = AlertFormat.gcnJSON
        var remarks: [String] = []
        let schemaPath = Self.schemaPath(json["$schema"]?.string)
        if schemaPath == "circulars" || json["circularId"] != nil {
            throw AlertFormatError(
                .unsupported, format: format, "a GCN Circular (a report written by people), not a machine-readable notice")
        }
        if let schemaPath, schemaPath.hasPrefix("core/") {
            throw AlertFormatError(
                .unsupported, format: format, field: "$schema",
                "'\(schemaPath)' is an example of a building block that notices are made of, not a notice")
        }

        let mission = json["mission"]?.string ?? Self.mission(fromSchemaPath: schemaPath) ?? "GCN"
        let instrument = json["instrument"]?.string
        let alertType = json["alert_type"]?.string?.lowercased()
        let isRetraction = alertType == "retraction"
        let kind = Self.kind(mission: mission, schemaPath: schemaPath, json: json)

        // Broker-style notices (BOOM) carry their candidates in data.targets.
        var source = json
        if let targets = json["data"]?["targets"]?.elements, !targets.isEmpty {
            guard targets.count == 1 else {
                throw AlertFormatError(
                    .unsupported, format: format, field: "data.targets",
                    "\(targets.count) candidates in one notice; Starling follows one target per notice")
            }
            source = targets[0]
        } else if let direction = json["most_probable_direction"] {
            source = direction  // IceCube's LVK neutrino search: the most probable direction.
            remarks.append("position from most_probable_direction")
        }

        var issued: Date?
        if let text = json["alert_datetime"]?.string {
            issued = NoticeTime.parse(text)
            if issued == nil { remarks.append("alert_datetime \(NoticeTime.problem(text)): the issue time is unknown") }
        }
        var eventTime: Date?
        for key in ["trigger_time", "observation_start"] {
            guard let text = json[key]?.string else { continue }
            guard let time = NoticeTime.parse(text) else {
                throw AlertFormatError(.invalidValue, format: format, field: key, NoticeTime.problem(text))
            }
            eventTime = time
            if key != "trigger_time" { remarks.append("no trigger_time: \(key) used as the event time") }
            break
        }
        if eventTime == nil, let issued {
            eventTime = issued
            remarks.append("no trigger_time: alert_datetime used as the event time")
        }
        guard let eventTime else {
            throw AlertFormatError(.missingField, format: format, field: "trigger_time", "the notice gives no time (trigger_time or alert_datetime)")
        }

        // Identity.
        let triggerID = json["id"]?.string ?? json["event_name"]?.string ?? source["event_name"]?.string ?? json["ref_ID"]?.string
            ?? json["obs_id"]?.string
        let missionKey = mission.filter { !$0.isWhitespace }
        let eventID: String
        if let triggerID {
            eventID = json["ref_ID"] != nil && json["id"] == nil ? "\(missionKey)-LVK-\(triggerID)" : "\(missionKey)-\(triggerID)"
        } else {
            eventID = ([missionKey] + (instrument.map { [$0] } ?? []) + [ISO8601.string(from: eventTime)]).joined(separator: "-")
            remarks.append("no id: the event is identified by its trigger time")
        }
        let serial = json["record_number"]?.number.map { Int(exactly: $0.rounded(.towardZero)) ?? 1 } ?? 1
        // GCN JSON notices carry no notice id; mission, event, record number and a digest of
        // the bytes name one (a redelivered message has the same bytes, so the same id).
        let noticeID = "gcn:\(schemaPath ?? missionKey.lowercased())#\(eventID)/\(serial)/\(Digest.fnv1a64Hex(raw))"

        // Position.
        var position: EquatorialCoordinates?
        var errorRegion = Alert.ErrorRegion.none
        var containment: Double?
        if source["ra"] != nil || source["dec"] != nil {
            // The schema's ra and dec are numbers of degrees, given together (core/Localization).
            guard let ra = source["ra"]?.number, let dec = source["dec"]?.number else {
                let describe = { (value: JSONValue?) in value?.typeDescription ?? "missing" }
                throw AlertFormatError(
                    .invalidValue, format: format, field: "ra/dec",
                    "ra is \(describe(source["ra"])) and dec is \(describe(source["dec"])): both must be numbers of degrees")
            }
            position = try NoticePosition.coordinates(rightAscensionDegrees: ra, declinationDegrees: dec, format: format, field: "ra/dec")
            if ra == 360 { remarks.append("RA 360° read as 0°") }
            if let radius = try Self.errorRadius(source, json: json, position: position, remarks: &remarks) {
                errorRegion = .circle(radius: .degrees(radius))
                if let stated = json["containment_probability"] {
                    guard let probability = stated.number, probability > 0, probability <= 1 else {
                        throw AlertFormatError(
                            .invalidValue, format: format, field: "containment_probability", "\(stated.typeDescription) is not a probability in (0, 1]")
                    }
                    containment = probability
                } else {
                    containment = 0.9
                    remarks.append("no containment_probability: the schema's default, 90 %")
                }
            }
        }
        if position == nil {
            if let url = json["healpix_url"]?.string {
                errorRegion = .skyMap(SkyMapReference(location: url))
            } else if let file = json["healpix_file"]?.string {
                if Base64Check.isPlausible(file) {
                    errorRegion = .skyMap(SkyMapReference(location: SkyMapLocation.embedded(field: "healpix_file").rawValue))
                } else {
                    remarks.append("healpix_file is not valid base64: no sky map, so no position")
                }
            }
        }

        var distance: Alert.Distance?
        if let mean = json["luminosity_distance"]?.number {
            distance = Alert.Distance(meanMegaparsecs: mean, sigmaMegaparsecs: json["luminosity_distance_error"]?.elements.first?.number)
        }
        let tense = json["alert_tense"]?.string?.lowercased()
        var role: Alert.Role
        switch tense {
        case "test", "injection", "commanded": role = .test
        case "planned": role = .prediction
        default: role = .observation
        }
        if role == .observation, schemaPath?.split(separator: "/").last?.lowercased() == "test" {
            role = .test
            remarks.append("a notice of the mission's test schema")
        }
        if let tense, tense != "current" { remarks.append("alert_tense \(tense)") }
        var classification: [String: Double] = [:]
        for key in ["classification", "properties"] {
            for (name, value) in json[key]?.object ?? [:] { if let number = value.number { classification[name] = number } }
        }
        let significance = ["image_snr", "rate_snr", "snr"].lazy.compactMap { json[$0]?.number }.first { $0 > 0 }
        let noticeType = [instrument, json["subtype"]?.string ?? json["pipeline"]?.string ?? alertType]
            .compactMap { $0 }.joined(separator: " ")

        let alert = Alert(
            id: AlertID(noticeID), eventID: eventID, eventTime: eventTime, issuedTime: issued, mission: mission,
            noticeType: noticeType.isEmpty ? (schemaPath ?? "notice") : noticeType, position: position, errorRegion: errorRegion,
            distance: distance, significance: significance, falseAlarmRateHertz: json["far"]?.number, role: role, kind: kind,
            serial: serial, isRetraction: isRetraction, errorContainment: containment,
            classification: classification.isEmpty ? nil : classification)
        let verdict = InstrumentFlags.read(gcnJSON: json, schemaPath: schemaPath, mission: mission, kind: kind)
        return ParsedNotice(alert: verdict.applied(to: alert), format: format, remarks: remarks + verdict.remarks)
    }

    /// The radius in degrees of the smallest circle around the position that holds the
    /// stated region, or `nil` when none is stated.
    private static func errorRadius(
        _ source: JSONValue, json: JSONValue, position: EquatorialCoordinates?, remarks: inout [String]
    ) throws(AlertFormatError) -> Double? {
        let format = AlertFormat.gcnJSON
        if let error = source["ra_dec_error"] ?? json["ra_dec_error"] {
            let values = error.elements.compactMap(\.number)
            guard let first = values.first, values.count == error.elements.count, values.count <= 3 else {
                throw AlertFormatError(
                    .invalidValue, format: format, field: "ra_dec_error", "\(error.typeDescription) is not a number or an array of one to three numbers")
            }
            // [semi-major, semi-minor (default: semi-major), angle]: the circle of the larger axis.
            let radius = values.count >= 2 ? max(first, values[1]) : first
            if values.count >= 2 { remarks.append("error ellipse \(values.map { String($0) }.joined(separator: ", ")) read as the circle of its larger semi-axis") }
            _ = try NoticePosition.radiusDegrees(min(first, values.count >= 2 ? values[1] : first), format: format, field: "ra_dec_error")
            return try NoticePosition.radiusDegrees(radius, format: format, field: "ra_dec_error") > 0 ? radius : nil
        }
        if let corners = json["rectangular_error_corners"]?.elements, let position {
            var radius = 0.0
            for corner in corners {
                let pair = corner.elements.compactMap(\.number)
                guard pair.count == 2, corner.elements.count == 2 else {
                    throw AlertFormatError(.invalidValue, format: format, field: "rectangular_error_corners", "a corner is not [ra, dec]")
                }
                let point = try NoticePosition.coordinates(
                    rightAscensionDegrees: pair[0], declinationDegrees: pair[1], format: format, field: "rectangular_error_corners")
                radius = max(radius, position.separation(from: point).degrees)
            }
            remarks.append("error rectangle read as the circle through its farthest corner")
            return radius > 0 ? radius : nil
        }
        return nil
    }

    /// `einstein_probe/wxt/alert` of `https://gcn.nasa.gov/schema/v4.0.0/gcn/notices/einstein_probe/wxt/alert.schema.json`.
    static func schemaPath(_ schema: String?) -> String? {
        guard let schema else { return nil }
        var path = Substring(schema)
        if let range = path.range(of: "/gcn/notices/") {
            path = path[range.upperBound...]
        } else if let range = path.range(of: "/gcn/") {
            path = path[range.upperBound...]
        }
        if path.hasSuffix(".schema.json") { path = path.dropLast(".schema.json".count) }
        return String(path)
    }

    static func mission(fromSchemaPath path: String?) -> String? {
        guard let first = path?.split(separator: "/").first else { return nil }
        switch first {
        case "einstein_probe": return "Einstein Probe"
        case "svom": return "SVOM"
        case "chime": return "CHIME"
        case "dsa110": return "DSA-110"
        case "fermi": return "Fermi"
        case "swift": return "Swift"
        case "icecube": return "IceCube"
        case "km3net": return "KM3NeT"
        case "maxi": return "MAXI"
        case "superk": return "Super-Kamiokande"
        case "burstcube": return "BurstCube"
        case "glowbug": return "GLOWBUG"
        case "boom": return "BOOM"
        case "heasarc": return "HEASARC"
        default: return String(first)
        }
    }

    static func kind(mission: String, schemaPath: String?, json: JSONValue) -> Alert.Kind {
        let path = schemaPath ?? ""
        if json["messenger"]?.string?.lowercased() == "neutrino" || path.hasPrefix("icecube") || path.hasPrefix("km3net") || path.hasPrefix("superk") {
            return .neutrino
        }
        if path.hasPrefix("chime") || path.hasPrefix("dsa110") { return .fastRadioBurst }
        if path.hasPrefix("einstein_probe") || path.hasPrefix("maxi") { return .xRayTransient }
        if path.hasPrefix("boom") { return .opticalTransient }
        if path.hasPrefix("fermi/lat") || path.hasPrefix("heasarc") { return .other }
        switch mission.lowercased() {
        case "fermi", "swift", "svom", "burstcube", "glowbug", "gecam", "konus-wind", "integral": return .gammaRayBurst
        case "einstein probe", "maxi": return .xRayTransient
        default: return path.hasPrefix("fermi") || path.hasPrefix("swift") || path.hasPrefix("svom") ? .gammaRayBurst : .other
        }
    }
}

/// A short digest of bytes, to name notices that carry no id of their own. FNV-1a (64-bit):
/// an identity, not a security measure.
enum Digest {
    static func fnv1a64Hex(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
