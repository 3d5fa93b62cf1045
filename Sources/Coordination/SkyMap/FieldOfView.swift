public import StarlingCore
import Foundation

/// A telescope's field of view on the sky: a circle, or a square aligned with north (as most
/// wide-field cameras are mounted on an equatorial mount).
public enum FieldOfView: Sendable, Hashable, Codable {
    /// A circular field of this radius.
    case circle(radius: Angle)
    /// A square field of this side, its edges along north–south and east–west at its centre.
    case square(side: Angle)

    /// The radius of the largest circle inside the field, in radians.
    var innerRadius: Double {
        switch self {
        case .circle(let radius): radius.radians
        case .square(let side): side.radians / 2
        }
    }

    /// The radius of the smallest circle around the field, in radians: a gnomonic square's
    /// corner lies at atan(√2 · tan(side / 2)).
    var outerRadius: Double {
        switch self {
        case .circle(let radius): radius.radians
        case .square(let side): atan(2.0.squareRoot() * tan(side.radians / 2))
        }
    }

    /// The field's solid angle in square degrees (a gnomonic square of side s covers
    /// 4 asin(sin²(s/2)) sr).
    public var areaSquareDegrees: Double {
        switch self {
        case .circle(let radius):
            return 2 * Double.pi * (1 - cos(radius.radians)) * squareDegreesPerSteradian
        case .square(let side):
            let half = sin(side.radians / 2)
            return 4 * asin(half * half) * squareDegreesPerSteradian
        }
    }

    /// The field pointed at one centre, ready for containment tests.
    func placed(at center: UnitVector) -> PlacedField { PlacedField(field: self, center: center) }
}

/// A field of view at a pointing: answers "is this direction inside?" quickly.
struct PlacedField {
    let center: UnitVector
    let cosInner: Double
    let cosOuter: Double
    let inner: Double
    let outer: Double
    /// For squares: east and north at the centre, and tan(side / 2).
    private let east: UnitVector?
    private let north: UnitVector?
    private let tanHalfSide: Double

    init(field: FieldOfView, center: UnitVector) {
        self.center = center
        inner = field.innerRadius
        outer = field.outerRadius
        cosInner = cos(inner)
        cosOuter = cos(outer)
        if case .square(let side) = field {
            tanHalfSide = tan(side.radians / 2)
            let horizontal = (center.x * center.x + center.y * center.y).squareRoot()
            if horizontal < 1e-12 {  // at a pole, "east" is RA 90° by convention
                east = UnitVector(x: 0, y: 1, z: 0)
                north = UnitVector(x: -1 * (center.z > 0 ? 1 : -1), y: 0, z: 0)
            } else {
                let e = UnitVector(x: -center.y / horizontal, y: center.x / horizontal, z: 0)
                east = e
                north = UnitVector(
                    x: center.y * e.z - center.z * e.y, y: center.z * e.x - center.x * e.z, z: center.x * e.y - center.y * e.x)
            }
        } else {
            east = nil
            north = nil
            tanHalfSide = 0
        }
    }

    /// Whether a direction is inside the field.
    func contains(_ vector: UnitVector) -> Bool {
        let cosine = vector.dot(center)
        if cosine >= cosInner { return true }
        guard cosine >= cosOuter, let east, let north, cosine > 0 else { return false }
        // Gnomonic projection onto the tangent plane at the centre.
        return abs(vector.dot(east) / cosine) <= tanHalfSide && abs(vector.dot(north) / cosine) <= tanHalfSide
    }
}
