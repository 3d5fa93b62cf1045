import Foundation
import Sky
import StarlingCore

/// The observed fields on the whole sky: a Mollweide (equal-area) projection in equatorial
/// coordinates, right ascension 0h at the centre and increasing to the left (the sky as seen
/// from inside), with the celestial graticule and the Galactic plane; or, with a
/// ``Localisation``, a close-up of one alert's sky map: its 50 % and 90 % contours and the
/// footprints of the fields planned and observed.
struct SkyMapChart {
    /// A field or alert position on the map.
    struct Mark {
        /// ICRS position, degrees.
        let rightAscensionDegrees: Double
        let declinationDegrees: Double
        let kind: Kind
    }

    enum Kind: CaseIterable {
        case survey, followUp, calibration, notDone, alert

        var label: String {
            switch self {
            case .survey: "survey field observed"
            case .followUp: "follow-up or observer's request observed"
            case .calibration: "calibration"
            case .notDone: "planned, not done"
            case .alert: "alert position"
            }
        }

        var style: (color: RGB, shape: MarkerShape, filled: Bool) {
            switch self {
            case .survey: (Palette.survey, .circle, true)
            case .followUp: (Palette.followUp, .diamond, true)
            case .calibration: (Palette.calibration, .square, true)
            case .notDone: (Palette.notDone, .circle, false)
            case .alert: (Palette.followUp, .cross, true)
            }
        }
    }

    let marks: [Mark]
    var width = 960
    /// A close-up of one alert's localisation instead of the whole sky.
    var localisation: Localisation?

    private static let planeColor = RGB(hex: 0xB08FC7)

    let scale = 2

    func render() -> Canvas {
        if let localisation { return renderLocalisation(localisation) }
        let mapWidth = Double(width) - 120
        let unit = mapWidth / (4 * 2.0.squareRoot())  // pixels per Mollweide unit: x spans ±2√2
        let mapHeight = 2 * 2.0.squareRoot() * unit
        let centerX = Double(width) / 2, centerY = 16 + mapHeight / 2
        let kinds = Kind.allCases.filter { kind in marks.contains { $0.kind == kind } }
        let legend = Legend(
            kinds.map { Legend.Entry(label: $0.label, swatch: .marker($0.style.shape, $0.style.color, filled: $0.style.filled)) }
                + [Legend.Entry(label: "Galactic plane", swatch: .dashedLine(Self.planeColor))],
            left: 40, right: Double(width) - 20, scale: scale)
        let height = Int(mapHeight + 44 + legend.height + 8)
        var canvas = Canvas(width: width, height: height)

        /// A map longitude (−180…180°, negative to the left) and latitude on the canvas.
        func project(_ longitudeDegrees: Double, _ latitudeDegrees: Double) -> (x: Double, y: Double) {
            let (x, y) = Self.mollweide(longitude: longitudeDegrees * .pi / 180, latitude: latitudeDegrees * .pi / 180)
            return (centerX + x * unit, centerY - y * unit)
        }
        /// A sky position on the canvas: right ascension increases to the left.
        func point(_ rightAscensionDegrees: Double, _ declinationDegrees: Double) -> (x: Double, y: Double) {
            project(-Self.signedDegrees(rightAscensionDegrees), declinationDegrees)
        }

        // The sky's disc, then the graticule: parallels every 30°, meridians every 2 h.
        for row in 0..<height {
            let dy = (Double(row) + 0.5 - centerY) / (mapHeight / 2)
            guard abs(dy) < 1 else { continue }
            let halfWidth = mapWidth / 2 * (1 - dy * dy).squareRoot()
            canvas.fill(x: centerX - halfWidth, y: Double(row), width: 2 * halfWidth, height: 1, color: RGB(hex: 0xF6F8FB))
        }
        for declination in stride(from: -60.0, through: 60.0, by: 30) {
            canvas.polyline(stride(from: -180.0, through: 180, by: 2).map { project($0, declination) }, color: .grid, width: 1)
        }
        for rightAscension in stride(from: 0.0, to: 360, by: 30) {
            canvas.polyline(stride(from: -90.0, through: 90, by: 2).map { point(rightAscension, $0) }, color: .grid, width: 1)
        }
        // The outline: the ±180° meridian on both sides.
        canvas.polyline(stride(from: -90.0, through: 90, by: 1).map { project(-180, $0) }, color: .axis, width: 1.2)
        canvas.polyline(stride(from: -90.0, through: 90, by: 1).map { project(180, $0) }, color: .axis, width: 1.2)

        // The Galactic plane (b = 0), dashed, broken where it crosses the map's edge.
        var plane: [(x: Double, y: Double)?] = []
        var previous: (x: Double, y: Double)?
        for longitude in stride(from: 0.0, through: 360, by: 1) {
            let icrs = Self.galacticToICRS(longitudeDegrees: longitude, latitudeDegrees: 0)
            let next = point(icrs.rightAscensionDegrees, icrs.declinationDegrees)
            if let last = previous, abs(next.x - last.x) > mapWidth / 2 { plane.append(nil) }
            plane.append(next)
            previous = next
        }
        canvas.polyline(plane, color: Self.planeColor, width: 1.5, dash: 7)

        // Labels: right ascension along the equator, declination at the left edge.
        for hours in stride(from: 0, to: 24, by: 4) where hours != 12 {
            let position = point(Double(hours) * 15, 0)
            canvas.text("\(hours)h", x: position.x, y: position.y + 4, color: .muted, scale: scale, anchor: .center)
        }
        for declination in stride(from: -60, through: 60, by: 30) {
            let edge = project(-180, Double(declination))
            let label = declination > 0 ? "+\(declination)°" : "\(declination)°"
            canvas.text(label.replacingOccurrences(of: "-", with: "−"), x: edge.x - 6, y: edge.y - 7, color: .muted, scale: scale, anchor: .right)
        }

        // Marks: what was not done underneath, alerts on top.
        for kind in [Kind.notDone, .calibration, .survey, .followUp, .alert] {
            let style = kind.style
            for mark in marks where mark.kind == kind {
                let position = point(mark.rightAscensionDegrees, mark.declinationDegrees)
                canvas.marker(style.shape, at: position, size: kind == .alert ? 12 : 8, color: style.color, filled: style.filled)
            }
        }

        legend.draw(on: &canvas, top: mapHeight + 40)
        return canvas
    }

    /// A longitude in degrees as −180…180.
    static func signedDegrees(_ degrees: Double) -> Double {
        var value = degrees.truncatingRemainder(dividingBy: 360)
        if value > 180 { value -= 360 }
        if value <= -180 { value += 360 }
        return value
    }

    /// The Mollweide projection of a point, in units where the map spans x ±2√2, y ±√2:
    /// `x = (2√2/π) λ cos θ`, `y = √2 sin θ`, with `2θ + sin 2θ = π sin φ` solved by
    /// Newton's method (Snyder 1987, "Map Projections — A Working Manual", pp. 249–252).
    static func mollweide(longitude: Double, latitude: Double) -> (x: Double, y: Double) {
        var theta = latitude
        if abs(abs(latitude) - .pi / 2) < 1e-9 {
            theta = latitude
        } else {
            for _ in 0..<50 {
                let f = 2 * theta + sin(2 * theta) - .pi * sin(latitude)
                let derivative = 2 + 2 * cos(2 * theta)
                guard abs(derivative) > 1e-12 else { break }
                let step = f / derivative
                theta -= step
                if abs(step) < 1e-10 { break }
            }
        }
        return (2 * 2.0.squareRoot() / .pi * longitude * cos(theta), 2.0.squareRoot() * sin(theta))
    }

    /// The rotation from ICRS to Galactic unit vectors, taken from ``GalacticCoordinates``
    /// (ERFA's `eraIcrs2g`) applied to the three ICRS axes: its columns are their images.
    private static let icrsToGalactic: [[Double]] = {
        let axes: [(Double, Double)] = [(0, 0), (90, 0), (0, 90)]
        var columns: [[Double]] = []
        for (ra, dec) in axes {
            let position: EquatorialCoordinates
            do {
                position = try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec)
            } catch {
                preconditionFailure("the ICRS axes are valid coordinates: \(error)")
            }
            let galactic = GalacticCoordinates.of(position)
            let l = galactic.longitude.radians, b = galactic.latitude.radians
            columns.append([cos(b) * cos(l), cos(b) * sin(l), sin(b)])
        }
        // Row-major matrix M with M · v_icrs = v_gal.
        return (0..<3).map { row in (0..<3).map { column in columns[column][row] } }
    }()

    /// ICRS right ascension and declination of a Galactic position, degrees (the transpose of
    /// the rotation above).
    static func galacticToICRS(longitudeDegrees: Double, latitudeDegrees: Double) -> (rightAscensionDegrees: Double, declinationDegrees: Double) {
        let l = longitudeDegrees * .pi / 180, b = latitudeDegrees * .pi / 180
        let galactic = [cos(b) * cos(l), cos(b) * sin(l), sin(b)]
        let m = icrsToGalactic
        let v = (0..<3).map { column in (0..<3).reduce(0.0) { $0 + m[$1][column] * galactic[$1] } }
        var ra = atan2(v[1], v[0]) * 180 / .pi
        if ra < 0 { ra += 360 }
        return (ra, asin(max(-1, min(1, v[2]))) * 180 / .pi)
    }
}
