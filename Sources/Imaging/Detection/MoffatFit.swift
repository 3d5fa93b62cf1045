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
/// windowed centroid; the background is already subtracted. Levenberg–Marquardt with the
/// analytic Jacobian, on the pixels within 2.5 FWHM.
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
        // The core and shoulders (2.5 FWHM) set the FWHM; the far wings add cost, not precision.
        let radius = max(2.5 * fwhmGuess, 4)
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
        /// The model value and its gradient (∂/∂A, ∂/∂ln α, ∂/∂ln(β−1)) at r².
        ///
        /// f = A (P + L/24) with u = r²/α², B = 1 + u, P = B^−β and the Laplacian
        /// L = K (1 − βu), K = −4β/α² · P/B². Derivatives: ∂P/∂ln α = 2βuP/B,
        /// ∂P/∂β = −P ln B, ∂K/∂ln α = K(4u/B + 2βu/B − 2), ∂K/∂β = K(1/β − ln B).
        func evaluate(_ p: [Double], _ r2: Double, gradient: Bool) -> (value: Double, dA: Double, da: Double, db: Double) {
            let alpha2 = exp(2 * p[1]), beta = 1 + exp(p[2])
            let u = r2 / alpha2
            let base = 1 + u
            let logBase = log(base)
            let power = exp(-beta * logBase)
            let k = -4 * beta / alpha2 * power / (base * base)
            let q = 1 - beta * u
            let g = power + k * q / 24
            guard gradient else { return (p[0] * g, 0, 0, 0) }
            let dPda = 2 * beta * u * power / base
            let dKda = k * (4 * u / base + 2 * beta * u / base - 2)
            let dLda = dKda * q + k * 2 * beta * u
            let dPdBeta = -power * logBase
            let dLdBeta = k * (1 / beta - logBase) * q - k * u
            return (p[0] * g, g, p[0] * (dPda + dLda / 24), p[0] * (beta - 1) * (dPdBeta + dLdBeta / 24))
        }
        func chi2(_ p: [Double]) -> Double {
            var sum = 0.0
            for index in values.indices {
                let residual = values[index] - evaluate(p, r2[index], gradient: false).value
                sum += residual * residual
            }
            return sum
        }
        var lambda = 1e-3
        var current = chi2(parameters)
        for _ in 0..<40 {
            var jtj = [Double](repeating: 0, count: 9), jtr = [Double](repeating: 0, count: 3)
            for index in values.indices {
                let point = evaluate(parameters, r2[index], gradient: true)
                let residual = values[index] - point.value
                let gradient = [point.dA, point.da, point.db]
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
                    if change < 1e-6 {
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
