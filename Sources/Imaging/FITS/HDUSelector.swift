/// Which HDU of a file to use.
public enum HDUSelector: Sendable, Hashable, CustomStringConvertible {
    /// The HDU with this 0-based index (0 is the primary HDU).
    case index(Int)
    /// The first HDU whose `EXTNAME` is this (case-insensitive).
    case named(String)
    /// The first HDU holding a 2-D image (primary array or image extension, compressed or not).
    case firstImage
    /// The first table HDU (binary or ASCII).
    case firstTable

    public var description: String {
        switch self {
        case .index(let index): "HDU \(index)"
        case .named(let name): "HDU named \(name)"
        case .firstImage: "first image HDU"
        case .firstTable: "first table HDU"
        }
    }
}

extension FITSFile {
    /// Makes the selected HDU current and returns its index.
    @discardableResult
    public func select(_ selector: HDUSelector) throws(FITSError) -> Int {
        switch selector {
        case .index(let index):
            try moveTo(hdu: index)
        case .named(let name):
            try moveTo(extensionNamed: name)
        case .firstImage:
            return try moveToFirstImage()
        case .firstTable:
            guard let table = try hdus().first(where: { $0.kind != .image }) else {
                throw FITSError(.notTable, path: path, "the file has no table HDU")
            }
            try moveTo(hdu: table.index)
        }
        return try currentHDU()
    }
}
