public import StarlingCore

/// One pixel of a multi-order HEALPix map: an order and a nested pixel number at that order,
/// or equivalently its NUNIQ number, uniq = 4 · 4^order + pixel (the IVOA MOC and LVK
/// multi-order sky maps' `UNIQ` column).
public struct HEALPixPixel: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The pixel's order (nside = 2^order).
    public let order: Int
    /// The pixel's nested number at its order.
    public let index: Int

    /// Creates a pixel.
    ///
    /// - Precondition: `order` in 0…29 and `index` in 0..<12 · 4^order.
    public init(order: Int, index: Int) {
        precondition((0...HEALPixGrid.maximumOrder).contains(order), "HEALPix order \(order) is outside 0…29")
        precondition(index >= 0 && index < 12 << (2 * order), "pixel \(index) does not exist at order \(order)")
        self.order = order
        self.index = index
    }

    /// Decodes a NUNIQ number; `nil` when it names no pixel (below 4, or beyond order 29).
    public init?(uniq: Int64) {
        guard uniq >= 4 else { return nil }
        // order = ⌊log₂(uniq / 4) / 2⌋: the position of the highest set bit, halved.
        let order = (63 - uniq.leadingZeroBitCount - 2) / 2
        guard order <= HEALPixGrid.maximumOrder else { return nil }
        let index = Int(uniq) - (4 << (2 * order))
        guard index >= 0, index < 12 << (2 * order) else { return nil }
        self.order = order
        self.index = index
    }

    /// The NUNIQ number, 4 · 4^order + index.
    public var uniq: Int64 { Int64(4 << (2 * order)) + Int64(index) }

    /// The grid of the pixel's order.
    public var grid: HEALPixGrid { HEALPixGrid(order: order) }

    /// The pixel's area in steradians.
    public var areaSteradians: Double { grid.pixelAreaSteradians }

    /// The pixel's centre.
    public var center: EquatorialCoordinates { grid.center(ofPixel: index) }

    /// The four pixels it splits into at the next order.
    public var children: [HEALPixPixel] {
        (0..<4).map { HEALPixPixel(order: order + 1, index: index * 4 + $0) }
    }

    /// The pixel of an order at or below this one that contains it.
    public func ancestor(atOrder coarser: Int) -> HEALPixPixel {
        precondition(coarser <= order, "order \(coarser) is finer than the pixel's \(order)")
        return HEALPixPixel(order: coarser, index: index >> (2 * (order - coarser)))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.uniq < rhs.uniq }

    public var description: String { "order \(order) pixel \(index)" }
}
