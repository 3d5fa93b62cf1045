import Foundation
public import StarlingCore

/// A galaxy the simulated camera renders: an exponential disc seen at an inclination.
///
/// Built from a catalog ``StarlingCore/Target`` (`catalogs/nearby_galaxies.csv`,
/// `catalogs/galaxies_40mpc.csv`): its magnitude and D25 major axis where the catalog has them,
/// else estimated from its distance (an absolute magnitude M_B = −18 and a 10 kpc diameter,
/// a typical nearby disc galaxy). The catalogs give no axis ratio or position angle, so
/// both are drawn from the name's hash: a disc of intrinsic thickness 0.2 at a random
/// inclination, `q = √(cos² i (1 − 0.2²) + 0.2²)` with cos i uniform (Hubble 1926).
public struct FieldGalaxy: Sendable, Hashable {
    /// The catalog name, e.g. "NGC 4258".
    public let name: String
    /// The centre (ICRS).
    public let coordinates: EquatorialCoordinates
    /// Total V magnitude.
    public let magnitudeV: Double
    /// Major-axis diameter at the 25 B mag/arcsec² isophote (D25).
    public let majorAxis: Angle
    /// Minor over major axis, 0.2…1.
    public let axisRatio: Double
    /// Position angle of the major axis, from north through east.
    public let positionAngle: Angle

    /// The B − V colour assumed for every galaxy (an Sbc; Roberts & Haynes 1994, ARA&A 32, 115).
    public static let bMinusV = 0.8

    /// Creates a galaxy from its parameters.
    public init(name: String, coordinates: EquatorialCoordinates, magnitudeV: Double, majorAxis: Angle, axisRatio: Double, positionAngle: Angle) {
        self.name = name
        self.coordinates = coordinates
        self.magnitudeV = magnitudeV
        self.majorAxis = majorAxis
        self.axisRatio = min(1, max(0.2, axisRatio))
        self.positionAngle = positionAngle
    }

    /// A galaxy from a catalog target.
    ///
    /// - Returns: `nil` when the target is not a galaxy, or has neither a magnitude nor a distance.
    public init?(target: Target) {
        guard target.kind == .galaxy else { return nil }
        let magnitudeV: Double
        if let magnitude = target.magnitude {
            let band = target.magnitudeBand ?? .johnsonB
            magnitudeV = magnitude - band.offsetFromV(bMinusV: Self.bMinusV)
        } else if let distance = target.distanceMegaparsecs, distance > 0 {
            magnitudeV = -18 + 5 * log10(distance) + 25 - Self.bMinusV
        } else {
            return nil
        }
        var diameter = target.majorAxis
        if diameter == nil, let distance = target.distanceMegaparsecs, distance > 0 {
            diameter = .radians(0.010 / distance)
        }
        // Inclination and position angle from the name, the same in every run.
        var random = SeededGenerator(seed: StableHash.fnv1a(target.id.rawValue))
        let cosInclination = random.nextUnit()
        let thickness = 0.2
        let q = (cosInclination * cosInclination * (1 - thickness * thickness) + thickness * thickness).squareRoot()
        self.init(
            name: target.name, coordinates: target.coordinates, magnitudeV: magnitudeV, majorAxis: diameter ?? .arcminutes(0.5),
            axisRatio: q, positionAngle: .degrees(180 * random.nextUnit()))
    }

    /// The magnitude in a band.
    public func magnitude(in band: PhotometricBand) -> Double { magnitudeV + band.offsetFromV(bMinusV: Self.bMinusV) }

    /// The disc's exponential scale length along the major axis: D25 is where a Freeman
    /// (1970, ApJ 160, 811) disc of central brightness 21.65 B mag/arcsec² reaches 25, at
    /// 3.09 scale lengths from the centre.
    public var scaleLength: Angle { majorAxis / 2 / 3.09 }
}
