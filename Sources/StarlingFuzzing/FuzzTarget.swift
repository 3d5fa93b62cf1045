public import Foundation
import Coordination
import Imaging
import StarlingCore

/// The parsers that read bytes from outside, each with what must hold for any input: it
/// returns or refuses with a reason, never traps, and what it returns is a possible value.
///
/// One body serves two callers: the libFuzzer executables in `Fuzz/` (run by `scripts/fuzz`),
/// which trap on a violation so that libFuzzer keeps the input, and the test suite, which
/// replays the seed inputs and every crash found through ``violations(for:)``.
///
/// ```swift
/// let problems = FuzzTarget.voevent.violations(for: bytes)   // [] when all holds
/// ```
public enum FuzzTarget: String, Sendable, CaseIterable {
    /// VOEvent XML notices (``Coordination/AlertParser``).
    case voevent
    /// GCN Kafka JSON, IGWN and broker notices (``Coordination/AlertParser``).
    case gcnJSON = "gcn-json"
    /// FITS files read from memory: the header pre-check, then CFITSIO (``Imaging/FITSFrame``).
    case fitsHeader = "fits-header"
    /// YAML configuration: scenarios, sites, telescope models (``StarlingCore/Scenario``,
    /// ``StarlingCore/SiteLoader``).
    case yamlConfig = "yaml-config"

    /// What libFuzzer is told about the inputs: the longest to try.
    public var maximumInputBytes: Int {
        switch self {
        case .voevent, .gcnJSON: 65_536
        case .fitsHeader: 3 * 2880
        case .yamlConfig: 16_384
        }
    }

    /// The kinds of file in `../shared/data` that seed the corpus, as path suffixes.
    public var seedSuffixes: [String] {
        switch self {
        case .voevent: [".xml"]
        case .gcnJSON: [".json"]
        case .fitsHeader: [".fits", ".fit", ".fz"]
        case .yamlConfig: [".yaml", ".yml"]
        }
    }

    /// Runs the parser on the bytes and returns what did not hold (empty when all did).
    public func violations(for data: Data) -> [String] {
        switch self {
        case .voevent, .gcnJSON: Self.alertViolations(data)
        case .fitsHeader: Self.fitsViolations(data)
        case .yamlConfig: Self.configViolations(data)
        }
    }

    // MARK: Alerts

    static func alertViolations(_ data: Data) -> [String] {
        let first: Result<ParsedNotice, AlertFormatError> = Result { () throws(AlertFormatError) -> ParsedNotice in try AlertParser.parse(data) }
        let second: Result<ParsedNotice, AlertFormatError> = Result { () throws(AlertFormatError) -> ParsedNotice in try AlertParser.parse(data) }
        var problems: [String] = []
        if first != second { problems.append("parsing the same bytes twice gave different results") }
        switch first {
        case .failure(let error):
            if error.message.isEmpty { problems.append("a refusal without a reason") }
        case .success(let notice):
            let alert = notice.alert
            if !alert.eventTime.timeIntervalSince1970.isFinite { problems.append("an event time that is not finite") }
            if case .circle(let radius) = alert.errorRegion, !(radius.degrees > 0 && radius.degrees <= 180) {
                problems.append("an error radius of \(radius.degrees)°")
            }
            if let containment = alert.errorContainment, !(containment > 0 && containment <= 1) {
                problems.append("a containment of \(containment)")
            }
            if let position = alert.position, !(0..<360).contains(position.rightAscension.degrees) {
                problems.append("a right ascension of \(position.rightAscension.degrees)°")
            }
            // What the store and `alert parse --json` do with every alert: encode it.
            do {
                _ = try JSONEncoder().encode(alert)
            } catch {
                problems.append("the alert cannot be encoded as JSON: \(error)")
            }
        }
        return problems
    }

    // MARK: FITS

    static func fitsViolations(_ data: Data) -> [String] {
        do {
            let frame = try FITSFrame(data: data, name: "fuzz")
            if frame.image.width < 0 || frame.image.height < 0 { return ["an image of negative size"] }
        } catch {
            if error.description.isEmpty { return ["a refusal without a reason"] }
        }
        return []
    }

    // MARK: Configuration

    /// The shipped telescope models, so that site files can refer to them.
    private static let shippedModels: SiteLoader = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("sites/" + SiteLoader.modelsFileName).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let loader = try? SiteLoader(modelsText: text, file: path)
        else { return SiteLoader() }
        return loader
    }()

    static func configViolations(_ data: Data) -> [String] {
        guard let text = String(data: data, encoding: .utf8) else { return [] }  // configuration is read as UTF-8 text
        var problems: [String] = []
        func expectReason(_ errors: ConfigErrors, _ what: String) {
            if errors.errors.isEmpty || errors.errors.contains(where: { $0.message.isEmpty }) { problems.append("\(what): a refusal without a reason") }
        }
        do { _ = try Scenario.parse(text: text, file: "fuzz.yaml", context: nil) } catch { expectReason(error, "scenario") }
        do { _ = try shippedModels.loadSite(text: text, file: "fuzz.yaml") } catch { expectReason(error, "site") }
        do { _ = try SiteLoader(modelsText: text, file: "fuzz.yaml") } catch { expectReason(error, "models") }
        return problems
    }
}
