import Foundation

/// The night of each telescope on one time axis: astronomical darkness, the hours open,
/// each observation coloured by its outcome, and faults.
struct TimelineChart {
    struct Row {
        let label: String
        let dark: DateInterval?
        let open: [DateInterval]
        let observations: [Block]
        let faults: [Date]
    }

    struct Block {
        let start: Date
        let end: Date
        let outcome: Outcome
    }

    enum Outcome: CaseIterable {
        case completed, refused, stopped

        var color: RGB {
            switch self {
            case .completed: Palette.completed
            case .refused: Palette.refused
            case .stopped: Palette.failed
            }
        }

        var label: String {
            switch self {
            case .completed: "completed"
            case .refused: "refused at dispatch"
            case .stopped: "aborted or failed"
            }
        }
    }

    let rows: [Row]
    let interval: DateInterval
    var width = 960

    func render() -> Canvas {
        let dense = rows.count > 30
        let scale = dense ? 1 : 2
        let rowHeight = dense ? 13.0 : 24.0
        let longest = rows.map { BitmapFont.width(of: $0.label, scale: scale) }.max() ?? 0
        let left = Double(min(longest, width / 3)) + 16
        let right = 16.0
        let top = 8.0
        let plotRight = Double(width) - right
        let plotHeight = max(rowHeight, Double(rows.count) * rowHeight)
        let legend = Legend(
            [Legend.Entry(label: "dark", swatch: .box(Palette.dark)), Legend.Entry(label: "open", swatch: .box(Palette.open))]
                + Outcome.allCases.map { Legend.Entry(label: $0.label, swatch: .box($0.color)) }
                + [Legend.Entry(label: "fault", swatch: .marker(.triangle, Palette.failed, filled: true))],
            left: 16, right: Double(width) - 16)
        let height = Int(top + plotHeight + 52 + legend.height)
        var canvas = Canvas(width: width, height: height)
        let time = TimeAxis(interval: interval, start: left, end: plotRight)

        for tick in time.ticks() {
            canvas.fill(x: time.position(tick), y: top, width: 1, height: plotHeight, color: .grid)
        }
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            var label = row.label
            while BitmapFont.width(of: label, scale: scale) > Int(left - 12), label.count > 2 { label = String(label.dropLast(2)) + "…" }
            canvas.text(label, x: left - 8, y: y + (rowHeight - Double(BitmapFont.glyphHeight * scale)) / 2, color: .ink, scale: scale, anchor: .right)
            func span(_ interval: DateInterval, inset: Double, color: RGB) {
                let x0 = max(left, time.position(interval.start)), x1 = min(plotRight, time.position(interval.end))
                guard x1 > x0 - 2 else { return }
                canvas.fill(x: x0, y: y + inset, width: max(2, x1 - x0), height: rowHeight - 2 * inset, color: color)
            }
            if let dark = row.dark { span(dark, inset: 1, color: Palette.dark) }
            for open in row.open { span(open, inset: rowHeight * 0.2, color: Palette.open) }
            for block in row.observations {
                span(DateInterval(start: block.start, end: max(block.start, block.end)), inset: rowHeight * 0.32, color: block.outcome.color)
            }
            for fault in row.faults {
                let x = time.position(fault)
                guard x >= left, x <= plotRight else { continue }
                canvas.marker(.triangle, at: (x, y + rowHeight / 2), size: dense ? 8 : 11, color: Palette.failed, filled: true)
            }
        }
        canvas.strokeRectangle(x: left, y: top, width: plotRight - left, height: plotHeight, color: .axis)
        let axisTop = top + plotHeight + 6
        for tick in time.ticks() {
            canvas.text(ReportFormat.utcTime(tick), x: time.position(tick), y: axisTop, color: .muted, scale: 2, anchor: .center)
        }
        canvas.text("time (UTC)", x: (left + plotRight) / 2, y: axisTop + 22, color: .ink, scale: 2, anchor: .center)

        legend.draw(on: &canvas, top: axisTop + 48)
        return canvas
    }
}
