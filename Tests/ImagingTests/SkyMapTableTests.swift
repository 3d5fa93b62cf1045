import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// HEALPix sky maps as the Coordination module reads them: flat and multi-order, from
/// files, `.gz` files and memory.
@Suite(.enabled(if: TestPaths.hasSharedFITS, "../shared/data is not beside the checkout; the sky-map tests need it"))
struct SkyMapTableTests {
    @Test func readsAFlatBayestarMapFromAGzipFile() throws {
        let table = try FITSTable.read(path: TestPaths.sharedFITS + "/skymaps/GW190425_bayestar_nside256.fits.gz", columns: ["PROB", "DISTMU"])
        #expect(table.rowCount == 786_432)
        #expect(table.header.int("NSIDE") == 256 && table.header.string("ORDERING") == "NESTED")
        let probability = try table.doubles(named: "PROB")
        #expect(probability.count == 12 * 256 * 256)
        #expect(abs(probability.reduce(0, +) - 1) < 1e-9)
        #expect(probability[0] == 3.6699063283440035e-07)
        #expect(try table.doubles(named: "DISTMU")[0] == 100.05549552717781)
    }

    @Test func readsTheSameMapFromGzipBytesInMemory() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TestPaths.sharedFITS + "/skymaps/GW190425_bayestar_nside256.fits.gz"))
        let table = try FITSTable.read(data: bytes, name: "bayestar.fits.gz", columns: ["PROB"])
        #expect(abs(try table.doubles(named: "PROB").reduce(0, +) - 1) < 1e-9)
    }

    @Test func flattensVectorColumnsOfAFermiMap() throws {
        let table = try FITSTable.read(path: TestPaths.sharedFITS + "/skymaps/glg_healpix_all_bn180116026.fit")
        #expect(table.name == "HEALPIX" && table.rowCount == 192)
        let probability = try table.doubles(named: "PROBABILITY")
        #expect(probability.count == 12 * 128 * 128)
        #expect(abs(probability.reduce(0, +) - 0.9999998807907104) < 1e-6)
        #expect(table.columnDescriptions.map(\.format) == ["1024E", "1024E"])
    }

    @Test func readsAMultiOrderMapFromABase64Alert() throws {
        let alert = try Data(contentsOf: URL(fileURLWithPath: TestPaths.sharedData + "/alerts/gcn_kafka_json/real/igwn_gwalert_MS260605l_preliminary.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: alert) as? [String: Any])
        let event = try #require(object["event"] as? [String: Any])
        let text = try #require(event["skymap"] as? String)
        let bytes = try #require(Data(base64Encoded: text))
        let table = try FITSTable.read(data: bytes, name: "MS260605l")
        #expect(table.header.string("ORDERING") == "NUNIQ")
        let uniq = try table.int64s(named: "UNIQ")
        let density = try table.doubles(named: "PROBDENSITY")
        #expect(uniq.count == 19_200 && uniq[0] == 1024)
        // Σ density × pixel area over the multi-order pixels is the total probability.
        var total = 0.0
        for (u, p) in zip(uniq, density) {
            let order = Int((log2(Double(u) / 4) / 2).rounded(.down))
            total += p * 4 * Double.pi / (12 * pow(4, Double(order)))
        }
        #expect(abs(total - 1) < 1e-9)
        #expect(try table.doubles(named: "DISTMU")[0] == 16.541709574759466)
        #expect(Set(table.columnNames) == ["UNIQ", "PROBDENSITY", "DISTMU", "DISTSIGMA", "DISTNORM"])
    }
}
