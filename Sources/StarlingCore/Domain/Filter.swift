/// A filter in a telescope's wheel, named as observatories name them (`g`, `r`, `V`, `clear`).
///
/// Known photometric bands carry their effective wavelength and the AB flux of a zero-
/// magnitude source, which the simulator and depth estimates use; other names are allowed
/// and treated like a broad clear filter.
public struct Filter: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name written to FITS `FILTER`.
    public let name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }

    public init(from decoder: any Decoder) throws {
        name = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }

    /// The photometric band this filter corresponds to, if it is a standard one.
    public var band: PhotometricBand? { PhotometricBand(filterName: name) }
}

/// Standard broad bands: Sloan/SDSS `ugriz`, Johnson–Cousins `UBVRI`, and a clear/luminance filter.
public enum PhotometricBand: String, Sendable, Hashable, Codable, CaseIterable {
    case u, g, r, i, z
    case johnsonU = "U", johnsonB = "B", johnsonV = "V", cousinsR = "R", cousinsI = "I"
    case clear

    /// Recognises the usual spellings: `g`, `sdss-g`, `g'`, `V`, `Johnson V`, `clear`, `L`, `lum`.
    public init?(filterName: String) {
        let trimmed = filterName.trimmingWhitespace()
        let lowered = trimmed.lowercased()
        if ["clear", "c", "l", "lum", "luminance", "open", "none"].contains(lowered) { self = .clear; return }
        var core = trimmed
        for prefix in ["sdss-", "sdss ", "sloan-", "sloan ", "johnson-", "johnson ", "cousins-", "cousins ", "bessell-", "bessell "]
        where core.lowercased().hasPrefix(prefix) {
            core = String(core.dropFirst(prefix.count))
        }
        if core.hasSuffix("'") || core.hasSuffix("p") && core.count == 2 { core = String(core.dropLast()) }
        if let band = PhotometricBand(rawValue: core) { self = band; return }
        return nil
    }

    /// Effective wavelength, nanometres.
    public var effectiveWavelengthNanometers: Double {
        switch self {
        case .u: 355
        case .g: 477
        case .r: 623
        case .i: 763
        case .z: 913
        case .johnsonU: 365
        case .johnsonB: 445
        case .johnsonV: 551
        case .cousinsR: 658
        case .cousinsI: 806
        case .clear: 600
        }
    }

    /// Photons per second per m² above the atmosphere from a magnitude-0 source in this band
    /// (AB or Vega system as the band is conventionally used; Bessell 1998, Fukugita 1996).
    public var zeroMagnitudePhotonRate: Double {
        switch self {
        case .u: 7.0e9
        case .g: 1.42e10
        case .r: 1.09e10
        case .i: 8.2e9
        case .z: 4.8e9
        case .johnsonU: 7.6e9
        case .johnsonB: 1.41e10
        case .johnsonV: 8.8e9
        case .cousinsR: 1.04e10
        case .cousinsI: 6.2e9
        case .clear: 3.0e10
        }
    }

    /// Atmospheric extinction at the zenith, magnitudes per airmass, at a good site.
    public var extinctionPerAirmass: Double {
        switch self {
        case .u, .johnsonU: 0.45
        case .g, .johnsonB: 0.20
        case .johnsonV: 0.14
        case .r, .cousinsR: 0.10
        case .i, .cousinsI: 0.06
        case .z: 0.05
        case .clear: 0.12
        }
    }

    /// Dark-sky brightness relative to V, mag/arcsec² (add to the site's V-band value).
    public var skyBrightnessOffsetFromV: Double {
        switch self {
        case .u, .johnsonU: 0.9
        case .g, .johnsonB: 0.7
        case .johnsonV: 0
        case .r, .cousinsR: -0.6
        case .i, .cousinsI: -1.4
        case .z: -2.2
        case .clear: -0.3
        }
    }
}
