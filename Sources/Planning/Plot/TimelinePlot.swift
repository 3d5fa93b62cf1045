import Foundation
import Sky
public import StarlingCore

/// A site's planned night as a picture: the altitude track of every planned target from an
/// hour before to an hour after its block (thin grey), the planned blocks on it (thick, one
/// shade per telescope), the
/// 30° and 60° altitude lines, hours (UTC) as ticks, and astronomical twilight shaded.
///
/// The plot is an 8-bit greyscale raster (``pixels``, top row first), so any PNG encoder
/// that takes greyscale rows can write it.
public struct TimelinePlot: Sendable {
    public let width: Int
    public let height: Int
    /// `width × height` grey levels, 0 black … 255 white, top row first.
    public private(set) var pixels: [UInt8]

    private let left = 40, right = 12, top = 12, bottom = 28

    /// Draws the plans of one site's telescopes.
    ///
    /// - Throws: ``PlanningError`` `.sky` when positions cannot be computed.
    public init(site: Site, plans: [NightPlan], width: Int = 1200, height: Int = 480) throws(PlanningError) {
        precondition(width >= 200 && height >= 120, "the plot needs at least 200 × 120 pixels")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height)
        guard let night = plans.first?.night else { return }
        let siteNight = try SiteNight(site: site, localDate: night, stepSeconds: 300)
        guard let start = siteNight.instants.first, let end = siteNight.instants.last, end > start else { return }
        let span = end.timeIntervalSince(start)
        let plotWidth = Double(width - left - right), plotHeight = Double(height - top - bottom)
        func x(_ date: Date) -> Int { left + Int((date.timeIntervalSince(start) / span * plotWidth).rounded()) }
        func y(_ altitude: Double) -> Int { top + Int(((90 - min(90, max(0, altitude))) / 90 * plotHeight).rounded()) }

        // Twilight (outside astronomical darkness) shaded.
        if let dark = siteNight.astronomical {
            fill(x0: left, x1: max(left, x(dark.start)), y0: top, y1: height - bottom, level: 230)
            fill(x0: min(width - right, x(dark.end)), x1: width - right, y0: top, y1: height - bottom, level: 230)
        }
        // Altitude lines every 30°, hour ticks with labels.
        for altitude in stride(from: 0.0, through: 90, by: 30) {
            line(from: (left, y(altitude)), to: (width - right, y(altitude)), level: altitude == 0 ? 0 : 180)
            text(String(Int(altitude)), x: 4, y: y(altitude) - 3, level: 0)
        }
        line(from: (left, top), to: (left, height - bottom), level: 0)
        var hour = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / 3600).rounded(.up) * 3600)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        while hour <= end {
            line(from: (x(hour), height - bottom), to: (x(hour), height - bottom + 5), level: 0)
            line(from: (x(hour), top), to: (x(hour), height - bottom), level: 215)
            text(String(format: "%02d", utc.component(.hour, from: hour)), x: x(hour) - 5, y: height - bottom + 9, level: 0)
            hour = hour.addingTimeInterval(3600)
        }
        // Tracks and blocks.
        let shades: [UInt8] = [0, 70, 120, 40, 100, 150]
        for (number, plan) in plans.enumerated() {
            let shade = shades[number % shades.count]
            for entry in plan.entries {
                let target = entry.request.target.coordinates
                var previous: (Int, Int)?
                // The track from an hour before the block to an hour after it.
                for instant in 0..<siteNight.instants.count {
                    let date = siteNight.instants[instant]
                    guard date >= entry.start.addingTimeInterval(-3600), date <= entry.end.addingTimeInterval(3600) else { continue }
                    let altitude = try Self.altitude(of: target, at: date, observer: siteNight.observer)
                    let point = (x(date), y(altitude))
                    if let previous, altitude > 0 { line(from: previous, to: point, level: 200) }
                    previous = altitude > 0 ? point : nil
                }
                let a0 = (x(entry.start), y(entry.altitudeStart.degrees)), a1 = (x(entry.end), y(entry.altitudeEnd.degrees))
                for offset in -1...1 { line(from: (a0.0, a0.1 + offset), to: (a1.0, a1.1 + offset), level: shade) }
            }
        }
    }

    private static func altitude(of target: EquatorialCoordinates, at date: Date, observer: Observer) throws(PlanningError) -> Double {
        do {
            return try observer.horizontal(of: target, at: date).altitude.degrees
        } catch {
            throw PlanningError.sky(error, while: "drawing the plan timeline")
        }
    }

    private mutating func set(_ x: Int, _ y: Int, _ level: UInt8) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        pixels[y * width + x] = min(pixels[y * width + x], level)
    }

    private mutating func fill(x0: Int, x1: Int, y0: Int, y1: Int, level: UInt8) {
        guard x1 > x0, y1 > y0 else { return }
        for y in y0..<y1 { for x in x0..<x1 { set(x, y, level) } }
    }

    /// Bresenham's line.
    private mutating func line(from a: (Int, Int), to b: (Int, Int), level: UInt8) {
        var (x0, y0) = a
        let (x1, y1) = b
        let dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            set(x0, y0, level)
            if x0 == x1 && y0 == y1 { return }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x0 += sx }
            if doubled <= dx { error += dx; y0 += sy }
        }
    }

    /// Digits in a 3 × 5 bitmap font, drawn at twice the size.
    private mutating func text(_ string: String, x: Int, y: Int, level: UInt8) {
        let glyphs: [Character: [UInt8]] = [
            "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
            "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        ]
        for (index, character) in string.enumerated() {
            guard let rows = glyphs[character] else { continue }
            for (row, bits) in rows.enumerated() {
                for column in 0..<3 where bits & (4 >> column) != 0 {
                    fill(x0: x + index * 8 + column * 2, x1: x + index * 8 + column * 2 + 2, y0: y + row * 2, y1: y + row * 2 + 2, level: level)
                }
            }
        }
    }
}
