public import Foundation
import Coordination
import Imaging
import Planning
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
    /// A reasoning model's chat-completions answer, JSON or a stream, and the ranking in it
    /// (``Planning/ChatCompletionsModel/answer(fromBody:contentType:candidates:)``).
    case modelAnswer = "model-answer"

    /// What libFuzzer is told about the inputs: the longest to try.
    public var maximumInputBytes: Int {
        switch self {
        case .voevent, .gcnJSON: 65_536
        case .fitsHeader: 3 * 2880
        case .yamlConfig: 16_384
        case .modelAnswer: 32_768
        }
    }

    /// The kinds of file in `../shared/data` that seed the corpus, as path suffixes.
    public var seedSuffixes: [String] {
        switch self {
        case .voevent: [".xml"]
        case .gcnJSON: [".json"]
        case .fitsHeader: [".fits", ".fit", ".fz"]
        case .yamlConfig: [".yaml", ".yml"]
        case .modelAnswer: [".chat.json", ".chat.sse"]
        }
    }

    /// Runs the parser on the bytes and returns what did not hold (empty when all did).
    public func violations(for data: Data) -> [String] {
        switch self {
        case .voevent, .gcnJSON: Self.alertViolations(data)
        case .fitsHeader: Self.fitsViolations(data)
        case .yamlConfig: Self.configViolations(data)
        case .modelAnswer: Self.modelAnswerViolations(data)
        }
    }

    // MARK: Model answers

    /// The candidates every fuzzed answer is read against (the seeds rank these).
    static let candidates = ["ngc1068", "m31", "ngc253", "m87"].enumerated().map { index, id in
        RankingRequest.Candidate(
            id: id, name: id.uppercased(), priority: 5, merit: 4 - Double(index), deterministicRank: index + 1, startUTC: "2026-11-23T12:00:00Z",
            startLocal: "20:00", altitudeDegrees: 60, airmass: 1.15, moonSeparationDegrees: 80, nightsSinceLastVisit: nil, cadenceNights: 5)
    }

    /// Read, or refused with a reason; the same both times; a ranking names candidates only,
    /// each once, at least half of them, each with a one-line reason.
    static func modelAnswerViolations(_ data: Data) -> [String] {
        let read = { () -> Result<RankingAnswer, ModelError> in
            Result { () throws(ModelError) -> RankingAnswer in
                try ChatCompletionsModel.answer(fromBody: data, contentType: nil, candidates: candidates)
            }
        }
        let first = read(), second = read()
        var problems: [String] = []
        if first != second { problems.append("two reads of the same bytes differ") }
        switch first {
        case .failure(let error):
            if error.message.isEmpty { problems.append("a refusal without a reason (\(error.code.rawValue))") }
        case .success(let answer):
            let ids = answer.ranking.map(\.id)
            let known = Set(candidates.map(\.id))
            if ids.contains(where: { !known.contains($0) }) { problems.append("the ranking names ids that are not candidates: \(ids)") }
            if Set(ids).count != ids.count { problems.append("the ranking names an id twice: \(ids)") }
            if ids.count < 2 || ids.count * 2 < candidates.count { problems.append("a ranking of \(ids.count) of \(candidates.count) candidates was accepted") }
            if answer.ranking.contains(where: { $0.reason.isEmpty || $0.reason.contains(where: \.isNewline) }) {
                problems.append("a reason is empty or spans lines")
            }
        }
        return problems
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
