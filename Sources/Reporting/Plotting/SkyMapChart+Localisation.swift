import Foundation

extension SkyMapChart {
    /// A sky map's localisation and the fields of its follow-up, for a close-up of one alert.
    struct Localisation {
        /// The view's centre (the map's most probable direction), degrees.
        let centerRightAscensionDegrees: Double
        let centerDeclinationDegrees: Double
        /// Half the view's side, degrees from the centre.
        let halfWidthDegrees: Double
        /// Credible-region boundaries: level and segments `[ra₁, dec₁, ra₂, dec₂]`, degrees.
        let contours: [(level: Double, segments: [[Double]])]
        /// Footprints: corners `[ra, dec]` in degrees, and whether a frame was taken there.
        let footprints: [(corners: [[Double]], isDone: Bool)]
    }

    private static let contourColors: [Double: RGB] = [0.5: RGB(hex: 0x7A1F5C), 0.9: RGB(hex: 0xCC79A7)]
    private static let plannedColor = RGB(hex: 0x777777)
    private static let doneColor = Palette.followUp

    /// The close-up: a gnomonic (tangent-plane) projection around the centre, north up and
    /// east to the left as on the sky, with a graticule, the credible contours, the planned
    /// fields as outlines and the fields observed filled.
    func renderLocalisation(_ view: Localisation) -> Canvas {
        let side = Double(width) - 150
        let left = 90.0, top = 16.0
        let extent = tan(view.halfWidthDegrees * .pi / 180)
        let pixelsPerUnit = side / (2 * extent)
        let ra0 = view.centerRightAscensionDegrees * .pi / 180, dec0 = view.centerDeclinationDegrees * .pi / 180

        /// A sky position on the canvas; `nil` on the far side of the sky.
        func point(_ raDegrees: Double, _ decDegrees: Double) -> (x: Double, y: Double)? {
            let ra = raDegrees * .pi / 180, dec = decDegrees * .pi / 180
            let cosC = sin(dec0) * sin(dec) + cos(dec0) * cos(dec) * cos(ra - ra0)
            guard cosC > 0.05 else { return nil }
            let xi = cos(dec) * sin(ra - ra0) / cosC
            let eta = (cos(dec0) * sin(dec) - sin(dec0) * cos(dec) * cos(ra - ra0)) / cosC
            return (left + side / 2 - xi * pixelsPerUnit, top + side / 2 - eta * pixelsPerUnit)
        }
        func inside(_ p: (x: Double, y: Double)) -> Bool { p.x >= left && p.x <= left + side && p.y >= top && p.y <= top + side }
        /// Points on the canvas, broken where they leave the plot.
        func clipped(_ positions: [(Double, Double)]) -> [(x: Double, y: Double)?] {
            positions.map { point($0.0, $0.1) }.map { p in p.flatMap { inside($0) ? $0 : nil } }
        }

        let legend = Legend(
            [
                Legend.Entry(label: "50 % region", swatch: .box(Self.contourColors[0.5] ?? .ink)),
                Legend.Entry(label: "90 % region", swatch: .box(Self.contourColors[0.9] ?? .ink)),
                Legend.Entry(label: "field planned", swatch: .marker(.square, Self.plannedColor, filled: false)),
                Legend.Entry(label: "field observed", swatch: .marker(.square, Self.doneColor, filled: true)),
                Legend.Entry(label: "most probable direction", swatch: .marker(.cross, .ink, filled: true)),
            ], left: 40, right: Double(width) - 20, scale: scale)
        let height = Int(top + side + 48 + legend.height + 8)
        var canvas = Canvas(width: width, height: height)
        canvas.fill(x: left, y: top, width: side, height: side, color: RGB(hex: 0xF6F8FB))

        // Graticule: a "nice" step giving three to eight lines across.
        let span = 2 * view.halfWidthDegrees
        let step = [0.25, 0.5, 1, 2, 5, 10, 15, 30].first { span / $0 <= 8 } ?? 30
        let decLow = max(-90, view.centerDeclinationDegrees - view.halfWidthDegrees * 1.5)
        let decHigh = min(90, view.centerDeclinationDegrees + view.halfWidthDegrees * 1.5)
        let raReach = min(180, view.halfWidthDegrees * 1.5 / max(0.05, cos(min(89, max(abs(decLow), abs(decHigh))) * .pi / 180)))
        let raStep = abs(view.centerDeclinationDegrees) > 60 ? step * 2 : step
        var declination = (decLow / step).rounded(.up) * step
        while declination <= decHigh {
            let line = stride(from: -raReach, through: raReach, by: raReach / 60).map { (view.centerRightAscensionDegrees + $0, declination) }
            canvas.polyline(clipped(line), color: .grid, width: 1)
            if let edge = clipped(line).compactMap({ $0 }).max(by: { $0.x < $1.x }) {
                let label = String(format: "%+.\(step < 1 ? 2 : 0)f°", declination).replacingOccurrences(of: "-", with: "−")
                canvas.text(label, x: edge.x + 6, y: edge.y - 7, color: .muted, scale: scale)
            }
            declination += step
        }
        var rightAscension = ((view.centerRightAscensionDegrees - raReach) / raStep).rounded(.up) * raStep
        while rightAscension <= view.centerRightAscensionDegrees + raReach {
            let line = stride(from: decLow, through: decHigh, by: (decHigh - decLow) / 240).map { (rightAscension, $0) }
            canvas.polyline(clipped(line), color: .grid, width: 1)
            if let bottom = clipped(line).compactMap({ $0 }).max(by: { $0.y < $1.y }), bottom.y > top + side - 12 {
                var shown = rightAscension.truncatingRemainder(dividingBy: 360)
                if shown < 0 { shown += 360 }
                canvas.text(String(format: "%.\(raStep < 1 ? 2 : 0)f°", shown), x: bottom.x, y: top + side + 6, color: .muted, scale: scale, anchor: .center)
            }
            rightAscension += raStep
        }

        // Footprints: planned outlines under the observed ones.
        for footprint in view.footprints where !footprint.isDone {
            let corners = footprint.corners.filter { $0.count == 2 }.map { ($0[0], $0[1]) }
            canvas.polyline(clipped(Self.edges(corners)), color: Self.plannedColor, width: 1.2)
        }
        let fill = Self.doneColor.mixed(with: .white, amount: 0.65)
        for footprint in view.footprints where footprint.isDone {
            let corners = footprint.corners.filter { $0.count == 2 }.map { ($0[0], $0[1]) }
            let projected = corners.compactMap { point($0.0, $0.1) }
            if projected.count == 4, projected.allSatisfy(inside) {
                canvas.fillTriangle(projected[0], projected[1], projected[2], color: fill)
                canvas.fillTriangle(projected[0], projected[2], projected[3], color: fill)
            }
        }
        for footprint in view.footprints where footprint.isDone {
            let corners = footprint.corners.filter { $0.count == 2 }.map { ($0[0], $0[1]) }
            canvas.polyline(clipped(Self.edges(corners)), color: Self.doneColor, width: 1.5)
        }

        // Contours over the fields, then the most probable direction.
        for contour in view.contours {
            let color = Self.contourColors[contour.level] ?? .ink
            for segment in contour.segments where segment.count == 4 {
                guard let a = point(segment[0], segment[1]), let b = point(segment[2], segment[3]), inside(a), inside(b) else { continue }
                canvas.line(from: a, to: b, color: color, width: 2)
            }
        }
        if let centre = point(view.centerRightAscensionDegrees, view.centerDeclinationDegrees) {
            canvas.marker(.cross, at: centre, size: 12, color: .ink, filled: true)
        }
        canvas.strokeRectangle(x: left, y: top, width: side, height: side, color: .axis)
        canvas.text("RA", x: left + side / 2, y: top + side + 22, color: .muted, scale: scale, anchor: .center)
        canvas.verticalText("Dec", x: 12, y: top + side / 2, color: .muted, scale: scale)
        legend.draw(on: &canvas, top: top + side + 48)
        return canvas
    }

    /// A closed outline through corners, each edge sampled along its great circle (a
    /// gnomonic footprint's edges are great circles, straight in this projection) so that it
    /// can be clipped.
    static func edges(_ corners: [(Double, Double)]) -> [(Double, Double)] {
        guard corners.count >= 2 else { return corners }
        func vector(_ p: (Double, Double)) -> (Double, Double, Double) {
            let ra = p.0 * .pi / 180, dec = p.1 * .pi / 180
            return (cos(dec) * cos(ra), cos(dec) * sin(ra), sin(dec))
        }
        var points: [(Double, Double)] = []
        for index in corners.indices {
            let a = vector(corners[index]), b = vector(corners[(index + 1) % corners.count])
            for step in 0..<8 {
                let t = Double(step) / 8
                let x = a.0 * (1 - t) + b.0 * t, y = a.1 * (1 - t) + b.1 * t, z = a.2 * (1 - t) + b.2 * t
                let norm = (x * x + y * y + z * z).squareRoot()
                points.append((atan2(y, x) * 180 / .pi, asin(max(-1, min(1, z / norm))) * 180 / .pi))
            }
        }
        points.append(corners[0])
        return points
    }
}
