public import StarlingCore
import Foundation

/// A gnomonic (TAN) world coordinate system to write into a frame: where the image points,
/// how large a pixel is, and how the image is turned on the sky.
///
/// Written as `CTYPE1/2 = 'RA---TAN'/'DEC--TAN'`, `CRVAL`, `CRPIX`, `CD1_1…CD2_2` (degrees per
/// pixel), `CUNIT`, `RADESYS = 'ICRS'` and `EQUINOX = 2000` (FITS WCS Paper II).
///
/// ```swift
/// let wcs = TangentPlaneProjection(
///     center: target, pixelScale: .arcseconds(1.2), rotation: .zero, width: 4096, height: 4096)
/// ```
public struct TangentPlaneProjection: Sendable, Hashable, Codable {
    /// The sky position of the reference pixel (`CRVAL1/2`, ICRS).
    public var reference: EquatorialCoordinates
    /// The reference pixel, 0-based (written as `CRPIX = value + 1`).
    public var referencePixelX: Double
    /// The reference pixel, 0-based.
    public var referencePixelY: Double
    /// The linear transformation, degrees per pixel: `CD1_1, CD1_2, CD2_1, CD2_2`.
    public var cd: [Double]

    /// Creates a projection from its FITS parameters.
    ///
    /// - Precondition: `cd` has four finite values and a non-zero determinant.
    public init(reference: EquatorialCoordinates, referencePixelX: Double, referencePixelY: Double, cd: [Double]) {
        precondition(cd.count == 4 && cd.allSatisfy(\.isFinite) && cd[0] * cd[3] - cd[1] * cd[2] != 0, "CD must be an invertible 2×2 matrix")
        self.reference = reference
        self.referencePixelX = referencePixelX
        self.referencePixelY = referencePixelY
        self.cd = cd
    }

    /// A projection centred on an image with square pixels, north up and east left when
    /// `rotation` is zero (the sky as seen, FITS "standard" parity).
    ///
    /// - Parameters:
    ///   - center: the sky position at the image centre.
    ///   - pixelScale: the size of one pixel on the sky.
    ///   - rotation: the position angle of the image's +y axis, from north through east.
    ///   - width: image width in pixels (the reference pixel is the centre).
    ///   - height: image height in pixels.
    public init(center: EquatorialCoordinates, pixelScale: Angle, rotation: Angle = .zero, width: Int, height: Int) {
        let scale = pixelScale.degrees
        let c = cos(rotation.radians), s = sin(rotation.radians)
        // +y points at position angle θ: (ξ, η) = scale·(sin θ, cos θ); +x is +y turned 90° west.
        self.init(
            reference: center, referencePixelX: Double(width - 1) / 2, referencePixelY: Double(height - 1) / 2,
            cd: [-scale * c, scale * s, scale * s, scale * c])
    }

    /// The size of one pixel on the sky (square root of |det CD|).
    public var pixelScale: Angle { .degrees(abs(cd[0] * cd[3] - cd[1] * cd[2]).squareRoot()) }

    /// The header cards of this WCS.
    public var cards: [FITSCard] {
        [
            FITSCard("WCSAXES", .integer(2), comment: "number of WCS axes"),
            FITSCard("CTYPE1", .string("RA---TAN"), comment: "gnomonic projection"),
            FITSCard("CTYPE2", .string("DEC--TAN"), comment: "gnomonic projection"),
            FITSCard("CUNIT1", .string("deg"), comment: nil),
            FITSCard("CUNIT2", .string("deg"), comment: nil),
            FITSCard("CRVAL1", .real(reference.rightAscension.degrees), comment: "[deg] RA of reference pixel"),
            FITSCard("CRVAL2", .real(reference.declination.degrees), comment: "[deg] Dec of reference pixel"),
            FITSCard("CRPIX1", .real(referencePixelX + 1), comment: "reference pixel (1-based)"),
            FITSCard("CRPIX2", .real(referencePixelY + 1), comment: "reference pixel (1-based)"),
            FITSCard("CD1_1", .real(cd[0]), comment: "[deg/pixel]"),
            FITSCard("CD1_2", .real(cd[1]), comment: "[deg/pixel]"),
            FITSCard("CD2_1", .real(cd[2]), comment: "[deg/pixel]"),
            FITSCard("CD2_2", .real(cd[3]), comment: "[deg/pixel]"),
            FITSCard("RADESYS", .string("ICRS"), comment: "celestial reference frame"),
            FITSCard("EQUINOX", .real(2000), comment: "[yr] equinox"),
        ]
    }
}
