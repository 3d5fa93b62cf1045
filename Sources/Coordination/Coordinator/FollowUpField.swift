import Foundation
public import StarlingCore

/// One pointing of a follow-up: where to put a telescope's field, and how much of the
/// alert's localisation probability it holds.
public struct FollowUpField: Sendable, Hashable, Codable {
    /// Stable within an alert: `f0`, `f1`, … in order of probability.
    public let id: String
    public let center: EquatorialCoordinates
    /// The share of the localisation probability inside the field (1 for a point alert).
    public let probability: Double
    /// How the field was chosen, for people: "error circle centre", "tile 3 of 12", "galaxy NGC 4993".
    public let label: String

    public init(id: String, center: EquatorialCoordinates, probability: Double, label: String) {
        self.id = id
        self.center = center
        self.probability = probability
        self.label = label
    }
}

/// Turns an alert's localisation into telescope pointings.
///
/// - A position whose 90 % error circle fits well inside the field (radius ≤ 0.4 × the
///   field's side) is one field at the position.
/// - The error circle is first scaled to the radius holding 90 % (``StarlingCore/Alert/errorRadius(containing:)``:
///   a Fermi GBM 68 % radius grows by 1.42). A larger circle is tiled with a square grid of
///   fields (spacing 0.9 × the side, so neighbours overlap a little), each weighted by a
///   circular Gaussian holding 90 % within that radius.
/// - A HEALPix sky map is tiled greedily by probability (``HEALPixSkyMap/mostProbableTiles(fieldOfView:count:credibleLevel:)``),
///   or, when the map has distance layers and a galaxy catalog is given, the catalog's
///   galaxies are ranked by the map's probability density per unit volume at their distance
///   (times their priority, a stellar-mass proxy) and grouped into fields.
public enum FieldSelection {
    /// The fields for an alert, most probable first.
    ///
    /// - Parameters:
    ///   - fieldSide: the side of the (square) field of the telescopes that will observe.
    ///   - maximumFields: the most fields to return.
    ///   - galaxies: catalog galaxies with distances, for distance-weighted targeting.
    /// - Returns: the fields; empty when the alert has no usable position.
    public static func fields(
        for alert: Alert, skyMap: HEALPixSkyMap?, fieldSide: Angle, maximumFields: Int = 30, galaxies: [Target] = []
    ) -> [FollowUpField] {
        if let skyMap {
            if skyMap.distances != nil, !galaxies.isEmpty {
                let targeted = galaxyFields(skyMap: skyMap, fieldSide: fieldSide, maximumFields: maximumFields, galaxies: galaxies)
                if !targeted.isEmpty { return targeted }
            }
            return skyMap.mostProbableTiles(fieldOfView: .square(side: fieldSide), count: maximumFields).enumerated().map { index, tile in
                FollowUpField(id: "f\(index)", center: tile.center, probability: tile.probability, label: "sky-map tile \(index + 1)")
            }
        }
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

    /// Ranks galaxies by the map's density per unit volume at their distance and groups them into fields.
    static func galaxyFields(skyMap: HEALPixSkyMap, fieldSide: Angle, maximumFields: Int, galaxies: [Target]) -> [FollowUpField] {
        var ranked: [(Target, Double)] = []
        for galaxy in galaxies {
            guard let distance = galaxy.distanceMegaparsecs, distance > 0 else { continue }
            let density = skyMap.probabilityDensityPerVolume(at: galaxy.coordinates, distanceMegaparsecs: distance)
            guard density > 0, density.isFinite else { continue }
            ranked.append((galaxy, density * max(0.1, galaxy.priority)))
        }
        let total = ranked.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return [] }
        ranked.sort { $0.1 > $1.1 }
        var fields: [(center: EquatorialCoordinates, weight: Double, names: [String])] = []
        let half = fieldSide / 2
        for (galaxy, weight) in ranked {
            if let index = fields.firstIndex(where: { $0.center.separation(from: galaxy.coordinates) < half * 0.9 }) {
                fields[index].weight += weight
                fields[index].names.append(galaxy.name)
            } else if fields.count < maximumFields {
                fields.append((galaxy.coordinates, weight, [galaxy.name]))
            }
        }
        return fields.sorted { $0.weight > $1.weight }.enumerated().map { index, field in
            let names = field.names.prefix(3).joined(separator: ", ") + (field.names.count > 3 ? " +\(field.names.count - 3)" : "")
            return FollowUpField(id: "f\(index)", center: field.center, probability: field.weight / total, label: "galaxies \(names)")
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
