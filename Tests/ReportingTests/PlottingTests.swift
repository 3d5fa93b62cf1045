import Foundation
import Testing

@testable import Reporting

/// The drawing underneath the plots: projection, coordinates, axes, font, canvas.
struct PlottingTests {
    @Test func mollweideMapsTheCentreEdgesAndPoles() {
        let centre = SkyMapChart.mollweide(longitude: 0, latitude: 0)
        #expect(abs(centre.x) < 1e-12 && abs(centre.y) < 1e-12)
        let edge = SkyMapChart.mollweide(longitude: .pi, latitude: 0)
        #expect(abs(edge.x - 2 * 2.0.squareRoot()) < 1e-9 && abs(edge.y) < 1e-12)
        let pole = SkyMapChart.mollweide(longitude: 1, latitude: .pi / 2)
        #expect(abs(pole.x) < 1e-9 && abs(pole.y - 2.0.squareRoot()) < 1e-9)
        // Anywhere else, the auxiliary angle θ = asin(y/√2) solves 2θ + sin 2θ = π sin φ and
        // x = (2√2/π) λ cos θ (Snyder 1987, eqs. 31-4 to 31-6).
        for (longitude, latitude) in [(-110.0, -35.0), (45.0, 60.0), (170.0, -85.0)] {
            let lambda = longitude * .pi / 180, phi = latitude * .pi / 180
            let point = SkyMapChart.mollweide(longitude: lambda, latitude: phi)
            let theta = asin(point.y / 2.0.squareRoot())
            #expect(abs(2 * theta + sin(2 * theta) - .pi * sin(phi)) < 1e-9)
            #expect(abs(point.x - 2 * 2.0.squareRoot() / .pi * lambda * cos(theta)) < 1e-9)
        }
    }

    @Test func galacticCentreAndPoleLandWhereTheyBelong() {
        // The Galactic centre (l, b) = (0, 0) is at RA 266.405°, Dec −28.936°; the north
        // Galactic pole at RA 192.859°, Dec +27.128° (ICRS, Hipparcos realisation).
        let centre = SkyMapChart.galacticToICRS(longitudeDegrees: 0, latitudeDegrees: 0)
        #expect(abs(centre.rightAscensionDegrees - 266.405) < 0.01 && abs(centre.declinationDegrees - -28.936) < 0.01)
        let pole = SkyMapChart.galacticToICRS(longitudeDegrees: 0, latitudeDegrees: 90)
        #expect(abs(pole.rightAscensionDegrees - 192.859) < 0.01 && abs(pole.declinationDegrees - 27.128) < 0.01)
    }

    @Test(arguments: zip([(0.0, 1.0), (-3.2, 7.9), (1.05, 1.95), (21.3, 23.1)], [[0, 0.2, 0.4, 0.6, 0.8, 1.0], [-2, 0, 2, 4, 6], [1.2, 1.4, 1.6, 1.8], [21.5, 22, 22.5, 23]]))
    func axisTicksAreRoundNumbersInsideTheRange(range: (Double, Double), expected: [Double]) {
        let ticks = Axis(low: range.0, high: range.1, start: 0, end: 100).ticks(about: 5)
        #expect(ticks.count == expected.count)
        for (tick, value) in zip(ticks, expected) { #expect(abs(tick - value) < 1e-9) }
    }

    @Test func timeTicksFallOnRoundUTCTimes() {
        let start = Date(timeIntervalSince1970: 1_795_460_000)  // 2026-11-23T18:53:20Z
        let ticks = TimeAxis(interval: DateInterval(start: start, duration: 11 * 3600), start: 0, end: 900).ticks()
        #expect(ticks.count <= 9 && ticks.count >= 5)
        #expect(ticks.allSatisfy { $0.timeIntervalSince1970.truncatingRemainder(dividingBy: 3600) == 0 })
        #expect(ReportFormat.utcTime(ticks[0]) == "20:00")
    }

    @Test func fontHasEveryPrintableCharacter() {
        let missing = BitmapFont.glyph(for: "\u{1F52D}")
        for scalar in 32...126 {
            let character = Character(Unicode.Scalar(UInt8(scalar)))
            let glyph = BitmapFont.glyph(for: character)
            #expect(glyph != missing || character == "\u{1F52D}", "no glyph for '\(character)'")
            #expect(glyph.count == 7 || glyph.count == 9)
            #expect(glyph.allSatisfy { $0 < 32 })
        }
        for character in "°″′σ–−→×·…≥≤" { #expect(BitmapFont.glyph(for: character) != missing, "no glyph for '\(character)'") }
        #expect(BitmapFont.width(of: "FWHM", scale: 2) == 46)
    }

    @Test func canvasDrawsTextLinesAndMarkersWhereAsked() throws {
        var canvas = Canvas(width: 120, height: 60)
        canvas.text("I", x: 10, y: 10, color: .black, scale: 1)
        // The I's stem is the middle column of its glyph: x = 12, rows 11…15.
        #expect(pixel(canvas, 12, 13) == RGB.black)
        #expect(pixel(canvas, 10, 13) == RGB.white)
        canvas.line(from: (40, 30), to: (100, 30), color: RGB(200, 0, 0), width: 3)
        #expect(pixel(canvas, 70, 30) == RGB(200, 0, 0))
        #expect(pixel(canvas, 70, 36) == RGB.white)
        canvas.marker(.circle, at: (20.5, 45.5), size: 8, color: RGB(0, 0, 200), filled: true)
        #expect(pixel(canvas, 20, 45) == RGB(0, 0, 200))
        // Shapes partly or wholly off the canvas are clipped, not a crash.
        canvas.line(from: (-50, -50), to: (500, 500), color: .black)
        canvas.line(from: (300, 300), to: (400, 400), color: .black)
        canvas.circle(center: (-40, -40), radius: 5, color: .black)
        let png = try canvas.pngData()
        #expect(png.count > 100)
    }

    @Test func skyMapPutsAFieldAtItsPosition() throws {
        let chart = SkyMapChart(marks: [.init(rightAscensionDegrees: 0, declinationDegrees: 0, kind: .survey)])
        let canvas = chart.render()
        // RA 0h, Dec 0° is the map's centre: the canvas's middle column, 16 px + half the map down.
        let mapHeight = 2 * 2.0.squareRoot() * (Double(canvas.width) - 120) / (4 * 2.0.squareRoot())
        #expect(pixel(canvas, canvas.width / 2, Int(16 + mapHeight / 2)) == Palette.survey)
    }

    @Test func timelineRowsShowOpenSpansAndObservations() {
        let start = Date(timeIntervalSince1970: 1_795_460_000)
        let chart = TimelineChart(
            rows: [.init(label: "t-1", dark: DateInterval(start: start, duration: 8 * 3600),
                         open: [DateInterval(start: start, duration: 3600)],
                         observations: [.init(start: start.addingTimeInterval(1800), end: start.addingTimeInterval(2400), outcome: .completed)],
                         faults: [])],
            interval: DateInterval(start: start, duration: 8 * 3600))
        let canvas = chart.render()
        let colours = Set(stride(from: 0, to: canvas.width, by: 2).map { pixel(canvas, $0, 8 + 12) })
        #expect(colours.contains(Palette.open))
        #expect(colours.contains(Palette.completed))
        #expect(colours.contains(Palette.dark))
    }

    private func pixel(_ canvas: Canvas, _ x: Int, _ y: Int) -> RGB {
        let index = (y * canvas.width + x) * 3
        return RGB(canvas.pixels[index], canvas.pixels[index + 1], canvas.pixels[index + 2])
    }
}
