import Foundation
import HTTPTypes
import Hummingbird
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
        let windows = try NightWindows.compute(site: site, date: SiteNight.localDate(containing: now, at: site))
        if let sunrise = windows.sunrise.date, sunrise < now {
            return try NightWindows.compute(site: site, date: windows.localDate.adding(days: 1))
        }
        return windows
    }

    func telescopes(_ request: Request, _ context: APIContext) async throws -> Response {
        let live = server.live
        var documents: [TelescopeStateDocument] = []
        for status in await live.statuses() {
            guard let site = live.network.locate(status.telescope)?.site else { continue }
            documents.append(TelescopeStateDocument(status, site: site.id))
        }
        return try Self.json(documents)
    }

    func telescope(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = TelescopeID(try Self.parameter("id", context))
        guard let site = server.live.network.locate(id)?.site, let status = await server.live.status(of: id) else {
            throw APIError.notFound("no telescope '\(id)' (see /api/telescopes)")
        }
        return try Self.json(TelescopeStateDocument(status, site: site.id))
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
        return try Self.json(
            CommandAccepted(telescopeId: id.rawValue, command: "close", accepted: true, note: "the telescope closes and parks, and stays closed until opened: \(reason)"),
            status: .accepted)
    }

    func openTelescope(_ request: Request, _ context: APIContext) async throws -> Response {
        let id = TelescopeID(try Self.parameter("id", context))
        guard server.live.send(.open, to: id) else { throw APIError.notFound("no telescope '\(id)' (see /api/telescopes)") }
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
        var documents: [PlanDocument] = []
        for site in live.network.sites where siteFilter == nil || site.id == siteFilter {
            let date = try night ?? Self.night(of: site, at: now).localDate
            for plan in try await live.store.latestPlans(night: date, site: site.id) where telescopeFilter == nil || plan.telescopeID == telescopeFilter {
                documents.append(PlanDocument(plan))
            }
        }
        return try Self.json(documents)
    }
}
