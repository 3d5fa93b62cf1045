import Foundation
import Testing

@testable import Requests
@testable import StarlingCore

/// The request language as the OCS portal checks it: a valid group becomes a request group
/// with its durations; every wrong field is reported at its place.
struct RequestGroupValidatorTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let network: ObservatoryNetwork
    let validator: RequestGroupValidator
    /// 2026-11-23 12:00 UTC: NGC 1068 (RA 2h 42m) transits near local midnight at every site.
    let now = Date(timeIntervalSince1970: 1_795_435_200)

    init() throws {
        let layout = ProjectLayout(root: Self.packageRoot)
        network = try layout.loadNetwork()
        let proposals = ProposalBook([
            Proposal(id: "OPEN", title: "Open", members: ["*"], allocationHours: [.normal: 100, .rapidResponse: 1]),
            Proposal(id: "PRIVATE", title: "Private", members: ["alice"], allocationHours: [.normal: 10]),
        ])
        validator = RequestGroupValidator(catalog: InstrumentCatalog(network: network), proposals: proposals, observability: ObservabilityCheck(network: network))
    }

    var instrument: InstrumentCatalog.Instrument { validator.catalog.instruments.max { $0.telescopes.count < $1.telescopes.count }! }

    /// A request group as TOM Toolkit's OCS form sends it, with changes.
    func body(
        proposal: String = "OPEN", mode: String = "NORMAL", filter: String? = nil, start: Date? = nil, end: Date? = nil, dec: Double = -0.0133,
        maxAirmass: Double = 2.0, exposureTime: Double = 120, exposureCount: Int = 3
    ) -> Data {
        let document: [String: Any] = [
            "name": "NGC 1068 follow-up", "proposal": proposal, "ipp_value": 1.05, "operator": "SINGLE", "observation_type": mode,
            "requests": [[
                "location": ["telescope_class": instrument.telescopeClass],
                "windows": [["start": ISO8601.string(from: start ?? now), "end": ISO8601.string(from: end ?? now.addingTimeInterval(3 * 86_400))]],
                "configurations": [[
                    "type": "EXPOSE", "instrument_type": instrument.code,
                    "target": ["name": "NGC 1068", "type": "ICRS", "ra": 40.6696, "dec": dec, "proper_motion_ra": 0, "proper_motion_dec": 0, "epoch": 2000],
                    "constraints": ["max_airmass": maxAirmass, "min_lunar_distance": 30],
                    "instrument_configs": [["exposure_time": exposureTime, "exposure_count": exposureCount, "optical_elements": ["filter": filter ?? instrument.filters[0]]]],
                    "acquisition_config": [:], "guiding_config": [:],
                ]],
            ]],
        ]
        return try! JSONSerialization.data(withJSONObject: document)
    }

    func validate(_ body: Data, as submitter: String = "tom", used: [String: [ObservingMode: Double]] = [:]) -> RequestGroupValidator.Outcome {
        validator.validate(body, submitter: submitter, now: now, usedSeconds: used)
    }

    @Test func aGroupAsTOMToolkitSendsItIsValidWithItsDuration() throws {
        let outcome = validate(body())
        let group = try #require(outcome.group, "\(outcome.errors.flattened)")
        let request = try #require(group.requests.first)
        #expect(group.proposalID == "OPEN" && group.mode == .normal && group.ippValue == 1.05)
        #expect(request.exposures == [ExposureSpec(filter: Filter(instrument.filters[0]), exposureSeconds: 120, count: 3)])
        #expect(request.constraints.maximumAirmass == 2.0 && abs(request.constraints.minimumMoonSeparation.degrees - 30) < 1e-9)
        // Three 120 s exposures plus the slowest telescope's overheads.
        #expect(request.durationSeconds > 360 && request.durationSeconds < 360 + 600)
        #expect(outcome.totalSeconds == request.durationSeconds)
    }

    @Test func badJSONIsRefusedAsTheParserSaw() {
        let outcome = validate(Data("{\"name\": ".utf8))
        #expect(!outcome.isValid)
        #expect(outcome.errors.flattened.count == 1)
        #expect(outcome.errors.flattened[0].hasPrefix("non_field_errors: JSON parse error"))
    }

    @Test func anUnknownFilterIsReportedAtItsField() {
        let outcome = validate(body(filter: "Hα-narrow"))
        #expect(!outcome.isValid)
        let messages = outcome.errors.flattened
        #expect(messages.count == 1)
        #expect(messages[0].hasPrefix("requests[0].configurations[0].instrument_configs[0].optical_elements.filter: Invalid filter Hα-narrow"))
    }

    @Test func aWindowInThePastIsReportedAtItsEnd() {
        let outcome = validate(body(start: now.addingTimeInterval(-7200), end: now.addingTimeInterval(-3600)))
        #expect(outcome.errors.flattened == ["requests[0].windows[0].end: Window end time must be in the future."])
    }

    @Test func aTargetNoSiteCanReachUnderItsConstraintsIsRefused() {
        // Near the south celestial pole under airmass 1.05: at no site higher than 72°.
        let outcome = validate(body(dec: -88, maxAirmass: 1.05))
        #expect(!outcome.isValid)
        let messages = outcome.errors.flattened
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("requests[0].non_field_errors: According to the constraints of the request, the target is never visible") == true)
    }

    @Test func aGroupBeyondItsProposalsTimeIsRefused() {
        // One hour of rapid response granted; three 30-minute exposures asked.
        let outcome = validate(body(mode: "RAPID_RESPONSE", exposureTime: 1800, exposureCount: 3))
        #expect(outcome.errors.flattened.count == 1)
        #expect(outcome.errors.flattened.first?.hasPrefix("non_field_errors: Proposal OPEN does not have enough RAPID_RESPONSE time left") == true)
        // Time already charged counts: 99.9 of 100 normal hours used.
        let used = validate(body(), used: ["OPEN": [.normal: 99.9 * 3600]])
        #expect(used.errors.flattened.first?.contains("does not have enough NORMAL time left") == true)
    }

    @Test func aProposalAdmitsOnlyItsMembers() {
        #expect(validate(body(proposal: "PRIVATE"), as: "bob").errors.flattened == ["proposal: You do not belong to the proposal PRIVATE."])
        #expect(validate(body(proposal: "PRIVATE"), as: "alice").isValid)
        #expect(validate(body(proposal: "NOPE")).errors.flattened == ["proposal: Invalid pk \"NOPE\" - object does not exist."])
    }

    @Test func everyWrongFieldIsReportedNotOnlyTheFirst() throws {
        var document = try #require(try JSONSerialization.jsonObject(with: body()) as? [String: Any])
        document["ipp_value"] = 7
        document["observation_type"] = "SOMETIMES"
        var request = try #require((document["requests"] as? [[String: Any]])?.first)
        request["location"] = ["telescope_class": "9m9"]
        document["requests"] = [request]
        let outcome = validate(try JSONSerialization.data(withJSONObject: document))
        let messages = Set(outcome.errors.flattened.map { String($0.prefix { $0 != ":" }) })
        #expect(messages.isSuperset(of: ["ipp_value", "observation_type", "requests[0].location.telescope_class"]))
    }

    /// Whatever the bytes, the validator answers with errors or a group, never a crash.
    @Test func arbitraryBytesNeverCrashTheValidator() {
        var generator = SystemRandomNumberGenerator()
        let valid = body()
        for round in 0..<300 {
            var bytes = [UInt8](valid)
            for _ in 0..<(1 + round % 8) { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            let outcome = validate(Data(bytes))
            #expect(outcome.isValid || !outcome.errors.isEmpty)
        }
    }
}
