public import StarlingCore
import Foundation

/// A telescope's field of view on the sky: a circle, or a rectangle aligned with north (as a
/// camera on an equatorial mount, or behind a derotator, is mounted, and as the frames' TAN
/// world coordinates have it: north up, east left).
///
/// A rectangle's sides are the camera's field width and height, pixel scale × pixels: in the
/// gnomonic (TAN) projection the frames are written in, its edges lie at ξ = ±width/2 and
/// η = ±height/2 (radians) in the tangent plane, so they are great circles, and each subtends
/// atan(side/2) from the centre.
public enum FieldOfView: Sendable, Hashable, Codable {
    /// A circular field of this radius.
    case circle(radius: Angle)
    /// A rectangular field: `width` along east–west (right ascension), `height` along
    /// north–south (declination) at its centre.
    case rectangle(width: Angle, height: Angle)

    /// A square field of this side, its edges along north–south and east–west at its centre.
    public static func square(side: Angle) -> FieldOfView { .rectangle(width: side, height: side) }

    /// The half-extents in the tangent plane (ξ, η): half the sides for a rectangle (a TAN
    /// frame's edge pixel lies at ξ = pixels/2 × scale), tan(radius) for a circle.
    var tangentHalfExtents: (xi: Double, eta: Double) {
        switch self {
        case .circle(let radius): (tan(radius.radians), tan(radius.radians))
        case .rectangle(let width, let height): (width.radians / 2, height.radians / 2)
        }
    }

    /// The radius of the largest circle inside the field, in radians.
    var innerRadius: Double {
        switch self {
        case .circle(let radius): radius.radians
        case .rectangle(let width, let height): atan(min(width.radians, height.radians) / 2)
        }
    }

    /// The radius of the smallest circle around the field, in radians: a gnomonic
    /// rectangle's corner lies at atan(√(ξ² + η²)).
    var outerRadius: Double {
        switch self {
        case .circle(let radius):
            return radius.radians
        case .rectangle:
            let (xi, eta) = tangentHalfExtents
            return atan((xi * xi + eta * eta).squareRoot())
        }
    }

    /// The field's solid angle in square degrees: a cap for a circle; for a gnomonic
    /// rectangle with tangent-plane half-extents a, b, 4 atan(a b / √(1 + a² + b²)).
    public var areaSquareDegrees: Double {
        switch self {
        case .circle(let radius):
            return 2 * Double.pi * (1 - cos(radius.radians)) * squareDegreesPerSteradian
        case .rectangle:
            let (a, b) = tangentHalfExtents
            return 4 * atan(a * b / (1 + a * a + b * b).squareRoot()) * squareDegreesPerSteradian
        }
    }

    /// Whether this field, centred on the same point, holds all of `other`.
    public func holds(_ other: FieldOfView) -> Bool {
        switch (self, other) {
        case (.circle(let r), _): return r.radians >= other.outerRadius - 1e-12
        case (.rectangle, .circle(let r)): return innerRadius >= r.radians - 1e-12
        case (.rectangle(let w, let h), .rectangle(let ow, let oh)): return w.radians >= ow.radians - 1e-12 && h.radians >= oh.radians - 1e-12
        }
    }

    /// The field pointed at one centre, ready for containment tests.
    func placed(at center: UnitVector) -> PlacedField { PlacedField(field: self, center: center) }
}

extension Telescope {
    /// The camera's field on the sky: its width and height (pixel scale × pixels), north up as
    /// the frames' world coordinates are written.
    public var fieldOfView: FieldOfView { .rectangle(width: fieldWidth, height: fieldHeight) }
}

/// A field of view at a pointing: answers "is this direction inside?" quickly.
struct PlacedField {
    let center: UnitVector
    let inner: Double
    let outer: Double
    let cosInner: Double
    let cosOuter: Double
    /// For rectangles: east and north at the centre, and the tangent-plane half-extents.
    let east: UnitVector
    let north: UnitVector
    let tanHalfWidth: Double
    let tanHalfHeight: Double
    let isRectangle: Bool
    /// Per HEALPix order: cos(inner − the order's pixel reach) (a pixel whose centre is
    /// closer is wholly inside; 2, never, when the pixels are too large for that) and cos(outer +
    /// reach) (a pixel whose centre is farther is wholly outside).
    let cosWhollyInside: [Double]
    let cosWhollyOutside: [Double]

    init(field: FieldOfView, center: UnitVector) {
        self.center = center
        inner = field.innerRadius
        outer = field.outerRadius
        cosInner = cos(inner)
        cosOuter = cos(outer)
        (tanHalfWidth, tanHalfHeight) = field.tangentHalfExtents
        if case .rectangle = field { isRectangle = true } else { isRectangle = false }
        let (inner, outer) = (self.inner, self.outer)
        cosWhollyInside = HEALPixGrid.maximumPixelRadii.map { reach in inner > reach ? cos(inner - reach) : 2 }
        cosWhollyOutside = HEALPixGrid.maximumPixelRadii.map { reach in cos(min(Double.pi, outer + reach)) }
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
    }

    /// Whether a direction is inside the field.
    func contains(_ vector: UnitVector) -> Bool {
        let cosine = vector.dot(center)
        if cosine >= cosInner { return true }
        guard isRectangle, cosine >= cosOuter, cosine > 0 else { return false }
        // Gnomonic projection onto the tangent plane at the centre.
        return abs(vector.dot(east) / cosine) <= tanHalfWidth && abs(vector.dot(north) / cosine) <= tanHalfHeight
    }

    /// How far a direction is inside the field's edge, radians (negative outside): for a
    /// rectangle, in its tangent plane (what a small field's edge distance is, to a part in
    /// 10⁴ for a degree-sized one); for a circle, along the sky.
    func signedDistance(to vector: UnitVector) -> Double {
        let cosine = vector.dot(center)
        guard isRectangle else { return inner - vector.angle(to: center) }
        guard cosine > 0 else { return -Double.pi }
        let xi = vector.dot(east) / cosine, eta = vector.dot(north) / cosine
        return min(tanHalfWidth - abs(xi), tanHalfHeight - abs(eta))
    }

    /// The direction at tangent-plane coordinates (ξ toward east, η toward north).
    func direction(xi: Double, eta: Double) -> UnitVector {
        let x = center.x + xi * east.x + eta * north.x
        let y = center.y + xi * east.y + eta * north.y
        let z = center.z + xi * east.z + eta * north.z
        let norm = (x * x + y * y + z * z).squareRoot()
        return UnitVector(x: x / norm, y: y / norm, z: z / norm)
    }
}
