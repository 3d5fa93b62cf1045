import Foundation
import StarlingCore
import Testing

@testable import Coordination
import SkyMaps

/// Counts the FITS bytes it is given instead of reading them: a stand-in at the reader seam.
struct RecordingReader: SkyMapReader {
    func readTable(fitsData: Data, name: String) throws(SkyMapError) -> SkyMapTable {
        throw SkyMapError(.unreadable, source: name, "recorded \(fitsData.count) bytes starting \(String(decoding: fitsData.prefix(6), as: UTF8.self))")
    }
}

struct SkyMapLoaderTests {
    func alert(_ location: String) -> Alert {
        Alert(
            id: "test", eventID: "S1", eventTime: .now, mission: "LVK", noticeType: "Preliminary", position: nil,
            errorRegion: .skyMap(SkyMapReference(location: location)), kind: .gravitationalWave)
    }

    @Test func withoutAFITSReaderTheLoaderSaysSo() async throws {
        let loader = SkyMapLoader(reader: UnavailableSkyMapReader())
        let raw = Data(#"{"event": {"skymap": "U0lNUExFICA9"}}"#.utf8)
        let error = await #expect(throws: SkyMapError.self) { try await loader.skyMap(for: alert("embedded:event.skymap"), raw: raw) }
        #expect(error?.code == .readerUnavailable)
        #expect(error?.description.contains("Imaging") == true)
    }

    @Test func embeddedMapsAreDecodedFromTheNotice() async throws {
        let loader = SkyMapLoader(reader: RecordingReader())
        let raw = Data(#"{"event": {"skymap": "U0lNUExFICA9"}}"#.utf8)
        let error = await #expect(throws: SkyMapError.self) { try await loader.skyMap(for: alert("embedded:event.skymap"), raw: raw) }
        #expect(error?.message == "recorded 9 bytes starting SIMPLE")
        let missing = await #expect(throws: SkyMapError.self) { try await loader.skyMap(for: alert("embedded:event.other"), raw: raw) }
        #expect(missing?.code == .notFound)
    }

    @Test func relativePathsResolveAgainstTheBaseDirectory() async throws {
        let folder = try TemporaryDirectory()
        try Data("SIMPLE  = T".utf8).write(to: URL(fileURLWithPath: folder.path + "/map.fits"))
        let loader = SkyMapLoader(reader: RecordingReader(), baseDirectory: folder.path)
        let error = await #expect(throws: SkyMapError.self) { try await loader.skyMap(for: alert("map.fits"), raw: Data()) }
        #expect(error?.message.hasPrefix("recorded 11 bytes") == true)
        let missing = await #expect(throws: SkyMapError.self) { try await loader.skyMap(for: alert("absent.fits"), raw: Data()) }
        #expect(missing?.code == .notFound)
    }

    @Test(.enabled(if: TestPaths.exists(TestPaths.alerts("gcn_kafka_json/real")), "../shared/data/alerts/gcn_kafka_json/real is absent (fresh clone)"))
    func igwnAlertsCarryAMultiOrderFITSMap() async throws {
        let raw = try Data(contentsOf: URL(fileURLWithPath: TestPaths.alerts("gcn_kafka_json/real/igwn_gwalert_MS260605l_preliminary.json")))
        let bytes = try SkyMapLoader.embeddedBytes(field: "event.skymap", in: raw, source: "test")
        #expect(bytes.count == 777_600)  // 270 FITS blocks of 2,880 bytes
        #expect(String(decoding: bytes.prefix(30), as: UTF8.self).hasPrefix("SIMPLE  ="))
    }
}
