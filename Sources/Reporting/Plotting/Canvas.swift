import Foundation
import Imaging

/// A colour, 8 bits per channel.
struct RGB: Sendable, Hashable {
    var red: UInt8
    var green: UInt8
    var blue: UInt8

    init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from `0xRRGGBB`.
    init(hex: UInt32) {
        self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
    }

    static let white = RGB(hex: 0xFFFFFF)
    static let black = RGB(hex: 0x000000)
    static let ink = RGB(hex: 0x222222)
    static let grid = RGB(hex: 0xE4E4E4)
    static let axis = RGB(hex: 0x888888)
    static let muted = RGB(hex: 0x666666)

    /// This colour mixed with another: `amount` 0 is this colour, 1 the other.
    func mixed(with other: RGB, amount: Double) -> RGB {
        let t = min(max(amount, 0), 1)
        func channel(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) * (1 - t) + Double(b) * t).rounded()) }
        return RGB(channel(red, other.red), channel(green, other.green), channel(blue, other.blue))
    }
}

/// An RGB picture that plots are drawn into, then encoded as PNG.
///
/// Coordinates are pixels with (0, 0) at the top-left corner of the top-left pixel; a pixel's
/// centre is at (x + 0.5, y + 0.5). Lines and discs are anti-aliased by coverage: each pixel
/// is blended by how much of it a shape covers, estimated from the distance of its centre
/// to the shape's edge (a one-pixel ramp).
struct Canvas {
    let width: Int
    let height: Int
    /// Red, green, blue of each pixel, row by row from the top.
    private(set) var pixels: [UInt8]

    init(width: Int, height: Int, background: RGB = .white) {
        precondition(width > 0 && height > 0, "a canvas needs positive dimensions")
        self.width = width
        self.height = height
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for index in 0..<(width * height) {
            pixels[index * 3] = background.red
            pixels[index * 3 + 1] = background.green
            pixels[index * 3 + 2] = background.blue
        }
        self.pixels = pixels
    }

    /// Blends a colour into one pixel; `coverage` 0…1, outside the canvas ignored.
    mutating func blend(x: Int, y: Int, color: RGB, coverage: Double) {
        guard x >= 0, y >= 0, x < width, y < height, coverage > 0 else { return }
        let alpha = min(coverage, 1)
        let index = (y * width + x) * 3
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 { UInt8((Double(old) * (1 - alpha) + Double(new) * alpha).rounded()) }
        pixels[index] = mix(pixels[index], color.red)
        pixels[index + 1] = mix(pixels[index + 1], color.green)
        pixels[index + 2] = mix(pixels[index + 2], color.blue)
    }

    /// Fills an axis-aligned rectangle (pixel edges rounded to whole pixels).
    mutating func fill(x: Double, y: Double, width rectWidth: Double, height rectHeight: Double, color: RGB, opacity: Double = 1) {
        let x0 = max(0, Int(x.rounded())), x1 = min(width, Int((x + rectWidth).rounded()))
        let y0 = max(0, Int(y.rounded())), y1 = min(height, Int((y + rectHeight).rounded()))
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            for column in x0..<x1 { blend(x: column, y: row, color: color, coverage: opacity) }
        }
    }

    /// Strokes the outline of a rectangle, one pixel wide, inside its edges.
    mutating func strokeRectangle(x: Double, y: Double, width rectWidth: Double, height rectHeight: Double, color: RGB) {
        fill(x: x, y: y, width: rectWidth, height: 1, color: color)
        fill(x: x, y: y + rectHeight - 1, width: rectWidth, height: 1, color: color)
        fill(x: x, y: y, width: 1, height: rectHeight, color: color)
        fill(x: x + rectWidth - 1, y: y, width: 1, height: rectHeight, color: color)
    }

    /// Draws a straight line of the given width with round caps.
    mutating func line(from start: (x: Double, y: Double), to end: (x: Double, y: Double), color: RGB, width lineWidth: Double = 1) {
        let half = lineWidth / 2
        let dx = end.x - start.x, dy = end.y - start.y
        let lengthSquared = dx * dx + dy * dy
        let x0 = Int((min(start.x, end.x) - half - 1).rounded(.down)), x1 = Int((max(start.x, end.x) + half + 1).rounded(.up))
        let y0 = Int((min(start.y, end.y) - half - 1).rounded(.down)), y1 = Int((max(start.y, end.y) + half + 1).rounded(.up))
        guard y0 < height, x0 < width, y1 >= 0, x1 >= 0 else { return }
        let rows = max(0, y0)...min(height - 1, y1), columns = max(0, x0)...min(width - 1, x1)
        for row in rows {
            for column in columns {
                let px = Double(column) + 0.5, py = Double(row) + 0.5
                // Distance from the pixel centre to the segment.
                var t = lengthSquared > 0 ? ((px - start.x) * dx + (py - start.y) * dy) / lengthSquared : 0
                t = min(max(t, 0), 1)
                let ex = px - (start.x + t * dx), ey = py - (start.y + t * dy)
                let distance = (ex * ex + ey * ey).squareRoot()
                blend(x: column, y: row, color: color, coverage: half + 0.5 - distance)
            }
        }
    }

    /// Draws a polyline; a `nil` point breaks it (for curves that leave the drawing area).
    mutating func polyline(_ points: [(x: Double, y: Double)?], color: RGB, width lineWidth: Double = 1, dash: Double? = nil) {
        var previous: (x: Double, y: Double)?
        var travelled = 0.0
        for point in points {
            guard let point else {
                previous = nil
                continue
            }
            if let from = previous {
                let length = ((point.x - from.x) * (point.x - from.x) + (point.y - from.y) * (point.y - from.y)).squareRoot()
                let visible = dash.map { Int((travelled / $0).rounded(.down)) % 2 == 0 } ?? true
                if visible { line(from: from, to: point, color: color, width: lineWidth) }
                travelled += length
            }
            previous = point
        }
    }

    /// Draws a disc (filled) or a ring (outline of the given width).
    mutating func circle(center: (x: Double, y: Double), radius: Double, color: RGB, filled: Bool = true, strokeWidth: Double = 1.5) {
        let reach = radius + strokeWidth + 1
        let x0 = Int((center.x - reach).rounded(.down)), x1 = Int((center.x + reach).rounded(.up))
        let y0 = Int((center.y - reach).rounded(.down)), y1 = Int((center.y + reach).rounded(.up))
        guard x1 >= 0, y1 >= 0, x0 < width, y0 < height else { return }
        for row in max(0, y0)...min(height - 1, y1) {
            for column in max(0, x0)...min(width - 1, x1) {
                let dx = Double(column) + 0.5 - center.x, dy = Double(row) + 0.5 - center.y
                let distance = (dx * dx + dy * dy).squareRoot()
                let coverage = filled ? radius + 0.5 - distance : strokeWidth / 2 + 0.5 - abs(distance - radius)
                blend(x: column, y: row, color: color, coverage: coverage)
            }
        }
    }

    /// Draws a marker of a shape centred on a point.
    mutating func marker(_ shape: MarkerShape, at point: (x: Double, y: Double), size: Double, color: RGB, filled: Bool) {
        let r = size / 2
        switch shape {
        case .circle:
            circle(center: point, radius: r, color: color, filled: filled)
        case .square:
            if filled {
                fill(x: point.x - r, y: point.y - r, width: size, height: size, color: color)
            } else {
                let corners = [(point.x - r, point.y - r), (point.x + r, point.y - r), (point.x + r, point.y + r), (point.x - r, point.y + r)]
                polyline((corners + [corners[0]]).map { ($0.0, $0.1) }, color: color, width: 1.5)
            }
        case .triangle:
            let top = (x: point.x, y: point.y - r * 1.15), left = (x: point.x - r, y: point.y + r * 0.85), right = (x: point.x + r, y: point.y + r * 0.85)
            if filled { fillTriangle(top, left, right, color: color) }
            polyline([top, left, right, top], color: color, width: 1.5)
        case .diamond:
            let top = (x: point.x, y: point.y - r * 1.2), right = (x: point.x + r, y: point.y)
            let bottom = (x: point.x, y: point.y + r * 1.2), left = (x: point.x - r, y: point.y)
            if filled {
                fillTriangle(top, right, bottom, color: color)
                fillTriangle(top, bottom, left, color: color)
            }
            polyline([top, right, bottom, left, top], color: color, width: 1.5)
        case .cross:
            line(from: (point.x - r, point.y - r), to: (point.x + r, point.y + r), color: color, width: 2)
            line(from: (point.x - r, point.y + r), to: (point.x + r, point.y - r), color: color, width: 2)
        }
    }

    /// Fills a triangle (pixel centres inside it; edges drawn separately smooth it).
    mutating func fillTriangle(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double), _ c: (x: Double, y: Double), color: RGB) {
        let x0 = max(0, Int(min(a.x, b.x, c.x).rounded(.down))), x1 = min(width - 1, Int(max(a.x, b.x, c.x).rounded(.up)))
        let y0 = max(0, Int(min(a.y, b.y, c.y).rounded(.down))), y1 = min(height - 1, Int(max(a.y, b.y, c.y).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        func edge(_ p: (x: Double, y: Double), _ q: (x: Double, y: Double), _ x: Double, _ y: Double) -> Double {
            (q.x - p.x) * (y - p.y) - (q.y - p.y) * (x - p.x)
        }
        for row in y0...y1 {
            for column in x0...x1 {
                let px = Double(column) + 0.5, py = Double(row) + 0.5
                let e1 = edge(a, b, px, py), e2 = edge(b, c, px, py), e3 = edge(c, a, px, py)
                if (e1 >= 0 && e2 >= 0 && e3 >= 0) || (e1 <= 0 && e2 <= 0 && e3 <= 0) {
                    blend(x: column, y: row, color: color, coverage: 1)
                }
            }
        }
    }

    /// Where text is anchored relative to the point given.
    enum TextAnchor {
        case left, center, right
    }

    /// Draws text in the bitmap font, its top at `y`.
    ///
    /// - Parameter scale: pixels per font dot (1 gives 5×7-dot glyphs in 6×9-pixel cells).
    mutating func text(_ string: String, x: Double, y: Double, color: RGB = .ink, scale: Int = 2, anchor: TextAnchor = .left) {
        let advance = BitmapFont.advance * scale
        let textWidth = Double(BitmapFont.width(of: string, scale: scale))
        var cursor: Int
        switch anchor {
        case .left: cursor = Int(x.rounded())
        case .center: cursor = Int((x - textWidth / 2).rounded())
        case .right: cursor = Int((x - textWidth).rounded())
        }
        let top = Int(y.rounded())
        for character in string {
            let rows = BitmapFont.glyph(for: character)
            for (rowIndex, row) in rows.enumerated() {
                for column in 0..<BitmapFont.glyphWidth where row & (1 << (BitmapFont.glyphWidth - 1 - column)) != 0 {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            blend(x: cursor + column * scale + dx, y: top + rowIndex * scale + dy, color: color, coverage: 1)
                        }
                    }
                }
            }
            cursor += advance
        }
    }

    /// Draws text turned 90° anticlockwise (reading upwards), centred on `(x, y)`.
    mutating func verticalText(_ string: String, x: Double, y: Double, color: RGB = .ink, scale: Int = 2) {
        let textLength = BitmapFont.width(of: string, scale: scale)
        var cursor = Int((y + Double(textLength) / 2).rounded())
        let left = Int((x - Double(BitmapFont.glyphHeight * scale) / 2).rounded())
        for character in string {
            let rows = BitmapFont.glyph(for: character)
            for (rowIndex, row) in rows.enumerated() {
                for column in 0..<BitmapFont.glyphWidth where row & (1 << (BitmapFont.glyphWidth - 1 - column)) != 0 {
                    // Glyph (column, row) → picture (left + row, cursor − column): turned anticlockwise.
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            blend(x: left + rowIndex * scale + dx, y: cursor - column * scale - dy - 1, color: color, coverage: 1)
                        }
                    }
                }
            }
            cursor -= BitmapFont.advance * scale
        }
    }

    /// The picture as PNG bytes.
    func pngData() throws(ReportingError) -> Data {
        do {
            return try PNGEncoder.encode(rgb: pixels, width: width, height: height)
        } catch {
            throw ReportingError(.encodingFailed, "cannot encode a plot as PNG: \(error.description)")
        }
    }
}

/// Marker shapes, cycled with colours so that many series stay distinguishable.
enum MarkerShape: CaseIterable {
    case circle, square, triangle, diamond, cross
}

/// A colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design"), with black
/// replaced by a dark grey and two extra hues for longer lists.
enum Palette {
    static let colors: [RGB] = [
        RGB(hex: 0x0072B2), RGB(hex: 0xE69F00), RGB(hex: 0x009E73), RGB(hex: 0xD55E00), RGB(hex: 0xCC79A7),
        RGB(hex: 0x56B4E9), RGB(hex: 0x7F6A00), RGB(hex: 0x444444), RGB(hex: 0x8C564B), RGB(hex: 0x6A3D9A),
    ]

    /// The colour and marker of the `index`th series: colours cycle first, then shapes.
    static func style(_ index: Int) -> (color: RGB, shape: MarkerShape) {
        let color = colors[index % colors.count]
        let shape = MarkerShape.allCases[(index / colors.count) % MarkerShape.allCases.count]
        return (color, shape)
    }

    static let completed = RGB(hex: 0x0072B2)
    static let open = RGB(hex: 0xBFE3C9)
    static let dark = RGB(hex: 0xF1F3F8)
    static let refused = RGB(hex: 0xE69F00)
    static let failed = RGB(hex: 0xD55E00)
    static let followUp = RGB(hex: 0xD55E00)
    static let survey = RGB(hex: 0x0072B2)
    static let calibration = RGB(hex: 0x009E73)
    static let notDone = RGB(hex: 0x999999)
}
