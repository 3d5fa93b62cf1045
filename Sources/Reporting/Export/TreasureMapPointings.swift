public import Foundation
public import Persistence
public import StarlingCore

/// A follow-up's pointings in the shape the Gravitational-Wave Treasure Map takes them
/// (treasuremap.space, `POST /api/v1/pointings`): each field a telescope will observe
/// (`planned`) or has observed (`completed`), with its band, time and, once observed, its
/// depth, so a GW campaign's coverage can be shared with the other teams.
///
/// A completed pointing is one observation in one band: its time is the first exposure's
/// start and its depth the deepest frame's 5σ limiting magnitude (AB) as measured; planned
/// pointings are the open assignments at their planned start, without a depth. Treasure Map
/// names instruments by the number it registered them under: pass it as `instrumentID`; the
/// telescope's own id is kept beside it.
public struct TreasureMapPointings: Sendable, Encodable {
    public let graceid: String
    public let pointings: [Pointing]

    public struct Pointing: Sendable, Encodable, Hashable {
        public let ra: Double
        public let dec: Double
        public let band: String
        public let instrumentid: Int?
        /// The telescope (not a Treasure Map field: Treasure Map keeps unknown keys out).
        public let telescope: String
        public let time: Date
        public let status: String
        public let depth: Double?
        public let depthUnit: String?
        public let posAngle: Double

        enum CodingKeys: String, CodingKey {
            case ra, dec, band, instrumentid, telescope, time, status, depth
            case depthUnit = "depth_unit"
            case posAngle = "pos_angle"
        }
    }

    /// The pointings of an alert's follow-up.
    ///
    /// - Parameters:
    ///   - eventID: the event (its GraceDB id for a gravitational-wave alert).
    ///   - assignments: every assignment of the event's follow-up.
    ///   - observations: the observations made under each assignment's request.
    ///   - qualities: the frames' measurements.
    ///   - instrumentID: the Treasure Map instrument id of the network's telescopes, if registered.
    public init(
        eventID: String, assignments: [Assignment], observations: [RequestID: [Observation]], qualities: [FrameID: FrameQuality], instrumentID: Int?
    ) {
        graceid = eventID
        var pointings: [Pointing] = []
        for assignment in assignments.sorted(by: { ($0.plannedStart, $0.id) < ($1.plannedStart, $1.id) }) {
            let target = assignment.request.target.coordinates
            let done = (observations[assignment.request.id] ?? []).filter { $0.outcome == .completed && $0.telescopeID == assignment.telescopeID }
            for observation in done {
                // One pointing per band of the observation.
                var bands: [String: (time: Date, depth: Double?)] = [:]
                for frame in observation.frames where frame.imageType == .light {
                    let band = Self.band(frame.filter)
                    let depth = qualities[frame.id]?.limitingMagnitude
                    let known = bands[band]
                    bands[band] = (min(known?.time ?? frame.started, frame.started), [known?.depth, depth].compactMap { $0 }.max())
                }
                for (band, entry) in bands.sorted(by: { $0.value.time < $1.value.time }) {
                    let pointing = observation.frames.first?.pointing ?? target
                    pointings.append(Pointing(
                        ra: pointing.rightAscension.degrees, dec: pointing.declination.degrees, band: band, instrumentid: instrumentID,
                        telescope: assignment.telescopeID.rawValue, time: entry.time, status: "completed", depth: entry.depth,
                        depthUnit: entry.depth == nil ? nil : "ab_mag", posAngle: 0))
                }
            }
            if done.isEmpty, !assignment.state.isFinal {
                for band in Set(assignment.request.exposures.map { Self.band($0.filter) }).sorted() {
                    pointings.append(Pointing(
                        ra: target.rightAscension.degrees, dec: target.declination.degrees, band: band, instrumentid: instrumentID,
                        telescope: assignment.telescopeID.rawValue, time: assignment.plannedStart, status: "planned", depth: nil, depthUnit: nil,
                        posAngle: 0))
                }
            }
        }
        self.pointings = pointings
    }

    /// The pointings of an event's follow-up as the store holds them: every notice of the
    /// event, their assignments, the observations made and their frames' measurements.
    ///
    /// - Returns: `nil` when the store holds no notice of the event.
    public static func load(event eventID: String, from store: any Store, instrumentID: Int?) async throws(StoreError) -> TreasureMapPointings? {
        let notices = try await store.alerts(event: eventID)
        guard !notices.isEmpty else { return nil }
        var assignments: [Assignment] = []
        for notice in notices { assignments += try await store.assignments(alert: notice.id) }
        var observations: [RequestID: [Observation]] = [:]
        var qualities: [FrameID: FrameQuality] = [:]
        for request in Set(assignments.map(\.request.id)) {
            let made = try await store.observations(of: request)
            observations[request] = made
            for frame in made.flatMap(\.frames) { qualities[frame.id] = try await store.frameQuality(of: frame.id) }
        }
        return TreasureMapPointings(eventID: eventID, assignments: assignments, observations: observations, qualities: qualities, instrumentID: instrumentID)
    }

    /// Treasure Map's band for a filter: the photometric bands by name, clear and luminance
    /// filters as `open`, anything else `other`.
    public static func band(_ filter: Filter) -> String {
        let name = filter.name
        if ["U", "B", "V", "R", "I", "J", "H", "K", "u", "g", "r", "i", "z", "y"].contains(name) { return name }
        if ["clear", "Clear", "C", "L", "lum", "luminance", "open"].contains(name) { return "open" }
        return "other"
    }

    /// The document as JSON (ISO 8601 times without a zone, as Treasure Map reads them: UTC).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(String(ISO8601.string(from: date, fractionalSeconds: false).dropLast()))
        }
        return try encoder.encode(self)
    }
}
