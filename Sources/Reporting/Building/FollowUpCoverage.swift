import Foundation
import Persistence
public import SkyMaps
public import StarlingCore

/// Where reports find sky maps and galaxies: what the coverage of a sky-map follow-up needs.
public struct SkyMapOptions: Sendable {
    /// Reads an alert's sky map (in a night, Coordination's `SkyMapLoader`).
    public var source: any AlertSkyMapSource
    /// The galaxy catalog for the 3-D probability (the coordinator's).
    public var galaxies: [Target]
    /// The credible region whose fields are counted as inside (0.9: the 90 % region).
    public var credibleLevel: Double

    /// Creates the options.
    public init(source: any AlertSkyMapSource, galaxies: [Target] = [], credibleLevel: Double = 0.9) {
        self.source = source
        self.galaxies = galaxies
        self.credibleLevel = credibleLevel
    }
}

/// The coverage of each sky-map follow-up of a night: what the planned fields and the frames
/// taken hold of the map, per telescope and in total, measured with
/// ``SkyMaps/HEALPixSkyMap/coverage(of:prior:)`` (each part of the sky once), with every
/// telescope's real field of view at the field's target (planned) or the frame's pointing
/// (done).
enum FollowUpCoverage {
    /// The coverage of every alert of the night with a sky map, or why it could not be measured.
    static func compute(data: NightData, alertRecords: [AlertID: AlertRecord], network: ObservatoryNetwork, options: SkyMapOptions) async
        -> [AlertID: Result<NightReport.Coverage, CoverageProblem>]
    {
        var assignmentsByAlert: [AlertID: [Assignment]] = [:]
        for assignment in data.assignments { assignmentsByAlert[assignment.alertID, default: []].append(assignment) }
        var results: [AlertID: Result<NightReport.Coverage, CoverageProblem>] = [:]
        for (alertID, record) in alertRecords.sorted(by: { $0.key < $1.key }) {
            guard let alert = record.alert, case .skyMap = alert.errorRegion, !alert.isRetraction else { continue }
            // A site's report shows the alerts its telescopes took part in.
            if data.scopeSite != nil, assignmentsByAlert[alertID] == nil { continue }
            let map: HEALPixSkyMap
            do {
                map = try await options.source.skyMap(for: alert, raw: record.raw)
            } catch {
                results[alertID] = .failure(CoverageProblem(description: "sky map unreadable: \(error)"))
                continue
            }
            results[alertID] = .success(measure(
                map: map, assignments: assignmentsByAlert[alertID] ?? [], data: data, network: network, options: options))
        }
        return results
    }

    /// The planned and done coverage of one alert.
    static func measure(
        map: HEALPixSkyMap, assignments: [Assignment], data: NightData, network: ObservatoryNetwork, options: SkyMapOptions
    ) -> NightReport.Coverage {
        let prior = HostGalaxyPrior(map: map, catalog: options.galaxies)
        func fieldOfView(_ telescope: TelescopeID) -> FieldOfView? { network.locate(telescope)?.telescope.fieldOfView }

        // Planned: each field (request) once, with the telescope of its latest assignment.
        var latest: [RequestID: Assignment] = [:]
        for assignment in assignments {
            if let held = latest[assignment.request.id], Self.attempt(held) >= Self.attempt(assignment) { continue }
            latest[assignment.request.id] = assignment
        }
        var planned: [(TelescopeID, Footprint)] = []
        for assignment in latest.values.sorted(by: { ($0.plannedStart, $0.id) < ($1.plannedStart, $1.id) }) {
            guard let field = fieldOfView(assignment.telescopeID) else { continue }
            planned.append((assignment.telescopeID, Footprint(center: assignment.request.target.coordinates, fieldOfView: field)))
        }
        // Done: every light frame taken under the alert's requests, at its pointing.
        let requests = Set(latest.keys)
        var done: [(TelescopeID, Footprint)] = []
        for (frame, _) in data.frames where frame.imageType == .light {
            guard let observation = data.observationsByID[frame.observationID], requests.contains(observation.requestID),
                let pointing = frame.pointing, let field = fieldOfView(frame.telescopeID)
            else { continue }
            done.append((frame.telescopeID, Footprint(center: pointing, fieldOfView: field)))
        }

        func figures(_ footprints: [Footprint]) -> NightReport.CoverageFigures {
            let coverage = map.coverage(of: footprints, prior: prior)
            return NightReport.CoverageFigures(
                footprints: footprints.count, probability: coverage.probability, probabilityWithDistance: coverage.probabilityWithDistance,
                areaSquareDegrees: coverage.areaSquareDegrees,
                centresInsideRegion: footprints.filter { map.credibleLevel(at: $0.center) <= options.credibleLevel }.count)
        }
        var telescopes: [TelescopeID] = []
        for (telescope, _) in planned + done where !telescopes.contains(telescope) { telescopes.append(telescope) }
        let byTelescope = telescopes.sorted().map { telescope in
            NightReport.TelescopeCoverage(
                telescopeID: telescope, siteID: data.site(of: telescope),
                planned: figures(planned.filter { $0.0 == telescope }.map(\.1)), done: figures(done.filter { $0.0 == telescope }.map(\.1)))
        }

        // What the plot shows: the contours and the footprints around the map's peak.
        let peak = map.mostProbableDirection
        var reach = map.credibleRegionRadius(probability: 0.9).radians
        for (_, footprint) in planned + done {
            for corner in footprint.outline { reach = max(reach, corner.separation(from: peak).radians) }
        }
        let halfWidth = Angle(radians: min(reach * 1.1, 45 * Double.pi / 180))
        let contours = map.credibleContours(levels: [0.5, 0.9], center: peak, halfWidth: halfWidth).map { contour in
            NightReport.Contour(level: contour.level, segments: contour.segments.map { start, end in
                [start.rightAscension.degrees, start.declination.degrees, end.rightAscension.degrees, end.declination.degrees]
            })
        }
        func outline(_ footprint: Footprint, _ telescope: TelescopeID, done: Bool) -> NightReport.FootprintOutline {
            NightReport.FootprintOutline(
                telescopeID: telescope, isDone: done,
                corners: footprint.outline.map { [$0.rightAscension.degrees, $0.declination.degrees] })
        }
        let plot = NightReport.CoveragePlot(
            centerRightAscensionDegrees: peak.rightAscension.degrees, centerDeclinationDegrees: peak.declination.degrees,
            halfWidthDegrees: halfWidth.degrees, contours: contours,
            footprints: planned.map { outline($0.1, $0.0, done: false) } + done.map { outline($0.1, $0.0, done: true) })

        return NightReport.Coverage(
            credibleAreas: [0.5, 0.9].map { NightReport.CredibleArea(level: $0, areaSquareDegrees: map.credibleRegion(probability: $0).areaSquareDegrees) },
            credibleLevel: options.credibleLevel, catalogCompleteness: prior?.completeness,
            planned: figures(planned.map(\.1)), done: figures(done.map(\.1)), byTelescope: byTelescope, plot: plot)
    }

    /// The attempt number at the end of an assignment id (`alert#field#2`).
    static func attempt(_ assignment: Assignment) -> Int { Int(assignment.id.rawValue.split(separator: "#").last ?? "1") ?? 1 }
}

/// Why a follow-up's coverage could not be measured.
struct CoverageProblem: Error, CustomStringConvertible {
    let description: String
}
