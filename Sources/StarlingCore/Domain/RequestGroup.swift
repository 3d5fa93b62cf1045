public import Foundation

/// Observation requests submitted together by an observer under a proposal: the OCS
/// observation portal's `RequestGroup`, as Starling keeps it.
///
/// Each of its ``requests`` is one target with its exposures, constraints and window; the
/// network observes it as a ``RequestedObservation`` (see docs/ocs.md).
public struct RequestGroup: Sendable, Hashable, Codable, Identifiable {
    /// The portal's id (a positive whole number, given by the store).
    public let id: Int
    public let name: String
    /// The proposal whose time it is charged to.
    public let proposalID: String
    /// The API token's name that submitted it.
    public let submitter: String
    public let mode: ObservingMode
    /// The observer's priority within the proposal (OCS `ipp_value`, 0.5…2).
    public let ippValue: Double
    /// When it was accepted.
    public let created: Date
    /// When it was cancelled, if it was.
    public let cancelled: Date?
    public let requests: [Request]

    /// One target of the group, as submitted and validated.
    public struct Request: Sendable, Hashable, Codable, Identifiable {
        /// The portal's id (a positive whole number, given by the store).
        public let id: Int
        public let target: RequestedTarget
        public let exposures: [ExposureSpec]
        public let constraints: ObservingConstraints
        public let window: DateInterval
        /// The class of telescope asked for, e.g. `1m0`.
        public let telescopeClass: String
        /// The OCS instrument type asked for, e.g. `1M0-IMAGER`.
        public let instrumentType: String
        /// The time charged to the proposal: open-shutter time plus the overheads of the
        /// slowest telescope of the class, seconds.
        public let durationSeconds: Double

        public init(
            id: Int, target: RequestedTarget, exposures: [ExposureSpec], constraints: ObservingConstraints, window: DateInterval,
            telescopeClass: String, instrumentType: String, durationSeconds: Double
        ) {
            self.id = id
            self.target = target
            self.exposures = exposures
            self.constraints = constraints
            self.window = window
            self.telescopeClass = telescopeClass
            self.instrumentType = instrumentType
            self.durationSeconds = durationSeconds
        }

        /// The same request with the id the store gave it.
        public func numbered(_ id: Int) -> Request {
            Request(
                id: id, target: target, exposures: exposures, constraints: constraints, window: window, telescopeClass: telescopeClass,
                instrumentType: instrumentType, durationSeconds: durationSeconds)
        }

        /// What the network observes.
        public func requestedObservation(mode: ObservingMode) -> RequestedObservation {
            RequestedObservation(
                requestNumber: id, targetName: target.name, exposures: exposures, constraints: constraints, window: window, mode: mode, telescopeClass: telescopeClass)
        }
    }

    public init(
        id: Int, name: String, proposalID: String, submitter: String, mode: ObservingMode, ippValue: Double, created: Date, cancelled: Date?,
        requests: [Request]
    ) {
        self.id = id
        self.name = name
        self.proposalID = proposalID
        self.submitter = submitter
        self.mode = mode
        self.ippValue = ippValue
        self.created = created
        self.cancelled = cancelled
        self.requests = requests
    }

    /// The same group with the ids the store gave it.
    public func numbered(_ id: Int, requestIDs: [Int]) -> RequestGroup {
        precondition(requestIDs.count == requests.count, "one id per request")
        return RequestGroup(
            id: id, name: name, proposalID: proposalID, submitter: submitter, mode: mode, ippValue: ippValue, created: created,
            cancelled: cancelled, requests: zip(requests, requestIDs).map { $0.numbered($1) })
    }

    /// The same group cancelled at an instant (unchanged if it already was).
    public func cancelling(at time: Date) -> RequestGroup {
        RequestGroup(
            id: id, name: name, proposalID: proposalID, submitter: submitter, mode: mode, ippValue: ippValue, created: created,
            cancelled: cancelled ?? time, requests: requests)
    }

    /// The total time charged to the proposal, seconds.
    public var durationSeconds: Double { requests.reduce(0) { $0 + $1.durationSeconds } }
}

/// A sidereal target as an observer gave it: ICRS position at an epoch, with proper motion.
public struct RequestedTarget: Sendable, Hashable, Codable {
    public let name: String
    /// The position at ``epoch``.
    public let coordinates: EquatorialCoordinates
    /// Proper motion in right ascension (μα cos δ) and declination, milliarcseconds a year.
    public let properMotionRAMilliarcsecondsPerYear: Double
    public let properMotionDecMilliarcsecondsPerYear: Double
    /// The Julian epoch of ``coordinates``, e.g. 2000.
    public let epoch: Double

    public init(
        name: String, coordinates: EquatorialCoordinates, properMotionRAMilliarcsecondsPerYear: Double = 0,
        properMotionDecMilliarcsecondsPerYear: Double = 0, epoch: Double = 2000
    ) {
        self.name = name
        self.coordinates = coordinates
        self.properMotionRAMilliarcsecondsPerYear = properMotionRAMilliarcsecondsPerYear
        self.properMotionDecMilliarcsecondsPerYear = properMotionDecMilliarcsecondsPerYear
        self.epoch = epoch
    }

    /// The position at an instant: proper motion applied linearly from ``epoch`` (good to a
    /// milliarcsecond over decades for all but the fastest stars near the poles).
    public func coordinates(at date: Date) -> EquatorialCoordinates {
        guard properMotionRAMilliarcsecondsPerYear != 0 || properMotionDecMilliarcsecondsPerYear != 0 else { return coordinates }
        let julianEpoch = 2000 + (date.timeIntervalSince1970 - 946_728_000) / (365.25 * 86_400)
        let years = julianEpoch - epoch
        let declination = coordinates.declination.degrees + properMotionDecMilliarcsecondsPerYear * years / 3_600_000
        let cosine = max(1e-6, cos(coordinates.declination.radians))
        let rightAscension = coordinates.rightAscension.degrees + properMotionRAMilliarcsecondsPerYear * years / 3_600_000 / cosine
        let wrapped = rightAscension.truncatingRemainder(dividingBy: 360)
        return (try? EquatorialCoordinates(
            rightAscensionDegrees: wrapped < 0 ? wrapped + 360 : wrapped, declinationDegrees: min(90, max(-90, declination)))) ?? coordinates
    }
}
