public import StarlingCore
import Foundation

/// A star of known magnitude, for measuring a frame's zero point and so its transparency.
public struct ReferenceStar: Sendable, Hashable, Codable {
    /// ICRS position.
    public let coordinates: EquatorialCoordinates
    /// Apparent magnitude in ``band``.
    public let magnitude: Double
    /// The band of ``magnitude``.
    public let band: PhotometricBand

    public init(coordinates: EquatorialCoordinates, magnitude: Double, band: PhotometricBand) {
        self.coordinates = coordinates
        self.magnitude = magnitude
        self.band = band
    }
}

/// Stars of known magnitude, searchable by sky region: the catalog frames are calibrated
/// against (a standard-star catalog such as `catalogs/landolt_standards.csv`, or the stars a
/// simulator rendered).
///
/// Lookups bin the stars by declination in 1° zones, so a frame's stars are found without
/// scanning the whole catalog.
///
/// ```swift
/// let landolt = try TargetCatalog.load(named: "landolt_standards", directory: "catalogs")
/// let references = ReferenceCatalog(catalog: landolt)
/// let inField = references.stars(within: .degrees(0.6), of: frameCentre, band: .johnsonV)
/// ```
public struct ReferenceCatalog: Sendable {
    /// Every star.
    public let stars: [ReferenceStar]
    /// Star indices by declination zone: zone `k` holds declinations in `[k − 90, k − 89)` degrees.
    private let zones: [[Int]]

    public init(stars: [ReferenceStar]) {
        self.stars = stars
        var zones = [[Int]](repeating: [], count: 181)
        for (index, star) in stars.enumerated() { zones[Self.zone(star.coordinates.declination.degrees)].append(index) }
        self.zones = zones
    }

    /// The stars of a target catalog that have a magnitude in a standard band (stars,
    /// standard stars; galaxies and fields are left out, their magnitudes being integrated).
    public init(catalog: TargetCatalog) {
        let stars = catalog.targets.compactMap { target -> ReferenceStar? in
            guard target.kind == .star || target.kind == .standardStar, let magnitude = target.magnitude,
                let band = target.magnitudeBand
            else { return nil }
            return ReferenceStar(coordinates: target.coordinates, magnitude: magnitude, band: band)
        }
        self.init(stars: stars)
    }

    /// The stars in one band within a radius of a position.
    ///
    /// - Returns: the stars found, empty when none.
    public func stars(within radius: Angle, of center: EquatorialCoordinates, band: PhotometricBand) -> [ReferenceStar] {
        let dec = center.declination.degrees, reach = radius.degrees
        var found: [ReferenceStar] = []
        for zone in Self.zone(dec - reach)...Self.zone(dec + reach) {
            for index in zones[zone] {
                let star = stars[index]
                if star.band == band, star.coordinates.separation(from: center) <= radius { found.append(star) }
            }
        }
        return found
    }

    private static func zone(_ declinationDegrees: Double) -> Int {
        min(180, max(0, Int((declinationDegrees + 90).rounded(.down))))
    }
}
