public import Foundation

/// A transient alert, normalised from whichever format it arrived in (VOEvent, GCN Kafka
/// JSON, IGWN JSON, or typed by hand).
///
/// Several notices of the same event share an ``eventID``; a later ``serial`` updates the
/// earlier ones, and a retraction cancels the event's follow-ups.
public struct Alert: Sendable, Hashable, Codable, Identifiable {
    /// The notice's unique id: its IVORN, or a synthesised one for formats without.
    public let id: AlertID
    /// The physical event this notice is about, e.g. `S190425z` or `Swift-BAT-1187142`.
    public let eventID: String
    /// When the event happened (trigger time, UTC).
    public let eventTime: Date
    /// When the notice was issued, if stated.
    public let issuedTime: Date?
    /// The mission or instrument, e.g. `Swift`, `Fermi`, `LVK`, `IceCube`.
    public let mission: String
    /// The notice type, e.g. `BAT_GRB_Pos`, `Preliminary`, `Retraction`.
    public let noticeType: String
    /// Position of the best localisation, when there is one.
    public let position: EquatorialCoordinates?
    /// The localisation's uncertainty.
    public let errorRegion: ErrorRegion
    /// Luminosity distance estimate, when given (GW alerts).
    public let distance: Distance?
    /// Detection significance in sigma, when given.
    public let significance: Double?
    /// False-alarm rate in Hz, when given.
    public let falseAlarmRateHertz: Double?
    /// `observation`, `test` or `utility` (VOEvent's role).
    public let role: Role
    /// What kind of transient this is.
    public let kind: Kind
    /// Rising number of this notice within its event (1 for the first).
    public let serial: Int
    /// Whether this notice retracts its event.
    public let isRetraction: Bool
    /// The probability (0…1) that the source lies inside a ``ErrorRegion/circle(radius:)``,
    /// when the notice states it (GCN JSON's `containment_probability`; Fermi GBM's 0.68).
    /// `nil` when unstated: most GCN VOEvents give a 90 % radius for Swift and a 68 %
    /// statistical radius for Fermi GBM without saying so.
    public let errorContainment: Double?
    /// An operator's priority, 0 (filler) … 10 (most important), for targets of opportunity
    /// typed by hand; `nil` for notices from missions, whose priority the coordinator decides.
    public let priority: Double?
    /// Source-class probabilities (0…1) when the notice gives them, keyed as the notice names
    /// them: `BNS`, `NSBH`, `BBH`, `Terrestrial`, `HasNS`, `HasRemnant`, `GRB`, … .
    public let classification: [String: Double]?
    /// Why the notice's own flags say it must not be followed up, when they do: the instrument
    /// marks its position as not trustworthy (Swift's star tracker had lost lock), or classes
    /// the source as something other than the transient its trigger implies (a Fermi GBM
    /// solar flare or particle event, a catalogued source). `nil` when the notice raises no
    /// such objection. An alert with a veto is recorded, never scheduled; a later notice of an
    /// event already followed that carries one cancels the event's follow-ups.
    public let followUpVeto: String?
    /// How an observer asked for it to be observed, for an observation request (the OCS
    /// request API); `nil` for alerts, whose kind decides the exposures and constraints.
    public let requested: RequestedObservation?

    /// Creates an alert. Parsers in `Coordination` make these from notices; tests and the CLI
    /// make them by hand.
    public init(
        id: AlertID, eventID: String, eventTime: Date, issuedTime: Date? = nil, mission: String, noticeType: String,
        position: EquatorialCoordinates?, errorRegion: ErrorRegion, distance: Distance? = nil, significance: Double? = nil,
        falseAlarmRateHertz: Double? = nil, role: Role = .observation, kind: Kind, serial: Int = 1,
        isRetraction: Bool = false, errorContainment: Double? = nil, priority: Double? = nil,
        classification: [String: Double]? = nil, followUpVeto: String? = nil, requested: RequestedObservation? = nil
    ) {
        self.id = id
        self.eventID = eventID
        self.eventTime = eventTime
        self.issuedTime = issuedTime
        self.mission = mission
        self.noticeType = noticeType
        self.position = position
        self.errorRegion = errorRegion
        self.distance = distance
        self.significance = significance
        self.falseAlarmRateHertz = falseAlarmRateHertz
        self.role = role
        self.kind = kind
        self.serial = serial
        self.isRetraction = isRetraction
        self.errorContainment = errorContainment
        self.priority = priority.map { min(10, max(0, $0)) }
        self.classification = classification
        self.followUpVeto = followUpVeto
        self.requested = requested
    }

    /// The same alert with another kind and a veto (what a parser does after reading the
    /// notice's flags).
    public func vetoed(_ reason: String, kind: Kind? = nil) -> Alert {
        Alert(
            id: id, eventID: eventID, eventTime: eventTime, issuedTime: issuedTime, mission: mission, noticeType: noticeType,
            position: position, errorRegion: errorRegion, distance: distance, significance: significance,
            falseAlarmRateHertz: falseAlarmRateHertz, role: role, kind: kind ?? self.kind, serial: serial, isRetraction: isRetraction,
            errorContainment: errorContainment, priority: priority, classification: classification, followUpVeto: reason, requested: requested)
    }

    /// VOEvent's `role` attribute.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case observation, test, utility, prediction
    }

    /// The broad class of transient.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case gammaRayBurst = "grb"
        case gravitationalWave = "gw"
        case neutrino
        case xRayTransient = "x-ray"
        case fastRadioBurst = "frb"
        case opticalTransient = "optical"
        case other
    }

    /// A localisation's uncertainty.
    public enum ErrorRegion: Sendable, Hashable, Codable {
        /// No uncertainty given (or no position at all).
        case none
        /// A circle around ``Alert/position`` of the given radius (the notice's stated confidence).
        case circle(radius: Angle)
        /// A HEALPix probability map, with where to read it.
        case skyMap(SkyMapReference)
    }

    /// A luminosity distance with its 1σ uncertainty.
    public struct Distance: Sendable, Hashable, Codable {
        /// The distance estimate, in megaparsecs.
        public let meanMegaparsecs: Double
        /// Its 1σ uncertainty, in megaparsecs, when given.
        public let sigmaMegaparsecs: Double?

        /// Creates a distance from its mean and 1σ uncertainty in megaparsecs.
        public init(meanMegaparsecs: Double, sigmaMegaparsecs: Double?) {
            self.meanMegaparsecs = meanMegaparsecs
            self.sigmaMegaparsecs = sigmaMegaparsecs
        }
    }

    /// The radius of the error circle that holds `probability` (0…1) of the source's
    /// position, from the stated radius and its ``errorContainment`` (90 % when unstated), for
    /// a circular two-dimensional Gaussian: P(< r) = 1 − exp(−r²/2σ²), so
    /// r_P = r_stated · √(ln(1 − P) / ln(1 − P_stated)). A 68 % radius of 5° holds 90 % within
    /// 7.1°, a 50 % radius within 9.1°. `nil` without an error circle.
    public func errorRadius(containing probability: Double) -> Angle? {
        guard case .circle(let radius) = errorRegion else { return nil }
        let stated = min(0.9999, max(0.01, errorContainment ?? 0.9))
        let wanted = min(0.9999, max(0.01, probability))
        return radius * (log(1 - wanted) / log(1 - stated)).squareRoot()
    }

    /// Whether the alert has a position the network could point at.
    public var hasPosition: Bool {
        if position != nil { return true }
        if case .skyMap = errorRegion { return true }
        return false
    }
}

/// Where a HEALPix sky map can be read: a URL from the notice, or a local file, or the
/// bytes carried inside the notice (IGWN JSON embeds a base64 multi-order FITS map).
public struct SkyMapReference: Sendable, Hashable, Codable {
    /// The URL or path given by the notice.
    public let location: String
    /// HEALPix resolution, if known before reading.
    public let nside: Int?

    public init(location: String, nside: Int? = nil) {
        self.location = location
        self.nside = nside
    }
}
