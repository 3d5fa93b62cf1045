public import StarlingCore
import Foundation

/// One HEALPix resolution: the sphere cut into 12 · 4^order pixels of equal area, with
/// `nside` = 2^order (Górski et al. 2005, ApJ 622, 759).
///
/// Pixels are numbered in the *nested* scheme (pixel *p* at one order has children 4*p*…4*p*+3
/// at the next; sky maps and multi-order maps use it) or the *ring* scheme (iso-latitude
/// rings, west to east from the north pole). Directions are ICRS right ascension and
/// declination, as the maps of GCN and LVK are. The formulas follow HEALPix's C++
/// `healpix_base` (`loc2pix`, `pix2loc`, `xyf2ring`, `ring2xyf`), including its treatment of
/// points within 0.99 of the poles, so the same direction lands in the same pixel as in healpy
/// at every order up to 29.
///
/// ```swift
/// let grid = HEALPixGrid(order: 8)                      // nside 256, 786,432 pixels
/// let pixel = grid.pixel(containing: position)          // nested
/// let centre = grid.center(ofPixel: pixel)
/// ```
public struct HEALPixGrid: Sendable, Hashable {
    /// How pixels are numbered.
    public enum Ordering: String, Sendable, Hashable, Codable {
        /// The nested scheme (FITS `ORDERING = 'NESTED'`).
        case nested = "NESTED"
        /// The ring scheme (FITS `ORDERING = 'RING'`).
        case ring = "RING"
    }

    /// The highest order HEALPix defines with 64-bit pixel numbers.
    public static let maximumOrder = 29

    /// log₂ nside, 0…29.
    public let order: Int

    /// Creates the grid of an order.
    ///
    /// - Precondition: `order` is in 0…29.
    public init(order: Int) {
        precondition((0...Self.maximumOrder).contains(order), "HEALPix order \(order) is outside 0…29")
        self.order = order
    }

    /// The grid with this nside, or `nil` when nside is not a power of two in 1…2²⁹.
    public init?(nside: Int) {
        guard nside > 0, nside & (nside - 1) == 0 else { return nil }
        let order = nside.trailingZeroBitCount
        guard order <= Self.maximumOrder else { return nil }
        self.order = order
    }

    /// Pixels along a side of each of the 12 base pixels, 2^order.
    public var nside: Int { 1 << order }
    /// Number of pixels, 12 · nside².
    public var pixelCount: Int { 12 << (2 * order) }
    /// The area of one pixel, in steradians (4π / pixel count).
    public var pixelAreaSteradians: Double { 4 * Double.pi / Double(pixelCount) }
    /// The area of one pixel, in square degrees.
    public var pixelAreaSquareDegrees: Double { pixelAreaSteradians * squareDegreesPerSteradian }

    /// An upper bound on the angular distance from a pixel's centre to any point of it, in
    /// radians: 1.1 √(pixel area) (healpy's `max_pixrad` is at most 1.045 √area at every order).
    public var maximumPixelRadius: Double { 1.1 * pixelAreaSteradians.squareRoot() }

    // MARK: Directions to pixels

    /// The pixel holding a direction.
    public func pixel(containing direction: EquatorialCoordinates, ordering: Ordering = .nested) -> Int {
        let theta = Double.pi / 2 - direction.declination.radians
        return pixel(z: cos(theta), sinTheta: sin(theta), phi: direction.rightAscension.radians, ordering: ordering)
    }

    /// The pixel holding a unit vector (x toward RA 0, z toward the north pole).
    func pixel(of vector: UnitVector, ordering: Ordering = .nested) -> Int {
        let phi = vector.x == 0 && vector.y == 0 ? 0 : atan2(vector.y, vector.x)
        return pixel(z: vector.z, sinTheta: (vector.x * vector.x + vector.y * vector.y).squareRoot(), phi: phi, ordering: ordering)
    }

    /// `healpix_base::loc2pix`.
    func pixel(z: Double, sinTheta: Double, phi: Double, ordering: Ordering) -> Int {
        let nside = self.nside
        let za = abs(z)
        var tt = (phi / (Double.pi / 2)).truncatingRemainder(dividingBy: 4)
        if tt < 0 { tt += 4 }
        if tt >= 4 { tt = 0 }
        let usesSinTheta = za >= 0.99
        if za <= 2.0 / 3.0 {
            let temp1 = Double(nside) * (0.5 + tt)
            let temp2 = Double(nside) * (z * 0.75)
            let jp = Int(temp1 - temp2)  // index of the ascending edge line
            let jm = Int(temp1 + temp2)  // index of the descending edge line
            switch ordering {
            case .nested:
                let ifp = jp >> order
                let ifm = jm >> order
                let face = ifp == ifm ? (ifp | 4) : (ifp < ifm ? ifp : ifm + 8)
                let ix = jm & (nside - 1)
                let iy = nside - (jp & (nside - 1)) - 1
                return nested(x: ix, y: iy, face: face)
            case .ring:
                let nl4 = 4 * nside
                let ir = nside + 1 + jp - jm  // ring number counted from z = 2/3, in 1…2nside+1
                let kshift = 1 - (ir & 1)
                let t1 = jp + jm - nside + kshift + 1 + nl4 + nl4
                let ip = order > 0 ? (t1 >> 1) & (nl4 - 1) : (t1 >> 1) % nl4
                return polarCapPixelCount + (ir - 1) * nl4 + ip
            }
        }
        let ntt = min(3, Int(tt))
        let tp = tt - Double(ntt)
        let tmp = usesSinTheta ? Double(nside) * sinTheta / ((1 + za) / 3).squareRoot() : Double(nside) * (3 * (1 - za)).squareRoot()
        switch ordering {
        case .nested:
            let jp = min(Int(tp * tmp), nside - 1)
            let jm = min(Int((1 - tp) * tmp), nside - 1)
            return z >= 0 ? nested(x: nside - jm - 1, y: nside - jp - 1, face: ntt) : nested(x: jp, y: jm, face: ntt + 8)
        case .ring:
            let ringTp = tt - Double(Int(tt))
            let jp = Int(ringTp * tmp)
            let jm = Int((1 - ringTp) * tmp)
            let ir = jp + jm + 1  // ring counted from the nearer pole
            let ip = min(Int(tt * Double(ir)), 4 * ir - 1)
            return z > 0 ? 2 * ir * (ir - 1) + ip : pixelCount - 2 * ir * (ir + 1) + ip
        }
    }

    // MARK: Pixels to directions

    /// The centre of a pixel.
    ///
    /// - Precondition: `pixel` is in 0..<``pixelCount``.
    public func center(ofPixel pixel: Int, ordering: Ordering = .nested) -> EquatorialCoordinates {
        let (z, sinTheta, phi) = location(ofPixel: pixel, ordering: ordering)
        let declination = atan2(z, sinTheta)
        // The initialiser only rejects non-finite values or |dec| > 90°, impossible here.
        guard let coordinates = try? EquatorialCoordinates(rightAscension: .radians(phi), declination: .radians(declination)) else {
            preconditionFailure("HEALPix pixel \(pixel) has no valid centre")
        }
        return coordinates
    }

    /// The unit vector of a pixel's centre.
    func centerVector(ofPixel pixel: Int, ordering: Ordering = .nested) -> UnitVector {
        let (z, sinTheta, phi) = location(ofPixel: pixel, ordering: ordering)
        return UnitVector(x: sinTheta * cos(phi), y: sinTheta * sin(phi), z: z)
    }

    /// `healpix_base::pix2loc`: (cos θ, sin θ, φ) of a pixel's centre.
    func location(ofPixel pixel: Int, ordering: Ordering) -> (z: Double, sinTheta: Double, phi: Double) {
        precondition(pixel >= 0 && pixel < pixelCount, "pixel \(pixel) is outside 0..<\(pixelCount)")
        let nside = self.nside
        let fact2 = 4.0 / Double(pixelCount)
        let fact1 = Double(nside << 1) * fact2
        var z: Double
        var sinTheta: Double?
        let phi: Double
        switch ordering {
        case .nested:
            let (ix, iy, face) = xyf(nested: pixel)
            let jr = (Self.jrll[face] << order) - ix - iy - 1
            let nr: Int
            if jr < nside {
                nr = jr
                let tmp = Double(nr * nr) * fact2
                z = 1 - tmp
                if z > 0.99 { sinTheta = (tmp * (2 - tmp)).squareRoot() }
            } else if jr > 3 * nside {
                nr = nside * 4 - jr
                let tmp = Double(nr * nr) * fact2
                z = tmp - 1
                if z < -0.99 { sinTheta = (tmp * (2 - tmp)).squareRoot() }
            } else {
                nr = nside
                z = Double(2 * nside - jr) * fact1
            }
            var tmp = Self.jpll[face] * nr + ix - iy
            if tmp < 0 { tmp += 8 * nr }
            phi = nr == nside ? 0.75 * (Double.pi / 2) * Double(tmp) * fact1 : (0.5 * (Double.pi / 2) * Double(tmp)) / Double(nr)
        case .ring:
            if pixel < polarCapPixelCount {
                let iring = (1 + Self.isqrt(1 + 2 * pixel)) >> 1
                let iphi = (pixel + 1) - 2 * iring * (iring - 1)
                let tmp = Double(iring * iring) * fact2
                z = 1 - tmp
                if z > 0.99 { sinTheta = (tmp * (2 - tmp)).squareRoot() }
                phi = (Double(iphi) - 0.5) * (Double.pi / 2) / Double(iring)
            } else if pixel < pixelCount - polarCapPixelCount {
                let nl4 = 4 * nside
                let ip = pixel - polarCapPixelCount
                let tmp = ip >> (order + 2)
                let iring = tmp + nside
                let iphi = ip - nl4 * tmp + 1
                let fodd = (iring + nside) & 1 == 1 ? 1.0 : 0.5
                z = Double(2 * nside - iring) * fact1
                phi = (Double(iphi) - fodd) * Double.pi * 0.75 * fact1
            } else {
                let ip = pixelCount - pixel
                let iring = (1 + Self.isqrt(2 * ip - 1)) >> 1
                let iphi = 4 * iring + 1 - (ip - 2 * iring * (iring - 1))
                let tmp = Double(iring * iring) * fact2
                z = tmp - 1
                if z < -0.99 { sinTheta = (tmp * (2 - tmp)).squareRoot() }
                phi = (Double(iphi) - 0.5) * (Double.pi / 2) / Double(iring)
            }
        }
        return (z, sinTheta ?? ((1 - z) * (1 + z)).squareRoot(), phi)
    }

    // MARK: Renumbering

    /// The ring-scheme number of a nested-scheme pixel.
    public func ringPixel(fromNested pixel: Int) -> Int {
        let (ix, iy, face) = xyf(nested: pixel)
        return ring(x: ix, y: iy, face: face)
    }

    /// The nested-scheme number of a ring-scheme pixel.
    public func nestedPixel(fromRing pixel: Int) -> Int {
        let (ix, iy, face) = xyf(ring: pixel)
        return nested(x: ix, y: iy, face: face)
    }

    // MARK: Discs

    /// The pixels whose centres lie within `radius` of `center` (healpy's `query_disc` with
    /// `inclusive=False`), nested numbers in increasing order.
    ///
    /// Walks down the nested hierarchy from the 12 base pixels, skipping any pixel whose whole
    /// extent is outside the disc: the cost grows with the disc's pixels, not the sphere's.
    public func pixels(inDiscAround center: EquatorialCoordinates, radius: Angle) -> [Int] {
        let centre = UnitVector(center)
        let cosRadius = cos(min(radius.radians, Double.pi))
        // A coarser pixel is visited when its centre is within the radius plus its own reach:
        // compared as cosines, so the walk needs no inverse trigonometry.
        let cosReach = (0...order).map { level in cos(min(Double.pi, radius.radians + HEALPixGrid.maximumPixelRadius(order: level))) }
        var result: [Int] = []
        func visit(order level: Int, pixel: Int) {
            let vector = HEALPixGrid(order: level).centerVector(ofPixel: pixel)
            let cosine = vector.dot(centre)
            if level == order {
                if cosine >= cosRadius { result.append(pixel) }
                return
            }
            guard cosine >= cosReach[level] else { return }
            for child in 0..<4 { visit(order: level + 1, pixel: pixel * 4 + child) }
        }
        for base in 0..<12 { visit(order: 0, pixel: base) }
        return result
    }

    /// ``maximumPixelRadius`` of each order, computed once.
    static let maximumPixelRadii: [Double] = (0...maximumOrder).map { HEALPixGrid(order: $0).maximumPixelRadius }

    /// The width of a pixel, √(its area), at each order, radians.
    static let pixelWidths: [Double] = (0...maximumOrder).map { HEALPixGrid(order: $0).pixelAreaSteradians.squareRoot() }

    /// ``maximumPixelRadius`` at an order, from the table.
    static func maximumPixelRadius(order: Int) -> Double { maximumPixelRadii[order] }

    // MARK: Internals

    /// Pixels in each polar cap, 2 nside (nside − 1).
    var polarCapPixelCount: Int { 2 * nside * (nside - 1) }

    /// Ring number offsets and longitude offsets of the 12 base pixels (healpix_base).
    static let jrll = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]
    static let jpll = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7]

    func nested(x: Int, y: Int, face: Int) -> Int {
        (face << (2 * order)) + Self.spread(x) + (Self.spread(y) << 1)
    }

    func xyf(nested pixel: Int) -> (x: Int, y: Int, face: Int) {
        let face = pixel >> (2 * order)
        let local = pixel & ((1 << (2 * order)) - 1)
        return (Self.compress(local), Self.compress(local >> 1), face)
    }

    /// `healpix_base::xyf2ring`.
    func ring(x ix: Int, y iy: Int, face: Int) -> Int {
        let nside = self.nside
        let nl4 = 4 * nside
        let jr = Self.jrll[face] * nside - ix - iy - 1
        let startPixel: Int
        let ringPixels: Int
        let shifted: Bool
        if jr < nside {
            shifted = true
            ringPixels = 4 * jr
            startPixel = 2 * jr * (jr - 1)
        } else if jr < 3 * nside {
            shifted = (jr - nside) & 1 == 0
            ringPixels = 4 * nside
            startPixel = polarCapPixelCount + (jr - nside) * ringPixels
        } else {
            shifted = true
            let nr = 4 * nside - jr
            ringPixels = 4 * nr
            startPixel = pixelCount - 2 * nr * (nr + 1)
        }
        let nr = ringPixels >> 2
        let kshift = shifted ? 0 : 1
        var jp = (Self.jpll[face] * nr + ix - iy + 1 + kshift) / 2
        if jp < 1 { jp += nl4 }
        return startPixel + jp - 1
    }

    /// `healpix_base::ring2xyf`.
    func xyf(ring pixel: Int) -> (x: Int, y: Int, face: Int) {
        let nside = self.nside
        let nl2 = 2 * nside
        var iring: Int
        let iphi: Int
        let kshift: Int
        let nr: Int
        let face: Int
        if pixel < polarCapPixelCount {
            iring = (1 + Self.isqrt(1 + 2 * pixel)) >> 1
            iphi = (pixel + 1) - 2 * iring * (iring - 1)
            kshift = 0
            nr = iring
            face = (iphi - 1) / nr
        } else if pixel < pixelCount - polarCapPixelCount {
            let ip = pixel - polarCapPixelCount
            let tmp = ip >> (order + 2)
            iring = tmp + nside
            iphi = ip - tmp * 4 * nside + 1
            kshift = (iring + nside) & 1
            nr = nside
            let ire = tmp + 1
            let irm = nl2 + 1 - tmp
            let ifm = (iphi - (ire >> 1) + nside - 1) >> order
            let ifp = (iphi - (irm >> 1) + nside - 1) >> order
            face = ifp == ifm ? (ifp | 4) : (ifp < ifm ? ifp : ifm + 8)
        } else {
            let ip = pixelCount - pixel
            iring = (1 + Self.isqrt(2 * ip - 1)) >> 1
            iphi = 4 * iring + 1 - (ip - 2 * iring * (iring - 1))
            kshift = 0
            nr = iring
            iring = 2 * nl2 - iring
            face = (iphi - 1) / nr + 8
        }
        let irt = iring - ((2 + (face >> 2)) * nside) + 1
        var ipt = 2 * iphi - Self.jpll[face] * nr - kshift - 1
        if ipt >= nl2 { ipt -= 8 * nside }
        return ((ipt - irt) >> 1, (-ipt - irt) >> 1, face)
    }

    /// Interleaves the low 32 bits of `value` with zeros (Morton order).
    static func spread(_ value: Int) -> Int {
        var x = UInt64(truncatingIfNeeded: value) & 0xFFFF_FFFF
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | (x << 2)) & 0x3333_3333_3333_3333
        x = (x | (x << 1)) & 0x5555_5555_5555_5555
        return Int(x)
    }

    /// Gathers the even bits of `value` (the inverse of ``spread(_:)``).
    static func compress(_ value: Int) -> Int {
        var x = UInt64(truncatingIfNeeded: value) & 0x5555_5555_5555_5555
        x = (x | (x >> 1)) & 0x3333_3333_3333_3333
        x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF
        return Int(x)
    }

    /// ⌊√n⌋ exactly for n up to 2⁶².
    static func isqrt(_ n: Int) -> Int {
        var root = Int(Double(n).squareRoot())
        while root * root > n { root -= 1 }
        while (root + 1) * (root + 1) <= n { root += 1 }
        return root
    }
}

/// Square degrees in a steradian, (180/π)².
public let squareDegreesPerSteradian = (180 / Double.pi) * (180 / Double.pi)
