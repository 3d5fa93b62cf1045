public import Foundation
public import Imaging
public import StarlingCore

/// Measures a frame's quality from its FITS file: what the Reporter stores for every frame.
///
/// The pixels go through ``Imaging/FrameAnalysis`` (background, noise, sources, FWHM,
/// ellipticity, saturation, 5σ depth). The frame is then calibrated when it can be:
///
/// - The **expected zero point** is the cloud-free one at the frame's airmass: the header's
///   `MAGZPT` when present (writers of frames record the cloud-free zero point there, extinction
///   included and clouds not), else the telescope model's
///   `2.5 log₁₀(N₀ · π(D/2)² · τ / g) − k·X` with the band's zero-magnitude photon rate `N₀`,
///   aperture `D`, throughput `τ`, gain `g`, extinction `k` per airmass and airmass `X`.
/// - The **measured zero point** is the median over reference stars in the field of
///   `m + 2.5 log₁₀(F / t)`, with `F` the star's flux in a circular aperture of radius 3 FWHM
///   around the detected source nearest its catalog position, and `t` the exposure time.
/// - The **transparency** is `10^(−0.4 (expected − measured))`: the fraction of the cloud-free
///   flux that arrived (1 when clear; a few per cent low for PSFs with broad wings).
///
/// A file that is not there is recorded as `missing`, one that cannot be read as `corrupt`
/// with the reason: measuring never throws.
///
/// ```swift
/// let measurer = FrameMeasurer(network: network, references: ReferenceCatalog(catalog: landolt))
/// let measurement = measurer.measure(record, at: clock.currentDate)
/// try await store.saveFrameQuality(measurement.quality)
/// ```
public struct FrameMeasurer: Sendable {
    /// Where telescopes' apertures, throughputs and gains come from (for the expected zero point).
    public var network: ObservatoryNetwork?
    /// Stars of known magnitude (for the measured zero point).
    public var references: ReferenceCatalog?
    /// Background and detection settings.
    public var options: FrameAnalysis.Options

    /// The aperture radius for reference-star photometry, in FWHMs.
    static let apertureRadiusInFWHM = 3.0
    /// The least S/N of a detected source used as a reference star.
    static let minimumReferenceSignalToNoise = 20.0

    public init(network: ObservatoryNetwork? = nil, references: ReferenceCatalog? = nil, options: FrameAnalysis.Options = .init()) {
        self.network = network
        self.references = references
        self.options = options
    }

    /// The result of measuring a frame: the quality to store, and how it was calibrated.
    public struct Measurement: Sendable, Hashable {
        /// What to store.
        public let quality: FrameQuality
        /// The cloud-free zero point expected at the frame's airmass, and where it came from;
        /// `nil` when neither the header nor the telescope model gives one.
        public let expectedZeroPoint: Double?
        public let expectedZeroPointSource: ZeroPointSource?
        /// The zero point measured on reference stars; `nil` with none in the field.
        public let measuredZeroPoint: Double?
        /// How many reference stars the measured zero point is the median of.
        public let referenceStarsUsed: Int
    }

    /// Where an expected zero point came from.
    public enum ZeroPointSource: String, Sendable, Hashable {
        /// The header's `MAGZPT`.
        case header
        /// The telescope's aperture, throughput and gain, and the band's extinction.
        case telescopeModel = "telescope-model"
    }

    /// Measures a frame.
    ///
    /// - Parameters:
    ///   - record: the frame as recorded; its path is read.
    ///   - time: when the measurement is made (UTC, from the caller's clock).
    /// - Returns: the measurement; a missing or unreadable file gives a quality whose status
    ///   says so and no metrics.
    public func measure(_ record: FrameRecord, at time: Date) -> Measurement {
        guard FileManager.default.fileExists(atPath: record.path) else {
            return Measurement(
                quality: FrameQuality(frameID: record.id, measuredAt: time, status: .missing), expectedZeroPoint: nil,
                expectedZeroPointSource: nil, measuredZeroPoint: nil, referenceStarsUsed: 0)
        }
        do {
            var frame = try FITSFrame(path: record.path)
            return try measure(&frame, record: record, at: time)
        } catch {
            return Measurement(
                quality: FrameQuality(frameID: record.id, measuredAt: time, status: .corrupt(error.description)), expectedZeroPoint: nil,
                expectedZeroPointSource: nil, measuredZeroPoint: nil, referenceStarsUsed: 0)
        }
    }

    private func measure(_ frame: inout FITSFrame, record: FrameRecord, at time: Date) throws(FITSError) -> Measurement {
        // The record knows the exposure and airmass even when a driver's header does not.
        if (frame.metadata.exposureSeconds ?? 0) <= 0, record.exposureSeconds > 0 { frame.metadata.exposureSeconds = record.exposureSeconds }
        let analysis = try FrameAnalysis(frame: frame, options: options)
        let summary = analysis.summary
        let band = record.filter.band ?? frame.metadata.filter.flatMap(PhotometricBand.init(filterName:))
        let airmass = frame.metadata.airmass ?? record.airmass
        let exposure = summary.exposureSeconds ?? (record.exposureSeconds > 0 ? record.exposureSeconds : nil)

        var expected: (value: Double, source: ZeroPointSource)?
        if let header = frame.metadata.zeroPoint, header.isFinite {
            expected = (header, .header)
        } else if let model = modelZeroPoint(record: record, band: band, airmass: airmass) {
            expected = (model, .telescopeModel)
        }
        var measured: (value: Double, stars: Int)?
        if let band, let exposure, exposure > 0, let fwhm = summary.medianFWHMPixels, let wcs = try frame.worldCoordinates() {
            measured = referenceZeroPoint(analysis: analysis, image: frame.image, wcs: wcs, band: band, exposure: exposure, fwhm: fwhm)
        }
        let zeroPoint = measured?.value ?? expected?.value
        var limiting: Double?
        if let zeroPoint, let instrumental = summary.instrumentalLimitingMagnitude, exposure != nil { limiting = zeroPoint + instrumental }
        var transparency: Double?
        if let expected, let measured { transparency = pow(10, -0.4 * (expected.value - measured.value)) }
        let quality = FrameQuality(
            frameID: record.id, measuredAt: time, status: .measured, backgroundADU: finite(summary.backgroundLevel),
            noiseADU: finite(summary.backgroundNoise), fwhmPixels: finite(summary.medianFWHMPixels),
            fwhmArcseconds: finite(summary.medianFWHMArcseconds), ellipticity: finite(summary.medianEllipticity),
            sourceCount: summary.sourceCount, saturatedFraction: finite(summary.saturatedFraction), limitingMagnitude: finite(limiting),
            zeroPoint: finite(zeroPoint), transparency: finite(transparency), source: .pixels)
        return Measurement(
            quality: quality, expectedZeroPoint: expected?.value, expectedZeroPointSource: expected?.source,
            measuredZeroPoint: measured?.value, referenceStarsUsed: measured?.stars ?? 0)
    }

    /// The telescope model's cloud-free zero point at an airmass, or `nil` when the telescope,
    /// the band or the airmass is unknown.
    func modelZeroPoint(record: FrameRecord, band: PhotometricBand?, airmass: Double?) -> Double? {
        guard let band, let airmass, airmass >= 1, let telescope = network?.locate(record.telescopeID)?.telescope else { return nil }
        guard telescope.zeroMagnitudeElectronRate(in: band) > 0 else { return nil }
        return telescope.cloudFreeZeroPoint(in: band, airmass: airmass)
    }

    /// The median zero point of the reference stars in the frame, with how many were used;
    /// `nil` when none could be measured.
    private func referenceZeroPoint(
        analysis: FrameAnalysis, image: FloatImage, wcs: WorldCoordinateSystem, band: PhotometricBand, exposure: Double, fwhm: Double
    ) -> (value: Double, stars: Int)? {
        guard let references, !references.stars.isEmpty,
            let center = wcs.center(width: image.width, height: image.height),
            let scale = wcs.pixelScale(atX: Double(image.width) / 2, y: Double(image.height) / 2)
        else { return nil }
        let halfDiagonal = scale * (Double(image.width * image.width + image.height * image.height).squareRoot() / 2)
        let stars = references.stars(within: halfDiagonal, of: center, band: band)
        guard !stars.isEmpty else { return nil }
        let radius = Self.apertureRadiusInFWHM * fwhm
        let match = max(2, fwhm)
        let candidates = analysis.sources.filter {
            !$0.isSaturated && !$0.isDeblended && !$0.touchesEdge && $0.signalToNoise >= Self.minimumReferenceSignalToNoise
        }
        let grid = SourceGrid(candidates, cell: max(8, match))
        var zeroPoints: [Double] = []
        for star in stars {
            guard let position = wcs.worldToPixel(star.coordinates),
                position.x >= radius, position.y >= radius,
                position.x < Double(image.width) - radius, position.y < Double(image.height) - radius,
                let source = grid.nearest(to: position, within: match)
            else { continue }
            let flux = Self.apertureFlux(image: image, background: analysis.background, x: source.x, y: source.y, radius: radius)
            guard flux > 0 else { continue }
            zeroPoints.append(star.magnitude + 2.5 * log10(flux / exposure))
        }
        guard let median = Statistics.median(zeroPoints) else { return nil }
        return (median, zeroPoints.count)
    }

    /// The background-subtracted sum over the pixels whose centres lie within `radius` of (x, y), ADU.
    static func apertureFlux(image: FloatImage, background: BackgroundMap, x: Double, y: Double, radius: Double) -> Double {
        let x0 = max(0, Int((x - radius).rounded(.down))), x1 = min(image.width - 1, Int((x + radius).rounded(.up)))
        let y0 = max(0, Int((y - radius).rounded(.down))), y1 = min(image.height - 1, Int((y + radius).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return 0 }
        var sum = 0.0
        for row in y0...y1 {
            for column in x0...x1 {
                let dx = Double(column) - x, dy = Double(row) - y
                guard dx * dx + dy * dy <= radius * radius else { continue }
                let value = image[column, row]
                guard value.isFinite else { continue }
                sum += Double(value) - Double(background.level(atX: Double(column), y: Double(row)))
            }
        }
        return sum
    }
}

/// Detected sources binned on a square grid, for nearest-neighbour lookups.
private struct SourceGrid {
    let sources: [Source]
    let cell: Double
    private var bins: [Int64: [Int]] = [:]

    init(_ sources: [Source], cell: Double) {
        self.sources = sources
        self.cell = cell
        for (index, source) in sources.enumerated() { bins[key(Int((source.x / cell).rounded(.down)), Int((source.y / cell).rounded(.down))), default: []].append(index) }
    }

    private func key(_ column: Int, _ row: Int) -> Int64 { Int64(row) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: column))) }

    /// The source nearest a position within a distance, pixels.
    func nearest(to position: (x: Double, y: Double), within distance: Double) -> Source? {
        let column = Int((position.x / cell).rounded(.down)), row = Int((position.y / cell).rounded(.down))
        let reach = Int((distance / cell).rounded(.up))
        var best: Source?
        var bestSquared = distance * distance
        for r in (row - reach)...(row + reach) {
            for c in (column - reach)...(column + reach) {
                for index in bins[key(c, r)] ?? [] {
                    let dx = sources[index].x - position.x, dy = sources[index].y - position.y
                    let squared = dx * dx + dy * dy
                    if squared <= bestSquared {
                        bestSquared = squared
                        best = sources[index]
                    }
                }
            }
        }
        return best
    }
}

/// A finite value, or `nil` for NaN and infinities (which JSON cannot carry).
func finite(_ value: Double?) -> Double? {
    guard let value, value.isFinite else { return nil }
    return value
}
