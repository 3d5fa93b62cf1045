public import StarlingCore

extension PhotometricBand {
    /// A source's magnitude in this band minus its V magnitude, from its B − V colour.
    ///
    /// Linear fits to main-sequence colours, good to ~0.1 mag for 0.3 ≤ B − V ≤ 1.4: the
    /// Johnson–Cousins relations from Bessell (1990, PASP 102, 1181), the Sloan ones from Jordi,
    /// Grebel & Ammon (2006, A&A 460, 339). At the Sun's B − V = 0.65 they give the Sun's colours
    /// (U − B 0.13, V − R 0.36, V − I 0.73; g − V 0.29, V − r 0.19), which the Moon's scattered
    /// light uses. A clear filter is treated as a broad V + R band.
    ///
    /// - Parameter bMinusV: the B − V colour, magnitudes.
    /// - Returns: m(band) − V, magnitudes.
    public func offsetFromV(bMinusV: Double) -> Double {
        switch self {
        case .johnsonU: 1.9 * bMinusV - 0.45
        case .johnsonB: bMinusV
        case .johnsonV: 0
        case .cousinsR: -0.56 * bMinusV
        case .cousinsI: -1.13 * bMinusV
        case .u: 1.9 * bMinusV + 0.2
        case .g: 0.63 * bMinusV - 0.124
        case .r: -0.46 * bMinusV + 0.11
        case .i: -0.82 * bMinusV + 0.24
        case .z: -1.0 * bMinusV + 0.34
        case .clear: -0.3 * bMinusV
        }
    }

    /// The Sun's B − V (Cox 2000, Allen's Astrophysical Quantities §14.7).
    static let solarBMinusV = 0.65
}
