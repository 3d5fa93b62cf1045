import Foundation
public import StarlingCore

/// The boundary of a credible region, as line segments on the sky (for plots).
public struct CredibleContour: Sendable, Hashable {
    /// The credible level (0.9 for the 90 % region).
    public let level: Double
    /// Line segments along the boundary, each a pair of ICRS positions.
    public let segments: [(EquatorialCoordinates, EquatorialCoordinates)]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.level == rhs.level && lhs.segments.count == rhs.segments.count
            && zip(lhs.segments, rhs.segments).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(level)
        hasher.combine(segments.count)
    }
}

extension HEALPixSkyMap {
    /// How far from the most probable direction the `level` credible region reaches, radians
    /// (the farthest region pixel's centre plus its radius).
    public func credibleRegionRadius(probability level: Double) -> Angle {
        let peak = UnitVector(mostProbableDirection)
        var farthest = 0.0
        for pixel in credibleRegion(probability: level).pixels {
            let distance = pixel.grid.centerVector(ofPixel: pixel.index).angle(to: peak) + pixel.grid.maximumPixelRadius
            farthest = max(farthest, distance)
        }
        return Angle(radians: farthest)
    }

    /// The boundaries of credible regions inside a square window, by marching squares over
    /// the credible level (``credibleLevel(at:)``) sampled on a grid in the window's tangent
    /// plane.
    ///
    /// - Parameters:
    ///   - levels: the credible levels, e.g. `[0.5, 0.9]`.
    ///   - center: the window's centre.
    ///   - halfWidth: half the window's side (an angle from the centre along each axis, < 90°).
    ///   - samples: grid points along each side (at least 8).
    /// - Returns: one contour per level, in the order given.
    public func credibleContours(levels: [Double], center: EquatorialCoordinates, halfWidth: Angle, samples: Int = 121) -> [CredibleContour] {
        let count = max(8, samples)
        let placed = FieldOfView.square(side: halfWidth * 2).placed(at: UnitVector(center))
        let extent = tan(min(halfWidth.radians, 1.5))
        let step = 2 * extent / Double(count - 1)
        func tangent(_ i: Double, _ j: Double) -> (xi: Double, eta: Double) { (-extent + i * step, -extent + j * step) }
        var grid = [Double](repeating: 1, count: count * count)
        for j in 0..<count {
            for i in 0..<count {
                let (xi, eta) = tangent(Double(i), Double(j))
                grid[j * count + i] = credibleLevel(at: placed.direction(xi: xi, eta: eta).coordinates)
            }
        }
        return levels.map { level in
            var segments: [(EquatorialCoordinates, EquatorialCoordinates)] = []
            func point(_ i: Double, _ j: Double) -> EquatorialCoordinates {
                let (xi, eta) = tangent(i, j)
                return placed.direction(xi: xi, eta: eta).coordinates
            }
            for j in 0..<(count - 1) {
                for i in 0..<(count - 1) {
                    // Corners counter-clockwise from the lower left; "inside" is level ≤ the contour's.
                    let values = [grid[j * count + i], grid[j * count + i + 1], grid[(j + 1) * count + i + 1], grid[(j + 1) * count + i]]
                    let corners: [(Double, Double)] = [(0, 0), (1, 0), (1, 1), (0, 1)]
                    var crossings: [(Double, Double)] = []
                    for edge in 0..<4 {
                        let a = values[edge], b = values[(edge + 1) % 4]
                        guard (a <= level) != (b <= level) else { continue }
                        let t = (level - a) / (b - a)
                        let start = corners[edge], end = corners[(edge + 1) % 4]
                        crossings.append((start.0 + t * (end.0 - start.0), start.1 + t * (end.1 - start.1)))
                    }
                    let base = (Double(i), Double(j))
                    if crossings.count == 2 {
                        segments.append((point(base.0 + crossings[0].0, base.1 + crossings[0].1), point(base.0 + crossings[1].0, base.1 + crossings[1].1)))
                    } else if crossings.count == 4 {
                        // A saddle: pair the crossings as the cell's mean value says.
                        let inside = values.reduce(0, +) / 4 <= level
                        let pairs = inside == (values[0] <= level) ? [(0, 1), (2, 3)] : [(0, 3), (1, 2)]
                        for (p, q) in pairs {
                            segments.append((point(base.0 + crossings[p].0, base.1 + crossings[p].1), point(base.0 + crossings[q].0, base.1 + crossings[q].1)))
                        }
                    }
                }
            }
            return CredibleContour(level: level, segments: segments)
        }
    }
}
