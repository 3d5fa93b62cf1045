/// A typed identifier: a `SiteID` cannot be passed where a `TelescopeID` is expected.
///
/// Identifiers are short lowercase slugs in configuration (`xinglong`, `xl-1m-a`) and opaque
/// strings elsewhere (an alert's IVORN).
public struct Identifier<Entity>: Sendable, Hashable, Comparable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The identifier's text.
    public let rawValue: String

    /// Creates an identifier from its text.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Identifies a site (an observatory) in `sites/`.
public typealias SiteID = Identifier<Site>
/// Identifies a telescope, unique across the array.
public typealias TelescopeID = Identifier<Telescope>
/// Identifies a target in a catalog or an alert.
public typealias TargetID = Identifier<Target>
/// Identifies an observation request.
public typealias RequestID = Identifier<ObservationRequest>
/// Identifies an observation (one attempt to carry out a request).
public typealias ObservationID = Identifier<Observation>
/// Identifies a FITS frame written by a camera.
public typealias FrameID = Identifier<FrameRecord>
/// Identifies an alert (its IVORN or notice id).
public typealias AlertID = Identifier<Alert>
/// Identifies a night plan.
public typealias PlanID = Identifier<NightPlan>
