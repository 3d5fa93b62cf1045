/// How the sky background is estimated.
public struct BackgroundOptions: Sendable, Hashable, Codable {
    /// The side of the square mesh over which each background value is measured, pixels
    /// (SExtractor's `BACK_SIZE`; 64 by default). Larger than a star, smaller than the
    /// scale on which the sky changes.
    public var meshSize: Int
    /// The side of the median filter applied to the grid of mesh values, meshes
    /// (`BACK_FILTERSIZE`; 3 by default, 1 for none). Removes meshes spoiled by bright stars.
    public var filterSize: Int
    /// Pixels at or above this level (ADU) are left out of the statistics; `nil` for none.
    public var saturationLevel: Double?

    public init(meshSize: Int = 64, filterSize: Int = 3, saturationLevel: Double? = nil) {
        precondition(meshSize >= 4, "meshSize must be at least 4 pixels")
        precondition(filterSize >= 1 && filterSize % 2 == 1, "filterSize must be odd and positive")
        self.meshSize = meshSize
        self.filterSize = filterSize
        self.saturationLevel = saturationLevel
    }
}

/// The sky background of an image and its noise, as smooth maps: what SExtractor and sep
/// call the background and the background RMS.
///
/// The image is cut into square meshes. In each, the values are clipped iteratively at
/// ±3σ until stable (two passes over the pixels, then on a fine histogram); the background
/// is the mode estimate `2.5 × median − 1.5 × mean` of the kept values (Bertin & Arnouts
/// 1996, §3.1), or the median when mean and median differ by more than 0.3σ (a crowded
/// mesh). The noise is the clipped standard deviation divided by 0.98657, the fraction of σ
/// that a ±3σ cut of a Gaussian keeps, so pure Gaussian sky gets an unbiased noise. Meshes
/// with fewer than half their pixels usable take the mean of their valid neighbours. The
/// mesh grids are median-filtered, and the maps at full resolution are bilinear
/// interpolations between mesh centres (constant beyond the outer centres).
public struct BackgroundMap: Sendable {
    /// Image width, pixels.
    public let width: Int
    /// Image height, pixels.
    public let height: Int
    /// The options used.
    public let options: BackgroundOptions
    /// Number of mesh columns (the last may be narrower).
    public let meshColumns: Int
    /// Number of mesh rows.
    public let meshRows: Int
    /// Background per mesh after filtering, ADU, row by row (`meshRows × meshColumns`).
    public let meshLevels: [Float]
    /// Noise (1σ) per mesh after filtering, ADU, row by row.
    public let meshNoise: [Float]
    /// The median of the mesh backgrounds: the frame's background level, ADU.
    public let globalLevel: Double
    /// The median of the mesh noise values: the frame's background noise (1σ per pixel), ADU.
    public let globalNoise: Double

    /// How many pixels are at or above ``BackgroundOptions/saturationLevel`` (0 without one),
    /// counted while the meshes are measured.
    let saturatedPixelCount: Int

    /// Mesh-centre coordinates along x and y, pixels.
    private let centersX: [Double]
    private let centersY: [Double]

    /// Measures the background of an image.
    ///
    /// Meshes are measured on all cores. Pixels that are NaN are ignored.
    public init(image: FloatImage, options: BackgroundOptions = BackgroundOptions()) {
        width = image.width
        height = image.height
        self.options = options
        let size = options.meshSize
        meshColumns = (image.width + size - 1) / size
        meshRows = (image.height + size - 1) / size
        centersX = (0..<meshColumns).map { Double($0 * size + min(image.width, ($0 + 1) * size) - 1) / 2 }
        centersY = (0..<meshRows).map { Double($0 * size + min(image.height, ($0 + 1) * size) - 1) / 2 }
        let columns = meshColumns, rows = meshRows
        let saturation = options.saturationLevel.map { Float($0) } ?? .infinity
        // Per mesh row, measure each mesh; bands of mesh rows run concurrently.
        let bands: [[(Float, Float, Int)]] = image.pixels.withUnsafeBufferPointer { pixels in
            Parallel.map(rows, minimumPerBand: 1) { meshRowRange in
                var out: [(Float, Float, Int)] = []
                out.reserveCapacity(meshRowRange.count * columns)
                for row in meshRowRange {
                    for column in 0..<columns {
                        let x0 = column * size, x1 = min(image.width, x0 + size)
                        let y0 = row * size, y1 = min(image.height, y0 + size)
                        let block = MeshBlock(base: pixels.baseAddress! + y0 * image.width + x0, stride: image.width, columns: x1 - x0, rows: y1 - y0)
                        out.append(Self.meshStatistics(block, saturation: saturation))
                    }
                }
                return out
            }
        }
        var levels = bands.flatMap { $0.map(\.0) }
        var noise = bands.flatMap { $0.map(\.1) }
        saturatedPixelCount = bands.reduce(0) { $0 + $1.reduce(0) { $0 + $1.2 } }
        Self.fillInvalid(&levels, columns: columns, rows: rows)
        Self.fillInvalid(&noise, columns: columns, rows: rows)
        if options.filterSize > 1 {
            levels = Self.medianFilter(levels, columns: columns, rows: rows, size: options.filterSize)
            noise = Self.medianFilter(noise, columns: columns, rows: rows, size: options.filterSize)
        }
        meshLevels = levels
        meshNoise = noise
        globalLevel = Self.median(levels.filter(\.isFinite)) ?? .nan
        globalNoise = Self.median(noise.filter(\.isFinite)) ?? .nan
    }

    /// The background at a pixel (0-based), ADU.
    public func level(atX x: Double, y: Double) -> Float { interpolate(meshLevels, x: x, y: y) }

    /// The background noise (1σ) at a pixel (0-based), ADU.
    public func noise(atX x: Double, y: Double) -> Float { interpolate(meshNoise, x: x, y: y) }

    /// The background at full resolution.
    public func levelImage() -> FloatImage { fullResolution(meshLevels) }

    /// The background noise at full resolution.
    public func noiseImage() -> FloatImage { fullResolution(meshNoise) }

    // MARK: Interpolation

    /// Fills `levels` and `noise` (each `width` long) with the interpolated maps along row `y`:
    /// interpolated between mesh rows first, then linearly along the row segment by segment
    /// between mesh centres (a loop without gathers, which the compiler vectorises).
    func fillRow(_ y: Int, levels: UnsafeMutableBufferPointer<Float>?, noise: UnsafeMutableBufferPointer<Float>?) {
        let (j, t) = Self.bracket(Double(y), centers: centersY)
        let j1 = min(j + 1, meshRows - 1)
        let tf = Float(t)
        let columns = meshColumns
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * columns) { rows in
            for i in 0..<columns {
                rows[i] = meshLevels[j * columns + i] * (1 - tf) + meshLevels[j1 * columns + i] * tf
                rows[columns + i] = meshNoise[j * columns + i] * (1 - tf) + meshNoise[j1 * columns + i] * tf
            }
            if let levels {
                Self.interpolateAlongRow(UnsafeBufferPointer(rebasing: rows[0..<columns]), centers: centersX, into: levels)
            }
            if let noise {
                Self.interpolateAlongRow(UnsafeBufferPointer(rebasing: rows[columns..<(2 * columns)]), centers: centersX, into: noise)
            }
        }
    }

    /// Piecewise-linear interpolation of values at mesh centres onto every column, constant
    /// beyond the first and last centres.
    private static func interpolateAlongRow(_ values: UnsafeBufferPointer<Float>, centers: [Double], into output: UnsafeMutableBufferPointer<Float>) {
        let width = output.count
        let last = centers.count - 1
        guard let out = output.baseAddress else { return }
        // Up to and including the first centre.
        var x = min(width, Int(centers[0].rounded(.down)) + 1)
        for column in 0..<x { out[column] = values[0] }
        if last > 0 {
            for i in 0..<last {
                let end = min(width, Int(centers[i + 1].rounded(.down)) + 1)
                guard x < end else { continue }
                let start = Float(centers[i])
                let slope = (values[i + 1] - values[i]) / Float(centers[i + 1] - centers[i])
                // Eight columns per step: lanes start at base + slope·column and advance by
                // 8·slope (Int→Float conversions would not vectorise on AVX2).
                var lanes = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7) * slope + (values[i] + slope * (Float(x) - start))
                let step = SIMD8<Float>(repeating: 8 * slope)
                let raw = UnsafeMutableRawPointer(out)
                while x + 8 <= end {
                    raw.storeBytes(of: lanes, toByteOffset: x * 4, as: SIMD8<Float>.self)
                    lanes += step
                    x += 8
                }
                while x < end {
                    out[x] = values[i] + slope * (Float(x) - start)
                    x += 1
                }
            }
        }
        for column in x..<width { out[column] = values[last] }
    }

    private func fullResolution(_ grid: [Float]) -> FloatImage {
        var pixels = [Float](repeating: 0, count: width * height)
        let useLevels = grid == meshLevels
        pixels.withUnsafeMutableBufferPointer { output in
            Parallel.forEachRange(height, minimumPerBand: 64) { rows in
                var levels = [Float](repeating: 0, count: width)
                var noise = [Float](repeating: 0, count: width)
                for y in rows {
                    levels.withUnsafeMutableBufferPointer { l in
                        noise.withUnsafeMutableBufferPointer { n in fillRow(y, levels: l, noise: n) }
                    }
                    let source = useLevels ? levels : noise
                    for x in 0..<width { output[y * width + x] = source[x] }
                }
            }
        }
        return FloatImage(width: width, height: height, pixels: pixels)
    }

    private func interpolate(_ grid: [Float], x: Double, y: Double) -> Float {
        let (i, u) = Self.bracket(x, centers: centersX)
        let (j, t) = Self.bracket(y, centers: centersY)
        let i1 = min(i + 1, meshColumns - 1), j1 = min(j + 1, meshRows - 1)
        let top = Double(grid[j * meshColumns + i]) * (1 - u) + Double(grid[j * meshColumns + i1]) * u
        let bottom = Double(grid[j1 * meshColumns + i]) * (1 - u) + Double(grid[j1 * meshColumns + i1]) * u
        return Float(top * (1 - t) + bottom * t)
    }

    /// The index of the mesh centre at or left of `position`, and the weight of the next one.
    private static func bracket(_ position: Double, centers: [Double]) -> (Int, Double) {
        guard centers.count > 1, position > centers[0] else { return (0, 0) }
        guard position < centers[centers.count - 1] else { return (centers.count - 1, 0) }
        var low = 0, high = centers.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if centers[middle] <= position { low = middle } else { high = middle }
        }
        return (low, (position - centers[low]) / (centers[low + 1] - centers[low]))
    }

    // MARK: Mesh statistics

    /// A mesh's pixels in place: `rows` rows of `columns` values, `stride` apart.
    struct MeshBlock {
        let base: UnsafePointer<Float>
        let stride: Int
        let columns: Int
        let rows: Int

        var count: Int { columns * rows }

        func firstValue(where predicate: (Float) -> Bool) -> Float? {
            for row in 0..<rows {
                for column in 0..<columns where predicate(base[row * stride + column]) { return base[row * stride + column] }
            }
            return nil
        }
    }

    /// Background, noise and saturated-pixel count of one mesh.
    ///
    /// Two clipping passes over the values (±3σ around the mean) tame bright stars; a
    /// 512-bin histogram over the remaining ±3σ then carries the clipping to convergence and
    /// gives the median by interpolation within its bin (SExtractor's backstat/backguess
    /// scheme), so each mesh costs a few passes over its pixels instead of a sort.
    ///
    /// NaN values and values at or above `saturation` are left out; a mesh with fewer than
    /// half its values usable gives NaN (filled from its neighbours later).
    static func meshStatistics(_ block: MeshBlock, saturation: Float) -> (Float, Float, Int) {
        guard block.count > 0 else { return (.nan, .nan, 0) }
        var low: Float = -.infinity, high: Float = saturation.nextDown
        var mean = 0.0, sd = 0.0
        var usable = 0.0
        var saturated = 0
        // Sums of values less a reference pixel, in eight single-precision lanes: the shift
        // keeps x² small enough for float sums to stay exact to ~1e-6 of σ², and the lanes let
        // one instruction do eight pixels (a NaN fails both comparisons). The block is read
        // row by row in place, without copying it.
        let reference = block.firstValue { $0.isFinite && $0 < saturation } ?? 0
        let ones = SIMD8<Float>(repeating: 1)
        let saturationLane = SIMD8<Float>(repeating: saturation)
        for pass in 0..<2 {
            var sum = SIMD8<Float>(), squares = SIMD8<Float>(), n = SIMD8<Float>(), overflowing = SIMD8<Float>()
            let lowLane = SIMD8<Float>(repeating: low - reference), highLane = SIMD8<Float>(repeating: high - reference)
            var total = 0.0, totalSquares = 0.0, count = 0.0
            for row in 0..<block.rows {
                let pointer = block.base + row * block.stride
                let raw = UnsafeRawPointer(pointer)
                var index = 0
                while index + 8 <= block.columns {
                    let values = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
                    let v = values - reference
                    let outside = .!((v .>= lowLane) .& (v .<= highLane))
                    let kept = v.replacing(with: 0, where: outside)
                    sum += kept
                    squares += kept * kept
                    n += ones.replacing(with: 0, where: outside)
                    if pass == 0 { overflowing += ones.replacing(with: 0, where: .!(values .>= saturationLane)) }
                    index += 8
                }
                while index < block.columns {
                    let value = pointer[index], v = value - reference
                    if v >= low - reference && v <= high - reference {
                        total += Double(v)
                        totalSquares += Double(v) * Double(v)
                        count += 1
                    }
                    if pass == 0 && value >= saturation { saturated += 1 }
                    index += 1
                }
            }
            total += Double(sum.sum())
            totalSquares += Double(squares.sum())
            count += Double(n.sum())
            if pass == 0 {
                usable = count
                saturated += Int(overflowing.sum())
            }
            guard count > 0 else { break }
            let shiftedMean = total / count
            sd = max(0, totalSquares / count - shiftedMean * shiftedMean).squareRoot()
            mean = shiftedMean + Double(reference)
            low = Float(mean - 3 * sd)
            high = min(Float(mean + 3 * sd), saturation.nextDown)
        }
        guard usable * 2 >= Double(block.count) else { return (.nan, .nan, saturated) }
        guard sd > 0, sd.isFinite, mean.isFinite else { return (Float(mean), Float(sd), saturated) }
        // Histogram of the values within ±3σ of the current mean.
        let bins = 512
        let origin = mean - 3 * sd, width = 6 * sd / Double(bins)
        var histogram = [Int32](repeating: 0, count: bins)
        let floatOrigin = Float(origin), scale = Float(1 / width), limit = Float(bins)
        histogram.withUnsafeMutableBufferPointer { histogram in
            for row in 0..<block.rows {
                let pointer = block.base + row * block.stride
                for index in 0..<block.columns {
                    let position = (pointer[index] - floatOrigin) * scale
                    if position >= 0 && position < limit { histogram[Int(position)] &+= 1 }
                }
            }
        }
        // Prefix sums of count, Σx and Σx² over the bins (at bin centres) make every clipping
        // round O(log bins): a range's statistics are differences of two prefixes.
        var counts = [Double](repeating: 0, count: bins + 1)
        var sums = [Double](repeating: 0, count: bins + 1)
        var squares = [Double](repeating: 0, count: bins + 1)
        for bin in 0..<bins {
            let n = Double(histogram[bin]), centre = origin + (Double(bin) + 0.5) * width
            counts[bin + 1] = counts[bin] + n
            sums[bin + 1] = sums[bin] + n * centre
            squares[bin + 1] = squares[bin] + n * centre * centre
        }
        // Clip on the histogram until the range stops changing.
        var first = 0, last = bins - 1
        var median = mean
        for _ in 0..<20 {
            let n = counts[last + 1] - counts[first]
            guard n > 0 else { break }
            mean = (sums[last + 1] - sums[first]) / n
            // Sheppard's correction removes the bins' own variance (width²/12).
            sd = max(0, (squares[last + 1] - squares[first]) / n - mean * mean - width * width / 12).squareRoot()
            // The bin holding the middle value, by binary search on the cumulative counts.
            let target = counts[first] + n / 2
            var low = first, high = last
            while low < high {
                let middle = (low + high) / 2
                if counts[middle + 1] >= target { high = middle } else { low = middle + 1 }
            }
            let inBin = counts[low + 1] - counts[low]
            let fraction = inBin > 0 ? (target - counts[low]) / inBin : 0.5
            median = origin + (Double(low) + fraction) * width
            let newFirst = max(0, Int(((median - 3 * sd) - origin) / width))
            let newLast = min(bins - 1, Int(((median + 3 * sd) - origin) / width))
            if newFirst == first && newLast == last || newLast <= newFirst { break }
            first = newFirst
            last = newLast
        }
        let mode = abs(mean - median) < 0.3 * sd ? 2.5 * median - 1.5 * mean : median
        // A Gaussian cut at ±3σ keeps a standard deviation of 0.98657σ: undo that bias so
        // the noise of pure Gaussian sky is estimated without it.
        return (Float(mode), Float(sd / 0.986_57), saturated)
    }

    static func median(_ values: [Float]) -> Double? {
        var copy = values
        return median(&copy)
    }

    /// Median by quickselect (reorders `values`).
    static func median(_ values: inout [Float]) -> Double? {
        let n = values.count
        guard n > 0 else { return nil }
        let upper = select(&values, n / 2)
        if n % 2 == 1 { return Double(upper) }
        // The largest value of the lower half.
        var lower = -Float.infinity
        for index in 0..<(n / 2) where values[index] > lower { lower = values[index] }
        return (Double(lower) + Double(upper)) / 2
    }

    /// The k-th smallest value (0-based), leaving smaller values before index k (Hoare's select).
    static func select(_ values: inout [Float], _ k: Int) -> Float {
        var low = 0, high = values.count - 1
        values.withUnsafeMutableBufferPointer { a in
            while low < high {
                let pivot = a[(low + high) / 2]
                var i = low, j = high
                while i <= j {
                    while a[i] < pivot { i += 1 }
                    while a[j] > pivot { j -= 1 }
                    if i <= j {
                        a.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if k <= j { high = j } else if k >= i { low = i } else { break }
            }
        }
        return values[k]
    }

    /// Replaces NaN meshes by the mean of their valid neighbours, growing outwards.
    private static func fillInvalid(_ grid: inout [Float], columns: Int, rows: Int) {
        guard grid.contains(where: { !$0.isFinite }) else { return }
        guard grid.contains(where: \.isFinite) else { return }
        while grid.contains(where: { !$0.isFinite }) {
            let previous = grid
            for row in 0..<rows {
                for column in 0..<columns where !previous[row * columns + column].isFinite {
                    var sum = 0.0, n = 0.0
                    for dy in -1...1 {
                        for dx in -1...1 {
                            let r = row + dy, c = column + dx
                            guard r >= 0, r < rows, c >= 0, c < columns else { continue }
                            let value = previous[r * columns + c]
                            if value.isFinite {
                                sum += Double(value)
                                n += 1
                            }
                        }
                    }
                    // Means of finite floats stay finite in Double; the cast back cannot overflow
                    // beyond the largest neighbour.
                    if n > 0 { grid[row * columns + column] = Float(sum / n) }
                }
            }
        }
    }

    /// A `size × size` median filter over the mesh grid (edges use the meshes that exist).
    private static func medianFilter(_ grid: [Float], columns: Int, rows: Int, size: Int) -> [Float] {
        let half = size / 2
        var output = grid
        var window: [Float] = []
        for row in 0..<rows {
            for column in 0..<columns {
                window.removeAll(keepingCapacity: true)
                for r in max(0, row - half)...min(rows - 1, row + half) {
                    for c in max(0, column - half)...min(columns - 1, column + half) where grid[r * columns + c].isFinite {
                        window.append(grid[r * columns + c])
                    }
                }
                if let median = median(&window) { output[row * columns + column] = Float(median) }
            }
        }
        return output
    }
}
