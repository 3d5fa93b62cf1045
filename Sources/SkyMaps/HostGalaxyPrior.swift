import Foundation
public import StarlingCore

/// The chance that a gravitational-wave source's host is each galaxy of a catalog, from the
/// sky map's distance layers: the map's 3-D probability.
///
/// Each galaxy with a distance and a B magnitude weighs its B-band luminosity (a tracer of
/// stellar mass and so of compact-binary mergers) times the map's probability per unit volume
/// at its place, dP/dV = ρ(n̂) · DISTNORM · N(r; DISTMU, DISTSIGMA) (Singer et al. 2016,
/// ApJL 829, L15, eq. 2). A complete catalog's weights would add up to the luminosity density
/// of the Universe, j_B = 1.98 × 10⁸ L_B,☉ Mpc⁻³ (Kopparapu et al. 2008, ApJ 675, 1459):
/// summing the galaxy luminosity the map expects, `Σ L dP/dV`, and dividing by j_B gives the
/// catalog's **completeness** c in the event's volume (capped at 1). The host is then one of
/// the catalog's galaxies with probability c, in proportion to their weights, and with
/// probability 1 − c a galaxy the catalog misses, which the 2-D map places:
///
///     P₃(region) = c · (Σ_{galaxies in region} w) / (Σ w) + (1 − c) · P₂(region)
///
/// So a catalog complete at the event's distance makes galaxies decide where to look
/// (galaxy-targeted fields), and an incomplete one leaves it to the map (tiles). A catalog
/// with no galaxy at the event's distance gives c = 0 and P₃ = P₂.
///
/// ```swift
/// if let prior = HostGalaxyPrior(map: skyMap, catalog: galaxies) {
///     print("catalog completeness", prior.completeness)
///     let covered = skyMap.coverage(of: footprints, prior: prior).probabilityWithDistance
/// }
/// ```
public struct HostGalaxyPrior: Sendable {
    /// One galaxy and its share of the catalog's host probability.
    public struct Galaxy: Sendable, Hashable {
        public let id: TargetID
        public let name: String
        public let coordinates: EquatorialCoordinates
        public let distanceMegaparsecs: Double
        /// B-band luminosity, solar units.
        public let luminosity: Double
        /// The share of the catalog's host probability, 0…1 (the catalog's weights sum to 1).
        public let weight: Double
        let vector: UnitVector
    }

    /// The local B-band luminosity density, L_B,☉ Mpc⁻³ (Kopparapu et al. 2008).
    public static let bBandLuminosityDensity = 1.98e8
    /// The Sun's absolute B magnitude (Bessell, Castelli & Plez 1998).
    public static let solarAbsoluteBMagnitude = 5.48

    /// The galaxies with a positive weight, heaviest first.
    public let galaxies: [Galaxy]
    /// The catalog's completeness in the event's volume, 0…1.
    public let completeness: Double
    /// `Σ L dP/dV` over the catalog, L_B,☉ Mpc⁻³ (what c compares with j_B).
    public let expectedLuminosityDensity: Double

    /// The prior of a map and a catalog; `nil` when the map has no distance layers.
    ///
    /// Targets that are not galaxies, or lack a distance or a B magnitude, carry no weight:
    /// the catalog's part is then smaller and the map's larger.
    public init?(map: HEALPixSkyMap, catalog: [Target], luminosityDensity: Double = bBandLuminosityDensity) {
        guard map.distances != nil else { return nil }
        var weighed: [(Target, Double, Double)] = []
        var total = 0.0
        for target in catalog where target.kind == .galaxy {
            guard let distance = target.distanceMegaparsecs, distance > 0, let magnitude = target.magnitude,
                target.magnitudeBand == .johnsonB
            else { continue }
            // M_B = m_B − 5 log₁₀(d / 10 pc); L / L☉ = 10^(−0.4 (M_B − M_B,☉)).
            let absolute = magnitude - 5 * log10(distance * 1e5)
            let luminosity = pow(10, -0.4 * (absolute - Self.solarAbsoluteBMagnitude))
            let density = map.probabilityDensityPerVolume(at: target.coordinates, distanceMegaparsecs: distance)
            let weight = luminosity * density
            guard weight > 0, weight.isFinite else { continue }
            weighed.append((target, luminosity, weight))
            total += weight
        }
        expectedLuminosityDensity = total
        completeness = total > 0 ? min(1, total / luminosityDensity) : 0
        // Sorted by index (heaviest first, ties by id), so that the targets are not moved about.
        let order = weighed.indices.sorted { a, b in
            weighed[a].2 > weighed[b].2 || (weighed[a].2 == weighed[b].2 && weighed[a].0.id.rawValue < weighed[b].0.id.rawValue)
        }
        galaxies = order.map { weighed[$0] }.map { target, luminosity, weight in
            Galaxy(
                id: target.id, name: target.name, coordinates: target.coordinates, distanceMegaparsecs: target.distanceMegaparsecs ?? 0,
                luminosity: luminosity, weight: weight / total, vector: UnitVector(target.coordinates))
        }
    }

    /// The 3-D probability of a region from the catalog's weight inside it and its 2-D probability.
    ///
    /// - Parameters:
    ///   - galaxyShare: the summed ``Galaxy/weight`` of the galaxies inside, 0…1.
    ///   - skyProbability: the map's probability inside, 0…1.
    public func probability(galaxyShare: Double, skyProbability: Double) -> Double {
        min(1, completeness * galaxyShare + (1 - completeness) * skyProbability)
    }
}
