import Foundation

/// Finds sources in an image and measures them: SExtractor's detection model, written anew.
///
/// 1. The background map is subtracted and the result smoothed with the detection filter.
/// 2. Pixels of the smoothed image above `thresholdSigma ×` the local background noise are
///    grouped into 8-connected detections (as runs per row, joined with union-find); those
///    with fewer than `minimumArea` pixels are dropped.
/// 3. Each detection with more than one local maximum is deblended: at `deblendLevels`
///    thresholds spaced exponentially up to its peak, it is split wherever two or more
///    branches each hold at least `deblendContrast` of its flux; the pixels below the split
///    go to the branch whose Gaussian model is most probable there (Bertin & Arnouts 1996 §5).
/// 4. Each source is measured on the background-subtracted, unsmoothed image: isophotal
///    flux and barycentre, then a Gaussian-weighted centroid and adaptive second moments
///    iterated together to convergence (each window is the Gaussian source that would give
///    the moments measured through the previous one; the fixed point is a window equal to
///    twice the measured covariance), giving position, FWHM, ellipticity and orientation.
///
/// Rows are processed in bands and sources in chunks on all cores; the result does not
/// depend on the number of cores.
public struct SourceDetector: Sendable {
    /// The options used.
    public let options: DetectionOptions

    public init(options: DetectionOptions = DetectionOptions()) {
        self.options = options
    }

    /// Detects and measures the sources of an image.
    ///
    /// - Parameters:
    ///   - image: the image, ADU.
    ///   - background: its background map (``BackgroundMap/init(image:options:)``).
    /// - Returns: the sources, ordered by y then x of their windowed centroids.
    public func detect(in image: FloatImage, background: BackgroundMap) -> [Source] {
        detectKeepingSubtracted(in: image, background: background).sources
    }

    /// ``detect(in:background:)``, also returning the background-subtracted image it made.
    func detectKeepingSubtracted(in image: FloatImage, background: BackgroundMap) -> (sources: [Source], subtracted: [Float]) {
        precondition(image.width == background.width && image.height == background.height, "background map size differs from the image")
        let width = image.width, height = image.height
        // 1–2. In one pass per band of rows: subtract the background (keeping the result for
        // the measurements), smooth through a window of 2·half + 1 subtracted rows, threshold
        // against the local noise and cut the result into runs.
        let (kernel, half) = options.filter.kernel
        let isPyramid = options.filter == .pyramid3x3
        let thresholdFactor = Float(options.thresholdSigma)
        var bands: [RunBand] = []
        let subtracted = [Float](unsafeUninitializedCapacity: image.count) { output, initialized in
            LargeBuffer.adviseHugePages(output)
            bands = image.pixels.withUnsafeBufferPointer { pixels in
                Parallel.map(height, minimumPerBand: 32) { rows in
                    Self.scanBand(
                        rows, pixels: pixels, output: output, width: width, height: height, background: background, kernel: kernel,
                        half: half, isPyramid: isPyramid, thresholdFactor: thresholdFactor)
                }
            }
            // Every row belongs to exactly one band, which wrote all of it.
            initialized = image.count
        }
        var runs: [Run] = []
        var values: [Float] = []
        for band in bands {
            let shift = Int32(values.count)
            runs.append(contentsOf: band.runs.map { Run(y: $0.y, start: $0.start, end: $0.end, offset: $0.offset + shift) })
            values.append(contentsOf: band.values)
        }
        // 3. Join runs into 8-connected detections.
        let detections = Self.connect(runs, height: height).filter { $0.area >= options.minimumArea }
        // 4. Deblend and measure, in chunks of detections.
        let context = MeasurementContext(
            image: image, subtracted: subtracted, values: values, runs: runs, background: background, options: options)
        let measured: [[Source]] = Parallel.map(detections.count, minimumPerBand: 16) { range in
            var sources: [Source] = []
            var workspace = DeblendWorkspace()
            for index in range { sources.append(contentsOf: context.process(detections[index], workspace: &workspace)) }
            return sources
        }
        return (measured.flatMap { $0 }.sorted { ($0.y, $0.x) < ($1.y, $1.x) }, subtracted)
    }

    /// Subtracts, smooths, thresholds and cuts into runs the rows of one band, writing the
    /// band's subtracted rows to `output`. The rows just above and below the band (the
    /// window's halo) are subtracted again here, into scratch rows, rather than read from
    /// another band's output, which may not be written yet.
    static func scanBand(
        _ rows: Range<Int>, pixels: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>, width: Int, height: Int,
        background: BackgroundMap, kernel: [Float], half: Int, isPyramid: Bool, thresholdFactor: Float
    ) -> RunBand {
        var band = RunBand()
        let span = 2 * half + 1, haloRows = max(2 * half, 1)
        let storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: width * (haloRows + 3))
        defer { storage.deallocate() }
        func scratchRow(_ index: Int) -> UnsafeMutableBufferPointer<Float> {
            UnsafeMutableBufferPointer(rebasing: storage[(index * width)..<((index + 1) * width)])
        }
        // Halo rows (outside the band) live in scratch rows; the band's own rows are
        // subtracted straight into the output, which the window then reads.
        let levels = scratchRow(haloRows), noise = scratchRow(haloRows + 1), smoothed = scratchRow(haloRows + 2)
        var window = [UnsafeMutableBufferPointer<Float>?](repeating: nil, count: span)
        var nextHalo = 0

        func load(_ y: Int) -> UnsafeMutableBufferPointer<Float>? {
            guard y >= 0 && y < height else { return nil }
            let target: UnsafeMutableBufferPointer<Float>
            if rows.contains(y) {
                target = UnsafeMutableBufferPointer(rebasing: output[(y * width)..<((y + 1) * width)])
            } else {
                // At most `half` rows above and `half` below are held at once: 2·half slots.
                target = scratchRow(nextHalo % haloRows)
                nextHalo += 1
            }
            background.fillRow(y, levels: levels, noise: nil)
            let base = y * width
            for x in 0..<width { target[x] = pixels[base + x] - levels[x] }
            return target
        }

        for slot in 0..<span { window[slot] = load(rows.lowerBound - half + slot) }
        for y in rows {
            background.fillRow(y, levels: nil, noise: noise)
            if isPyramid, let row = window[1] {
                smoothPyramid(above: window[0], row: row, below: window[2], vertical: levels, into: smoothed)
            } else {
                convolve(window: window, kernel: kernel, half: half, into: smoothed)
            }
            cutRuns(y, smoothed: smoothed, noise: noise, factor: thresholdFactor, into: &band)
            // Slide the window down one row.
            window.removeFirst()
            window.append(load(y + half + 1))
        }
        return band
    }

    /// Appends the runs of `smoothed` above `factor × noise` on row `y`.
    static func cutRuns(_ y: Int, smoothed row: UnsafeMutableBufferPointer<Float>, noise: UnsafeMutableBufferPointer<Float>, factor thresholdFactor: Float, into band: inout RunBand) {
        let width = row.count
        var x = 0
        let factor = SIMD8<Float>(repeating: thresholdFactor)
        let rowBase = UnsafeRawPointer(row.baseAddress!), noiseBase = UnsafeRawPointer(noise.baseAddress!)
        while x < width {
            // Most pixels are sky: skip eight at a time while none is above.
            if x + 8 <= width {
                let values = rowBase.loadUnaligned(fromByteOffset: x * 4, as: SIMD8<Float>.self)
                let limits = noiseBase.loadUnaligned(fromByteOffset: x * 4, as: SIMD8<Float>.self) * factor
                if !any(values .> limits) {
                    x += 8
                    continue
                }
            }
            guard row[x] > thresholdFactor * noise[x] else {
                x += 1
                continue
            }
            let start = x
            while x < width && row[x] > thresholdFactor * noise[x] { x += 1 }
            band.runs.append(Run(y: Int32(y), start: Int32(start), end: Int32(x), offset: Int32(band.values.count)))
            band.values.append(contentsOf: row[start..<x])
        }
    }

    /// The 3×3 pyramid as the separable product of [1 2 1]/4 down the columns and along the
    /// row: 6 operations per pixel instead of 9. Rows and pixels beyond the edges count as 0.
    static func smoothPyramid(
        above: UnsafeMutableBufferPointer<Float>?, row: UnsafeMutableBufferPointer<Float>, below: UnsafeMutableBufferPointer<Float>?,
        vertical: UnsafeMutableBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>
    ) {
        let width = row.count
        switch (above, below) {
        case let (above?, below?): for x in 0..<width { vertical[x] = above[x] + 2 * row[x] + below[x] }
        case let (above?, nil): for x in 0..<width { vertical[x] = above[x] + 2 * row[x] }
        case let (nil, below?): for x in 0..<width { vertical[x] = 2 * row[x] + below[x] }
        case (nil, nil): for x in 0..<width { vertical[x] = 2 * row[x] }
        }
        guard width > 1 else {
            output[0] = vertical[0] * (2.0 / 16)
            return
        }
        output[0] = (2 * vertical[0] + vertical[1]) / 16
        for x in 1..<(width - 1) { output[x] = (vertical[x - 1] + 2 * vertical[x] + vertical[x + 1]) / 16 }
        output[width - 1] = (vertical[width - 2] + 2 * vertical[width - 1]) / 16
    }

    /// Convolves the middle row of a window of 2·half + 1 rows with a (2·half + 1)² kernel;
    /// absent rows (`nil`, beyond the image) and pixels beyond the edges count as 0.
    static func convolve(
        window: [UnsafeMutableBufferPointer<Float>?], kernel: [Float], half: Int, into output: UnsafeMutableBufferPointer<Float>
    ) {
        let width = output.count
        let side = 2 * half + 1
        for x in 0..<width { output[x] = 0 }
        for dy in 0..<side {
            guard let row = window[dy] else { continue }
            for dx in -half...half {
                let weight = kernel[dy * side + (dx + half)]
                let x0 = max(0, -dx), x1 = min(width, width - dx)
                var x = x0
                while x < x1 {
                    output[x] += weight * row[x + dx]
                    x += 1
                }
            }
        }
    }

    /// Union-find over runs: runs on consecutive rows that touch (8-connectivity) join.
    static func connect(_ runs: [Run], height: Int) -> [Detection] {
        var parent = Array(0..<Int32(runs.count))
        func find(_ index: Int32) -> Int32 {
            var root = index
            while parent[Int(root)] != root { root = parent[Int(root)] }
            var node = index
            while parent[Int(node)] != root {
                let next = parent[Int(node)]
                parent[Int(node)] = root
                node = next
            }
            return root
        }
        // Runs are in row order; rowStart[y] is the first run on row y.
        var rowStart = [Int](repeating: runs.count, count: height + 1)
        for index in stride(from: runs.count - 1, through: 0, by: -1) { rowStart[Int(runs[index].y)] = index }
        for y in stride(from: height - 1, through: 0, by: -1) where rowStart[y] == runs.count { rowStart[y] = rowStart[y + 1] }
        for y in 1..<max(height, 1) {
            var i = rowStart[y - 1], j = rowStart[y]
            let iEnd = rowStart[y], jEnd = rowStart[y + 1]
            while i < iEnd && j < jEnd {
                let above = runs[i], here = runs[j]
                if above.end < here.start {
                    i += 1
                } else if here.end < above.start {
                    j += 1
                } else {
                    let a = find(Int32(i)), b = find(Int32(j))
                    if a != b { parent[Int(max(a, b))] = min(a, b) }
                    if above.end <= here.end { i += 1 } else { j += 1 }
                }
            }
        }
        var detectionOfRoot: [Int32: Int] = [:]
        var detections: [Detection] = []
        for index in 0..<runs.count {
            let root = find(Int32(index))
            let length = Int(runs[index].end - runs[index].start)
            if let existing = detectionOfRoot[root] {
                detections[existing].runs.append(Int32(index))
                detections[existing].area += length
            } else {
                detectionOfRoot[root] = detections.count
                detections.append(Detection(runs: [Int32(index)], area: length))
            }
        }
        return detections
    }
}

/// A horizontal stretch of above-threshold pixels: row `y`, columns `start..<end`; its
/// smoothed values are `values[offset..<offset + end - start]`.
struct Run: Sendable {
    let y: Int32
    let start: Int32
    let end: Int32
    let offset: Int32
}

/// The runs one band of rows produced.
struct RunBand {
    var runs: [Run] = []
    var values: [Float] = []
}

/// One 8-connected group of runs.
struct Detection: Sendable {
    var runs: [Int32]
    var area: Int
}
