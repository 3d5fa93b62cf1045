import Foundation
import StarlingCore
import StarlingFuzzing
import Testing

/// The fuzz targets' smoke run inside `make test`: every regression input (`Fuzz/Regressions`,
/// one minimal input per crash the fuzzer or a person found), the seed corpus of
/// `../shared/data` when it is there, and a few thousand seeded mutations of the seeds. The
/// fuzzer proper runs for minutes per target (`scripts/fuzz`).
struct FuzzSmokeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sharedData = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path

    /// The files under a folder (recursively) whose names end with one of the suffixes.
    static func files(under folder: String, suffixes: [String]) -> [String] {
        guard let names = FileManager.default.enumerator(atPath: folder)?.compactMap({ $0 as? String }) else { return [] }
        return names.filter { name in suffixes.contains { name.hasSuffix($0) } }.sorted().map { folder + "/" + $0 }
    }

    static func regressions(_ target: FuzzTarget) -> [String] {
        files(under: packageRoot.path + "/Fuzz/Regressions/" + target.rawValue, suffixes: [""])
    }

    /// Seeds: the repository's own inputs of the kind, and `../shared/data`'s when present.
    static func seeds(_ target: FuzzTarget) -> [String] {
        var folders = [sharedData]
        switch target {
        case .voevent, .gcnJSON: folders.append(packageRoot.path + "/simulations")
        case .fitsHeader: folders.append(packageRoot.path + "/Tests/ImagingTests/Fixtures")
        case .yamlConfig: folders += [packageRoot.path + "/simulations", packageRoot.path + "/sites"]
        case .modelAnswer: folders.append(packageRoot.path + "/Tests/PlanningTests/Fixtures")
        }
        return folders.flatMap { files(under: $0, suffixes: target.seedSuffixes) }
    }

    @Test("every regression input holds", arguments: FuzzTarget.allCases)
    func regressionsHold(target: FuzzTarget) throws {
        for path in Self.regressions(target) {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(target.violations(for: data) == [], "\(path)")
        }
    }

    @Test("the seed corpus and seeded mutations of it hold", arguments: FuzzTarget.allCases)
    func seedsAndMutationsHold(target: FuzzTarget) throws {
        let seeds = try Self.seeds(target).map { try Data(contentsOf: URL(fileURLWithPath: $0)).prefix(target.maximumInputBytes) }
        try #require(!seeds.isEmpty, "the repository has inputs of every kind")
        for (index, seed) in seeds.enumerated() {
            #expect(target.violations(for: Data(seed)) == [], "seed \(index)")
        }
        var generator = SeededGenerator(seed: 16)
        for round in 0..<1_000 {
            let seed = seeds[Int(generator.next() % UInt64(seeds.count))]
            let mutated = Self.mutate(Array(seed), with: &generator)
            let problems = target.violations(for: Data(mutated))
            #expect(problems == [], "mutation \(round): \(problems); bytes (base64) \(Data(mutated).base64EncodedString())")
        }
    }

    /// libFuzzer's simplest mutations: flip, insert or erase bytes, cut the end, repeat a span.
    static func mutate(_ bytes: [UInt8], with generator: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int(generator.next() % 4 + 1) {
            let count = bytes.count
            switch generator.next() % 5 {
            case 0 where count > 0: bytes[Int(generator.next() % UInt64(count))] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
            case 1: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: Int(generator.next() % UInt64(count + 1)))
            case 2 where count > 0: bytes.remove(at: Int(generator.next() % UInt64(count)))
            case 3 where count > 0: bytes.removeLast(Int(generator.next() % UInt64(count)))
            case 4 where count > 1:
                let start = Int(generator.next() % UInt64(count)), length = min(16, count - start)
                bytes.insert(contentsOf: bytes[start..<start + length], at: start)
            default: break
            }
        }
        return bytes
    }
}
