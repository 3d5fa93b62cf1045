/// A plot's legend: a swatch and a label per entry, laid out in rows that fit the width.
struct Legend {
    /// What stands for an entry.
    enum Swatch {
        case marker(MarkerShape, RGB, filled: Bool)
        case box(RGB)
        case dashedLine(RGB)
    }

    struct Entry {
        let label: String
        let swatch: Swatch
    }

    /// Row height, pixels.
    static let rowHeight = 24.0
    private static let swatchWidth = 18.0, gap = 22.0

    /// The entries with their left edge, row by row.
    let rows: [[(x: Double, entry: Entry)]]
    let scale: Int

    /// Lays the entries out from `left`, wrapping before `right`.
    init(_ entries: [Entry], left: Double, right: Double, scale: Int = 2) {
        var rows: [[(x: Double, entry: Entry)]] = []
        var row: [(x: Double, entry: Entry)] = []
        var x = left
        for entry in entries {
            let width = Self.swatchWidth + Double(BitmapFont.width(of: entry.label, scale: scale))
            if x + width > right, !row.isEmpty {
                rows.append(row)
                row = []
                x = left
            }
            row.append((x, entry))
            x += width + Self.gap
        }
        if !row.isEmpty { rows.append(row) }
        self.rows = rows
        self.scale = scale
    }

    /// Height of the legend, pixels.
    var height: Double { Double(rows.count) * Self.rowHeight }

    /// Draws the legend with its first row's top at `top`.
    func draw(on canvas: inout Canvas, top: Double) {
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * Self.rowHeight
            for (x, entry) in row {
                switch entry.swatch {
                case .marker(let shape, let color, let filled):
                    canvas.marker(shape, at: (x + 6, y + 7), size: 10, color: color, filled: filled)
                case .box(let color):
                    canvas.fill(x: x, y: y + 1, width: 13, height: 12, color: color)
                    canvas.strokeRectangle(x: x, y: y + 1, width: 13, height: 12, color: .axis)
                case .dashedLine(let color):
                    canvas.polyline([(x - 1, y + 7), (x + 14, y + 7)], color: color, width: 1.5, dash: 5)
                }
                canvas.text(entry.label, x: x + Self.swatchWidth, y: y, color: .ink, scale: scale)
            }
        }
    }
}
