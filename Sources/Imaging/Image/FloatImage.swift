/// A 2-D image of 32-bit floating-point pixels: what Starling reads, measures and writes.
///
/// Pixels are stored row by row: `pixels[y * width + x]`. Coordinates are 0-based and
/// name pixel centres, as in numpy, astropy and sep: pixel (0, 0) is FITS pixel (1, 1),
/// and a position (x, y) = (0.0, 0.0) is the centre of the first pixel. Add 1 to compare
/// with FITS `CRPIX` or SExtractor's `X_IMAGE`. Values are in ADU after `BZERO`/`BSCALE`;
/// NaN marks an undefined pixel, which statistics and detection skip.
///
/// ```swift
/// var image = FloatImage(width: 2048, height: 2048, repeating: 1000)
/// image[10, 20] = 1500
/// ```
public struct FloatImage: Sendable, Equatable {
    /// Number of columns (`NAXIS1`).
    public let width: Int
    /// Number of rows (`NAXIS2`).
    public let height: Int
    /// The pixels, row by row; `count == width * height`.
    public var pixels: [Float]

    /// Creates an image from its pixels (row by row).
    ///
    /// - Precondition: `pixels.count == width * height`, both dimensions positive.
    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0, "an image needs positive dimensions, got \(width)×\(height)")
        precondition(pixels.count == width * height, "\(pixels.count) pixels do not fill \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Creates an image with every pixel set to `value`.
    public init(width: Int, height: Int, repeating value: Float) {
        self.init(width: width, height: height, pixels: [Float](repeating: value, count: width * height))
    }

    /// The pixel at column `x`, row `y` (0-based).
    public subscript(x: Int, y: Int) -> Float {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// Number of pixels.
    public var count: Int { width * height }
}
