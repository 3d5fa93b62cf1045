import Foundation
import Testing

@testable import StarlingCore

/// `starling validate` on minimal broken copies of the configuration: each problem once, at
/// its line (issue 16, "FITS and configuration").
struct ValidatorFindingsTests {
    /// A copy of the shipped sites/ (with its models and registry) to break one thing in.
    static func copyOfSites() throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        let sites = directory.path + "/sites"
        try FileManager.default.copyItem(atPath: TestPaths.layout.sitesDirectory, toPath: sites)
        return (directory, sites)
    }

    static func edit(_ path: String, _ change: (String) -> String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try change(text).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func aRepeatedYAMLKeyIsReportedAtTheRepeat() throws {
        let directory = try TemporaryDirectory()
        let text = try TestPaths.fixture("minimal-site.yaml").replacingLine(startingWith: "source:", with: "source: test fixture\nname: again")
        let file = try directory.write("minimal-site.yaml", text)
        let report = ConfigValidator(layout: TestPaths.layout).validate(paths: [file])
        #expect(report.errors.map(\.description) == ["\(file):8: key 'name' is repeated (first on line 2); each key may appear once"])
        #expect(report.errors.first?.code == .duplicate)
    }

    @Test func aRepeatedKeyInsideATelescopeIsReportedAtTheRepeat() throws {
        let directory = try TemporaryDirectory()
        let text = try TestPaths.fixture("minimal-site.yaml").replacingLine(startingWith: "    aperture_m", with: "    aperture_m: 1.0\n    aperture_m: 2.0")
        let file = try directory.write("minimal-site.yaml", text)
        let report = ConfigValidator(layout: TestPaths.layout).validate(paths: [file])
        #expect(report.errors.map(\.description) == ["\(file):12: key 'aperture_m' is repeated (first on line 11); each key may appear once"])
    }

    @Test func aBadSharedModelFieldIsReportedOnce() throws {
        let (directory, sites) = try Self.copyOfSites()
        try Self.edit(sites + "/models.yaml") { $0.replacingLine(startingWith: "      gain_e_per_adu: 1.6", with: "      gain_e_per_adu: abc") }
        let report = ConfigValidator(layout: ProjectLayout(root: directory.path)).validate(paths: [sites])
        let gain = report.errors.filter { $0.message.contains("gain_e_per_adu") }
        #expect(gain.count == 1, "\(gain.map(\.description))")
        #expect(gain.first?.file == sites + "/models.yaml")
        do {
            _ = try ObservatoryNetwork.load(directory: sites)
            Issue.record("the network loaded with a bad model")
        } catch {
            #expect(error.errors.filter { $0.message.contains("gain_e_per_adu") }.count == 1)
        }
    }

    @Test func aTelescopeIDUsedAtTwoSitesIsReportedAtItsLine() throws {
        let (directory, sites) = try Self.copyOfSites()
        try Self.edit(sites + "/teide.yaml") { $0.replacingOccurrences(of: "  - id: teide-cdk-c", with: "  - id: la-palma-1m-a") }
        let line = try String(contentsOfFile: sites + "/teide.yaml", encoding: .utf8).components(separatedBy: "\n")
            .firstIndex { $0 == "  - id: la-palma-1m-a" }.map { $0 + 1 }
        let first = try String(contentsOfFile: sites + "/la-palma.yaml", encoding: .utf8).components(separatedBy: "\n")
            .firstIndex { $0 == "  - id: la-palma-1m-a" }.map { $0 + 1 }
        let report = ConfigValidator(layout: ProjectLayout(root: directory.path)).validate(paths: [sites])
        #expect(report.errors.map(\.description) == [
            "\(sites)/teide.yaml:\(line ?? 0): telescope id 'la-palma-1m-a' is also used in \(sites)/la-palma.yaml:\(first ?? 0); telescope ids must be unique across the array"
        ])
    }

    @Test func aCatalogWithOnlyItsHeaderLineIsRefused() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("empty.csv", "id,name,ra_deg,dec_deg,kind,priority\n")
        let report = ConfigValidator(layout: TestPaths.layout).validate(paths: [file])
        #expect(report.errors.map(\.description) == ["\(file):1: no targets: the file has its header line but no rows"])
    }
}
