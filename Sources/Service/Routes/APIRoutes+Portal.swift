import Coordination
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Observatory
import Orchestration
import Persistence
import Requests
import StarlingCore

/// The OCS request API (LCO's observation portal and archive, the subset TOM Toolkit's OCS
/// facility uses; docs/ocs.md): observers submit request groups under their proposals,
/// follow their states, and download their frames.
extension APIRoutes {
    var portalRoutes: [Route] {
        [
            Route(method: .get, path: "/api/profile", role: .viewer, summary: "The caller and the proposals it may submit under (OCS)", handler: profile),
            Route(method: .get, path: "/api/instruments", role: nil, summary: "The instruments observers can request, by type (OCS)", handler: instruments),
            Route(method: .get, path: "/api/telescope_states", role: .viewer, summary: "Each telescope's availability (OCS)", handler: telescopeStates),
            Route(method: .get, path: "/api/requestgroups", role: .viewer, summary: "Request groups, paginated; ?request_id= finds a request's group (OCS)", handler: requestGroups),
            Route(method: .post, path: "/api/requestgroups", role: .observer, summary: "Submit a request group (OCS RequestGroup JSON)", handler: submitRequestGroup),
            Route(method: .post, path: "/api/requestgroups/validate", role: .observer, summary: "Validate a request group: durations and field-by-field errors (OCS)", handler: validateRequestGroup),
            Route(method: .get, path: "/api/requestgroups/{id}", role: .viewer, summary: "One request group with its requests' states (OCS)", handler: requestGroup),
            Route(method: .post, path: "/api/requestgroups/{id}/cancel", role: .observer, summary: "Cancel a request group; says whether an exposure was stopped (OCS)", handler: cancelRequestGroup),
            Route(method: .get, path: "/api/requests/{id}", role: .viewer, summary: "One request with its state (OCS)", handler: portalRequest),
            Route(method: .get, path: "/api/requests/{id}/observations", role: .viewer, summary: "A request's attempts: telescope, times, state (OCS)", handler: portalRequestObservations),
            Route(method: .get, path: "/api/request_states", role: .viewer, summary: "The states of many requests in one call (?ids=1,2,3)", handler: requestStates),
            Route(method: .get, path: "/frames", role: .viewer, summary: "A request's frames, paginated (?REQNUM=; OCS archive)", handler: archiveFrames),
            Route(method: .get, path: "/frames/{id}", role: .viewer, summary: "One frame as the archive lists it (OCS archive)", handler: archiveFrame),
            Route(method: .get, path: "/frames/{id}/download", role: nil, summary: "A frame's FITS file by a signed link from /frames (no token needed)", handler: archiveDownload),
        ]
    }

    // MARK: Helpers

    static func portal(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(try PortalJSON.encode(value))
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }

    private var desk: RequestDesk { server.live.requests }
    private var now: Date { server.live.clock.currentDate }

    private static func number(_ name: String, _ context: APIContext) throws -> Int {
        let text = try parameter(name, context)
        guard let value = Int(text), value > 0 else { throw APIError.notFound("'\(text)' is not a request or group id (a positive whole number)") }
        return value
    }

    /// Whether the caller may see or change a group: a member of its proposal, or an operator.
    private func mayAct(on group: RequestGroup, _ context: APIContext) -> Bool {
        if let role = context.role, role >= .operator { return true }
        guard let caller = context.caller else { return server.configuration.readAccess == .open }
        return desk.validator.proposals.proposal(group.proposalID)?.admits(caller) ?? false
    }

    private func groupDocument(_ group: RequestGroup) async throws -> RequestGroupDocument {
        let states = try await desk.states(of: group, now: now)
        return RequestGroupDocument(group, state: states.group, requestStates: states.requests)
    }

    private func body(_ request: Request) async throws -> Data {
        let body = try await request.body.collect(upTo: 4 << 20)
        return Data(body.readableBytesView)
    }

    // MARK: Profile, instruments, telescopes

    private struct ProfileDocument: Encodable {
        let username: String
        let proposals: [ProposalDocument]
        let availableInstrumentTypes: [String]
        enum CodingKeys: String, CodingKey {
            case username, proposals
            case availableInstrumentTypes = "available_instrument_types"
        }
    }

    private struct ProposalDocument: Encodable {
        let id: String
        let title: String
        let current: Bool
        let timeAllocations: [TimeAllocation]
        enum CodingKeys: String, CodingKey {
            case id, title, current
            case timeAllocations = "time_allocations"
        }
    }

    /// Hours granted and used per mode (the portal's `std`, `tc` and `rr` allocations).
    private struct TimeAllocation: Encodable {
        let observationType: String
        let allocatedHours: Double
        let usedHours: Double
        enum CodingKeys: String, CodingKey {
            case observationType = "observation_type"
            case allocatedHours = "allocated_hours"
            case usedHours = "used_hours"
        }
    }

    func profile(_ request: Request, _ context: APIContext) async throws -> Response {
        let caller = context.caller ?? "anonymous"
        let used = try await desk.usedSeconds(now: now)
        let proposals = desk.validator.proposals.proposals(for: caller).map { proposal in
            ProposalDocument(
                id: proposal.id, title: proposal.title, current: proposal.isCurrent,
                timeAllocations: ObservingMode.allCases.map { mode in
                    TimeAllocation(
                        observationType: mode.rawValue, allocatedHours: proposal.allocationHours[mode] ?? 0,
                        usedHours: ((used[proposal.id]?[mode] ?? 0) / 36).rounded() / 100)
                })
        }
        return try Self.portal(ProfileDocument(
            username: caller, proposals: proposals, availableInstrumentTypes: desk.validator.catalog.instruments.map(\.code)))
    }

    private struct InstrumentDocument: Encodable {
        let type: String
        let `class`: String
        let name: String
        let opticalElements: [String: [OpticalElement]]
        let modes: [String: String]
        let defaultConfigurationType: String
        let configurationTypes: [String: ConfigurationType]
        let cameraType: [String: String]
        let telescopes: [String]

        enum CodingKeys: String, CodingKey {
            case type, `class`, name, modes, telescopes
            case opticalElements = "optical_elements"
            case defaultConfigurationType = "default_configuration_type"
            case configurationTypes = "configuration_types"
            case cameraType = "camera_type"
        }
    }

    private struct OpticalElement: Encodable {
        let name: String
        let code: String
        let schedulable: Bool
        let `default`: Bool
    }

    private struct ConfigurationType: Encodable {
        let name: String
        let code: String
        let schedulable: Bool
    }

    func instruments(_ request: Request, _ context: APIContext) async throws -> Response {
        var documents: [String: InstrumentDocument] = [:]
        for instrument in desk.validator.catalog.instruments {
            let filters = instrument.allFilters
            let preferred = filters.first { $0 == "r" } ?? filters.first
            documents[instrument.code] = InstrumentDocument(
                type: "IMAGE", class: instrument.telescopeClass,
                name: "\(instrument.telescopeClass) imager (\(instrument.telescopes.count) telescope\(instrument.telescopes.count == 1 ? "" : "s"))",
                opticalElements: ["filters": filters.map { OpticalElement(name: $0, code: $0, schedulable: true, default: $0 == preferred) }],
                modes: [:], defaultConfigurationType: "EXPOSE",
                configurationTypes: ["EXPOSE": ConfigurationType(name: "Exposure", code: "EXPOSE", schedulable: true)],
                cameraType: ["code": instrument.code], telescopes: instrument.telescopes.map(\.id.rawValue))
        }
        return try Self.portal(documents)
    }

    private struct TelescopeStateDocument: Encodable {
        let telescope: String
        let eventType: String
        let eventReason: String
        let start: Date
        let end: Date
        enum CodingKeys: String, CodingKey {
            case telescope, start, end
            case eventType = "event_type"
            case eventReason = "event_reason"
        }
    }

    /// Keyed `site.enc.telescope`, as the portal keys telescopes (TOM Toolkit reads the site
    /// from the first part).
    func telescopeStates(_ request: Request, _ context: APIContext) async throws -> Response {
        var documents: [String: [TelescopeStateDocument]] = [:]
        let now = self.now
        for status in await server.live.statuses() {
            guard let site = server.live.network.locate(status.telescope)?.site else { continue }
            var reasons: [String] = status.faults.map { "\($0.key.rawValue): \($0.value.detail)" }
            if case .unsafe(let why) = status.weather { reasons.append("weather: " + why.joined(separator: ", ")) }
            if status.state == .fault { reasons.append("fault") }
            documents["\(site.id).enc.\(status.telescope)"] = [
                TelescopeStateDocument(
                    telescope: status.telescope.rawValue, eventType: reasons.isEmpty ? "AVAILABLE" : "NOT_AVAILABLE",
                    eventReason: reasons.isEmpty ? "Available for scheduling" : reasons.joined(separator: "; "), start: now, end: now)
            ]
        }
        return try Self.portal(documents)
    }

    // MARK: Request groups

    func requestGroups(_ request: Request, _ context: APIContext) async throws -> Response {
        let query = Query(request: request)
        var groups = try await desk.groups().filter { mayAct(on: $0, context) }
        if let text = query.string("request_id") {
            guard let id = Int(text) else { throw APIError.invalidParameter("request_id=\(text) should be a whole number") }
            groups = groups.filter { $0.requests.contains { $0.id == id } }
        }
        if let name = query.string("name") { groups = groups.filter { $0.name == name } }
        let limit = try query.integer("limit", default: 100, in: 1...1000)
        let offset = try query.integer("offset", default: 0, in: 0...Int(Int32.max))
        // Newest first, as the portal lists them.
        let ordered = groups.reversed().dropFirst(offset).prefix(limit)
        var documents: [RequestGroupDocument] = []
        for group in ordered { documents.append(try await groupDocument(group)) }
        let base = "/api/requestgroups/?limit=\(limit)"
        return try Self.portal(PortalPage(
            count: groups.count, next: offset + limit < groups.count ? base + "&offset=\(offset + limit)" : nil,
            previous: offset > 0 ? base + "&offset=\(max(0, offset - limit))" : nil, results: documents))
    }

    func validateRequestGroup(_ request: Request, _ context: APIContext) async throws -> Response {
        let outcome = try await desk.validate(try await body(request), submitter: context.caller ?? "anonymous", now: now)
        return try Self.portal(ValidationDocument(outcome))
    }

    func submitRequestGroup(_ request: Request, _ context: APIContext) async throws -> Response {
        switch try await desk.submit(try await body(request), submitter: context.caller ?? "anonymous", now: now) {
        case .success(let group): return try Self.portal(try await groupDocument(group), status: .created)
        case .failure(.invalid(let outcome)): return try Self.portal(outcome.errors, status: .badRequest)
        case .failure(.notRunning):
            throw APIError(.serviceUnavailable, code: "not-running", "the network is \(server.live.currentPhase.rawValue); nothing was stored: submit again")
        }
    }

    func requestGroup(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = try Self.number("id", context)
        guard let group = try await desk.group(id), mayAct(on: group, context) else { throw APIError.notFound("no request group \(id)") }
        return try Self.portal(try await groupDocument(group))
    }

    private struct CancelDocument: Encodable {
        let group: RequestGroupDocument
        let stoppedObserving: Bool

        func encode(to encoder: any Encoder) throws {
            try group.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(stoppedObserving, forKey: .stoppedObserving)
        }

        enum Key: String, CodingKey { case stoppedObserving = "exposure_stopped" }
    }

    /// The group as cancelled, with `exposure_stopped`: whether a telescope was observing it
    /// (and so stops).
    func cancelRequestGroup(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = try Self.number("id", context)
        guard let existing = try await desk.group(id), mayAct(on: existing, context) else { throw APIError.notFound("no request group \(id)") }
        guard server.live.currentPhase == .running else {
            throw APIError(.serviceUnavailable, code: "not-running", "the network is \(server.live.currentPhase.rawValue); nothing was cancelled: try again")
        }
        guard let (group, stopped) = try await desk.cancel(id, now: now) else { throw APIError.notFound("no request group \(id)") }
        // A request cancelled before any telescope had it changes no assignment: say so here.
        for request in group.requests {
            if let change = await server.requestStates.document(for: request.id) { server.hub.publish(change) }
        }
        return try Self.portal(CancelDocument(group: try await groupDocument(group), stoppedObserving: stopped))
    }

    // MARK: Requests

    private func requestAndGroup(_ context: APIContext) async throws -> (RequestGroup.Request, RequestGroup) {
        let id = try Self.number("id", context)
        guard let group = try await desk.group(containingRequest: id), mayAct(on: group, context),
            let request = group.requests.first(where: { $0.id == id })
        else { throw APIError.notFound("no request \(id)") }
        return (request, group)
    }

    func portalRequest(_ request: Request, _ context: APIContext) async throws -> Response {
        let (item, group) = try await requestAndGroup(context)
        let state = try await desk.state(of: item.id, now: now) ?? .pending
        return try Self.portal(RequestDocument(item, groupID: group.id, state: state))
    }

    func portalRequestObservations(_ request: Request, _ context: APIContext) async throws -> Response {
        let (item, _) = try await requestAndGroup(context)
        let attempts = try await desk.attempts(of: item.id)
        var documents: [PortalObservationDocument] = []
        for attempt in attempts {
            // An attempt observed ends when its observation did; one not yet observed, as planned.
            let observed = try await server.live.store.observations(of: attempt.request.id).last
            let planned = attempt.plannedStart.addingTimeInterval(item.durationSeconds)
            documents.append(PortalObservationDocument(attempt, requestID: item.id, end: observed?.ended ?? planned))
        }
        return try Self.portal(documents)
    }

    private struct RequestStateDocument: Encodable {
        let id: Int
        let requestGroupID: Int?
        let state: String?
        enum CodingKeys: String, CodingKey {
            case id, state
            case requestGroupID = "request_group_id"
        }

        /// An unknown request has `null` state and group, stated rather than left out.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(requestGroupID, forKey: .requestGroupID)
            try container.encode(state, forKey: .state)
        }
    }

    /// Many requests' states in one call: `?ids=1,2,3` (at most 1,000); an unknown id has
    /// `state: null`.
    func requestStates(_ request: Request, _ context: APIContext) async throws -> Response {
        guard let text = Query(request: request).string("ids") else { throw APIError.invalidParameter("give ids=1,2,3") }
        let parts = text.split(separator: ",", omittingEmptySubsequences: true)
        guard parts.count <= 1000 else { throw APIError.invalidParameter("at most 1,000 ids in one call") }
        var documents: [RequestStateDocument] = []
        for part in parts {
            guard let id = Int(part.trimmingCharacters(in: .whitespaces)) else { throw APIError.invalidParameter("ids: '\(part)' is not a whole number") }
            let group = try await desk.group(containingRequest: id).flatMap { mayAct(on: $0, context) ? $0 : nil }
            let state = group == nil ? nil : try await desk.state(of: id, now: now)
            documents.append(RequestStateDocument(id: id, requestGroupID: group?.id, state: state?.rawValue))
        }
        return try Self.portal(documents)
    }

    // MARK: Archive

    private func archiveDocument(_ frame: FrameRecord, requestNumber: Int, object: String, site: SiteID, base: String) -> ArchiveFrameDocument {
        let name = URL(fileURLWithPath: frame.path).lastPathComponent
        let resource = "frame:\(frame.id.rawValue)"
        let path = "/frames/\(frame.id.rawValue.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? frame.id.rawValue)/download"
        let size = (try? FileManager.default.attributesOfItem(atPath: frame.path)[.size] as? Int) ?? nil
        return ArchiveFrameDocument(
            id: frame.id.rawValue, filename: name, basename: URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent,
            dateObs: frame.started, requestNumber: requestNumber, object: object, filter: frame.filter.name, exposureTime: frame.exposureSeconds,
            site: site.rawValue, telescope: frame.telescopeID.rawValue, url: base + path + "?" + server.downloads.query(for: resource, now: Date()),
            filesize: size)
    }

    /// The URL clients reached the service by (for links), from the Host header.
    private func baseURL(_ request: Request) -> String {
        let host = request.head.authority ?? "\(server.configuration.host):\(server.configuration.port)"
        let scheme = request.headers[HTTPField.Name("X-Forwarded-Proto")!] ?? "http"
        return "\(scheme)://\(host)"
    }

    /// Frames with files of a request's attempts, oldest first.
    private func frames(ofRequest item: RequestGroup.Request) async throws -> [(FrameRecord, SiteID)] {
        var result: [(FrameRecord, SiteID)] = []
        for attempt in try await desk.attempts(of: item.id) {
            for observation in try await server.live.store.observations(of: attempt.request.id) {
                for frame in observation.frames where FileManager.default.fileExists(atPath: frame.path) { result.append((frame, observation.siteID)) }
            }
        }
        return result.sorted { $0.0.started < $1.0.started }
    }

    func archiveFrames(_ request: Request, _ context: APIContext) async throws -> Response {
        let query = Query(request: request)
        guard let text = query.string("REQNUM") ?? query.string("request_id") else {
            throw APIError.invalidParameter("give REQNUM=<request id>: the archive lists the frames of one request")
        }
        guard let id = Int(text), let group = try await desk.group(containingRequest: id), mayAct(on: group, context),
            let item = group.requests.first(where: { $0.id == id })
        else { throw APIError.notFound("no request \(text)") }
        let all = try await frames(ofRequest: item)
        let limit = try query.integer("limit", default: 100, in: 1...1000)
        let offset = try query.integer("offset", default: 0, in: 0...Int(Int32.max))
        let base = baseURL(request)
        let documents = all.dropFirst(offset).prefix(limit).map { archiveDocument($0.0, requestNumber: id, object: item.target.name, site: $0.1, base: base) }
        let link = "\(base)/frames/?REQNUM=\(id)&limit=\(limit)"
        return try Self.portal(PortalPage(
            count: all.count, next: offset + limit < all.count ? link + "&offset=\(offset + limit)" : nil,
            previous: offset > 0 ? link + "&offset=\(max(0, offset - limit))" : nil, results: documents))
    }

    /// The request a frame was taken for, from its observation's request and the notice the
    /// coordinator assigned it under.
    private func requestOf(_ frame: FrameRecord) async throws -> (RequestGroup.Request, RequestGroup, SiteID)? {
        let store = server.live.store
        guard let observation = try await store.observation(frame.observationID) else { return nil }
        for attempt in try await store.assignments(alert: nil) where attempt.request.id == observation.requestID {
            guard let number = try await store.alert(attempt.alertID)?.alert?.requested?.requestNumber,
                let group = try await desk.group(containingRequest: number), let item = group.requests.first(where: { $0.id == number })
            else { return nil }
            return (item, group, observation.siteID)
        }
        return nil
    }

    func archiveFrame(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = FrameID(try Self.parameter("id", context))
        guard let frame = try await server.live.store.frame(id), let (item, group, site) = try await requestOf(frame), mayAct(on: group, context) else {
            throw APIError.notFound("no frame '\(id)' of an observer's request")
        }
        return try Self.portal(archiveDocument(frame, requestNumber: item.id, object: item.target.name, site: site, base: baseURL(request)))
    }

    func archiveDownload(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = try Self.parameter("id", context)
        let query = Query(request: request)
        guard server.downloads.verify("frame:\(id)", expires: query.string("expires"), signature: query.string("signature"), now: Date()) else {
            throw APIError(.forbidden, code: "forbidden", "the link is not signed, or has expired: list the frames again (/frames/?REQNUM=) for a fresh one")
        }
        guard let frame = try await server.live.store.frame(FrameID(id)), FileManager.default.fileExists(atPath: frame.path) else {
            throw APIError.notFound("frame '\(id)' has no FITS file")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: frame.path), options: .alwaysMapped)
        let name = URL(fileURLWithPath: frame.path).lastPathComponent
        return Self.bytes(data, contentType: "application/fits", headers: [.contentDisposition: "attachment; filename=\"\(name)\""])
    }
}
