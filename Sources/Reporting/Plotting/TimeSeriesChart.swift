import Foundation

/// Stacked panels of values against UTC time sharing one time axis: image quality over the
/// night (FWHM, background, transparency, airmass). Each series (a telescope or a site) has
/// its colour and marker; modelled values are drawn hollow, measured ones filled. Spans of
/// astronomical darkness are shaded.
struct TimeSeriesChart {
    struct Point {
        let time: Date
        let value: Double
        /// Index into ``TimeSeriesChart/seriesNames``.
        let series: Int
        /// A value from the simulator's frame model rather than from pixels.
        let isModelled: Bool
    }

    struct Panel {
        /// The quantity and unit, drawn above the panel, e.g. `FWHM (″)`.
        let title: String
        let points: [Point]
        /// Values that must be inside the range (e.g. 1 for transparency).
        var including: [Double] = []
        /// A horizontal reference line (e.g. transparency 1).
        var reference: Double?
        /// Draw larger values lower (airmass, as astronomers plot it).
        var isInverted = false
        /// The least span of the value axis.
        var minimumSpan: Double = 0
    }

    let panels: [Panel]
    let seriesNames: [String]
    let interval: DateInterval
    /// Spans to shade (astronomical darkness).
    let shaded: [DateInterval]
    var width = 960

    private let scale = 2
    private let left = 84.0, right = 20.0
    private let titleHeight = 26.0, plotHeight = 128.0, panelGap = 12.0
    private let axisLabelHeight = 50.0

    func render() -> Canvas {
        let legend = self.legend()
        let panelsHeight = Double(panels.count) * (titleHeight + plotHeight + panelGap)
        let height = Int(panelsHeight + axisLabelHeight + legend.height + 8)
        var canvas = Canvas(width: width, height: max(height, 80))
        let plotRight = Double(width) - right
        let time = TimeAxis(interval: interval, start: left, end: plotRight)
        let totalPoints = panels.reduce(0) { $0 + $1.points.count }
        let markerSize = totalPoints > 3000 ? 4.0 : totalPoints > 600 ? 5.5 : 7.5

        for (index, panel) in panels.enumerated() {
            let top = Double(index) * (titleHeight + plotHeight + panelGap) + titleHeight
            let bottom = top + plotHeight
            canvas.text(panel.title, x: left, y: top - titleHeight + 4, color: .ink, scale: scale)
            for span in shaded {
                let x0 = max(left, time.position(span.start)), x1 = min(plotRight, time.position(span.end))
                if x1 > x0 { canvas.fill(x: x0, y: top, width: x1 - x0, height: plotHeight, color: Palette.dark) }
            }
            for tick in time.ticks() {
                canvas.fill(x: time.position(tick), y: top, width: 1, height: plotHeight, color: .grid)
            }
            let values = panel.points.map(\.value)
            let range = Axis.range(of: values, including: panel.including + (panel.reference.map { [$0] } ?? []), minimumSpan: panel.minimumSpan)
            let axis = panel.isInverted
                ? Axis(low: range.low, high: range.high, start: top + 4, end: bottom - 4)
                : Axis(low: range.low, high: range.high, start: bottom - 4, end: top + 4)
            let decimals = axis.tickDecimals(about: 4)
            for tick in axis.ticks(about: 4) {
                let y = axis.position(tick)
                guard y >= top - 0.5, y <= bottom + 0.5 else { continue }
                canvas.fill(x: left, y: y, width: plotRight - left, height: 1, color: .grid)
                canvas.text(ReportFormat.number(tick, decimals), x: left - 8, y: y - 7, color: .muted, scale: scale, anchor: .right)
            }
            if let reference = panel.reference {
                let y = axis.position(reference)
                canvas.polyline(
                    stride(from: left, through: plotRight, by: 4).map { (x: $0, y: y) }, color: .axis, width: 1.2, dash: 6)
            }
            canvas.strokeRectangle(x: left, y: top, width: plotRight - left, height: plotHeight, color: .axis)
            if panel.points.isEmpty {
                canvas.text("no values", x: (left + plotRight) / 2, y: top + plotHeight / 2 - 7, color: .muted, scale: scale, anchor: .center)
                continue
            }
            for point in panel.points {
                let x = time.position(point.time)
                guard x >= left, x <= plotRight else { continue }
                let y = min(max(axis.position(point.value), top + 3), bottom - 3)
                let style = Palette.style(point.series)
                canvas.marker(style.shape, at: (x, y), size: markerSize, color: style.color, filled: !point.isModelled)
            }
        }

        // The time axis under the last panel.
        let axisTop = panelsHeight - panelGap + 6
        for tick in time.ticks() {
            canvas.text(ReportFormat.utcTime(tick), x: time.position(tick), y: axisTop, color: .muted, scale: scale, anchor: .center)
        }
        canvas.text("time (UTC)", x: (left + plotRight) / 2, y: axisTop + 22, color: .ink, scale: scale, anchor: .center)

        legend.draw(on: &canvas, top: panelsHeight + axisLabelHeight)
        return canvas
    }

    /// A marker and a name per series shown, then what hollow markers mean.
    private func legend() -> Legend {
        let usedSeries = Set(panels.flatMap { $0.points.map(\.series) })
        var entries = seriesNames.enumerated().filter { usedSeries.contains($0.offset) }.map { index, name in
            let style = Palette.style(index)
            return Legend.Entry(label: name, swatch: .marker(style.shape, style.color, filled: true))
        }
        if panels.contains(where: { $0.points.contains(where: \.isModelled) }) {
            entries.append(Legend.Entry(label: "hollow: modelled, not measured", swatch: .marker(.circle, .muted, filled: false)))
        }
        return Legend(entries, left: left, right: Double(width) - right, scale: scale)
    }
}
