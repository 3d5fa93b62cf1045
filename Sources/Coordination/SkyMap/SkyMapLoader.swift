public import Foundation
public import SkyMaps
public import StarlingCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Gets the sky map an alert refers to: decodes a map carried inside the notice, reads one on
/// disk, or downloads one, then reads it with a ``SkyMapReader``.
///
/// ```swift
/// let loader = SkyMapLoader(reader: reader)
/// if case .skyMap = accepted.alert.errorRegion {
///     let map = try await loader.skyMap(for: accepted.alert, raw: accepted.raw)
/// }
/// ```
public struct SkyMapLoader: AlertSkyMapSource {
    /// Reads the FITS tables.
    public let reader: any SkyMapReader
    /// Where relative file paths in notices are resolved (LVK O3 VOEvents name local paths).
    public let baseDirectory: String?
    /// The longest a download may take.
    public let downloadTimeout: Duration

    /// Creates a loader.
    public init(reader: any SkyMapReader, baseDirectory: String? = nil, downloadTimeout: Duration = .seconds(30)) {
        self.reader = reader
        self.baseDirectory = baseDirectory
        self.downloadTimeout = downloadTimeout
    }

    /// The sky map of an alert whose error region is ``StarlingCore/Alert/ErrorRegion/skyMap(_:)``.
    ///
    /// - Parameters:
    ///   - alert: the alert.
    ///   - raw: the notice as received (needed for maps embedded in it).
    /// - Throws: ``SkyMapError``: `.notFound` when the alert has no sky map or the field, file or
    ///   URL is missing; `.downloadFailed`; `.unreadable`/`.invalid`/`.readerUnavailable` from the reader.
    public func skyMap(for alert: Alert, raw: Data) async throws(SkyMapError) -> HEALPixSkyMap {
        guard case .skyMap(let reference) = alert.errorRegion else {
            throw SkyMapError(.notFound, source: alert.id.rawValue, "the alert's error region is not a sky map")
        }
        let location = SkyMapLocation(reference)
        switch location {
        case .embedded(let field):
            let bytes = try Self.embeddedBytes(field: field, in: raw, source: reference.location)
            return try reader.readSkyMap(fitsData: bytes, name: "\(alert.id.rawValue) \(field)")
        case .file(let path):
            let resolved = path.hasPrefix("/") || baseDirectory == nil ? path : "\(baseDirectory ?? ".")/\(path)"
            return try reader.readSkyMap(path: resolved)
        case .url(let text):
            let bytes = try await download(text)
            return try reader.readSkyMap(fitsData: bytes, name: text)
        }
    }

    /// The bytes of a base64 map at a dotted JSON path of a notice.
    static func embeddedBytes(field: String, in raw: Data, source: String) throws(SkyMapError) -> Data {
        let json: JSONValue
        do {
            json = try JSONValue.parse(raw)
        } catch {
            throw SkyMapError(.notFound, source: source, "the notice is not JSON, so it embeds no map (\(error.message))")
        }
        var node: JSONValue? = json
        for key in field.split(separator: ".") { node = node?[String(key)] }
        guard let text = node?.string else {
            throw SkyMapError(.notFound, source: source, "the notice has no text at \(field)")
        }
        guard let bytes = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !bytes.isEmpty else {
            throw SkyMapError(.unreadable, source: source, "\(field) is not valid base64")
        }
        return bytes
    }

    private func download(_ text: String) async throws(SkyMapError) -> Data {
        guard let url = URL(string: text) else { throw SkyMapError(.notFound, source: text, "not a valid URL") }
        var request = URLRequest(url: url)
        request.timeoutInterval = Double(TCPConnection.milliseconds(downloadTimeout)) / 1000
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                throw SkyMapError(.downloadFailed, source: text, "HTTP status \(http.statusCode)")
            }
            return data
        } catch let error as SkyMapError {
            throw error
        } catch {
            throw SkyMapError(.downloadFailed, source: text, "download failed (\(error.localizedDescription))")
        }
    }
}
