import Foundation
import Observatory
import Persistence
import Sky
import StarlingCore

// The API's JSON documents: what a client reads, with units in the names and instants in UTC
// (ISO 8601). Keys are snake_case on the wire (APIJSON). Each document is built from the
// domain types in one place, so the REST endpoints and the event stream say the same thing.

/// A page of a list that grows: `next_cursor` asks for the next page (absent on the last).
struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    let items: [Item]
    let nextCursor: String?
}

struct SiteDocument: Encodable, Sendable {
    struct TelescopeSummary: Encodable, Sendable {
        let id: String
        let name: String
        let apertureM: Double
        let fieldWidthDeg: Double
        let fieldHeightDeg: Double
        let filters: [String]
        let driver: String
    }

    struct Night: Encodable, Sendable {
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
    let elevationM: Double
    let timeZone: String
    let telescopes: [TelescopeSummary]
    /// The night that contains now (or begins next), in the site's time zone.
    let night: Night?

    init(_ site: Site, night windows: NightWindows?) {
        id = site.id.rawValue
        name = site.name
        latitudeDeg = site.location.latitude.degrees
        longitudeDeg = site.location.longitude.degrees
        elevationM = site.location.elevationMeters
        timeZone = site.timeZone.identifier
        telescopes = site.telescopes.map {
            TelescopeSummary(
                id: $0.id.rawValue, name: $0.name, apertureM: $0.apertureMeters, fieldWidthDeg: $0.fieldWidth.degrees,
                fieldHeightDeg: $0.fieldHeight.degrees, filters: $0.filters.map(\.name), driver: $0.driver.kindName)
        }
        night = windows.map {
            Night(
                localDate: $0.localDate.description, sunset: $0.sunset.date, sunrise: $0.sunrise.date,
                astronomicalDusk: $0.astronomical.dusk.date, astronomicalDawn: $0.astronomical.dawn.date, moonIllumination: $0.moonIllumination)
        }
    }
}

/// A telescope's live state, as its agent reports it.
struct TelescopeStateDocument: Encodable, Sendable {
    struct Fault: Encodable, Sendable {
        let device: String
        let code: String
        let detail: String
    }

    let telescopeId: String
    let siteId: String
    let state: String
    let enclosure: String
    /// `safe`, `unsafe` or `unknown`.
    let weather: String
    /// Why the weather is unsafe or unknown.
    let weatherReasons: [String]
    let currentRequestId: String?
    let queued: Int
    let faults: [Fault]
    let outcomes: [String: Int]
    let framesWritten: Int
    let at: Date

    init(_ status: TelescopeStatus, site: SiteID) {
        telescopeId = status.telescope.rawValue
        siteId = site.rawValue
        state = status.state.rawValue
        enclosure = status.enclosure.rawValue
        switch status.weather {
        case .safe:
            weather = "safe"
            weatherReasons = []
        case .unsafe(let reasons):
            weather = "unsafe"
            weatherReasons = reasons
        case .unknown(let seconds):
            weather = "unknown"
            weatherReasons = [seconds.map { "no reading for \(Int($0)) s" } ?? "no reading yet"]
        }
        currentRequestId = status.currentRequest?.rawValue
        queued = status.queued
        faults = status.faults.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            Fault(device: $0.key.rawValue, code: $0.value.code.rawValue, detail: $0.value.detail)
        }
        outcomes = status.outcomes
        framesWritten = status.framesWritten
        at = status.at
    }
}

struct PlanDocument: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        let requestId: String
        let kind: String
        let targetId: String
        let targetName: String
        let raDeg: Double
        let decDeg: Double
        let start: Date
        let end: Date
        let filter: String
        let exposureS: Double
        let count: Int
        let altitudeStartDeg: Double
        let altitudeEndDeg: Double
        let airmass: Double
        let merit: Double
        let reason: String
    }

    let id: String
    let telescopeId: String
    let siteId: String
    let night: String
    let createdAt: Date
    /// `deterministic`, or the reasoning model's name.
    let rankedBy: String
    let reasoningTrace: String?
    let notes: [String]
    let entries: [Entry]

    init(_ plan: NightPlan) {
        id = plan.id.rawValue
        telescopeId = plan.telescopeID.rawValue
        siteId = plan.siteID.rawValue
        night = plan.night.description
        createdAt = plan.createdAt
        switch plan.ranking {
        case .deterministic:
            rankedBy = "deterministic"
            reasoningTrace = nil
        case .model(let name, let trace):
            rankedBy = name
            reasoningTrace = trace
        }
        notes = plan.notes
        entries = plan.entries.map { entry in
            let first = entry.request.exposures[0]
            return Entry(
                requestId: entry.request.id.rawValue, kind: entry.request.kind.rawValue, targetId: entry.request.target.id.rawValue,
                targetName: entry.request.target.name, raDeg: entry.request.target.coordinates.rightAscension.degrees,
                decDeg: entry.request.target.coordinates.declination.degrees, start: entry.start, end: entry.end, filter: first.filter.name,
                exposureS: first.exposureSeconds, count: entry.request.exposures.reduce(0) { $0 + $1.count },
                altitudeStartDeg: entry.altitudeStart.degrees, altitudeEndDeg: entry.altitudeEnd.degrees, airmass: entry.airmass,
                merit: entry.merit, reason: entry.reason)
        }
    }
}

struct QualityDocument: Encodable, Sendable {
    /// `measured`, `corrupt` or `missing`.
    let status: String
    let problem: String?
    /// `pixels` (measured) or `model` (the simulator's model of an unrendered frame).
    let source: String
    let measuredAt: Date
    let fwhmArcsec: Double?
    let fwhmPx: Double?
    let backgroundAdu: Double?
    let noiseAdu: Double?
    let ellipticity: Double?
    let sourceCount: Int?
    let saturatedFraction: Double?
    let limitingMag5sigma: Double?
    let zeroPoint: Double?
    let transparency: Double?

    init(_ quality: FrameQuality) {
        switch quality.status {
        case .measured: (status, problem) = ("measured", nil)
        case .corrupt(let why): (status, problem) = ("corrupt", why)
        case .missing: (status, problem) = ("missing", "the frame's file is missing")
        }
        source = quality.source.rawValue
        measuredAt = quality.measuredAt
        fwhmArcsec = quality.fwhmArcseconds
        fwhmPx = quality.fwhmPixels
        backgroundAdu = quality.backgroundADU
        noiseAdu = quality.noiseADU
        ellipticity = quality.ellipticity
        sourceCount = quality.sourceCount
        saturatedFraction = quality.saturatedFraction
        limitingMag5sigma = quality.limitingMagnitude
        zeroPoint = quality.zeroPoint
        transparency = quality.transparency
    }
}

struct ReviewDocument: Encodable, Sendable {
    /// `frame` or `observation`.
    let subjectType: String
    let subjectId: String
    /// `approved` or `flagged`.
    let decision: String
    let note: String
    let reviewer: String
    let reviewedAt: Date

    init(_ review: Review) {
        switch review.subject {
        case .frame(let id): (subjectType, subjectId) = ("frame", id.rawValue)
        case .observation(let id): (subjectType, subjectId) = ("observation", id.rawValue)
        }
        decision = review.decision.rawValue
        note = review.note
        reviewer = review.reviewer
        reviewedAt = review.reviewedAt
    }
}

struct FrameDocument: Encodable, Sendable {
    let id: String
    let observationId: String
    let telescopeId: String
    let imageType: String
    let filter: String
    let exposureS: Double
    let started: Date
    let raDeg: Double?
    let decDeg: Double?
    let airmass: Double?
    /// Whether a FITS file was written (simulated frames may be modelled without pixels).
    let hasFile: Bool
    let fitsUrl: String?
    let previewUrl: String?
    let quality: QualityDocument?
    let review: ReviewDocument?

    init(_ frame: FrameRecord, quality: FrameQuality?, review: Review?, fileExists: Bool) {
        id = frame.id.rawValue
        observationId = frame.observationID.rawValue
        telescopeId = frame.telescopeID.rawValue
        imageType = frame.imageType.rawValue
        filter = frame.filter.name
        exposureS = frame.exposureSeconds
        started = frame.started
        raDeg = frame.pointing?.rightAscension.degrees
        decDeg = frame.pointing?.declination.degrees
        airmass = frame.airmass
        hasFile = fileExists
        let escaped = frame.id.rawValue.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? frame.id.rawValue
        fitsUrl = fileExists ? "/api/frames/\(escaped)/fits" : nil
        previewUrl = fileExists ? "/api/frames/\(escaped)/preview.png" : nil
        self.quality = quality.map(QualityDocument.init)
        self.review = review.map(ReviewDocument.init)
    }
}

struct ObservationDocument: Encodable, Sendable {
    let id: String
    let requestId: String
    let telescopeId: String
    let siteId: String
    let targetId: String
    let started: Date
    let ended: Date
    /// `completed`, `refused`, `aborted` or `failed`.
    let outcome: String
    let reasonCode: String?
    let reason: String?
    let frameIds: [String]

    init(_ observation: Observation) {
        id = observation.id.rawValue
        requestId = observation.requestID.rawValue
        telescopeId = observation.telescopeID.rawValue
        siteId = observation.siteID.rawValue
        targetId = observation.targetID.rawValue
        started = observation.started
        ended = observation.ended
        outcome = observation.outcome.name
        reasonCode = observation.outcome.reason?.code.rawValue
        reason = observation.outcome.reason?.detail
        frameIds = observation.frames.map(\.id.rawValue)
    }
}

struct AssignmentDocument: Encodable, Sendable {
    let id: String
    let alertId: String
    let telescopeId: String
    let siteId: String
    let state: String
    let plannedStart: Date
    let leaseExpiry: Date
    let reason: String
    let requestId: String
    let targetName: String
    let raDeg: Double
    let decDeg: Double
    let exposures: [String]

    init(_ assignment: Assignment) {
        id = assignment.id.rawValue
        alertId = assignment.alertID.rawValue
        telescopeId = assignment.telescopeID.rawValue
        siteId = assignment.siteID.rawValue
        state = assignment.state.rawValue
        plannedStart = assignment.plannedStart
        leaseExpiry = assignment.leaseExpiry
        reason = assignment.reason
        requestId = assignment.request.id.rawValue
        targetName = assignment.request.target.name
        raDeg = assignment.request.target.coordinates.rightAscension.degrees
        decDeg = assignment.request.target.coordinates.declination.degrees
        exposures = assignment.request.exposures.map { "\($0.count) × \($0.exposureSeconds) s \($0.filter.name)" }
    }
}

struct AlertDocument: Encodable, Sendable {
    let id: String
    let receivedAt: Date
    let transport: String
    let format: String
    /// `received`, `processed`, `ignored` or `refused`.
    let status: String
    let note: String
    let eventId: String?
    let mission: String?
    let noticeType: String?
    let kind: String?
    let eventTime: Date?
    let raDeg: Double?
    let decDeg: Double?
    let errorRadiusDeg: Double?
    let hasSkyMap: Bool
    let isRetraction: Bool
    let assignments: [AssignmentDocument]?

    init(_ record: AlertRecord, assignments: [Assignment]?) {
        id = record.id.rawValue
        receivedAt = record.receivedAt
        transport = record.transport
        format = record.format
        status = record.status.rawValue
        note = record.note
        let alert = record.alert
        eventId = alert?.eventID
        mission = alert?.mission
        noticeType = alert?.noticeType
        kind = alert?.kind.rawValue
        eventTime = alert?.eventTime
        raDeg = alert?.position?.rightAscension.degrees
        decDeg = alert?.position?.declination.degrees
        if case .circle(let radius)? = alert?.errorRegion { errorRadiusDeg = radius.degrees } else { errorRadiusDeg = nil }
        if case .skyMap? = alert?.errorRegion { hasSkyMap = true } else { hasSkyMap = false }
        isRetraction = alert?.isRetraction ?? false
        self.assignments = assignments?.map(AssignmentDocument.init)
    }
}

/// A written night report and where to read it.
struct ReportDocument: Encodable, Sendable {
    let night: String
    /// The site's id, or `network`.
    let scope: String
    let htmlUrl: String
    let markdownUrl: String
    let jsonUrl: String
}
