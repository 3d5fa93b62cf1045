import Foundation
import MCP
import Orchestration
import Persistence
import Requests
import StarlingCore

/// `submit_observation_request`: an observation request for an observer's proposal, through
/// the same ``Orchestration/RequestDesk`` as the OCS request API (docs/ocs.md): validated
/// against the proposal's time and the sky, stored, and handed to the coordinator, which
/// gives it to the telescope of the class that can start it soonest.
///
/// The tool writes the OCS request group JSON a TOM would send and hands it to the desk, so
/// a request made by an assistant and one made by TOM Toolkit are checked, charged and
/// scheduled by one rule. With `validate_only` nothing is stored: the request comes back as
/// understood, with its duration, for the person to confirm.
struct SubmitRequestTool: StarlingTool {
    let name = "submit_observation_request"
    let title = "Submit an observation request"
    let description = """
        Requests an observation of one target under an observer's proposal: exposures (filter, seconds, count) on a telescope \
        class, inside a time window (default: the next 24 hours), within an airmass and Moon-distance limit. Validates it like \
        the OCS portal (proposal membership and time left, filters, whether any telescope can see the target in the window) and, \
        unless validate_only is true, stores it and hands it to the network, which schedules it on the telescope that can start \
        it soonest. Call with validate_only true first and show the request back before submitting. Needs a token with the \
        observer role that is a member of the proposal.
        """

    let parameters: [ToolParameter] = [
        ToolParameter("proposal", .string(), required: true, "The proposal's id (the OCS profile lists the caller's)."),
        ToolParameter("name", .string(), "The target from Starling's catalogs by id, name or alias (NGC 1068). Give name, or ra and dec."),
        ToolParameter("ra", .number(0...360), "Right ascension, ICRS, degrees (with dec, instead of name)."),
        ToolParameter("dec", .number(-90...90), "Declination, ICRS, degrees (with ra, instead of name)."),
        ToolParameter("target_name", .string(), "What to call a target given by ra and dec."),
        ToolParameter("telescope_class", .string(), "The telescope class: its aperture, e.g. 1m0 (default: the class with the most telescopes)."),
        ToolParameter("filter", .string(), required: true, "The filter, e.g. r, g, V (the class's imager's filters)."),
        ToolParameter("exposure_seconds", .number(0.001...7200), required: true, "Seconds per exposure."),
        ToolParameter("count", .integer(1...1000), "How many exposures (default 1)."),
        ToolParameter("window_start", .instant, "Earliest start, UTC (default: now)."),
        ToolParameter("window_end", .instant, "Latest end, UTC (default: 24 hours after window_start)."),
        ToolParameter(
            "mode", .string(choices: ObservingMode.allCases.map(\.rawValue)),
            "NORMAL (queued by priority), TIME_CRITICAL (high priority, never interrupts) or RAPID_RESPONSE (interrupts a survey exposure); default NORMAL."),
        ToolParameter("max_airmass", .number(1...25), "Highest airmass (default 1.6, the OCS portal's)."),
        ToolParameter("min_lunar_distance_deg", .number(0...180), "Smallest Moon distance, degrees (default 30)."),
        ToolParameter("ipp_value", .number(0.5...2), "The intra-proposal priority (default 1.0)."),
        ToolParameter("group_name", .string(), "A name for the request group (at most 50 characters; default from the target)."),
        ToolParameter("validate_only", .boolean, "Only validate and show the request back; store nothing (default false)."),
    ]

    var role: AccessRole? { .observer }
    var isReadOnly: Bool { false }

    var outputSchema: Value {
        Schema.object([
            "submitted": Schema.boolean("Whether the group was stored and handed to the network (false with validate_only)."),
            "group": RequestGroupDocument.schema,
            "next": Schema.string("What happens next."),
            "summary": Schema.string(),
        ])
    }

    struct Document: Encodable {
        let submitted: Bool
        let group: RequestGroupDocument
        let next: String
        let summary: String
    }

    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer {
        let live = try context.requireLive(for: name, doing: "stores a request and hands it to the coordinator")
        let desk = live.requests
        let body = try requestGroupJSON(input, desk: desk, context: context)
        let submitter = caller.name ?? "anonymous"
        let now = context.now
        if input.bool("validate_only") == true {
            let outcome: RequestGroupValidator.Outcome
            do {
                outcome = try await desk.validate(body, submitter: submitter, now: now)
            } catch {
                throw ToolError(.failed, "cannot validate the request: \(error.description)")
            }
            guard let draft = outcome.group else { throw Self.refusal(outcome) }
            let document = RequestGroupDocument(draft, numbered: false, state: nil, requestStates: [:])
            let summary = "Valid: \(Self.describe(draft)); it would take \(Int(draft.durationSeconds.rounded())) s of \(draft.proposalID)'s \(draft.mode.rawValue) time. Nothing is stored until it is submitted."
            return try ToolAnswer(summary: summary, document: Document(
                submitted: false, group: document, next: "Show the request to the person; call again without validate_only to submit it.", summary: summary))
        }
        let result: Result<RequestGroup, RequestDesk.Refusal>
        do {
            result = try await desk.submit(body, submitter: submitter, now: now)
        } catch {
            throw ToolError(.failed, "the request could not be stored; nothing was submitted: \(error.description)")
        }
        switch result {
        case .failure(.invalid(let outcome)):
            throw Self.refusal(outcome)
        case .failure(.notRunning):
            throw ToolError(.notRunning, "the network is \(live.currentPhase.rawValue); nothing was stored: submit again")
        case .success(let group):
            let document = try await RequestGroupDocument.stored(group, desk: desk, now: now)
            let ids = group.requests.map { String($0.id) }.joined(separator: ", ")
            let summary = "Submitted request group \(group.id) (request \(ids)): \(Self.describe(group)); state \(document.state)."
            return try ToolAnswer(summary: summary, document: Document(
                submitted: true, group: document,
                next: "The coordinator gives each request to the telescope of its class that can start it soonest inside its window (a window opening more than 12 h ahead is decided 12 h before). Follow it with observation_request_status; cancel it with cancel_observation_request.",
                summary: summary))
        }
    }

    /// The refusal for an invalid group: the portal's errors, field by field.
    static func refusal(_ outcome: RequestGroupValidator.Outcome) -> ToolError {
        ToolError(.invalidArgument, "the request is not valid: " + outcome.errors.flattened.joined(separator: "; "))
    }

    static func describe(_ group: RequestGroup) -> String {
        group.requests.map { request in
            let exposures = request.exposures.map { "\($0.count) × \(Self.seconds($0.exposureSeconds)) s in \($0.filter.name)" }.joined(separator: ", ")
            return "\(request.target.name), \(exposures) on a \(request.telescopeClass) telescope between \(ISO8601.string(from: request.window.start, fractionalSeconds: false)) and \(ISO8601.string(from: request.window.end, fractionalSeconds: false)), airmass ≤ \(request.constraints.maximumAirmass)"
        }.joined(separator: "; ")
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }

    /// The OCS request group a TOM would send for these arguments (docs/ocs.md).
    private func requestGroupJSON(_ input: ToolInput, desk: RequestDesk, context: ToolContext) throws(ToolError) -> Data {
        let target: [String: Any]
        let targetName: String
        switch (input.string("name"), input.number("ra"), input.number("dec")) {
        case (let name?, nil, nil):
            switch TargetCatalog.resolveTarget(named: name, in: context.catalogs) {
            case .success(let found):
                targetName = found.target.name
                target = [
                    "name": targetName, "type": "ICRS", "ra": found.target.coordinates.rightAscension.degrees,
                    "dec": found.target.coordinates.declination.degrees, "proper_motion_ra": 0, "proper_motion_dec": 0, "epoch": 2000,
                ]
            case .failure(let error):
                throw ToolError(.notFound, "name: \(error.description)")
            }
        case (nil, let ra?, let dec?):
            targetName = input.string("target_name") ?? String(format: "RA %.4f Dec %+.4f", ra, dec)
            target = ["name": targetName, "type": "ICRS", "ra": ra, "dec": dec, "proper_motion_ra": 0, "proper_motion_dec": 0, "epoch": 2000]
        default:
            throw ToolError.invalid("name", "give either name, or both ra and dec (degrees)")
        }
        let instruments = desk.validator.catalog.instruments
        guard let busiest = instruments.max(by: { $0.telescopes.count < $1.telescopes.count }) else {
            throw ToolError(.failed, "the network has no telescope to request")
        }
        let telescopeClass = input.string("telescope_class") ?? busiest.telescopeClass
        guard let instrument = instruments.first(where: { $0.telescopeClass == telescopeClass }) else {
            throw ToolError.invalid("telescope_class", "no \(telescopeClass) telescopes; the classes are \(instruments.map(\.telescopeClass).joined(separator: ", "))")
        }
        let start = input.instant("window_start") ?? context.now
        let end = input.instant("window_end") ?? start.addingTimeInterval(86_400)
        let groupName = input.string("group_name") ?? String("\(targetName) (assistant)".prefix(50))
        // Limits not given are left out, so the validator's defaults (the portal's) apply.
        var constraints: [String: Any] = [:]
        if let airmass = input.number("max_airmass") { constraints["max_airmass"] = airmass }
        if let distance = input.number("min_lunar_distance_deg") { constraints["min_lunar_distance"] = distance }
        let document: [String: Any] = [
            "name": groupName, "proposal": input.string("proposal") ?? "", "ipp_value": input.number("ipp_value") ?? 1.0, "operator": "SINGLE",
            "observation_type": input.string("mode") ?? ObservingMode.normal.rawValue,
            "requests": [[
                "location": ["telescope_class": instrument.telescopeClass],
                "windows": [["start": ISO8601.string(from: start), "end": ISO8601.string(from: end)]],
                "configurations": [[
                    "type": "EXPOSE", "instrument_type": instrument.code, "target": target,
                    "constraints": constraints,
                    "instrument_configs": [[
                        "exposure_time": input.number("exposure_seconds") ?? 0, "exposure_count": input.integer("count") ?? 1,
                        "optical_elements": ["filter": input.string("filter") ?? ""],
                    ]],
                ]],
            ]],
        ]
        do {
            return try JSONSerialization.data(withJSONObject: document)
        } catch {
            throw ToolError(.failed, "cannot write the request as JSON: \(error)")
        }
    }
}
