public import Foundation
public import StarlingCore

/// A target of opportunity typed by an operator: a position, how well it is known, when the
/// event happened, what it is and how much it matters.
///
/// It travels like any notice: ``encoded()`` gives the JSON that is stored as the raw notice
/// (format ``AlertFormat/manual``), and ``AlertParser`` reads it back.
///
/// ```swift
/// let too = try TargetOfOpportunity(
///     name: "AT2025abc", position: try EquatorialCoordinates(rightAscensionDegrees: 150.1, declinationDegrees: 2.2),
///     errorRadius: .arcseconds(1), eventTime: eventDate, kind: .opticalTransient, priority: 8, submittedAt: clock.currentDate)
/// try await intake.submit(too.encoded(), transport: "cli")
/// ```
public struct TargetOfOpportunity: Sendable, Hashable, Codable {
    /// The target's name; with ``submittedAt`` it identifies the notice.
    public let name: String
    /// Where to point (ICRS).
    public let position: EquatorialCoordinates
    /// Radius of the region to cover, if the position is uncertain.
    public let errorRadius: Angle?
    /// When the event happened (UTC).
    public let eventTime: Date
    /// What kind of transient it is.
    public let kind: Alert.Kind
    /// Priority, 0 (filler) … 10 (most important).
    public let priority: Double
    /// When the operator submitted it (UTC).
    public let submittedAt: Date
    /// Who submitted it, if known.
    public let submittedBy: String?

    /// Creates a target of opportunity.
    ///
    /// - Throws: ``AlertFormatError`` `.invalidValue` for an empty name, a priority outside
    ///   0…10 or an error radius outside 0…180°.
    public init(
        name: String, position: EquatorialCoordinates, errorRadius: Angle? = nil, eventTime: Date, kind: Alert.Kind,
        priority: Double, submittedAt: Date, submittedBy: String? = nil
    ) throws(AlertFormatError) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw AlertFormatError(.invalidValue, format: .manual, field: "name", "a target of opportunity needs a name") }
        guard (0...10).contains(priority) else {
            throw AlertFormatError(.invalidValue, format: .manual, field: "priority", "\(priority) is outside 0…10")
        }
        if let errorRadius {
            guard errorRadius.isFinite, (0...180).contains(errorRadius.degrees) else {
                throw AlertFormatError(.invalidValue, format: .manual, field: "error_radius", "\(errorRadius.degrees)° is outside 0…180°")
            }
        }
        self.name = name
        self.position = position
        self.errorRadius = errorRadius
        self.eventTime = eventTime
        self.kind = kind
        self.priority = priority
        self.submittedAt = submittedAt
        self.submittedBy = submittedBy
    }

    /// The normalised alert: id `manual:NAME/SUBMITTED`, event `NAME`, mission `manual`.
    public var alert: Alert {
        Alert(
            id: AlertID("manual:\(name)/\(ISO8601.string(from: submittedAt))"), eventID: name, eventTime: eventTime,
            issuedTime: submittedAt, mission: "manual", noticeType: "ToO", position: position,
            errorRegion: errorRadius.map { .circle(radius: $0) } ?? .none, role: .observation, kind: kind, priority: priority)
    }

    /// The notice as stored: `{"target_of_opportunity": {…}}`, keys sorted.
    public func encoded() -> Data {
        let document = Document(
            target_of_opportunity: .init(
                name: name, ra: position.rightAscension.degrees, dec: position.declination.degrees,
                error_radius: errorRadius?.degrees, event_time: ISO8601.string(from: eventTime), kind: kind.rawValue,
                priority: priority, submitted_at: ISO8601.string(from: submittedAt), submitted_by: submittedBy))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return try encoder.encode(document)
        } catch {
            // Only non-finite numbers fail to encode, and the initialiser admits none.
            preconditionFailure("a target of opportunity failed to encode: \(error)")
        }
    }

    private struct Document: Codable {
        struct Body: Codable {
            let name: String
            let ra: Double
            let dec: Double
            let error_radius: Double?
            let event_time: String
            let kind: String
            let priority: Double
            let submitted_at: String
            let submitted_by: String?
        }
        let target_of_opportunity: Body
    }

    static func matches(_ json: JSONValue) -> Bool { json["target_of_opportunity"] != nil }

    /// Reads the stored form back.
    static func parse(_ json: JSONValue) throws(AlertFormatError) -> ParsedNotice {
        let format = AlertFormat.manual
        guard let body = json["target_of_opportunity"] else {
            throw AlertFormatError(.missingField, format: format, field: "target_of_opportunity", "not a target of opportunity")
        }
        func required<T>(_ key: String, _ value: T?) throws(AlertFormatError) -> T {
            guard let value else { throw AlertFormatError(.missingField, format: format, field: key, "required") }
            return value
        }
        func optionalNumber(_ key: String) throws(AlertFormatError) -> Double? {
            guard let value = body[key] else { return nil }
            guard let number = value.number else {
                throw AlertFormatError(.invalidValue, format: format, field: key, "\(value.typeDescription) is not a number")
            }
            return number
        }
        let name = try required("name", body["name"]?.string)
        let ra = try required("ra", body["ra"]?.number)
        let dec = try required("dec", body["dec"]?.number)
        let eventText = try required("event_time", body["event_time"]?.string)
        guard let eventTime = NoticeTime.parse(eventText) else {
            throw AlertFormatError(.invalidValue, format: format, field: "event_time", NoticeTime.problem(eventText))
        }
        let submittedText = try required("submitted_at", body["submitted_at"]?.string)
        guard let submittedAt = NoticeTime.parse(submittedText) else {
            throw AlertFormatError(.invalidValue, format: format, field: "submitted_at", NoticeTime.problem(submittedText))
        }
        let kindText = try required("kind", body["kind"]?.string)
        guard let kind = Alert.Kind(rawValue: kindText) else {
            throw AlertFormatError(
                .invalidValue, format: format, field: "kind",
                "'\(kindText)' is not one of \(Alert.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let position = try NoticePosition.coordinates(rightAscensionDegrees: ra, declinationDegrees: dec, format: format, field: "ra/dec")
        let too = try TargetOfOpportunity(
            name: name, position: position, errorRadius: try optionalNumber("error_radius").map { .degrees($0) }, eventTime: eventTime,
            kind: kind, priority: try optionalNumber("priority") ?? 5, submittedAt: submittedAt, submittedBy: body["submitted_by"]?.string)
        return ParsedNotice(alert: too.alert, format: format)
    }
}
