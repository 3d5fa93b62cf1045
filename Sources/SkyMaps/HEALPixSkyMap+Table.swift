extension HEALPixSkyMap {
    /// Interprets a HEALPix FITS table (HEALPix FITS conventions; LVK's multi-order format).
    ///
    /// - Multi-order (`ORDERING = 'NUNIQ'` or a `UNIQ` column): `UNIQ` with `PROBDENSITY` (sr⁻¹).
    /// - Flat (`INDXSCHM = 'IMPLICIT'`): `PROB` (LVK) or `PROBABILITY` (Fermi GBM) per pixel,
    ///   ordered as `ORDERING` says (`NESTED` or `RING`), nside from `NSIDE` or the row count.
    /// - Distance layers `DISTMU`, `DISTSIGMA`, `DISTNORM` when all three are there;
    ///   `DISTMEAN`/`DISTSTD` from the header.
    ///
    /// - Throws: ``SkyMapError`` `.invalid` for galactic or ecliptic maps (`COORDSYS` other than
    ///   `C`), partial flat maps (`INDXSCHM = 'EXPLICIT'` without `UNIQ`), missing columns or
    ///   values that are not probabilities.
    public init(table: SkyMapTable, source: String) throws(SkyMapError) {
        let header = table.header
        if let system = header["COORDSYS"]?.uppercased(), !system.isEmpty, !system.hasPrefix("C") {
            throw SkyMapError(.invalid, source: source, "COORDSYS '\(system)': only celestial (C, ICRS) maps are read")
        }
        var distances: [DistanceAnsatz]?
        if let mu = table.columns["DISTMU"], let sigma = table.columns["DISTSIGMA"], let norm = table.columns["DISTNORM"] {
            guard mu.count == sigma.count, sigma.count == norm.count else {
                throw SkyMapError(.invalid, source: source, "DISTMU, DISTSIGMA and DISTNORM differ in length")
            }
            distances = (0..<mu.count).map { DistanceAnsatz(mu: mu[$0], sigma: sigma[$0], norm: norm[$0]) }
        }
        let mean = header["DISTMEAN"].flatMap { Double($0) }
        let spread = header["DISTSTD"].flatMap { Double($0) }

        if let uniq = table.integerColumns["UNIQ"] ?? (header["ORDERING"]?.uppercased() == "NUNIQ" ? [] : nil) {
            guard !uniq.isEmpty else { throw SkyMapError(.invalid, source: source, "ORDERING is NUNIQ but there is no UNIQ column") }
            guard let density = table.columns["PROBDENSITY"] else {
                throw SkyMapError(.invalid, source: source, "a multi-order map needs a PROBDENSITY column")
            }
            var pixels = [HEALPixPixel]()
            pixels.reserveCapacity(uniq.count)
            for value in uniq {
                guard let pixel = HEALPixPixel(uniq: value) else {
                    throw SkyMapError(.invalid, source: source, "UNIQ \(value) names no HEALPix pixel")
                }
                pixels.append(pixel)
            }
            try self.init(
                pixels: pixels, probabilityDensities: density, distances: distances, distanceMeanMegaparsecs: mean,
                distanceStandardDeviationMegaparsecs: spread, source: source)
            return
        }

        if header["INDXSCHM"]?.uppercased() == "EXPLICIT" {
            throw SkyMapError(.invalid, source: source, "a partial (INDXSCHM = EXPLICIT) flat map; only full-sky flat maps are read")
        }
        guard let probabilities = table.columns["PROB"] ?? table.columns["PROBABILITY"] else {
            let names = table.columns.keys.sorted().joined(separator: ", ")
            throw SkyMapError(.invalid, source: source, "no PROB, PROBABILITY or UNIQ column (columns: \(names))")
        }
        let orderingText = header["ORDERING"]?.uppercased() ?? "RING"
        guard let ordering = HEALPixGrid.Ordering(rawValue: orderingText) else {
            throw SkyMapError(.invalid, source: source, "ORDERING '\(orderingText)' is not NESTED, RING or NUNIQ")
        }
        if let nside = header["NSIDE"].flatMap({ Int($0) }), 12 * nside * nside != probabilities.count {
            throw SkyMapError(.invalid, source: source, "NSIDE \(nside) needs \(12 * nside * nside) pixels, the table has \(probabilities.count)")
        }
        try self.init(
            flatProbabilities: probabilities, ordering: ordering, distances: distances, distanceMeanMegaparsecs: mean,
            distanceStandardDeviationMegaparsecs: spread, source: source)
    }
}
