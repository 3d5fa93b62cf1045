import Foundation

/// Reusable scratch memory for deblending one detection after another on one thread.
struct DeblendWorkspace {
    var grid: [Int32] = []
    var mark: [UInt32] = []
    var visited: [UInt32] = []
    var generation: UInt32 = 0
    var stack: [Int32] = []

    mutating func nextGeneration() -> UInt32 {
        generation &+= 1
        if generation == 0 {
            for index in mark.indices { mark[index] = 0 }
            for index in visited.indices { visited[index] = 0 }
            generation = 1
        }
        return generation
    }
}

/// Everything the per-detection work reads; shared read-only by all threads.
struct MeasurementContext: Sendable {
    let image: FloatImage
    let subtracted: [Float]
    let values: [Float]
    let runs: [Run]
    let background: BackgroundMap
    let options: DetectionOptions

    /// The pixels of one detection.
    struct Pixels {
        var xs: [Int32] = []
        var ys: [Int32] = []
        /// Smoothed (detection) values.
        var values: [Float] = []
        var minX = Int32.max, maxX = Int32.min, minY = Int32.max, maxY = Int32.min
        var boxWidth: Int { Int(maxX - minX) + 1 }
        var boxHeight: Int { Int(maxY - minY) + 1 }
        var count: Int { xs.count }
    }

    /// Deblends one detection and measures each source in it.
    func process(_ detection: Detection, workspace: inout DeblendWorkspace) -> [Source] {
        var pixels = Pixels()
        pixels.xs.reserveCapacity(detection.area)
        pixels.ys.reserveCapacity(detection.area)
        pixels.values.reserveCapacity(detection.area)
        for runIndex in detection.runs {
            let run = runs[Int(runIndex)]
            for x in run.start..<run.end {
                pixels.xs.append(x)
                pixels.ys.append(run.y)
                pixels.values.append(values[Int(run.offset + x - run.start)])
            }
            pixels.minX = min(pixels.minX, run.start)
            pixels.maxX = max(pixels.maxX, run.end - 1)
            pixels.minY = min(pixels.minY, run.y)
            pixels.maxY = max(pixels.maxY, run.y)
        }
        // The detection's bounding box as a grid of pixel indices (−1 outside the detection).
        let boxCount = pixels.boxWidth * pixels.boxHeight
        if workspace.grid.count < boxCount { workspace.grid = [Int32](repeating: -1, count: boxCount) }
        for index in 0..<pixels.count {
            workspace.grid[Int(pixels.ys[index] - pixels.minY) * pixels.boxWidth + Int(pixels.xs[index] - pixels.minX)] = Int32(index)
        }
        if workspace.mark.count < pixels.count {
            workspace.mark = [UInt32](repeating: 0, count: pixels.count)
            workspace.visited = [UInt32](repeating: 0, count: pixels.count)
            workspace.generation = 0
        }
        let (childCount, assignment) = deblend(pixels, workspace: &workspace)
        var sources: [Source] = []
        for child in 0..<childCount {
            if let source = measure(pixels, assignment: assignment, child: child, deblended: childCount > 1, grid: workspace.grid) {
                sources.append(source)
            }
        }
        // Leave the grid clean for the next detection.
        for index in 0..<pixels.count {
            workspace.grid[Int(pixels.ys[index] - pixels.minY) * pixels.boxWidth + Int(pixels.xs[index] - pixels.minX)] = -1
        }
        return sources
    }

    // MARK: Deblending

    private func neighbours(of index: Int, in pixels: Pixels, grid: [Int32], _ body: (Int) -> Void) {
        let x = Int(pixels.xs[index] - pixels.minX), y = Int(pixels.ys[index] - pixels.minY)
        for dy in -1...1 {
            let ny = y + dy
            guard ny >= 0 && ny < pixels.boxHeight else { continue }
            for dx in -1...1 where dx != 0 || dy != 0 {
                let nx = x + dx
                guard nx >= 0 && nx < pixels.boxWidth else { continue }
                let neighbour = grid[ny * pixels.boxWidth + nx]
                if neighbour >= 0 { body(Int(neighbour)) }
            }
        }
    }

    /// Splits a detection into sources. Returns how many and which source each pixel joins.
    func deblend(_ pixels: Pixels, workspace: inout DeblendWorkspace) -> (Int, [Int32]) {
        let single = (1, [Int32](repeating: 0, count: pixels.count))
        guard options.deblendContrast < 1, pixels.count >= 2 * options.minimumArea, pixels.count <= 250_000 else { return single }
        // A detection with one local maximum cannot split at any threshold.
        var maxima = 0
        for index in 0..<pixels.count {
            var isMaximum = true
            let value = pixels.values[index]
            neighbours(of: index, in: pixels, grid: workspace.grid) { neighbour in
                let other = pixels.values[neighbour]
                if other > value || (other == value && neighbour < index) { isMaximum = false }
            }
            if isMaximum {
                maxima += 1
                if maxima > 1 { break }
            }
        }
        guard maxima > 1 else { return single }
        let floor = max(pixels.values.min() ?? 0, 1e-30)
        let peak = pixels.values.max() ?? floor
        guard peak > floor else { return single }
        let total = pixels.values.reduce(0.0) { $0 + Double($1) }
        let levels = options.deblendLevels
        let minimumFlux = options.deblendContrast * total
        let ratio = Double(peak / floor)

        func flux(_ members: [Int32]) -> Double { members.reduce(0.0) { $0 + Double(pixels.values[Int($1)]) } }

        /// The 8-connected parts of `subset` above `threshold`.
        func components(_ subset: [Int32], above threshold: Float) -> [[Int32]] {
            let inSet = workspace.nextGeneration()
            for member in subset where pixels.values[Int(member)] > threshold { workspace.mark[Int(member)] = inSet }
            let seen = workspace.nextGeneration()
            var parts: [[Int32]] = []
            for member in subset where workspace.mark[Int(member)] == inSet && workspace.visited[Int(member)] != seen {
                var part: [Int32] = []
                workspace.stack.removeAll(keepingCapacity: true)
                workspace.stack.append(member)
                workspace.visited[Int(member)] = seen
                while let next = workspace.stack.popLast() {
                    part.append(next)
                    neighbours(of: Int(next), in: pixels, grid: workspace.grid) { neighbour in
                        if workspace.mark[neighbour] == inSet && workspace.visited[neighbour] != seen {
                            workspace.visited[neighbour] = seen
                            workspace.stack.append(Int32(neighbour))
                        }
                    }
                }
                parts.append(part)
            }
            return parts
        }

        /// The branches of `subset` from threshold `level` up: each leaf at the level where
        /// it separated.
        func split(_ subset: [Int32], from level: Int) -> [[Int32]] {
            var current = subset
            var level = level
            while level < levels {
                let threshold = Float(Double(floor) * pow(ratio, Double(level) / Double(levels)))
                let significant = components(current, above: threshold).filter { flux($0) >= minimumFlux }
                if significant.count >= 2 {
                    var leaves: [[Int32]] = []
                    for branch in significant {
                        let below = split(branch, from: level + 1)
                        leaves += below.count >= 2 ? below : [branch]
                    }
                    return leaves
                }
                guard let only = significant.first else { break }
                current = only
                level += 1
            }
            return [subset]
        }

        var leaves = split((0..<Int32(pixels.count)).map { $0 }, from: 1)
        guard leaves.count >= 2 else { return single }
        // Assign every pixel to the most probable leaf under each leaf's Gaussian model;
        // leaves that end with fewer than minimumArea pixels give theirs to the others.
        while true {
            let models = leaves.map { GaussianModel(pixels: pixels, members: $0) }
            var assignment = [Int32](repeating: -1, count: pixels.count)
            for (leaf, members) in leaves.enumerated() {
                for member in members { assignment[Int(member)] = Int32(leaf) }
            }
            var counts = [Int](repeating: 0, count: leaves.count)
            for index in 0..<pixels.count {
                if assignment[index] < 0 {
                    let x = Double(pixels.xs[index]), y = Double(pixels.ys[index])
                    var best = 0
                    var bestScore = -Double.infinity
                    for (leaf, model) in models.enumerated() {
                        let score = model.logDensity(x: x, y: y)
                        if score > bestScore {
                            bestScore = score
                            best = leaf
                        }
                    }
                    assignment[index] = Int32(best)
                }
                counts[Int(assignment[index])] += 1
            }
            let small = counts.indices.filter { counts[$0] < options.minimumArea }
            if small.isEmpty { return (leaves.count, assignment) }
            leaves = leaves.indices.filter { !small.contains($0) }.map { leaves[$0] }
            if leaves.count < 2 { return single }
        }
    }

    /// A leaf's flux-weighted Gaussian, for assigning the pixels below the split.
    struct GaussianModel {
        let x: Double, y: Double
        let inverse: (xx: Double, xy: Double, yy: Double)
        let logNormalisation: Double

        init(pixels: Pixels, members: [Int32]) {
            var sum = 0.0, sx = 0.0, sy = 0.0
            for member in members {
                let weight = Double(pixels.values[Int(member)])
                sum += weight
                sx += weight * Double(pixels.xs[Int(member)])
                sy += weight * Double(pixels.ys[Int(member)])
            }
            let mx = sx / sum, my = sy / sum
            var xx = 0.0, xy = 0.0, yy = 0.0
            for member in members {
                let weight = Double(pixels.values[Int(member)])
                let dx = Double(pixels.xs[Int(member)]) - mx, dy = Double(pixels.ys[Int(member)]) - my
                xx += weight * dx * dx
                xy += weight * dx * dy
                yy += weight * dy * dy
            }
            // A floor of a quarter pixel² keeps one-row or one-pixel leaves invertible.
            xx = xx / sum + 0.25
            yy = yy / sum + 0.25
            xy /= sum
            let determinant = max(xx * yy - xy * xy, 1e-6)
            x = mx
            y = my
            inverse = (yy / determinant, -xy / determinant, xx / determinant)
            logNormalisation = log(sum) - 0.5 * log(determinant)
        }

        func logDensity(x px: Double, y py: Double) -> Double {
            let dx = px - x, dy = py - y
            return logNormalisation - 0.5 * (inverse.xx * dx * dx + 2 * inverse.xy * dx * dy + inverse.yy * dy * dy)
        }
    }

    // MARK: Measurement

    /// Measures one source: the pixels of `pixels` assigned to `child`.
    func measure(_ pixels: Pixels, assignment: [Int32], child: Int, deblended: Bool, grid: [Int32]) -> Source? {
        let width = image.width, height = image.height
        var area = 0
        var flux = 0.0, positive = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0
        var peak = -Double.infinity
        var saturated = false
        var minX = Int32.max, maxX = Int32.min, minY = Int32.max, maxY = Int32.min
        let saturation = options.saturationLevel.map { Float($0) } ?? .infinity
        for index in 0..<pixels.count where assignment[index] == Int32(child) {
            let x = Int(pixels.xs[index]), y = Int(pixels.ys[index])
            let value = Double(subtracted[y * width + x])
            guard value.isFinite else { continue }
            area += 1
            flux += value
            if image.pixels[y * width + x] >= saturation { saturated = true }
            if value > peak { peak = value }
            if value > 0 {
                positive += value
                sx += value * Double(x)
                sy += value * Double(y)
                sxx += value * Double(x * x)
                syy += value * Double(y * y)
            }
            minX = min(minX, Int32(x))
            maxX = max(maxX, Int32(x))
            minY = min(minY, Int32(y))
            maxY = max(maxY, Int32(y))
        }
        guard area > 0, positive > 0 else { return nil }
        let isoX = sx / positive, isoY = sy / positive
        let isoVariance = max(0.25, ((sxx / positive - isoX * isoX) + (syy / positive - isoY * isoY)) / 2)
        let noise = Double(background.noise(atX: isoX, y: isoY))
        var variance = Double(area) * noise * noise
        if let gain = options.gain, gain > 0 { variance += max(flux, 0) / gain }
        let touchesEdge = minX == 0 || minY == 0 || Int(maxX) == width - 1 || Int(maxY) == height - 1

        // Pixels of the same detection assigned to another source are left out of its window.
        let boxWidth = pixels.boxWidth, boxHeight = pixels.boxHeight
        let originX = Int(pixels.minX), originY = Int(pixels.minY)
        func belongsToOther(_ x: Int, _ y: Int) -> Bool {
            guard deblended else { return false }
            let gx = x - originX, gy = y - originY
            guard gx >= 0, gy >= 0, gx < boxWidth, gy < boxHeight else { return false }
            let index = grid[gy * boxWidth + gx]
            return index >= 0 && assignment[Int(index)] != Int32(child)
        }
        let moments = AdaptiveMoments.measure(
            subtracted: subtracted, width: width, height: height, x: isoX, y: isoY, variance: isoVariance,
            exclude: deblended ? belongsToOther : nil)
        var fwhm: Double?, ellipticity: Double?, major: Double?, minor: Double?, theta: Double?
        var x = isoX, y = isoY
        if let moments {
            x = moments.x
            y = moments.y
            // The measured covariance is that of PSF ⊗ pixel; a pixel adds 1/12 px² per axis.
            let xx = moments.xx - 1.0 / 12, yy = moments.yy - 1.0 / 12, xy = moments.xy
            let trace = xx + yy, difference = xx - yy
            let root = (difference * difference + 4 * xy * xy).squareRoot()
            let large = (trace + root) / 2, small = (trace - root) / 2
            if small > 0 {
                major = large.squareRoot()
                minor = small.squareRoot()
                fwhm = 2 * (2 * log(2.0)).squareRoot() * (large * small).squareRoot().squareRoot()
                ellipticity = 1 - small.squareRoot() / large.squareRoot()
                theta = 0.5 * atan2(2 * xy, difference) * 180 / .pi
            }
        }
        return Source(
            x: x, y: y, isophotalX: isoX, isophotalY: isoY, flux: flux, fluxError: variance.squareRoot(), peak: peak, area: area,
            fwhm: fwhm, profileFWHM: nil, moffatBeta: nil, ellipticity: ellipticity, semiMajorAxis: major, semiMinorAxis: minor, theta: theta,
            isSaturated: saturated, isDeblended: deblended, touchesEdge: touchesEdge)
    }
}

/// Gaussian-weighted centroid and adaptive second moments (Bernstein & Jarvis 2002 §3),
/// iterated together.
enum AdaptiveMoments {
    struct Result {
        let x: Double, y: Double
        /// The source's covariance (pixels²): the weight's at convergence.
        let xx: Double, xy: Double, yy: Double
    }

    /// Iterates from a starting position and circular variance; `nil` if it does not converge.
    ///
    /// With weight covariance W and measured weighted covariance M, a Gaussian source of
    /// covariance C gives M = (C⁻¹ + W⁻¹)⁻¹ and a weighted mean offset M C⁻¹ (x₀ − x_c)
    /// from the window centre x_c. Each step solves these for C and x₀ and uses them as the
    /// next window; at the fixed point W = C = 2M, as for the classic update W ← 2M.
    static func measure(
        subtracted: [Float], width: Int, height: Int, x startX: Double, y startY: Double, variance: Double,
        exclude: ((Int, Int) -> Bool)?
    ) -> Result? {
        var cx = startX, cy = startY
        var wxx = variance * 1.5, wyy = variance * 1.5, wxy = 0.0
        for _ in 0..<40 {
            let determinant = wxx * wyy - wxy * wxy
            guard determinant > 1e-6, wxx < 2500, wyy < 2500 else { return nil }
            let ixx = wyy / determinant, iyy = wxx / determinant, ixy = -wxy / determinant
            let radius = min(4 * max(wxx, wyy).squareRoot(), 60)
            let x0 = max(0, Int((cx - radius).rounded(.down))), x1 = min(width - 1, Int((cx + radius).rounded(.up)))
            let y0 = max(0, Int((cy - radius).rounded(.down))), y1 = min(height - 1, Int((cy + radius).rounded(.up)))
            guard x0 <= x1, y0 <= y1 else { return nil }
            var s0 = 0.0, s1x = 0.0, s1y = 0.0, s2xx = 0.0, s2xy = 0.0, s2yy = 0.0
            subtracted.withUnsafeBufferPointer { image in
                for y in y0...y1 {
                    let dy = Double(y) - cy
                    let base = y * width
                    // Only the columns inside the q < 16 ellipse: the roots of
                    // ixx·dx² + 2·ixy·dy·dx + (iyy·dy² − 16) = 0.
                    let half = ixy * dy, discriminant = half * half - ixx * (iyy * dy * dy - 16)
                    guard discriminant > 0 else { continue }
                    let root = discriminant.squareRoot()
                    let from = max(x0, Int(((-half - root) / ixx + cx).rounded(.up)))
                    let to = min(x1, Int(((-half + root) / ixx + cx).rounded(.down)))
                    guard from <= to else { continue }
                    for x in from...to {
                        let value = image[base + x]
                        guard value.isFinite else { continue }
                        let dx = Double(x) - cx
                        let q = ixx * dx * dx + 2 * ixy * dx * dy + iyy * dy * dy
                        guard q < 16 else { continue }
                        if let exclude, exclude(x, y) { continue }
                        // Single-precision exp: the weight needs no more than 7 digits.
                        let weighted = Double(value) * Double(Foundation.exp(Float(-0.5 * q)))
                        s0 += weighted
                        s1x += weighted * dx
                        s1y += weighted * dy
                        s2xx += weighted * dx * dx
                        s2xy += weighted * dx * dy
                        s2yy += weighted * dy * dy
                    }
                }
            }
            guard s0 > 0 else { return nil }
            let mx = s1x / s0, my = s1y / s0
            let mxx = s2xx / s0 - mx * mx, myy = s2yy / s0 - my * my, mxy = s2xy / s0 - mx * my
            let mDeterminant = mxx * myy - mxy * mxy
            guard mxx > 0, myy > 0, mDeterminant > 0 else { return nil }
            // The source's covariance if it were Gaussian, C = (M⁻¹ − W⁻¹)⁻¹: exact in one
            // step for a Gaussian source, and with the same fixed point (W = 2M) as the plain
            // update W ← 2M for any other profile, which it falls back to when C is not
            // positive definite or jumps beyond twice the plain update.
            let minvXX = myy / mDeterminant, minvYY = mxx / mDeterminant, minvXY = -mxy / mDeterminant
            let cinvXX = minvXX - ixx, cinvYY = minvYY - iyy, cinvXY = minvXY - ixy
            let cinvDeterminant = cinvXX * cinvYY - cinvXY * cinvXY
            var newXX = 2 * mxx, newYY = 2 * myy, newXY = 2 * mxy
            if cinvXX > 0, cinvYY > 0, cinvDeterminant > 0 {
                let cxx = cinvYY / cinvDeterminant, cyy = cinvXX / cinvDeterminant, cxy = -cinvXY / cinvDeterminant
                if cxx < 4 * mxx, cyy < 4 * myy {
                    newXX = cxx
                    newYY = cyy
                    newXY = cxy
                }
            }
            // Centre: x₀ − x_c = C M⁻¹ (m − x_c) for a Gaussian (twice the offset when W = C).
            let gainXX = newXX * minvXX + newXY * minvXY, gainXY = newXX * minvXY + newXY * minvYY
            let gainYX = newXY * minvXX + newYY * minvXY, gainYY = newXY * minvXY + newYY * minvYY
            let newX = cx + gainXX * mx + gainXY * my, newY = cy + gainYX * mx + gainYY * my
            guard newXX > 0, newYY > 0, newXX * newYY - newXY * newXY > 0 else { return nil }
            guard abs(newX - startX) < 10 + 3 * variance.squareRoot(), abs(newY - startY) < 10 + 3 * variance.squareRoot() else { return nil }
            let converged = abs(newX - cx) < 1e-4 && abs(newY - cy) < 1e-4
                && abs(newXX - wxx) < 1e-4 * wxx && abs(newYY - wyy) < 1e-4 * wyy && abs(newXY - wxy) < 1e-4 * (wxx + wyy)
            cx = newX
            cy = newY
            wxx = newXX
            wyy = newYY
            wxy = newXY
            if converged { return Result(x: cx, y: cy, xx: wxx, xy: wxy, yy: wyy) }
        }
        return nil
    }
}
