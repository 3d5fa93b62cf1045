import Foundation
import StarlingCore

/// A direction as a unit vector: x toward RA 0° Dec 0°, y toward RA 90°, z toward the north
/// celestial pole. Sky-map loops work on these to avoid trigonometry per pixel.
struct UnitVector: Sendable, Hashable {
    var x: Double
    var y: Double
    var z: Double

    init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    init(_ direction: EquatorialCoordinates) {
        let ra = direction.rightAscension.radians
        let dec = direction.declination.radians
        x = cos(dec) * cos(ra)
        y = cos(dec) * sin(ra)
        z = sin(dec)
    }

    func dot(_ other: UnitVector) -> Double { x * other.x + y * other.y + z * other.z }

    /// The angle to another direction in radians, accurate at all separations (atan2 of the
    /// cross product's length and the dot product).
    func angle(to other: UnitVector) -> Double {
        let cx = y * other.z - z * other.y
        let cy = z * other.x - x * other.z
        let cz = x * other.y - y * other.x
        return atan2((cx * cx + cy * cy + cz * cz).squareRoot(), dot(other))
    }

    var coordinates: EquatorialCoordinates {
        let declination = atan2(z, (x * x + y * y).squareRoot())
        var rightAscension = atan2(y, x)
        if rightAscension < 0 { rightAscension += 2 * Double.pi }
        guard let coordinates = try? EquatorialCoordinates(rightAscension: .radians(rightAscension), declination: .radians(declination))
        else { preconditionFailure("a unit vector always has valid coordinates") }
        return coordinates
    }
}
