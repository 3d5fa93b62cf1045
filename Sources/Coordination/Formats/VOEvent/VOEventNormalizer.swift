import Foundation
import StarlingCore

/// Turns a ``VOEventDocument`` into an ``StarlingCore/Alert``.
///
/// Accepted although the schema says otherwise, because real brokers send them and their
/// meaning is unambiguous: the VOEvent 1.1 namespace; `datatype` for `dataType` (GECAM);
/// values with surrounding blanks; a `<Value>` child instead of a `value` attribute (Gaia);
/// no `role` (the schema's default, `observation`); FK5 J2000 positions (taken as ICRS: they
/// differ by < 0.1″); TT/TDB times (converted to UTC). Read as *no position*: GCN's
/// RA = Dec = 0 with a zero error radius (GBM Alert, Konus light curves). Read as a position
/// without an error estimate: a negative or empty error radius (SVOM GRM's −1), with a remark;
/// for a gamma-ray trigger such a position is not followed up (it may be tens of degrees off).
///
/// Refused: a packet without an `ivorn`, an unknown `role`, a position in another frame or
/// unit, coordinates that are not decimal numbers (`0x10`, `nan`) or outside RA 0…360° and
/// Dec ±90°, an error radius that is not a number or over 180°, a `C1`, `C2`, `Error2Radius`
/// or `ISOTime` given twice, a time that is not ISO 8601 UTC/TT/TDB, no event time.
///
/// The instrument's own flags (star tracker, source class, known source) are read by
/// ``InstrumentFlags``; the stated containment of the error radius by ``containment(_:packetType:)``.
enum VOEventNormalizer {
    static func normalize(_ document: VOEventDocument, format: AlertFormat) throws(AlertFormatError) -> ParsedNotice {
        var remarks: [String] = []
        func fail(_ code: AlertFormatError.Code, _ field: String?, _ message: String) -> AlertFormatError {
            AlertFormatError(code, format: format, field: field, message)
        }

        guard let ivorn = document.ivorn?.trimmingCharacters(in: .whitespacesAndNewlines), !ivorn.isEmpty else {
            throw fail(.missingField, "VOEvent/@ivorn", "the packet has no ivorn, so it cannot be identified or de-duplicated")
        }
        if let repeated = document.duplicates.first {
            throw fail(
                .invalidValue, "WhereWhen/…/\(repeated)",
                "<\(repeated)> appears \(document.duplicates.filter { $0 == repeated }.count + 1) times: which value is meant cannot be known")
        }
        let roleText = document.role?.trimmingCharacters(in: .whitespaces).lowercased() ?? "observation"
        guard var role = Alert.Role(rawValue: roleText) else {
            throw fail(.invalidValue, "VOEvent/@role", "role '\(roleText)' is not observation, test, utility or prediction")
        }
        if document.role == nil { remarks.append("no role attribute: taken as observation (the schema's default)") }
        for flag in ["Test_Submission", "Test_Notice"] where role == .observation && document.value(flag)?.lowercased() == "true" {
            role = .test
            remarks.append("\(flag) is true: treated as role test")
        }

        let packetText = document.value("Packet_Type")
        let packetType = packetText.flatMap(NoticeNumber.integer)
        if let packetText, packetType == nil { remarks.append("Packet_Type '\(packetText)' is not a whole number: ignored") }
        let gcnType = packetType.flatMap(GCNNoticeType.named)
        let authority = Self.ivornAuthority(ivorn)
        let mission = gcnType?.mission ?? Self.mission(fromIVORN: ivorn, authorShortName: document.authorShortName)
        let alertType = document.value("AlertType")
        let noticeType = alertType ?? gcnType?.name ?? packetType.map { "Packet_Type_\($0)" } ?? Self.streamName(ivorn) ?? "VOEvent"
        let isRetraction = gcnType?.isRetraction == true || alertType?.lowercased() == "retraction"
        let kind = gcnType?.kind ?? Self.kind(document: document, authority: authority)

        // Time: WhereWhen's ISOTime in the coordinate system's time scale.
        var issued: Date?
        if let text = document.whoDate {
            issued = NoticeTime.parse(text)
            if issued == nil { remarks.append("Who/Date \(NoticeTime.problem(text)): the issue time is unknown") }
        }
        let eventTime: Date
        if let text = document.isoTime {
            guard let parsed = NoticeTime.parse(text) else {
                throw fail(.invalidValue, "WhereWhen/…/ISOTime", NoticeTime.problem(text))
            }
            let scale = Self.timeScale(document.coordSystemID)
            guard let utc = NoticeTime.toUTC(parsed, scale: scale) else {
                throw fail(.unsupported, "AstroCoords/@coord_system_id", "time scale '\(scale)' (use UTC, TT or TDB)")
            }
            if scale != "UTC" { remarks.append("event time converted from \(scale) to UTC") }
            eventTime = utc
        } else if isRetraction, let issued {
            eventTime = issued
            remarks.append("no event time: the retraction's issue time is used")
        } else {
            throw fail(.missingField, "WhereWhen/…/ISOTime", "the packet gives no event time")
        }

        // Position and error circle.
        var position: EquatorialCoordinates?
        var errorRegion = Alert.ErrorRegion.none
        var hasNoErrorEstimate = false
        if let c1 = document.c1, let c2 = document.c2 {
            guard let ra = NoticeNumber.parse(c1), let dec = NoticeNumber.parse(c2) else {
                throw fail(.invalidValue, "WhereWhen/…/Value2", "C1 '\(c1)' / C2 '\(c2)' are not decimal numbers")
            }
            let unit = document.positionUnit?.lowercased() ?? "deg"
            guard unit == "deg" || unit == "degrees" else {
                throw fail(.unsupported, "Position2D/@unit", "position unit '\(unit)' (only degrees are read)")
            }
            let frame = Self.frame(document.coordSystemID)
            guard frame == "ICRS" || frame == "FK5" else {
                throw fail(.unsupported, "AstroCoords/@coord_system_id", "coordinate frame '\(document.coordSystemID ?? "")' (only ICRS and FK5 J2000 are read)")
            }
            var radius: Double?
            if let text = document.errorRadius {
                if text.trimmingWhitespace().isEmpty {
                    remarks.append("Error2Radius is empty: the notice gives no error estimate")
                    hasNoErrorEstimate = true
                } else {
                    guard let value = NoticeNumber.parse(text) else {
                        throw fail(.invalidValue, "Error2Radius", "'\(text)' is not a decimal number of degrees")
                    }
                    radius = value
                }
            }
            if ra == 0, dec == 0, radius == nil || radius == 0 {
                remarks.append("RA = Dec = 0 with no error radius: GCN's way of saying there is no position")
            } else {
                position = try NoticePosition.coordinates(rightAscensionDegrees: ra, declinationDegrees: dec, format: format, field: "WhereWhen/…/Value2")
                if ra == 360 { remarks.append("RA 360° read as 0°") }
                if frame == "FK5" { remarks.append("FK5 (J2000) position taken as ICRS") }
                if let radius, radius > 0 {
                    errorRegion = .circle(radius: .degrees(try NoticePosition.radiusDegrees(radius, format: format, field: "Error2Radius")))
                } else if let radius, radius < 0 {
                    remarks.append("error radius \(radius): the notice gives no error estimate")
                    hasNoErrorEstimate = true
                }
            }
        }
        if let skyMap = Self.skyMapURL(document) {
            if position == nil { errorRegion = .skyMap(SkyMapReference(location: skyMap)) }
        }

        var containment: Double?
        if case .circle = errorRegion {
            containment = Self.containment(document, packetType: packetType, radius: document.errorRadius.flatMap(NoticeNumber.parse))
            if containment == nil { remarks.append("the notice does not say what the error radius contains: taken as 90 %") }
        }

        let far = Self.falseAlarmRate(document, remarks: &remarks)
        let serial = document.value("Pkt_Ser_Num").flatMap(NoticeNumber.integer) ?? 1
        let classification = Self.classification(document)
        var alert = Alert(
            id: AlertID(ivorn), eventID: Self.eventID(document, ivorn: ivorn, mission: mission), eventTime: eventTime,
            issuedTime: issued, mission: mission, noticeType: noticeType, position: position, errorRegion: errorRegion,
            distance: nil, significance: Self.significance(document), falseAlarmRateHertz: far, role: role, kind: kind,
            serial: serial, isRetraction: isRetraction, errorContainment: containment,
            classification: classification.isEmpty ? nil : classification)

        var verdict = InstrumentFlags.read(document, packetType: packetType, mission: mission, kind: kind)
        if hasNoErrorEstimate, position != nil, kind == .gammaRayBurst {
            verdict.forbid("\(mission) gives no error estimate for this gamma-ray position, which may be tens of degrees off")
        }
        remarks += verdict.remarks
        alert = verdict.applied(to: alert)
        if format == .voevent11 { remarks.insert("VOEvent 1.1 namespace", at: 0) }
        return ParsedNotice(alert: alert, format: format, remarks: remarks)
    }

    /// The probability the error radius contains, when the notice or its mission's
    /// documentation states it: IceCube/AMON's `src_error_90` (and `src_error_50`) name their
    /// containment; GCN documents Swift's BAT, XRT and UVOT radii as 90 % and Fermi GBM's as
    /// 68 % (``GCNNoticeType``). `nil` when nothing says.
    static func containment(_ document: VOEventDocument, packetType: Int?, radius: Double?) -> Double? {
        if let radius {
            for (name, probability) in [("src_error_90", 0.9), ("src_error_50", 0.5)] {
                if let stated = document.value(name).flatMap(NoticeNumber.parse), abs(stated - radius) < 1e-9 { return probability }
            }
        }
        return packetType.flatMap(GCNNoticeType.named)?.containment
    }

    // MARK: Identity

    /// The physical event: the GraceDB id for gravitational waves, `<mission>-<trigger>` for
    /// GCN triggers, the source id or IVORN fragment otherwise.
    static func eventID(_ document: VOEventDocument, ivorn: String, mission: String) -> String {
        if let graceID = document.value("GraceID") { return graceID }
        let prefix = mission.filter { !$0.isWhitespace }
        if let run = document.value("run_id"), let event = document.value("event_id") { return "\(prefix)-\(run)_\(event)" }
        if let burst = document.value("Burst_Id") { return "\(prefix)-\(burst)" }
        if let trigger = document.value("Trigger_Number") {
            if let letter = document.value("MISSION") { return "\(prefix)-\(letter)-\(trigger)" }
            return "\(prefix)-\(trigger)"
        }
        if let trigger = document.value("TrigID") ?? document.value("Trans_Num") { return "\(prefix)-\(trigger)" }
        if let id = document.params.first(where: { $0.ucd == "meta.id" && $0.name == nil })?.value, !id.isEmpty { return id }
        return streamName(ivorn).map { "\(prefix)-\($0)" } ?? ivorn
    }

    /// `nasa.gsfc.gcn/SWIFT` of `ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_…`.
    static func ivornAuthority(_ ivorn: String) -> String {
        var text = Substring(ivorn)
        if text.hasPrefix("ivo://") { text = text.dropFirst(6) }
        return String(text.prefix { $0 != "#" })
    }

    /// The fragment after `#`.
    static func streamName(_ ivorn: String) -> String? {
        guard let hash = ivorn.firstIndex(of: "#") else { return nil }
        let fragment = ivorn[ivorn.index(after: hash)...]
        return fragment.isEmpty ? nil : String(fragment)
    }

    static func mission(fromIVORN ivorn: String, authorShortName: String?) -> String {
        let authority = ivornAuthority(ivorn)
        let stream = authority.split(separator: "/").last.map(String.init) ?? authority
        switch stream.lowercased() {
        case "swift": return "Swift"
        case "fermi": return "Fermi"
        case "lvc", "gwnet": return "LVK"
        case "amon": return "IceCube"
        case "fsc": return "SVOM"
        case "alerts" where authority.hasPrefix("gaia"): return "Gaia"
        case "asassn": return "ASAS-SN"
        default: return authorShortName ?? stream
        }
    }

    static func kind(document: VOEventDocument, authority: String) -> Alert.Kind {
        let concepts = document.concepts.joined(separator: ";").lowercased()
        if authority.hasPrefix("gwnet") { return .gravitationalWave }
        if authority.hasPrefix("gaia") || authority.contains("ASASSN") || authority.contains("4pisky") { return .opticalTransient }
        if concepts.contains("em.gamma") { return .gammaRayBurst }
        if concepts.contains("em.x-ray") { return .xRayTransient }
        if concepts.contains("em.opt") { return .opticalTransient }
        if concepts.contains("neutrino") { return .neutrino }
        return .other
    }

    // MARK: WhereWhen

    /// `UTC` of `UTC-FK5-GEO`; VOEvent 2.0 §4.1 lists the time scales first, or after the
    /// frame in a few packets (`FK5-UTC-GEO`).
    static func timeScale(_ systemID: String?) -> String {
        let parts = (systemID ?? "UTC").uppercased().split(separator: "-").map(String.init)
        return parts.first { ["UTC", "TT", "TDB", "TAI", "GPS", "TCB", "TCG"].contains($0) } ?? "UTC"
    }

    static func frame(_ systemID: String?) -> String {
        let parts = (systemID ?? "ICRS").uppercased().split(separator: "-").map(String.init)
        return parts.first { ["ICRS", "FK5", "FK4", "GAL", "ECL"].contains($0) } ?? "ICRS"
    }

    // MARK: What

    static func skyMapURL(_ document: VOEventDocument) -> String? {
        for name in ["skymap_fits", "skymap_url", "Skymap_FITS"] {
            if let value = document.value(name) { return value }
        }
        return nil
    }

    static func significance(_ document: VOEventDocument) -> Double? {
        for name in ["Image_Signif", "Det_Signif", "Data_Signif", "Burst_Signif", "Rate_Signif", "TRIGGER_SIGNIF", "SNR"] {
            if let value = document.value(name).flatMap(NoticeNumber.parse), value > 0 { return value }
        }
        return nil
    }

    /// `FAR` in Hz (LVK), or per year (AMON, `yr^-1`), as Hz.
    static func falseAlarmRate(_ document: VOEventDocument, remarks: inout [String]) -> Double? {
        guard let param = document.param("FAR"), let text = param.value, !text.trimmingWhitespace().isEmpty else { return nil }
        guard let value = NoticeNumber.parse(text), value >= 0 else {
            remarks.append("FAR '\(text)' is not a rate: ignored")
            return nil
        }
        switch param.unit?.lowercased() {
        case "yr^-1", "1/yr", "per year", "yr-1": return value / (365.25 * 86_400)
        case "day^-1", "1/day", "per day": return value / 86_400
        default: return value
        }
    }

    /// LVK's Classification and Properties groups.
    static func classification(_ document: VOEventDocument) -> [String: Double] {
        var result: [String: Double] = [:]
        for param in document.params(inGroup: "Classification") + document.params(inGroup: "Properties") {
            if let name = param.name, let value = param.value.flatMap(NoticeNumber.parse) {
                result[name] = value
            }
        }
        return result
    }
}
