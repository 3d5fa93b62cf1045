public import Foundation

/// A greyscale picture of a frame for reports: zscale-stretched, optionally reduced, north
/// of the detector (FITS row 1) at the bottom as astronomers display frames.
public struct FramePreview: Sendable {
    /// Picture width, pixels.
    public let width: Int
    /// Picture height, pixels.
    public let height: Int
    /// Grey levels, top row first.
    public let gray: [UInt8]
    /// The stretch used.
    public let limits: ZScale
    /// How many image pixels each picture pixel averages, per axis (1 for full size).
    public let reduction: Int

    /// Renders an image.
    ///
    /// - Parameters:
    ///   - image: the frame's pixels.
    ///   - maximumSize: the picture's longest side, pixels; the image is reduced by the
    ///     smallest whole factor that fits (block averages). `nil` keeps full size.
    ///   - limits: the stretch; zscale of the image by default.
    public init(image: FloatImage, maximumSize: Int? = nil, limits: ZScale? = nil) {
        let stretch = limits ?? ZScale(image: image)
        let longest = max(image.width, image.height)
        let factor = maximumSize.map { max(1, (longest + $0 - 1) / max($0, 1)) } ?? 1
        let outWidth = max(1, image.width / factor), outHeight = max(1, image.height / factor)
        let span = stretch.high > stretch.low ? stretch.high - stretch.low : 1
        var gray = [UInt8](repeating: 0, count: outWidth * outHeight)
        for row in 0..<outHeight {
            // Picture row 0 is the top: the image's last rows.
            let sourceRow = outHeight - 1 - row
            for column in 0..<outWidth {
                var sum: Float = 0, n: Float = 0
                for y in (sourceRow * factor)..<min(image.height, (sourceRow + 1) * factor) {
                    for x in (column * factor)..<min(image.width, (column + 1) * factor) {
                        let value = image.pixels[y * image.width + x]
                        if value.isFinite {
                            sum += value
                            n += 1
                        }
                    }
                }
                let value = n > 0 ? (sum / n - stretch.low) / span : 0
                gray[row * outWidth + column] = UInt8(min(max(value, 0), 1) * 255 + 0.5)
            }
        }
        self.width = outWidth
        self.height = outHeight
        self.gray = gray
        self.limits = stretch
        self.reduction = factor
    }

    /// The picture as PNG bytes.
    public func pngData() throws(PNGEncoder.Failure) -> Data {
        try PNGEncoder.encode(gray: gray, width: width, height: height)
    }
}
