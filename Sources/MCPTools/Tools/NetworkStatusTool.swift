import Foundation
import MCP
import Observatory
import Orchestration
import Persistence
import Planning
import Sky
import StarlingCore

/// `network_status`: the sites with tonight's night, and every telescope's state now.
///
/// The state is the agents' own (``Observatory/TelescopeAgent/status()``) with why a closed
/// telescope is closed (``Observatory/ClosureExplanation``, the rule the API's documents use);
/// without the running network only the configuration is shown, and the result says so.
struct NetworkStatusTool: StarlingTool {
    let name = "network_status"
    let title = "Network status"
    let description = """
        The network at a glance: each site (location, time zone, tonight's sunset, sunrise, astronomical darkness and Moon) and \
        each telescope's state now (open, observing, closed and why, queued work, the observation running), with the night's \
        counts. Live state needs the running network (starling serve); otherwise the sites and telescopes are listed from the \
        configuration. Optionally one site only.
        """

    let parameters: [ToolParameter] = [
        ToolParameter("site", .string(), "Only this site (id or name)."),
    ]

    var outputSchema: Value {
        Schema.object([
            "now": Schema.instant(),
            "live": Schema.boolean("Whether the telescopes' states are the running network's (false: configuration only)."),
            "clock": Schema.nullable(Schema.string(choices: ["wall", "simulated"])),
            "phase": Schema.nullable(Schema.string(choices: ["starting", "running", "stopping"])),
            "note": Schema.nullable(Schema.string()),
            "counts": Schema.nullable(Schema.object([
                "observations": Schema.integer(), "completed": Schema.integer(), "frames": Schema.integer(), "follow_ups": Schema.integer(),
                "faults": Schema.integer(), "telescopes_open": Schema.integer(),
            ])),
            "sites": Schema.array(of: Schema.object([
                "id": Schema.string(), "name": Schema.string(), "latitude_deg": Schema.number(), "longitude_deg": Schema.number(),
                "time_zone": Schema.string(),
                "night": Schema.nullable(Schema.object([
                    "local_date": Schema.string(), "sunset": Schema.nullable(Schema.instant()), "sunrise": Schema.nullable(Schema.instant()),
                    "astronomical_dusk": Schema.nullable(Schema.instant()), "astronomical_dawn": Schema.nullable(Schema.instant()),
                    "moon_illumination": Schema.number(minimum: 0, maximum: 1),
                ])),
                "telescopes": Schema.array(of: TelescopeDocument.schema),
            ])),
            "summary": Schema.string(),
        ])
    }

    struct Document: Encodable {
        struct Counts: Encodable {
            let observations: Int
            let completed: Int
            let frames: Int
            let followUps: Int
            let faults: Int
            let telescopesOpen: Int
        }
        struct SitePart: Encodable {
            struct Night: Encodable {
                let localDate: String
                let sunset: Date?
                let sunrise: Date?
                let astronomicalDusk: Date?
                let astronomicalDawn: Date?
                let moonIllumination: Double
            }
            let id: String
            let name: String
            let latitudeDeg: Double
            let longitudeDeg: Double
            let timeZone: String
            let night: Night?
            let telescopes: [TelescopeDocument]
        }
        let now: Date
        let live: Bool
        let clock: String?
        let phase: String?
        let note: String?
        let counts: Counts?
        let sites: [SitePart]
        let summary: String
    }

    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer {
        let sites = try input.string("site").map { name throws(ToolError) in [try context.site(name)] } ?? context.network.sites
        let now = context.now
        var parts: [Document.SitePart] = []
        var open = 0, closed = 0, total = 0
        for site in sites {
            // A night that cannot be computed is left out; the telescopes are still worth showing.
            let windows = try? SiteNight.windows(currentOrNextAt: site, now: now)
            var telescopes: [TelescopeDocument] = []
            for telescope in site.telescopes {
                let document = await TelescopeDocument.make(telescope, at: site, context: context, now: now)
                telescopes.append(document)
                total += 1
                if document.closedBecause != nil { closed += 1 } else if document.state != nil { open += 1 }
            }
            parts.append(Document.SitePart(
                id: site.id.rawValue, name: site.name, latitudeDeg: site.location.latitude.degrees, longitudeDeg: site.location.longitude.degrees,
                timeZone: site.timeZone.identifier,
                night: windows.map {
                    .init(
                        localDate: $0.localDate.description, sunset: $0.sunset.date, sunrise: $0.sunrise.date, astronomicalDusk: $0.astronomical.dusk.date,
                        astronomicalDawn: $0.astronomical.dawn.date, moonIllumination: rounded($0.moonIllumination, 3))
                },
                telescopes: telescopes))
        }
        let live = context.live
        let counts = live.map {
            let counts = $0.counts
            return Document.Counts(
                observations: counts.observations, completed: counts.completed, frames: counts.frames, followUps: counts.assignments, faults: counts.faults,
                telescopesOpen: counts.open.count)
        }
        let summary: String
        let note: String?
        if let live {
            note = nil
            summary = "\(sites.count) site\(sites.count == 1 ? "" : "s"), \(total) telescopes: \(open) open or working, \(closed) closed; network \(live.currentPhase.rawValue)"
                + (counts.map { ", \($0.completed) observations completed and \($0.frames) frames so far." } ?? ".")
        } else {
            note = TelescopeDocument.offlineNote
            summary = "\(sites.count) site\(sites.count == 1 ? "" : "s"), \(total) telescopes (configuration only: the live state needs starling serve)."
        }
        return try ToolAnswer(summary: summary, document: Document(
            now: now, live: live != nil, clock: live.map { $0.clock is SimulationClock ? "simulated" : "wall" }, phase: live?.currentPhase.rawValue,
            note: note, counts: counts, sites: parts, summary: summary))
    }
}

/// A telescope as the status tools show it: what it is (configuration) and, from the running
/// network, its state now and why it is closed.
struct TelescopeDocument: Encodable {
    struct Fault: Encodable {
        let device: String
        let code: String
        let detail: String
    }
    struct Closure: Encodable {
        let cause: String
        let detail: String
    }

    let id: String
    let name: String
    let siteId: String
    let apertureM: Double
    let fieldWidthDeg: Double
    let fieldHeightDeg: Double
    let filters: [String]
    let driver: String
    /// The agent's state (`nil` without the running network).
    let state: String?
    let enclosure: String?
    let weather: String?
    let weatherReasons: [String]?
    let currentRequestId: String?
    let queued: Int?
    let faults: [Fault]?
    let closedBecause: Closure?
    let operatorHold: String?
    let outcomes: [String: Int]?
    let framesWritten: Int?
    let at: Date?

    static let offlineNote = "Telescopes' live state (open, observing, closed and why) needs the running network: connect to starling serve's /mcp endpoint. Shown here: the configuration."

    static func make(_ telescope: Telescope, at site: Site, context: ToolContext, now: Date) async -> TelescopeDocument {
        guard let live = context.live, let status = await live.status(of: telescope.id) else {
            return TelescopeDocument(telescope, site: site, status: nil, closure: nil)
        }
        // Whether tonight's plan has reached it: before one has, an empty queue is not "no work left".
        // A store that cannot be read leaves it unknown, and the explanation says "waiting".
        let night = SiteNight.localDate(containing: now, at: site)
        let hasPlan = ((try? await context.store.plans(telescope: telescope.id, night: night)) ?? []).isEmpty == false
        // A Sun that cannot be computed is not judged (the explanation names another cause).
        let sunAltitude = try? Observer(site: site).sunAltitude(at: now)
        let closure = ClosureExplanation.explain(
            state: status.state, faults: status.faults, weather: status.weather, queued: status.queued, hasPlan: hasPlan, hold: status.operatorHold,
            sunAltitude: sunAltitude, policy: telescope.safety)
        return TelescopeDocument(telescope, site: site, status: status, closure: closure)
    }

    init(_ telescope: Telescope, site: Site, status: TelescopeStatus?, closure: ClosureExplanation?) {
        id = telescope.id.rawValue
        name = telescope.name
        siteId = site.id.rawValue
        apertureM = telescope.apertureMeters
        fieldWidthDeg = rounded(telescope.fieldWidth.degrees, 4)
        fieldHeightDeg = rounded(telescope.fieldHeight.degrees, 4)
        filters = telescope.filters.map(\.name)
        driver = telescope.driver.kindName
        state = status?.state.rawValue
        enclosure = status?.enclosure.rawValue
        switch status?.weather {
        case nil:
            (weather, weatherReasons) = (nil, nil)
        case .safe:
            (weather, weatherReasons) = ("safe", [])
        case .unsafe(let reasons):
            (weather, weatherReasons) = ("unsafe", reasons)
        case .unknown(let seconds):
            (weather, weatherReasons) = ("unknown", [seconds.map { "no reading for \(Int($0)) s" } ?? "no reading yet"])
        }
        currentRequestId = status?.currentRequest?.rawValue
        queued = status?.queued
        faults = status?.faults.sorted { $0.key.rawValue < $1.key.rawValue }.map { Fault(device: $0.key.rawValue, code: $0.value.code.rawValue, detail: $0.value.detail) }
        closedBecause = closure.map { Closure(cause: $0.cause.rawValue, detail: $0.detail) }
        operatorHold = status?.operatorHold
        outcomes = status?.outcomes
        framesWritten = status?.framesWritten
        at = status?.at
    }

    static var schema: Value {
        Schema.object([
            "id": Schema.string(), "name": Schema.string(), "site_id": Schema.string(), "aperture_m": Schema.number(),
            "field_width_deg": Schema.number(), "field_height_deg": Schema.number(), "filters": Schema.array(of: Schema.string()),
            "driver": Schema.string(),
            "state": Schema.nullable(Schema.string("The agent's state now; null without the running network.")),
            "enclosure": Schema.nullable(Schema.string()),
            "weather": Schema.nullable(Schema.string(choices: ["safe", "unsafe", "unknown"])),
            "weather_reasons": Schema.nullable(Schema.array(of: Schema.string())),
            "current_request_id": Schema.nullable(Schema.string()),
            "queued": Schema.nullable(Schema.integer(minimum: 0)),
            "faults": Schema.nullable(Schema.array(of: Schema.object(["device": Schema.string(), "code": Schema.string(), "detail": Schema.string()]))),
            "closed_because": Schema.nullable(Schema.object([
                "cause": Schema.string(choices: ClosureExplanation.Cause.allCases.map(\.rawValue)), "detail": Schema.string(),
            ])),
            "operator_hold": Schema.nullable(Schema.string()),
            "outcomes": Schema.nullable(Schema.map(of: Schema.integer(minimum: 0), description: "Observations ended so far, by outcome.")),
            "frames_written": Schema.nullable(Schema.integer(minimum: 0)),
            "at": Schema.nullable(Schema.instant()),
        ])
    }
}
