public import Foundation

/// What happened when a telescope carried out (or refused) a request.
public struct Observation: Sendable, Hashable, Codable, Identifiable {
    public let id: ObservationID
    public let requestID: RequestID
    public let telescopeID: TelescopeID
    public let siteID: SiteID
    public let targetID: TargetID
    /// When the telescope started on the request (UTC).
    public let started: Date
    /// When it finished, failed or was refused (UTC).
    public let ended: Date
    /// How it ended.
    public let outcome: Outcome
    /// The frames written, in order.
    public let frames: [FrameRecord]

    public init(
        id: ObservationID, requestID: RequestID, telescopeID: TelescopeID, siteID: SiteID, targetID: TargetID,
        started: Date, ended: Date, outcome: Outcome, frames: [FrameRecord]
    ) {
        self.id = id
        self.requestID = requestID
        self.telescopeID = telescopeID
        self.siteID = siteID
        self.targetID = targetID
        self.started = started
        self.ended = ended
        self.outcome = outcome
        self.frames = frames
    }

    /// How an observation ended: every request ends in one of these, never silently.
    public enum Outcome: Sendable, Hashable, Codable {
        /// All exposures taken.
        case completed
        /// Refused at dispatch, before anything moved (a stale plan, an unsafe request).
        case refused(Reason)
        /// Stopped part-way for a more urgent request or an operator.
        case aborted(Reason)
        /// A fault the agent could not recover from.
        case failed(Reason)

        /// The reason, unless the observation completed.
        public var reason: Reason? {
            switch self {
            case .completed: nil
            case .refused(let reason), .aborted(let reason), .failed(let reason): reason
            }
        }

        /// `completed`, `refused`, `aborted` or `failed`.
        public var name: String {
            switch self {
            case .completed: "completed"
            case .refused: "refused"
            case .aborted: "aborted"
            case .failed: "failed"
            }
        }
    }
}

/// Why something did not happen: a code to match on and a sentence for people.
public struct Reason: Sendable, Hashable, Codable, CustomStringConvertible {
    public let code: Code
    /// A sentence saying what happened, with the numbers, e.g. "target altitude 7.2° is below the horizon mask (25.0°)".
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.rawValue): \(detail)" }

    /// The kinds of reasons.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        case belowHorizon = "below-horizon"
        case airmassTooHigh = "airmass-too-high"
        case tooCloseToSun = "too-close-to-sun"
        case tooCloseToMoon = "too-close-to-moon"
        case moonTooBright = "moon-too-bright"
        case notDarkEnough = "not-dark-enough"
        case outsideWindow = "outside-window"
        case weatherUnsafe = "weather-unsafe"
        case weatherUnknown = "weather-unknown"
        case enclosureClosed = "enclosure-closed"
        case telescopeBusy = "telescope-busy"
        case telescopeFault = "telescope-fault"
        case deviceFault = "device-fault"
        case deviceTimeout = "device-timeout"
        case disconnected
        /// The process running the telescope stopped (a crash, a kill) while the observation ran.
        case interrupted
        case unsupportedFilter = "unsupported-filter"
        case preempted
        case operatorRequest = "operator-request"
        case leaseExpired = "lease-expired"
        case retracted
        case endOfNight = "end-of-night"
        case invalidRequest = "invalid-request"
    }
}

/// A FITS frame written by a camera, as recorded in the store.
public struct FrameRecord: Sendable, Hashable, Codable, Identifiable {
    public let id: FrameID
    public let observationID: ObservationID
    public let telescopeID: TelescopeID
    /// Where the FITS file was written.
    public let path: String
    /// Light, dark, bias or flat.
    public let imageType: ImageType
    public let filter: Filter
    /// Open-shutter time, seconds.
    public let exposureSeconds: Double
    /// Start of the exposure (UTC), as written to DATE-OBS.
    public let started: Date
    /// Where the telescope pointed at the start.
    public let pointing: EquatorialCoordinates?
    /// Airmass at mid-exposure, if pointed at the sky.
    public let airmass: Double?

    public enum ImageType: String, Sendable, Hashable, Codable, CaseIterable {
        case light = "LIGHT", dark = "DARK", bias = "BIAS", flat = "FLAT"
    }

    public init(
        id: FrameID, observationID: ObservationID, telescopeID: TelescopeID, path: String, imageType: ImageType,
        filter: Filter, exposureSeconds: Double, started: Date, pointing: EquatorialCoordinates?, airmass: Double?
    ) {
        self.id = id
        self.observationID = observationID
        self.telescopeID = telescopeID
        self.path = path
        self.imageType = imageType
        self.filter = filter
        self.exposureSeconds = exposureSeconds
        self.started = started
        self.pointing = pointing
        self.airmass = airmass
    }
}

extension Collection<Observation> {
    /// The light frames of these observations (not darks, flats or modelled calibrations).
    public var lightFrames: [FrameRecord] { flatMap(\.frames).filter { $0.imageType == .light } }

    /// When the first light frame of these observations started: a follow-up's first frame,
    /// from which the API, the dashboard and the agents' tools count its delays.
    public var firstLightFrameStart: Date? { lightFrames.map(\.started).min() }
}
