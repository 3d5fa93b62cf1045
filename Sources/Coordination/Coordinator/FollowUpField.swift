import Foundation
public import SkyMaps
public import StarlingCore

/// One pointing of a follow-up: where to put a telescope's field, and how much of the
/// alert's localisation probability it holds.
public struct FollowUpField: Sendable, Hashable, Codable {
    /// Stable within an alert: `f0`, `f1`, … in the order they were chosen.
    public let id: String
    public let center: EquatorialCoordinates
    /// The share of the localisation probability inside the field: for a sky map, the map's
    /// probability in the footprint (2-D); for an error circle, the Gaussian's; 1 for a point alert.
    public let probability: Double
    /// How the field was chosen, for people: "alert position", "error-circle tile 3 of 12",
    /// "tile 4", "galaxies NGC 2380, IC 2311".
    public let label: String
    /// The field of view the field was planned with, for a sky map: only a telescope whose
    /// field holds it may take it (so what it covers is at least what was planned). `nil`:
    /// any telescope.
    public let footprint: FieldOfView?
    /// The 3-D probability in the footprint, with the map's distance layers and the galaxy
    /// catalog (``SkyMaps/HostGalaxyPrior``); `nil` without distance layers.
    public let probabilityWithDistance: Double?
    /// The credible level at the centre (≤ the strategy's level), for a sky map.
    public let credibleLevel: Double?

    public init(
        id: String, center: EquatorialCoordinates, probability: Double, label: String, footprint: FieldOfView? = nil,
        probabilityWithDistance: Double? = nil, credibleLevel: Double? = nil
    ) {
        self.id = id
        self.center = center
        self.probability = probability
        self.label = label
        self.footprint = footprint
        self.probabilityWithDistance = probabilityWithDistance
        self.credibleLevel = credibleLevel
    }
}

/// Turns an alert's position and error circle into telescope pointings (sky maps are
/// ``CoveragePlanner``'s: fields chosen and scheduled together by covered probability).
///
/// - A position whose 90 % error circle fits well inside the field (radius ≤ 0.4 × the
///   field's side) is one field at the position.
/// - The error circle is first scaled to the radius holding 90 % (``StarlingCore/Alert/errorRadius(containing:)``:
///   a Fermi GBM 68 % radius grows by 1.42). A larger circle is tiled with a square grid of
///   fields (spacing 0.9 × the side, so neighbours overlap a little), each weighted by a
///   circular Gaussian holding 90 % within that radius.
public enum FieldSelection {
    /// The fields for an alert's position, most probable first.
    ///
    /// - Parameters:
    ///   - fieldSide: the side of the (square) field of the telescopes that will observe.
    ///   - maximumFields: the most fields to return.
    /// - Returns: the fields; empty when the alert has no position.
    public static func fields(for alert: Alert, fieldSide: Angle, maximumFields: Int = 30) -> [FollowUpField] {
        guard let position = alert.position else { return [] }
        // Sized for the 90 % region whatever containment the notice states (a 68 % radius grows by 1.42).
        guard let radius = alert.errorRadius(containing: 0.9), radius > fieldSide * 0.4 else {
            return [FollowUpField(id: "f0", center: position, probability: 1, label: "alert position")]
        }
        return circleTiles(center: position, radius: radius, containment: 0.9, fieldSide: fieldSide, maximumFields: maximumFields)
    }

    /// Tiles an error circle with a square grid in the tangent plane at its centre.
    static func circleTiles(center: EquatorialCoordinates, radius: Angle, containment: Double, fieldSide: Angle, maximumFields: Int) -> [FollowUpField] {
        // Circular Gaussian: P(< r) = 1 − exp(−r²/2σ²)  ⇒  σ = r / √(−2 ln(1 − P)).
        let sigma = radius.radians / (-2 * log(1 - min(0.9999, max(0.5, containment)))).squareRoot()
        let spacing = fieldSide.radians * 0.9
        let steps = Int((radius.radians / spacing).rounded(.up)) + 1
        let area = spacing * spacing
        var tiles: [(EquatorialCoordinates, Double)] = []
        for i in -steps...steps {
            for j in -steps...steps {
                let xi = Double(i) * spacing, eta = Double(j) * spacing
                let offset = (xi * xi + eta * eta).squareRoot()
                guard offset <= radius.radians + spacing / 2 else { continue }
                let weight = exp(-(offset * offset) / (2 * sigma * sigma)) * area / (2 * .pi * sigma * sigma)
                tiles.append((deproject(xi: xi, eta: eta, center: center), weight))
            }
        }
        tiles.sort { $0.1 > $1.1 }
        return tiles.prefix(maximumFields).enumerated().map { index, tile in
            FollowUpField(id: "f\(index)", center: tile.0, probability: min(1, tile.1), label: "error-circle tile \(index + 1) of \(min(tiles.count, maximumFields))")
        }
    }

    /// The inverse gnomonic projection: the position at standard coordinates (ξ, η) around a centre.
    static func deproject(xi: Double, eta: Double, center: EquatorialCoordinates) -> EquatorialCoordinates {
        let ra0 = center.rightAscension.radians, dec0 = center.declination.radians
        let denominator = cos(dec0) - eta * sin(dec0)
        let ra = ra0 + atan2(xi, denominator)
        let dec = atan2(sin(dec0) + eta * cos(dec0), (xi * xi + denominator * denominator).squareRoot())
        // atan2 keeps the declination within ±90°, so this cannot fail.
        return (try? EquatorialCoordinates(rightAscension: .radians(ra), declination: .radians(dec))) ?? center
    }
}
