import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Observatory
import Orchestration
import Persistence
import Planning
import Prometheus
import Sky
import StarlingCore

extension APIRoutes {
    // MARK: Operations

    func health(_ request: Request, _ context: APIContext) async throws -> Response {
        try Self.json(["status": "ok"])
    }

    func ready(_ request: Request, _ context: APIContext) async throws -> Response {
        let phase = server.live.currentPhase
        return try Self.json(["status": phase.rawValue], status: phase == .running ? .ok : .serviceUnavailable)
    }

    func metrics(_ request: Request, _ context: APIContext) async throws -> Response {
        guard let registry = server.metrics else { throw APIError.notFound("metrics are not exported by this process") }
        return Self.bytes(Data(registry.emitToBuffer()), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    // MARK: Session

    /// Who the caller is and what its role allows, by the same checks the routes make.
    func session(_ request: Request, _ context: APIContext) async throws -> Response {
        let readAccess = server.configuration.readAccess
        func permission(_ role: AccessRole) -> SessionDocument.Permission {
            let requirement = AccessRequirement(role: role, readAccess: readAccess)
            let needed = role == .viewer && readAccess == .open ? nil : role.rawValue
            do {
                try requirement.check(context)
                return .init(allowed: true, role: needed, reason: nil)
            } catch {
                return .init(allowed: false, role: needed, reason: (error as? APIError)?.message ?? "\(error)")
            }
        }
        return try Self.json(SessionDocument(
            readAccess: readAccess.rawValue, name: context.caller, role: context.role?.rawValue, read: permission(.viewer),
            review: permission(.observer), operate: permission(.operator)))
    }

    // MARK: Network, sites, telescopes

    private struct NetworkDocument: Encodable {
        let now: Date
        /// `wall` or `simulated`.
        let clock: String
        let phase: String
        let counts: Counts
        let sites: [SiteDocument]

        struct Counts: Encodable {
            let observations: Int
            let completed: Int
            let frames: Int
            let followUps: Int
            let faults: Int
            let telescopesOpen: Int
        }
    }

    func network(_ request: Request, _ context: APIContext) async throws -> Response {
        let live = server.live
        let now = live.clock.currentDate
        let counts = live.counts
        let document = NetworkDocument(
            now: now, clock: live.clock is SimulationClock ? "simulated" : "wall", phase: live.currentPhase.rawValue,
            counts: .init(
                observations: counts.observations, completed: counts.completed, frames: counts.frames, followUps: counts.assignments,
                faults: counts.faults, telescopesOpen: counts.open.count),
            sites: live.network.sites.map { SiteDocument($0, night: try? Self.night(of: $0, at: now)) })
        return try Self.json(document)
    }

    func site(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = try Self.parameter("id", context)
        guard let site = server.live.network.site(SiteID(id)) else { throw APIError.notFound("no site '\(id)' (see /api/network)") }
        return try Self.json(SiteDocument(site, night: try? Self.night(of: site, at: server.live.clock.currentDate)))
    }

    /// The site's night that contains `now`, or the one that begins next.
    static func night(of site: Site, at now: Date) throws -> NightWindows {
        try SiteNight.windows(currentOrNextAt: site, now: now)
    }

    func telescopes(_ request: Request, _ context: APIContext) async throws -> Response {
        let live = server.live
        let now = live.clock.currentDate
        var sunAltitudes: [SiteID: Angle] = [:]
        // A Sun that cannot be computed is not judged (ClosureExplanation names another cause).
        for site in live.network.sites { sunAltitudes[site.id] = try? Observer(site: site).sunAltitude(at: now) }
        var documents: [TelescopeStateDocument] = []
        for status in await live.statuses() {
            guard let located = live.network.locate(status.telescope) else { continue }
            documents.append(await document(for: status, site: located.site, telescope: located.telescope, sunAltitude: sunAltitudes[located.site.id]))
        }
        return try Self.json(documents)
    }

    func telescope(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = TelescopeID(try Self.parameter("id", context))
        guard let located = server.live.network.locate(id), let status = await server.live.status(of: id) else {
            throw APIError.notFound("no telescope '\(id)' (see /api/telescopes)")
        }
        let sunAltitude = try? Observer(site: located.site).sunAltitude(at: server.live.clock.currentDate)
        return try Self.json(await document(for: status, site: located.site, telescope: located.telescope, sunAltitude: sunAltitude))
    }

    /// A telescope's state with what it is doing (the running request, learnt from the store
    /// once if the event stream did not carry it) and why it is closed.
    private func document(for status: TelescopeStatus, site: Site, telescope: Telescope, sunAltitude: Angle?) async -> TelescopeStateDocument {
        let board = server.activity
        let activity = board.activity(of: status.telescope)
        var running: ObservationRequest?
        if let id = status.currentRequest {
            running = board.request(id)
            if running == nil, board.shouldLookUp(id) {
                // The state is worth answering without the request's details, so a failed
                // look-up is logged and the document goes out without them.
                do {
                    let night = try Self.night(of: site, at: status.at).localDate
                    var found = try await server.live.store.latestPlans(night: night, site: site.id).flatMap { $0.entries.map(\.request) }
                    found += try await server.live.store.openAssignments().map(\.request)
                    board.learn(found)
                    running = board.request(id)
                } catch {
                    server.logger.warning(
                        "Could not look up a running request", metadata: ["telescope.id": "\(status.telescope)", "request.id": "\(id)", "error": "\(error)"])
                }
            }
        }
        let closure = ClosureExplanation.explain(
            state: status.state, faults: status.faults, weather: status.weather, queued: status.queued, hasPlan: activity.hasPlan, hold: activity.hold ?? status.operatorHold,
            sunAltitude: sunAltitude, policy: telescope.safety)
        return TelescopeStateDocument(status, site: site.id, activity: activity, request: running, closure: closure)
    }

    private struct CommandAccepted: Encodable {
        let telescopeId: String
        let command: String
        let accepted: Bool
        let note: String
    }

    private struct CloseBody: Decodable {
        let reason: String?
    }

    func closeTelescope(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = TelescopeID(try Self.parameter("id", context))
        let body = try? await request.decode(as: CloseBody.self, context: context)
        let reason = (body?.reason).flatMap { $0.isEmpty ? nil : $0 } ?? "closed by \(context.caller ?? "an operator") through the API"
        guard server.live.send(.close(reason: reason), to: id) else { throw APIError.notFound("no telescope '\(id)' (see /api/telescopes)") }
        server.activity.setHold(reason, on: id)
        return try Self.json(
            CommandAccepted(telescopeId: id.rawValue, command: "close", accepted: true, note: "the telescope closes and parks, and stays closed until opened: \(reason)"),
            status: .accepted)
    }

    func openTelescope(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = TelescopeID(try Self.parameter("id", context))
        guard server.live.send(.open, to: id) else { throw APIError.notFound("no telescope '\(id)' (see /api/telescopes)") }
        server.activity.setHold(nil, on: id)
        return try Self.json(
            CommandAccepted(telescopeId: id.rawValue, command: "open", accepted: true, note: "the hold is released: the telescope opens when it is safe and work is due"),
            status: .accepted)
    }

    // MARK: Plans

    func plans(_ request: Request, _ context: APIContext) async throws -> Response {
        let query = Query(request: request)
        let live = server.live
        let now = live.clock.currentDate
        let night = try query.date("night")
        let siteFilter = query.string("site").map { SiteID($0) }
        let telescopeFilter = query.string("telescope").map { TelescopeID($0) }
        if let siteFilter, live.network.site(siteFilter) == nil { throw APIError.notFound("no site '\(siteFilter)' (see /api/network)") }
        if let telescopeFilter, live.network.locate(telescopeFilter) == nil { throw APIError.notFound("no telescope '\(telescopeFilter)' (see /api/telescopes)") }
        var nights: [SiteID: CalendarDate] = [:]
        for site in live.network.sites where siteFilter == nil || site.id == siteFilter {
            nights[site.id] = try night ?? Self.night(of: site, at: now).localDate
        }
        let key = PlanResponseCache.Key(nights: nights, telescope: telescopeFilter)
        if let answer = server.planResponses.answer(for: key) { return Self.bytes(answer, contentType: "application/json; charset=utf-8") }
        let generation = server.planResponses.generation
        var documents: [PlanDocument] = []
        for site in live.network.sites {
            guard let date = nights[site.id] else { continue }
            for plan in try await live.store.latestPlans(night: date, site: site.id) where telescopeFilter == nil || plan.telescopeID == telescopeFilter {
                documents.append(PlanDocument(plan))
            }
        }
        let answer = try APIJSON.encode(documents)
        server.planResponses.store(answer, for: key, readAt: generation)
        return Self.bytes(answer, contentType: "application/json; charset=utf-8")
    }
}
