/// Something to point at: a survey galaxy, a standard star, a transient's position.
public struct Target: Sendable, Hashable, Codable, Identifiable {
    public let id: TargetID
    /// Display name, e.g. "NGC 4258".
    public let name: String
    /// ICRS position.
    public let coordinates: EquatorialCoordinates
    /// What kind of object this is.
    public let kind: Kind
    /// Apparent magnitude where known (band in ``magnitudeBand``).
    public let magnitude: Double?
    /// The band of ``magnitude``.
    public let magnitudeBand: PhotometricBand?
    /// Distance in megaparsecs where known.
    public let distanceMegaparsecs: Double?
    /// Major-axis diameter where known.
    public let majorAxis: Angle?
    /// Scientific priority, 0 (filler) … 10 (most important).
    public let priority: Double
    /// Desired nights between visits for survey targets; `nil` for one-off targets.
    public let cadenceNights: Double?

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case galaxy, star, standardStar = "standard-star", transient, field
    }

    public init(
        id: TargetID, name: String, coordinates: EquatorialCoordinates, kind: Kind, magnitude: Double? = nil,
        magnitudeBand: PhotometricBand? = nil, distanceMegaparsecs: Double? = nil, majorAxis: Angle? = nil,
        priority: Double = 5, cadenceNights: Double? = nil
    ) {
        self.id = id
        self.name = name
        self.coordinates = coordinates
        self.kind = kind
        self.magnitude = magnitude
        self.magnitudeBand = magnitudeBand
        self.distanceMegaparsecs = distanceMegaparsecs
        self.majorAxis = majorAxis
        self.priority = min(10, max(0, priority))
        self.cadenceNights = cadenceNights
    }
}
