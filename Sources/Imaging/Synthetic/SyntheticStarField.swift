import Foundation
import StarlingCore

/// Synthetic frames with known stars, for truth tests and benchmarks: stars with Gaussian
/// or Moffat profiles integrated over each pixel, a flat sky, Poisson noise on sky and
/// stars, and Gaussian read noise; all from a fixed seed, so a seed gives the same frame on
/// every machine.
///
/// ```swift
/// let field = SyntheticStarField(width: 1024, height: 1024, starCount: 400, seed: 7)
/// let frame = field.render()            // FloatImage in ADU
/// field.stars                           // the truth: positions (0-based) and fluxes
/// ```
public struct SyntheticStarField: Sendable {
    /// The point-spread function of every star.
    public enum Profile: Sendable, Hashable, Codable {
        /// A circular Gaussian of this FWHM, pixels.
        case gaussian(fwhm: Double)
        /// A circular Moffat `(1 + r²/α²)^−β` of this FWHM, pixels, and this β.
        case moffat(fwhm: Double, beta: Double)

        /// The FWHM, pixels.
        public var fwhm: Double {
            switch self {
            case .gaussian(let fwhm), .moffat(let fwhm, _): fwhm
            }
        }
    }

    /// One star of the truth.
    public struct Star: Sendable, Hashable, Codable {
        /// Position of the profile's centre, 0-based pixels.
        public let x: Double
        public let y: Double
        /// Total flux, electrons.
        public let electrons: Double
    }

    public let width: Int
    public let height: Int
    public let profile: Profile
    /// Sky level, electrons per pixel.
    public let skyElectrons: Double
    /// Read noise, electrons RMS.
    public let readNoise: Double
    /// Gain, electrons per ADU.
    public let gain: Double
    /// Bias level added to every pixel, ADU.
    public let bias: Double
    /// The stars.
    public let stars: [Star]
    /// The seed of the noise.
    public let seed: UInt64

    /// Places `starCount` stars at random, with fluxes log-uniform between the two limits,
    /// no two closer than `minimumSeparation` pixels and none closer than 8 pixels to an edge.
    ///
    /// - Parameters:
    ///   - width, height: image size, pixels.
    ///   - starCount: how many stars to try to place (fewer when the field is too crowded
    ///     for `minimumSeparation`).
    ///   - profile: the PSF (default: Gaussian of FWHM 3.5 px).
    ///   - fluxRange: total star flux, electrons.
    ///   - skyElectrons, readNoise, gain, bias: the detector.
    ///   - minimumSeparation: the least distance between two stars, pixels (0 allows blends).
    ///   - seed: the random seed for positions, fluxes and noise.
    public init(
        width: Int, height: Int, starCount: Int, profile: Profile = .gaussian(fwhm: 3.5),
        fluxRange: ClosedRange<Double> = 300...300_000, skyElectrons: Double = 1000, readNoise: Double = 5, gain: Double = 1.5,
        bias: Double = 500, minimumSeparation: Double = 12, seed: UInt64
    ) {
        self.width = width
        self.height = height
        self.profile = profile
        self.skyElectrons = skyElectrons
        self.readNoise = readNoise
        self.gain = gain
        self.bias = bias
        self.seed = seed
        var random = SplitMix64(seed: seed)
        var stars: [Star] = []
        let cell = max(minimumSeparation, 1)
        var grid: [Int: [Int]] = [:]
        let gridColumns = Int(Double(width) / cell) + 1
        var attempts = 0
        while stars.count < starCount && attempts < starCount * 50 {
            attempts += 1
            let x = 8 + random.nextDouble() * Double(width - 17)
            let y = 8 + random.nextDouble() * Double(height - 17)
            let cx = Int(x / cell), cy = Int(y / cell)
            var clear = true
            if minimumSeparation > 0 {
                search: for gy in (cy - 1)...(cy + 1) {
                    for gx in (cx - 1)...(cx + 1) {
                        for other in grid[gy * gridColumns + gx] ?? [] {
                            let dx = stars[other].x - x, dy = stars[other].y - y
                            if dx * dx + dy * dy < minimumSeparation * minimumSeparation {
                                clear = false
                                break search
                            }
                        }
                    }
                }
            }
            guard clear else { continue }
            let logFlux = log(fluxRange.lowerBound) + random.nextDouble() * (log(fluxRange.upperBound) - log(fluxRange.lowerBound))
            grid[cy * gridColumns + cx, default: []].append(stars.count)
            stars.append(Star(x: x, y: y, electrons: exp(logFlux)))
        }
        self.stars = stars
    }

    /// A field with the given stars (for close pairs and other arranged cases).
    public init(
        width: Int, height: Int, stars: [Star], profile: Profile = .gaussian(fwhm: 3.5), skyElectrons: Double = 1000,
        readNoise: Double = 5, gain: Double = 1.5, bias: Double = 500, seed: UInt64
    ) {
        self.width = width
        self.height = height
        self.profile = profile
        self.skyElectrons = skyElectrons
        self.readNoise = readNoise
        self.gain = gain
        self.bias = bias
        self.stars = stars
        self.seed = seed
    }

    /// The signal-to-noise ratio a star would have in an optimal (PSF-weighted) measurement
    /// on this sky: `F / √(F + 4πσ²(sky + RN²))`, with `σ = FWHM / 2.3548`, electrons.
    public func signalToNoise(of star: Star) -> Double {
        let sigma = profile.fwhm / 2.354_820_045
        let area = 4 * Double.pi * sigma * sigma
        return star.electrons / (star.electrons + area * (skyElectrons + readNoise * readNoise)).squareRoot()
    }

    /// Renders the frame, ADU: bias + (sky + stars with Poisson noise + read noise) / gain.
    ///
    /// - Parameter noise: `false` renders the noiseless expectation.
    public func render(noise: Bool = true) -> FloatImage {
        var electrons = [Double](repeating: skyElectrons, count: width * height)
        let radius = Int((profile.fwhm * 4).rounded(.up)) + 2
        for star in stars {
            let x0 = max(0, Int(star.x) - radius), x1 = min(width - 1, Int(star.x) + radius)
            let y0 = max(0, Int(star.y) - radius), y1 = min(height - 1, Int(star.y) + radius)
            guard x0 <= x1, y0 <= y1 else { continue }
            switch profile {
            case .gaussian(let fwhm):
                // Exact pixel integrals of a Gaussian: products of differences of the normal CDF.
                let sigma = fwhm / 2.354_820_045
                func cdf(_ t: Double) -> Double { 0.5 * (1 + erf(t / (sigma * 2.0.squareRoot()))) }
                let fx = (x0...x1).map { cdf(Double($0) + 0.5 - star.x) - cdf(Double($0) - 0.5 - star.x) }
                let fy = (y0...y1).map { cdf(Double($0) + 0.5 - star.y) - cdf(Double($0) - 0.5 - star.y) }
                for (j, y) in (y0...y1).enumerated() {
                    for (i, x) in (x0...x1).enumerated() { electrons[y * width + x] += star.electrons * fx[i] * fy[j] }
                }
            case .moffat(let fwhm, let beta):
                // 7×7 sub-samples per pixel; the profile normalised over the plane.
                let alpha = fwhm / (2 * (pow(2, 1 / beta) - 1).squareRoot())
                let normalisation = (beta - 1) / (Double.pi * alpha * alpha)
                let steps = 7
                for y in y0...y1 {
                    for x in x0...x1 {
                        var sum = 0.0
                        for sy in 0..<steps {
                            let dy = Double(y) - 0.5 + (Double(sy) + 0.5) / Double(steps) - star.y
                            for sx in 0..<steps {
                                let dx = Double(x) - 0.5 + (Double(sx) + 0.5) / Double(steps) - star.x
                                sum += pow(1 + (dx * dx + dy * dy) / (alpha * alpha), -beta)
                            }
                        }
                        electrons[y * width + x] += star.electrons * normalisation * sum / Double(steps * steps)
                    }
                }
            }
        }
        var random = SplitMix64(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
        var pixels = [Float](repeating: 0, count: width * height)
        for index in 0..<pixels.count {
            var value = electrons[index]
            if noise {
                value = random.nextPoisson(mean: value) + readNoise * random.nextGaussian()
            }
            pixels[index] = Float(bias + value / gain)
        }
        return FloatImage(width: width, height: height, pixels: pixels)
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator whose stream is
/// the same on every platform.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    private var spareGaussian: Double?

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return StableHash.splitMix64(state)
    }

    /// Uniform in [0, 1).
    mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal (Marsaglia's polar method).
    mutating func nextGaussian() -> Double {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        while true {
            let u = 2 * nextDouble() - 1, v = 2 * nextDouble() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * log(s) / s).squareRoot()
                spareGaussian = v * factor
                return u * factor
            }
        }
    }

    /// Poisson: Knuth's product method below a mean of 30, the normal approximation above.
    mutating func nextPoisson(mean: Double) -> Double {
        guard mean > 0 else { return 0 }
        if mean >= 30 { return max(0, (mean + mean.squareRoot() * nextGaussian()).rounded()) }
        let limit = exp(-mean)
        var product = nextDouble()
        var count = 0.0
        while product > limit {
            product *= nextDouble()
            count += 1
        }
        return count
    }
}
