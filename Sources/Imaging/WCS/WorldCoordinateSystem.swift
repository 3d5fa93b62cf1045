internal import CWCSLIB
public import StarlingCore
import Foundation
import Synchronization

/// A celestial world coordinate system read from a FITS header: pixel ↔ sky.
///
/// Built on wcslib (Calabretta & Greisen 2002, FITS WCS Paper II), which reads every
/// projection of the standard (TAN, SIN, ZEA, ARC, …) and the TAN-SIP distortion convention
/// (Shupe et al. 2005) that many amateur and survey cameras write.
///
/// Pixel coordinates are 0-based, as everywhere in Imaging (see ``FloatImage``): (0, 0) is
/// the centre of the first pixel, FITS pixel (1, 1). Sky coordinates are in the frame the
/// header names (``referenceFrame``, ``equinox``): ICRS or FK5 J2000 for modern frames
/// (equal to ~0.1″), FK4 B1950 for old plates; no precession is applied.
///
/// ```swift
/// let wcs = try WorldCoordinateSystem(header: frame.header)
/// let centre = wcs?.pixelToWorld(x: 511.5, y: 511.5)
/// let pixel = wcs?.worldToPixel(centre!)
/// ```
///
/// ## Threading
/// wcslib keeps its state in a C `struct wcsprm` that its routines write (`wcsset` fills
/// derived values and `wcsp2s`/`wcss2p` may call it). The struct lives inside this class
/// only, behind a `Mutex`, so one `WorldCoordinateSystem` may be shared between tasks;
/// conversions from several tasks take turns. wcslib's header parser (`wcspih`) runs under
/// a process-wide lock, as the Flex scanner it is built on is not documented as reentrant.
public final class WorldCoordinateSystem: Sendable {
    /// The wcslib structs `wcspih` allocated, and which of them is the primary description.
    private struct Handle: @unchecked Sendable {
        // @unchecked: the pointer is only dereferenced while `state`'s lock is held, and
        // freed once in deinit; no other copy of it escapes this file.
        var array: UnsafeMutablePointer<wcsprm>
        var count: Int32
        var chosen: Int
        var wcs: UnsafeMutablePointer<wcsprm> { array + chosen }
    }

    private let state: Mutex<Handle>
    private static let parserLock = Mutex(())

    /// The projection code, e.g. `TAN`, `SIN`, `ZEA`.
    public let projection: String
    /// Whether SIP distortion polynomials are applied (`CTYPE` ending `-SIP`).
    public let hasSIP: Bool
    /// `RADESYS` as wcslib resolved it: `ICRS`, `FK5`, `FK4`, …
    public let referenceFrame: String
    /// `EQUINOX` (Julian or Besselian years), when the frame has one.
    public let equinox: Double?
    /// The reference pixel (`CRPIX` − 1: 0-based).
    public let referencePixel: (x: Double, y: Double)
    /// The sky coordinates of the reference pixel (`CRVAL`), in ``referenceFrame``.
    public let referenceCoordinates: EquatorialCoordinates

    /// Reads the primary celestial WCS of a header.
    ///
    /// - Parameters:
    ///   - header: the HDU's header (for a compressed image, its image form, as
    ///     ``FITSFile/header()`` returns it).
    ///   - path: the file, for error messages.
    /// - Returns: `nil` when the header describes no celestial axes (no `CTYPE` pair such as
    ///   `RA---TAN`/`DEC--TAN`: a frame without astrometry, or a spectrum's `LAMBDA`/`ANGLE`).
    /// - Throws: ``FITSError`` `.invalidWCS` when celestial axes are declared but wcslib
    ///   cannot set them up (singular CD matrix, unknown projection, inconsistent types).
    public convenience init?(header: FITSHeader, path: String = "header") throws(FITSError) {
        guard header.cards.contains(where: { $0.keyword.hasPrefix("CTYPE") }) else { return nil }
        var text = Array(header.cardImagesForWCS.utf8CString)
        let records = Int32((text.count - 1) / 80)
        var rejected: Int32 = 0, count: Int32 = 0
        var array: UnsafeMutablePointer<wcsprm>?
        let status = Self.parserLock.withLock { _ in
            // wcspih (wcshdr.h): parses every WCS description in the header; WCSHDR_all admits
            // the informal extensions real headers use (CROTA with CD, EPOCH for EQUINOX, …);
            // ctrl 0: rejected keywords are not reported on stderr.
            wcspih(&text, records, WCSHDR_all, 0, &rejected, &count, &array)
        }
        guard status == 0, let array, count > 0 else {
            if let array { var n = count; var pointer: UnsafeMutablePointer<wcsprm>? = array; wcsvfree(&n, &pointer) }
            throw FITSError(.invalidWCS, path: path, "wcslib cannot parse the WCS keywords (wcspih status \(status))")
        }
        var handle = Handle(array: array, count: count, chosen: 0)
        for index in 0..<Int(count) where Self.string(tuple: (array + index).pointee.alt) == "" {
            handle.chosen = index
            break
        }
        try self.init(handle: handle, path: path)
    }

    private init?(handle: Handle, path: String) throws(FITSError) {
        let wcs = handle.wcs
        func release() {
            var n = handle.count
            var pointer: UnsafeMutablePointer<wcsprm>? = handle.array
            wcsvfree(&n, &pointer)
        }
        // wcsset (wcs.h): derives the projection and linear-transformation parameters and
        // checks them; every later call relies on it having succeeded.
        let status = wcsset(wcs)
        guard status == 0 else {
            release()
            throw FITSError(.invalidWCS, path: path, "wcslib cannot set up the WCS: \(Self.message(status: status))")
        }
        guard wcs.pointee.lng >= 0, wcs.pointee.lat >= 0, wcs.pointee.naxis >= 2 else {
            release()
            return nil
        }
        let lng = Int(wcs.pointee.lng), lat = Int(wcs.pointee.lat)
        let longitudeType = Self.string(tuple: wcs.pointee.ctype[lng])
        projection = longitudeType.count >= 8 ? String(longitudeType.dropFirst(5).prefix(3)) : longitudeType
        hasSIP = longitudeType.uppercased().hasSuffix("-SIP")
        let frame = Self.string(tuple: wcs.pointee.radesys)
        referenceFrame = frame.isEmpty ? "ICRS" : frame
        equinox = wcs.pointee.equinox.isNaN || wcs.pointee.equinox == 0 ? nil : wcs.pointee.equinox
        referencePixel = (wcs.pointee.crpix[lng] - 1, wcs.pointee.crpix[lat] - 1)
        do {
            referenceCoordinates = try EquatorialCoordinates(
                rightAscensionDegrees: wcs.pointee.crval[lng], declinationDegrees: wcs.pointee.crval[lat])
        } catch {
            release()
            throw FITSError(.invalidWCS, path: path, keyword: "CRVAL", "the reference point is not a sky position: \(error)")
        }
        state = Mutex(handle)
    }

    deinit {
        state.withLock { handle in
            var n = handle.count
            var pointer: UnsafeMutablePointer<wcsprm>? = handle.array
            wcsvfree(&n, &pointer)
        }
    }

    /// The sky position of a pixel position (0-based).
    ///
    /// - Returns: the coordinates, or `nil` when the pixel lies outside the projection's
    ///   domain (e.g. beyond the horizon of a SIN projection).
    public func pixelToWorld(x: Double, y: Double) -> EquatorialCoordinates? {
        pixelToWorld([(x, y)])[0]
    }

    /// The sky positions of many pixel positions (0-based), in one wcslib call.
    ///
    /// - Returns: one entry per input, `nil` where the pixel is outside the projection's domain.
    public func pixelToWorld(_ pixels: [(x: Double, y: Double)]) -> [EquatorialCoordinates?] {
        guard !pixels.isEmpty else { return [] }
        return state.withLock { handle in
            let wcs = handle.wcs
            let axes = Int(wcs.pointee.naxis)
            let lng = Int(wcs.pointee.lng), lat = Int(wcs.pointee.lat)
            let count = pixels.count
            // Pixel axes beyond the celestial pair (a degenerate third axis) sit at pixel 1.
            var pixcrd = [Double](repeating: 1, count: count * axes)
            for (index, pixel) in pixels.enumerated() {
                pixcrd[index * axes + lng] = pixel.x + 1
                pixcrd[index * axes + lat] = pixel.y + 1
            }
            var imgcrd = [Double](repeating: 0, count: count * axes)
            var world = [Double](repeating: 0, count: count * axes)
            var phi = [Double](repeating: 0, count: count), theta = [Double](repeating: 0, count: count)
            var stat = [Int32](repeating: 0, count: count)
            // wcsp2s: pixel → world; status 8 means some coordinates were invalid, flagged in stat[].
            let status = wcsp2s(wcs, Int32(count), Int32(axes), pixcrd, &imgcrd, &phi, &theta, &world, &stat)
            return (0..<count).map { index -> EquatorialCoordinates? in
                guard status == 0 || status == 8, stat[index] == 0 else { return nil }
                do {
                    return try EquatorialCoordinates(
                        rightAscensionDegrees: world[index * axes + lng], declinationDegrees: world[index * axes + lat])
                } catch {
                    return nil  // not a sky position (NaN from a degenerate projection)
                }
            }
        }
    }

    /// The pixel position (0-based) of a sky position.
    ///
    /// - Returns: the position (possibly outside the image), or `nil` when the sky position
    ///   has no image in this projection (e.g. the far hemisphere of a TAN projection).
    public func worldToPixel(_ coordinates: EquatorialCoordinates) -> (x: Double, y: Double)? {
        state.withLock { handle in
            let wcs = handle.wcs
            let axes = Int(wcs.pointee.naxis)
            let lng = Int(wcs.pointee.lng), lat = Int(wcs.pointee.lat)
            var world = [Double](repeating: 0, count: axes)
            for axis in 0..<axes { world[axis] = wcs.pointee.crval[axis] }
            world[lng] = coordinates.rightAscension.degrees
            world[lat] = coordinates.declination.degrees
            var imgcrd = [Double](repeating: 0, count: axes)
            var pixcrd = [Double](repeating: 0, count: axes)
            var phi = 0.0, theta = 0.0
            var stat: Int32 = 0
            // wcss2p: world → pixel (with SIP, wcslib inverts the distortion iteratively).
            let status = wcss2p(wcs, 1, Int32(axes), world, &phi, &theta, &imgcrd, &pixcrd, &stat)
            guard status == 0, stat == 0, pixcrd[lng].isFinite, pixcrd[lat].isFinite else { return nil }
            return (pixcrd[lng] - 1, pixcrd[lat] - 1)
        }
    }

    /// The sky size of one pixel at a position: the square root of the pixel's area on the
    /// sky, measured from the WCS there (so SIP distortion and projection are included).
    ///
    /// - Returns: the scale, or `nil` outside the projection's domain.
    public func pixelScale(atX x: Double, y: Double) -> Angle? {
        let points = pixelToWorld([(x - 0.5, y), (x + 0.5, y), (x, y - 0.5), (x, y + 0.5)])
        guard let left = points[0], let right = points[1], let down = points[2], let up = points[3] else { return nil }
        // Area of the parallelogram spanned by the two pixel-axis steps, in the local tangent plane.
        let dec = (left.declination.radians + right.declination.radians) / 2
        func offset(_ a: EquatorialCoordinates, _ b: EquatorialCoordinates) -> (Double, Double) {
            var dra = b.rightAscension.radians - a.rightAscension.radians
            if dra > .pi { dra -= 2 * .pi }
            if dra < -.pi { dra += 2 * .pi }
            return (dra * cos(dec), b.declination.radians - a.declination.radians)
        }
        let (ax, ay) = offset(left, right), (bx, by) = offset(down, up)
        return .radians(abs(ax * by - ay * bx).squareRoot())
    }

    /// The sky position of an image's centre, for an image of the given size.
    public func center(width: Int, height: Int) -> EquatorialCoordinates? {
        pixelToWorld(x: Double(width - 1) / 2, y: Double(height - 1) / 2)
    }

    private static func string<T>(tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
    }

    /// wcslib's status codes (wcs.h, `wcs_errmsg`).
    private static func message(status: Int32) -> String {
        switch status {
        case 2: "memory allocation failed"
        case 3: "the linear transformation matrix (CD or PC) is singular"
        case 4: "the coordinate axis types (CTYPE) are inconsistent or unrecognised"
        case 5: "a parameter has an invalid value"
        case 6: "the coordinate transformation parameters are invalid"
        case 7: "the coordinate transformation parameters are ill-conditioned"
        default: "wcslib status \(status)"
        }
    }
}

