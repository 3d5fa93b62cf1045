import Foundation
import Sky
public import StarlingCore

/// A synthetic star catalog of the whole sky, the same in every run: the stars the simulated
/// camera sees wherever it points.
///
/// The sphere is cut into fixed cells: rings of declination ``cellSize`` high, each cut into
/// as many cells of equal right-ascension width as make them about square. Each cell's stars
/// are drawn, one half-magnitude bin at a time, from a generator seeded by (catalog seed,
/// ring, cell, bin): their number is a Poisson draw from ``StarCounts`` at the cell's Galactic
/// position, their positions are uniform over the cell (uniform in RA and in sin Dec), their
/// magnitudes uniform within the bin, their B − V uniform in 0.3…1.3. So two overlapping frames
/// see the same stars, and a deeper frame sees the same bright stars plus fainter ones.
///
/// ```swift
/// let field = StarField()
/// let stars = field.stars(around: pointing, radius: .degrees(1), faintestMagnitudeV: 21)
/// ```
public struct StarField: Sendable, Hashable {
    /// One synthetic star.
    public struct Star: Sendable, Hashable {
        /// ICRS right ascension, degrees.
        public let rightAscensionDegrees: Double
        /// ICRS declination, degrees.
        public let declinationDegrees: Double
        /// V magnitude.
        public let magnitudeV: Double
        /// B − V colour, magnitudes.
        public let bMinusV: Double

        /// The magnitude in a band.
        public func magnitude(in band: PhotometricBand) -> Double { magnitudeV + band.offsetFromV(bMinusV: bMinusV) }
    }

    /// The catalog's seed: another seed is another sky.
    public let seed: UInt64
    /// The height of a ring of cells.
    public let cellSize: Angle
    /// The brightest magnitude drawn, V (brighter stars are too rare to matter in a frame).
    public let brightestMagnitudeV: Double
    /// Width of the magnitude bins drawn one at a time, magnitudes.
    public static let binWidth = 0.5

    /// Creates a catalog.
    /// - Parameters:
    ///   - seed: the sky's seed (default: Starling's sky).
    ///   - cellSize: the height of a ring of cells (default 0.25°, ~60 cells per square-degree frame).
    ///   - brightestMagnitudeV: the brightest stars drawn, V.
    public init(seed: UInt64 = 0x5354_4152_4C49_4E47, cellSize: Angle = .degrees(0.25), brightestMagnitudeV: Double = 5) {
        self.seed = seed
        self.cellSize = cellSize
        self.brightestMagnitudeV = brightestMagnitudeV
    }

    /// Stars per square degree brighter than a V magnitude at a position (``StarCounts``).
    public func density(brighterThanV magnitudeV: Double, at position: EquatorialCoordinates) -> Double {
        let galactic = GalacticCoordinates.of(position)
        return StarCounts.cumulativeDensity(
            brighterThanV: magnitudeV, galacticLongitudeDegrees: galactic.longitude.degrees,
            galacticLatitudeDegrees: galactic.latitude.degrees)
    }

    /// The stars within a radius of a position, down to a faint limit.
    ///
    /// - Parameters:
    ///   - center: the centre of the region (ICRS).
    ///   - radius: the region's angular radius.
    ///   - faintestMagnitudeV: the faint limit, V.
    /// - Returns: the stars, cell by cell (in no particular order within the region).
    public func stars(around center: EquatorialCoordinates, radius: Angle, faintestMagnitudeV: Double) -> [Star] {
        let cellDegrees = cellSize.degrees
        let ringCount = Int((180 / cellDegrees).rounded(.up))
        let centerDec = center.declination.degrees, centerRA = center.rightAscension.degrees
        let radiusDegrees = radius.degrees
        let cosRadius = cos(radius.radians)
        let sinDec0 = sin(center.declination.radians), cosDec0 = cos(center.declination.radians)
        let firstRing = max(0, Int(((centerDec - radiusDegrees + 90) / cellDegrees).rounded(.down)))
        let lastRing = min(ringCount - 1, Int(((centerDec + radiusDegrees + 90) / cellDegrees).rounded(.down)))
        guard firstRing <= lastRing else { return [] }
        let binCount = max(0, Int(((faintestMagnitudeV - brightestMagnitudeV) / Self.binWidth).rounded(.up)))
        var stars: [Star] = []
        for ring in firstRing...lastRing {
            let decLow = -90 + Double(ring) * cellDegrees
            let decHigh = min(90, decLow + cellDegrees)
            let cellsInRing = Self.cellCount(ringLowDegrees: decLow, ringHighDegrees: decHigh, cellDegrees: cellDegrees)
            let cellWidth = 360 / Double(cellsInRing)
            // The RA half-width the region spans within this ring (all of it near a pole).
            let widestDec = max(abs(decLow), abs(decHigh))
            var cells: [Int]
            if widestDec + radiusDegrees >= 89.9 || cellsInRing <= 2 {
                cells = Array(0..<cellsInRing)
            } else {
                let halfWidth = min(180, radiusDegrees / cos(widestDec * .pi / 180))
                let first = Int(((centerRA - halfWidth) / cellWidth).rounded(.down))
                let last = Int(((centerRA + halfWidth) / cellWidth).rounded(.down))
                cells = last - first + 1 >= cellsInRing
                    ? Array(0..<cellsInRing) : (first...last).map { (($0 % cellsInRing) + cellsInRing) % cellsInRing }
            }
            let sinLow = sin(decLow * .pi / 180), sinHigh = sin(decHigh * .pi / 180)
            let areaSquareDegrees = cellWidth * (sinHigh - sinLow) * 180 / .pi
            for cell in cells {
                let raLow = Double(cell) * cellWidth
                let cellCenter = try? EquatorialCoordinates(
                    rightAscensionDegrees: raLow + cellWidth / 2, declinationDegrees: (decLow + decHigh) / 2)
                guard let cellCenter else { continue }
                let galactic = GalacticCoordinates.of(cellCenter)
                let l = galactic.longitude.degrees, b = galactic.latitude.degrees
                var previous = StarCounts.cumulativeDensity(brighterThanV: brightestMagnitudeV, galacticLongitudeDegrees: l, galacticLatitudeDegrees: b)
                for bin in 0..<binCount {
                    let binLow = brightestMagnitudeV + Double(bin) * Self.binWidth
                    let next = StarCounts.cumulativeDensity(brighterThanV: binLow + Self.binWidth, galacticLongitudeDegrees: l, galacticLatitudeDegrees: b)
                    let expected = max(0, next - previous) * areaSquareDegrees
                    previous = next
                    var random = SeededGenerator(seed: Self.cellSeed(seed, ring: ring, cell: cell, bin: bin))
                    let count = Int(random.nextPoisson(mean: expected))
                    for _ in 0..<count {
                        let ra = raLow + random.nextUnit() * cellWidth
                        let dec = asin(sinLow + random.nextUnit() * (sinHigh - sinLow)) * 180 / .pi
                        let magnitude = binLow + random.nextUnit() * Self.binWidth
                        let colour = 0.3 + random.nextUnit()
                        guard magnitude <= faintestMagnitudeV else { continue }
                        // Inside the region: cos of the separation from the centre.
                        let sinDec = sin(dec * .pi / 180), cosDec = cos(dec * .pi / 180)
                        let cosSeparation = sinDec * sinDec0 + cosDec * cosDec0 * cos((ra - centerRA) * .pi / 180)
                        guard cosSeparation >= cosRadius else { continue }
                        stars.append(Star(rightAscensionDegrees: ra, declinationDegrees: dec, magnitudeV: magnitude, bMinusV: colour))
                    }
                }
            }
        }
        return stars
    }

    /// Cells in a ring: as many as make them about square at the ring's middle.
    static func cellCount(ringLowDegrees: Double, ringHighDegrees: Double, cellDegrees: Double) -> Int {
        let middle = (ringLowDegrees + ringHighDegrees) / 2 * .pi / 180
        return max(1, Int((360 * cos(middle) / cellDegrees).rounded()))
    }

    /// The seed of one cell's magnitude bin: a SplitMix64 finaliser over the four numbers.
    static func cellSeed(_ seed: UInt64, ring: Int, cell: Int, bin: Int) -> UInt64 {
        StableHash.splitMix64(
            seed ^ (UInt64(ring) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(cell) &* 0xC2B2_AE3D_27D4_EB4F) ^ (UInt64(bin) &* 0x1656_67B1_9E37_79F9))
    }
}
