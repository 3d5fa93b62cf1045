import Foundation

/// A circular Moffat PSF `(1 + r²/α²)^−β`, normalised over the plane and integrated over
/// pixels, precomputed at 8 × 8 sub-pixel phases, so placing a star costs one multiply-add
/// per pixel and no transcendental function.
///
/// Each stamp is the profile averaged over 4 × 4 sub-samples per pixel (midpoint rule), for a
/// centre offset by the phase from the pixel centre; the stamps reach ``radius`` pixels, 8
/// FWHM, where a 10⁷ e⁻ star's wing falls below a few e⁻ per pixel.
struct MoffatStampBank: Sendable {
    /// FWHM, pixels.
    let fwhm: Double
    let beta: Double
    /// α = FWHM / (2 √(2^(1/β) − 1)).
    let alpha: Double
    /// Half-size of a stamp, pixels (stamps are (2·radius + 1)² pixels).
    let radius: Int
    /// Sub-pixel phases per axis.
    static let phases = 8
    /// All stamps, phase (y, x) major, then rows of the stamp.
    let values: [Float]

    var side: Int { 2 * radius + 1 }

    init(fwhm: Double, beta: Double) {
        let alpha = fwhm / (2 * (pow(2, 1 / beta) - 1).squareRoot())
        let radius = max(6, Int((8 * fwhm).rounded(.up)) + 1)
        let side = 2 * radius + 1, phases = Self.phases, samples = 4
        let normalisation = (beta - 1) / (Double.pi * alpha * alpha)
        let inverseAlphaSquared = 1 / (alpha * alpha)
        var values = [Float](repeating: 0, count: phases * phases * side * side)
        // One profile row per (phase, stamp row, sub-sample) would repeat work; the profile
        // depends only on r², so evaluate it directly: (2R+1)² · 64 · 16 evaluations (~2 M for
        // a 2-px FWHM), a few milliseconds once per frame.
        let isCubic = beta == 3
        for phaseY in 0..<phases {
            let offsetY = (Double(phaseY) + 0.5) / Double(phases) - 0.5
            for phaseX in 0..<phases {
                let offsetX = (Double(phaseX) + 0.5) / Double(phases) - 0.5
                let base = (phaseY * phases + phaseX) * side * side
                for row in 0..<side {
                    for column in 0..<side {
                        var sum = 0.0
                        for sy in 0..<samples {
                            let dy = Double(row - radius) - 0.5 + (Double(sy) + 0.5) / Double(samples) - offsetY
                            for sx in 0..<samples {
                                let dx = Double(column - radius) - 0.5 + (Double(sx) + 0.5) / Double(samples) - offsetX
                                let t = 1 + (dx * dx + dy * dy) * inverseAlphaSquared
                                sum += isCubic ? 1 / (t * t * t) : pow(t, -beta)
                            }
                        }
                        values[base + row * side + column] = Float(normalisation * sum / Double(samples * samples))
                    }
                }
            }
        }
        self.fwhm = fwhm
        self.beta = beta
        self.alpha = alpha
        self.radius = radius
        self.values = values
    }

    /// The radius beyond which a star of `electrons` adds less than `floor` e⁻ per pixel,
    /// clamped to 3…``radius`` pixels.
    func radius(forElectrons electrons: Double, floor: Double) -> Int {
        let peak = electrons * (beta - 1) / (Double.pi * alpha * alpha)
        guard peak > floor else { return min(radius, 3) }
        let r = alpha * (pow(peak / floor, 1 / beta) - 1).squareRoot()
        return min(radius, max(3, Int(r.rounded(.up))))
    }

    /// Adds a star to the rows `rows` of an image of e⁻.
    ///
    /// - Parameters:
    ///   - x, y: the centre, 0-based pixels (pixel centres at integers).
    ///   - electrons: the star's total signal.
    ///   - reach: how far from the centre to draw, pixels (≤ ``radius``).
    ///   - pixels: the image, row-major, `width` wide.
    ///   - rows: the rows this call may write (a band of the image).
    @inline(__always)
    func add(
        x: Double, y: Double, electrons: Float, reach: Int, into pixels: UnsafeMutablePointer<Float>, width: Int, height: Int,
        rows: Range<Int>
    ) {
        let centerX = Int(x.rounded()), centerY = Int(y.rounded())
        let phaseX = min(Self.phases - 1, max(0, Int(((x - Double(centerX)) + 0.5) * Double(Self.phases))))
        let phaseY = min(Self.phases - 1, max(0, Int(((y - Double(centerY)) + 0.5) * Double(Self.phases))))
        let y0 = max(rows.lowerBound, centerY - reach), y1 = min(rows.upperBound - 1, centerY + reach)
        let x0 = max(0, centerX - reach), x1 = min(width - 1, centerX + reach)
        guard y0 <= y1, x0 <= x1 else { return }
        let side = self.side
        let base = (phaseY * Self.phases + phaseX) * side * side
        values.withUnsafeBufferPointer { stamps in
            for py in y0...y1 {
                let stampRow = base + (py - centerY + radius) * side + radius - centerX
                let imageRow = py * width
                for px in x0...x1 {
                    pixels[imageRow + px] += electrons * stamps[stampRow + px]
                }
            }
        }
    }
}
