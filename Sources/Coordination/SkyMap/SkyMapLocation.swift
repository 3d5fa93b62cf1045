public import StarlingCore

/// Where a sky map named by a ``StarlingCore/SkyMapReference`` is: on the web, on disk, or
/// inside the notice itself.
///
/// The reference's `location` text is `embedded:FIELD` for a map carried in the notice (a
/// dotted JSON path, e.g. `embedded:event.skymap` for IGWN alerts, `embedded:healpix_file` for
/// GCN JSON), an `http(s)` URL, or a file path. LVK VOEvents append `,0` or `,1` to multi-order
/// URLs (a GraceDB file version); it is kept as given.
public enum SkyMapLocation: Sendable, Hashable {
    /// A map to download.
    case url(String)
    /// A map on this machine.
    case file(path: String)
    /// A base64 FITS map inside the raw notice, at a dotted JSON path.
    case embedded(field: String)

    /// Interprets a reference's location.
    public init(_ reference: SkyMapReference) {
        let text = reference.location
        if text.hasPrefix("embedded:") {
            self = .embedded(field: String(text.dropFirst("embedded:".count)))
        } else if text.hasPrefix("http://") || text.hasPrefix("https://") {
            self = .url(text)
        } else if text.hasPrefix("file://") {
            self = .file(path: String(text.dropFirst("file://".count)))
        } else {
            self = .file(path: text)
        }
    }

    /// The text stored in ``StarlingCore/SkyMapReference/location``.
    public var rawValue: String {
        switch self {
        case .url(let url): url
        case .file(let path): path
        case .embedded(let field): "embedded:\(field)"
        }
    }
}
