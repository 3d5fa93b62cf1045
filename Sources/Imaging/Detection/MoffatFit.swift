import Foundation

/// A least-squares fit of a Moffat profile `A (1 + r²/α²)^−β` to a star, for a FWHM that
/// is right whatever the PSF's wings (Moffat 1969; Trujillo et al. 2001 for β of seeing).
///
/// Second moments give the FWHM of a Gaussian PSF exactly but overestimate it for the
/// winged profiles of seeing-limited stars (by 8 % at β = 3.5); the fit removes that bias,
/// and tends to a Gaussian as β grows (β is capped at 100, where the two agree to 0.2 %).
/// The radius is elliptical, with the axis ratio and orientation of the source's adaptive
/// moments and the circularised scale; each pixel's model value includes the first
/// correction for integration over the pixel (`f + ∇²f/24`). The centre stays at the
/// windowed centroid; the background is already subtracted.
enum MoffatFit {
    struct Result {
        /// Circularised FWHM, pixels: `2α√(2^{1/β} − 1)`.
        let fwhm: Double
        let beta: Double
    }

    /// Fits a source; `nil` when its moments are missing or the fit does not converge.
    static func fit(_ source: Source, subtracted: [Float], width: Int, height: Int) -> Result? {
        guard let major = source.semiMajorAxis, let minor = source.semiMinorAxis, let theta = source.theta,
            let fwhmGuess = source.fwhm, major > 0, minor > 0
        else { return nil }
        // Elliptical radius normalised to the geometric-mean axis: r² = dᵀ Q d with det Q = 1.
        let angle = theta * .pi / 180, c = cos(angle), s = sin(angle)
        let geometric = (major * minor).squareRoot()
        let qa = geometric / major, qb = geometric / minor  // per-axis scale factors
        let radius = max(3 * fwhmGuess, 4)
        let x0 = max(0, Int(source.x - radius)), x1 = min(width - 1, Int(source.x + radius) + 1)
        let y0 = max(0, Int(source.y - radius)), y1 = min(height - 1, Int(source.y + radius) + 1)
        var r2: [Double] = [], values: [Double] = []
        for y in y0...y1 {
            for x in x0...x1 {
                let value = subtracted[y * width + x]
                guard value.isFinite else { continue }
                let dx = Double(x) - source.x, dy = Double(y) - source.y
                let u = (dx * c + dy * s) * qa, v = (-dx * s + dy * c) * qb
                let squared = u * u + v * v
                guard squared <= radius * radius else { continue }
                r2.append(squared)
                values.append(Double(value))
            }
        }
        guard values.count >= 12 else { return nil }
        // Parameters: amplitude, ln α, ln(β − 1); start from the moments' Gaussian with β = 3.
        let beta0 = 3.0
        let alpha0 = fwhmGuess / (2 * (pow(2, 1 / beta0) - 1).squareRoot())
        var parameters = [max(source.peak, 1e-6), log(alpha0), log(beta0 - 1)]
        func model(_ p: [Double], _ r2: Double) -> Double {
            let alpha2 = exp(2 * p[1]), beta = 1 + exp(p[2])
            let u = r2 / alpha2
            let base = 1 + u
            let power = exp(-beta * log(base))  // (1+u)^−β, one exp and one log
            // ∇²f for the circular Moffat: −4Aβ/α² (1+u)^(−β−2) (1 − βu).
            let laplacian = -4 * beta / alpha2 * power / (base * base) * (1 - beta * u)
            return p[0] * (power + laplacian / 24)
        }
        func chi2(_ p: [Double]) -> Double {
            var sum = 0.0
            for index in values.indices {
                let residual = values[index] - model(p, r2[index])
                sum += residual * residual
            }
            return sum
        }
        var lambda = 1e-3
        var current = chi2(parameters)
        for _ in 0..<40 {
            // Jacobian by forward differences.
            var jtj = [Double](repeating: 0, count: 9), jtr = [Double](repeating: 0, count: 3)
            let steps = [max(abs(parameters[0]) * 1e-6, 1e-9), 1e-6, 1e-6]
            for index in values.indices {
                let m = model(parameters, r2[index])
                let residual = values[index] - m
                var gradient = [0.0, 0.0, 0.0]
                for k in 0..<3 {
                    var shifted = parameters
                    shifted[k] += steps[k]
                    gradient[k] = (model(shifted, r2[index]) - m) / steps[k]
                }
                for a in 0..<3 {
                    jtr[a] += gradient[a] * residual
                    for b in 0..<3 { jtj[a * 3 + b] += gradient[a] * gradient[b] }
                }
            }
            var improved = false
            for _ in 0..<10 {
                var matrix = jtj
                for k in 0..<3 { matrix[k * 4] *= 1 + lambda }
                guard let step = solve3(matrix, jtr) else { break }
                var trial = zip(parameters, step).map { $0 + $1 }
                trial[2] = min(trial[2], log(99.0))
                trial[1] = max(trial[1], log(0.2))
                let value = chi2(trial)
                if value < current {
                    let change = (current - value) / max(current, 1e-300)
                    parameters = trial
                    current = value
                    lambda = max(lambda / 10, 1e-9)
                    improved = true
                    if change < 1e-9 {
                        return result(parameters)
                    }
                    break
                }
                lambda *= 10
            }
            if !improved { return result(parameters) }
        }
        return result(parameters)

        func result(_ p: [Double]) -> Result? {
            let alpha = exp(p[1]), beta = 1 + exp(p[2])
            let fwhm = 2 * alpha * (pow(2, 1 / beta) - 1).squareRoot()
            guard p[0] > 0, fwhm.isFinite, fwhm > 0.5, fwhm < 4 * fwhmGuess else { return nil }
            return Result(fwhm: fwhm, beta: beta)
        }
    }

    /// Solves a 3×3 linear system by Cramer's rule; `nil` when singular.
    private static func solve3(_ m: [Double], _ b: [Double]) -> [Double]? {
        func det(_ a: [Double]) -> Double {
            a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6])
        }
        let d = det(m)
        guard abs(d) > 1e-300, d.isFinite else { return nil }
        var solution = [Double](repeating: 0, count: 3)
        for column in 0..<3 {
            var replaced = m
            for row in 0..<3 { replaced[row * 3 + column] = b[row] }
            solution[column] = det(replaced) / d
        }
        return solution
    }
}
