import Foundation
import Persistence
import Reporting
import Sky
import StarlingCore
import Testing

@testable import Imaging

/// A short night of a small network, written the way the agents will write it: plans (one
/// re-made, one ranked by a model), observations that completed, were refused, aborted and
/// failed with their reasons, real FITS frames rendered with `SyntheticStarField` (one
/// truncated, one never written), a frame the simulator only modelled, journal entries
/// (state changes, weather, a fault and its recovery), alerts and an assignment, and reviews.
///
/// Two sites: Teide (two telescopes, clouds close both for two hours) and Sutherland (one
/// telescope, no state changes journalled). The night begins on 2026-11-23.
struct SimulatedNight {
    let store: SQLiteStore
    let network: ObservatoryNetwork
    let catalog: TargetCatalog
    let references: ReferenceCatalog
    let night = CalendarDate(year: 2026, month: 11, day: 23)!
    /// Astronomical dusk and dawn at Teide and Sutherland.
    let teideDark: DateInterval
    let sutherlandDark: DateInterval
    /// When the report is built: after dawn at both sites.
    let reportTime: Date
    /// Frames written as FITS, by id, with the transparency they were rendered with.
    let renderedTransparency: [FrameID: Double]
    let corruptFrame: FrameID = "teide-1m-b-b4-f1"
    let missingFrame: FrameID = "teide-1m-b-b5-f0"
    let modelledFrame: FrameID = "sutherland-1m-a-s2-f0"
    let flaggedFrame: FrameID = "teide-1m-a-a1-f1"
    /// The follow-up: notice received, first frame, event.
    let alertReceived: Date
    let followUpFirstFrame: Date
    let grbEventTime: Date
    /// Teide-1m-a's hours open as journalled.
    let teideAOpenHours: Double
    /// The cloud-free zero point written as MAGZPT.
    static let zeroPoint = 25.0
    static let exposureSeconds = 60.0
    static let pixelScale = Angle.arcseconds(0.928)

    /// Writes the night into a fresh store and `directory` (FITS files under `frames/`).
    static func make(in directory: String, storePath: String? = nil) async throws -> SimulatedNight {
        let frames = directory + "/frames"
        try FileManager.default.createDirectory(atPath: frames, withIntermediateDirectories: true)
        let store = try storePath.map { try SQLiteStore(path: $0) } ?? SQLiteStore.inMemory()
        var builder = try Builder(store: store, framesDirectory: frames)
        return try await builder.write()
    }

    // MARK: - The network

    static func telescope(_ id: String) -> Telescope {
        Telescope(
            id: TelescopeID(id), name: "\(id) (1-m survey telescope)", apertureMeters: 1.0, focalLengthMillimeters: 3000,
            camera: Camera(name: "test CCD 512", widthPixels: 512, heightPixels: 512, pixelSizeMicrons: 13.5, gain: 1.5, readNoise: 5,
                           fullWell: 150_000, readoutSeconds: 4),
            filters: [Filter("g"), Filter("r"), Filter("i")])
    }

    static func sites() throws -> [Site] {
        [
            Site(
                id: "teide", name: "Teide Observatory",
                location: try GeodeticLocation(latitude: .degrees(28.3003), longitude: .degrees(-16.5122), elevationMeters: 2390),
                timeZone: try #require(TimeZone(identifier: "Atlantic/Canary")),
                telescopes: [telescope("teide-1m-a"), telescope("teide-1m-b")]),
            Site(
                id: "sutherland", name: "South African Astronomical Observatory, Sutherland",
                location: try GeodeticLocation(latitude: .degrees(-32.3783), longitude: .degrees(20.8105), elevationMeters: 1798),
                timeZone: try #require(TimeZone(identifier: "Africa/Johannesburg")),
                telescopes: [telescope("sutherland-1m-a")]),
        ]
    }

    /// The survey: galaxies with a three-night cadence, and two never observed.
    static func surveyTargets() throws -> [Target] {
        let rows: [(String, String, Double, Double, Double)] = [
            ("ngc1023", "NGC 1023", 40.100, 39.063, 6), ("m74", "M 74", 24.174, 15.784, 7), ("ngc772", "NGC 772", 29.832, 19.008, 5),
            ("ngc891", "NGC 891", 35.639, 42.349, 6), ("m33", "M 33", 23.462, 30.660, 8), ("ngc2403", "NGC 2403", 114.214, 65.603, 6),
            ("m77", "M 77", 40.670, -0.013, 7), ("ngc7331", "NGC 7331", 339.267, 34.416, 6), ("ngc278", "NGC 278", 13.018, 47.550, 4),
            ("ngc2403b", "NGC 2403 field B", 114.9, 65.1, 3), ("ngc925", "NGC 925", 36.820, 33.579, 5), ("ngc253", "NGC 253", 11.888, -25.288, 9),
            ("ngc300", "NGC 300", 13.723, -37.684, 7), ("ngc55", "NGC 55", 3.724, -39.197, 6), ("ngc1097", "NGC 1097", 41.579, -30.275, 7),
            ("ngc7793", "NGC 7793", 359.458, -32.591, 8), ("ngc5128", "Centaurus A", 201.365, -43.019, 9),
        ]
        return try rows.map { id, name, ra, dec, priority in
            Target(
                id: TargetID(id), name: name, coordinates: try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec),
                kind: .galaxy, priority: priority, cadenceNights: 3)
        }
    }
}

// MARK: - Writing the night

extension SimulatedNight {
    /// Writes the night step by step, keeping what the assertions need.
    private struct Builder {
        let store: SQLiteStore
        let framesDirectory: String
        let sites: [Site]
        let network: ObservatoryNetwork
        let targets: [TargetID: Target]
        let night = CalendarDate(year: 2026, month: 11, day: 23)!
        let teideDark: DateInterval
        let sutherlandDark: DateInterval
        var references: [ReferenceStar] = []
        var renderedTransparency: [FrameID: Double] = [:]
        var journal: [JournalEntry] = []

        init(store: SQLiteStore, framesDirectory: String) throws {
            self.store = store
            self.framesDirectory = framesDirectory
            sites = try SimulatedNight.sites()
            network = ObservatoryNetwork(sites: sites)
            var byID: [TargetID: Target] = [:]
            for target in try SimulatedNight.surveyTargets() { byID[target.id] = target }
            targets = byID
            teideDark = try #require(try NightWindows.compute(site: sites[0], date: night).darkInterval(.astronomical))
            sutherlandDark = try #require(try NightWindows.compute(site: sites[1], date: night).darkInterval(.astronomical))
        }

        func minutes(_ value: Double, after start: Date) -> Date { start.addingTimeInterval(value * 60) }

        func request(_ id: String, _ target: TargetID, kind: ObservationRequest.Kind = .survey, alert: AlertID? = nil) throws -> ObservationRequest {
            let target = try #require(targets[target])
            return ObservationRequest(
                id: RequestID(id), target: target, exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: SimulatedNight.exposureSeconds, count: 2)],
                priority: target.priority, kind: kind, alertID: alert)
        }

        func slot(_ request: ObservationRequest, at start: Date, reason: String, merit: Double = 1) -> PlannedObservation {
            PlannedObservation(
                request: request, start: start, end: start.addingTimeInterval(15 * 60), altitudeStart: .degrees(55), altitudeEnd: .degrees(58),
                airmass: 1.2, merit: merit, reason: reason)
        }

        /// Renders and writes a frame (or, for `.missing`, records a path with no file).
        mutating func frame(
            _ id: String, observation: ObservationID, telescope: TelescopeID, site: Site, target: Target, at start: Date,
            fwhmPixels: Double, transparency: Double, file: FileKind = .written
        ) throws -> FrameRecord {
            let frameID = FrameID(id)
            let path = framesDirectory + "/\(id).fits"
            let center = target.coordinates
            let observer = Observer(site: site)
            let altitude = try observer.horizontal(of: center, at: start.addingTimeInterval(SimulatedNight.exposureSeconds / 2)).altitude
            let airmass = Airmass.secantZenith(altitudeDegrees: altitude.degrees)
            let record = FrameRecord(
                id: frameID, observationID: observation, telescopeID: telescope, path: path, imageType: .light, filter: Filter("r"),
                exposureSeconds: SimulatedNight.exposureSeconds, started: start, pointing: center, airmass: airmass.isFinite ? airmass : nil)
            guard file != .missing, file != .modelOnly else { return record }

            // The field's stars are fixed per target (seeded by its name); clouds scale their flux.
            let seed = UInt64(truncatingIfNeeded: target.id.rawValue.unicodeScalars.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1.value)) &* 1099511628211 })
            let base = SyntheticStarField(width: 512, height: 512, starCount: 140, fluxRange: 3_000...400_000, minimumSeparation: 14, seed: seed)
            let stars = base.stars.map { SyntheticStarField.Star(x: $0.x, y: $0.y, electrons: $0.electrons * transparency) }
            let sky = 900 + 400 * (1 - transparency)  // clouds lit by the town: brighter sky
            let field = SyntheticStarField(
                width: 512, height: 512, stars: stars, profile: .gaussian(fwhm: fwhmPixels), skyElectrons: sky, readNoise: 5, gain: 1.5,
                bias: 500, seed: seed ^ UInt64(start.timeIntervalSince1970.rounded()))
            let metadata = FrameMetadata(
                observationStart: start, exposureSeconds: SimulatedNight.exposureSeconds, imageType: "LIGHT", object: target.name, filter: "r",
                pointing: center, airmass: record.airmass, telescope: telescope.rawValue, instrument: "test CCD 512", observatory: site.name,
                siteLatitude: site.location.latitude, siteLongitude: site.location.longitude, siteElevationMeters: site.location.elevationMeters,
                gain: 1.5, readNoise: 5, saturationADU: 65_535, zeroPoint: SimulatedNight.zeroPoint, observationID: observation, frameID: frameID)
            let projection = TangentPlaneProjection(center: center, pixelScale: SimulatedNight.pixelScale, width: 512, height: 512)
            let fits = FITSFrame(image: field.render(), metadata: metadata, projection: projection)
            try fits.write(to: path)
            renderedTransparency[frameID] = transparency

            // The reference catalog: the field's 20 brightest stars with their cloud-free magnitudes.
            if !references.contains(where: { $0.coordinates.separation(from: center) < .arcminutes(10) }) {
                let wcs = try #require(try fits.worldCoordinates())
                for star in base.stars.sorted(by: { $0.electrons > $1.electrons }).prefix(20) {
                    let position = try #require(wcs.pixelToWorld(x: star.x, y: star.y))
                    let rate = star.electrons / 1.5 / SimulatedNight.exposureSeconds
                    references.append(ReferenceStar(coordinates: position, magnitude: SimulatedNight.zeroPoint - 2.5 * log10(rate), band: .r))
                }
            }
            if file == .truncated {
                // Cut the file inside its data: the header reads, the pixels do not.
                let handle = try #require(FileHandle(forUpdatingAtPath: path))
                try handle.truncate(atOffset: 2880 * 2 + 1000)
                try handle.close()
            }
            return record
        }

        enum FileKind { case written, truncated, missing, modelOnly }

        mutating func stateChanges(_ telescope: TelescopeID, site: SiteID, _ changes: [(Date, TelescopeState, TelescopeState, String)]) {
            for (time, from, to, reason) in changes {
                journal.append(.stateChange(telescope: telescope, site: site, from: from, to: to, at: time, reason: reason))
            }
        }

        mutating func write() async throws -> SimulatedNight {
            let teide = sites[0], sutherland = sites[1]
            let d = teideDark.start, dawn = teideDark.end
            let a: TelescopeID = "teide-1m-a", b: TelescopeID = "teide-1m-b", s: TelescopeID = "sutherland-1m-a"

            // Earlier visits: NGC 1023 two nights ago (not due), M 74 four nights ago (due).
            for (id, target, daysAgo) in [("old-1", "ngc1023", 2.0), ("old-2", "m74", 4.0)] {
                let start = d.addingTimeInterval(-daysAgo * 86_400)
                try await store.saveObservation(Observation(
                    id: ObservationID(id), requestID: RequestID(id), telescopeID: a, siteID: "teide", targetID: TargetID(target),
                    started: start, ended: start.addingTimeInterval(300), outcome: .completed, frames: []))
            }

            // Plans. teide-1m-a: dusk plan, then a re-plan as the cloud comes (drops M 33, adds NGC 2403).
            let a1 = try request("a1", "ngc1023"), a2 = try request("a2", "m74"), a3 = try request("a3", "ngc772")
            let a4 = try request("a4", "ngc891"), a5 = try request("a5", "m33"), a6 = try request("a6", "ngc2403")
            try await store.savePlan(NightPlan(
                id: "plan-a-1", telescopeID: a, siteID: "teide", night: night, createdAt: minutes(-60, after: d),
                entries: [slot(a1, at: minutes(10, after: d), reason: "highest merit at dusk"), slot(a2, at: minutes(30, after: d), reason: "due for cadence"),
                          slot(a3, at: minutes(50, after: d), reason: "rising"), slot(a4, at: minutes(120, after: d), reason: "transits"),
                          slot(a5, at: minutes(240, after: d), reason: "high priority")],
                ranking: .deterministic))
            try await store.savePlan(NightPlan(
                id: "plan-a-2", telescopeID: a, siteID: "teide", night: night, createdAt: minutes(80, after: d),
                entries: [slot(a4, at: minutes(120, after: d), reason: "transits"), slot(a6, at: minutes(240, after: d), reason: "circumpolar, clear of the cloud")],
                ranking: .deterministic, notes: ["re-planned ahead of the cloud: M 33 dropped, NGC 2403 added"]))
            // teide-1m-b: ranked by a reasoning model.
            let b1 = try request("b1", "m77"), b2 = try request("b2", "ngc7331"), b3 = try request("b3", "ngc278")
            let b4 = try request("b4", "ngc2403b"), b5 = try request("b5", "ngc925"), b6 = try request("b6", "ngc891")
            try await store.savePlan(NightPlan(
                id: "plan-b-1", telescopeID: b, siteID: "teide", night: night, createdAt: minutes(-60, after: d),
                entries: [slot(b1, at: minutes(5, after: d), reason: "M 77 sets first; take it while the airmass is low", merit: 0.92),
                          slot(b3, at: minutes(30, after: d), reason: "NGC 278 is due and well placed", merit: 0.81),
                          slot(b2, at: minutes(60, after: d), reason: "NGC 7331 before it sinks into the west", merit: 0.77),
                          slot(b6, at: minutes(150, after: d), reason: "NGC 891 at transit", merit: 0.74),
                          slot(b4, at: minutes(270, after: d), reason: "field B after midnight", merit: 0.6),
                          slot(b5, at: minutes(300, after: d), reason: "NGC 925 to finish", merit: 0.58)],
                ranking: .model(name: "qwq-32b", reasoningTrace: "<think>M 77 is lowest in the west at dusk, so it goes first. NGC 278 is due; NGC 7331 sets soon after.</think> Ranked 6 candidates.")))
            // sutherland-1m-a: deterministic, no state changes journalled.
            let ds = sutherlandDark.start
            let s1 = try request("s1", "ngc253"), s2 = try request("s2", "ngc300"), s3 = try request("s3", "ngc55"), s4 = try request("s4", "ngc1097")
            try await store.savePlan(NightPlan(
                id: "plan-s-1", telescopeID: s, siteID: "sutherland", night: night, createdAt: minutes(-45, after: ds),
                entries: [slot(s1, at: minutes(10, after: ds), reason: "highest merit"), slot(s2, at: minutes(40, after: ds), reason: "due"),
                          slot(s3, at: minutes(70, after: ds), reason: "low in the south-west"), slot(s4, at: minutes(100, after: ds), reason: "rising")],
                ranking: .deterministic))

            // Teide: open at dusk, cloud from d+85 min closes both telescopes until d+210 min.
            for telescope in [a, b] {
                stateChanges(telescope, site: "teide", [
                    (minutes(-12, after: d), .closed, .opening, "dusk, weather safe"), (minutes(-10, after: d), .opening, .idle, "enclosure open"),
                    (minutes(88, after: d), .idle, .closing, "weather unsafe: cloud 85 %"), (minutes(90, after: d), .closing, .closed, "closed"),
                    (minutes(210, after: d), .closed, .opening, "weather safe again"), (minutes(212, after: d), .opening, .idle, "enclosure open"),
                    (dawn, .idle, .closing, "astronomical dawn"), (dawn.addingTimeInterval(120), .closing, .parked, "parked for the day"),
                ])
            }
            journal.append(JournalEntry(time: minutes(85, after: d), subject: "teide", siteID: "teide", kind: .weather, message: "cloud cover 85 %, humidity 80 %"))
            journal.append(JournalEntry(time: minutes(88, after: d), subject: a.rawValue, siteID: "teide", kind: .safety, message: "closing: weather unsafe (cloud 85 %)"))
            journal.append(JournalEntry(time: minutes(88, after: d), subject: b.rawValue, siteID: "teide", kind: .safety, message: "closing: weather unsafe (cloud 85 %)"))
            journal.append(JournalEntry(time: minutes(205, after: d), subject: "teide", siteID: "teide", kind: .weather, message: "cloud cover 10 %"))
            journal.append(JournalEntry(time: minutes(32, after: d), subject: b.rawValue, siteID: "teide", kind: .fault, message: "camera: readout did not finish within 90 s"))
            journal.append(JournalEntry(time: minutes(42, after: d), subject: b.rawValue, siteID: "teide", kind: .recovery, message: "camera reconnected"))
            journal.append(JournalEntry(time: minutes(-60, after: d), subject: a.rawValue, siteID: "teide", kind: .plan, message: "dusk plan: 5 observations"))
            let teideAOpen = (minutes(88, after: d).timeIntervalSince(minutes(-10, after: d)) + dawn.timeIntervalSince(minutes(212, after: d))) / 3600

            // teide-1m-a observations.
            var observations: [Observation] = []
            func observation(
                _ id: String, _ request: ObservationRequest, telescope: TelescopeID, site: SiteID, at start: Date, minutes length: Double,
                outcome: Observation.Outcome, frames: [FrameRecord]
            ) -> Observation {
                Observation(
                    id: ObservationID(id), requestID: request.id, telescopeID: telescope, siteID: site, targetID: request.target.id,
                    started: start, ended: start.addingTimeInterval(length * 60), outcome: outcome, frames: frames)
            }
            func pair(_ prefix: String, _ observationID: String, _ telescope: TelescopeID, _ site: Site, _ target: TargetID, at start: Date,
                      fwhm: Double, transparency: Double, second: FileKind = .written) throws -> [FrameRecord] {
                let target = try #require(targets[target])
                return [
                    try frame("\(prefix)-f0", observation: ObservationID(observationID), telescope: telescope, site: site, target: target, at: start,
                              fwhmPixels: fwhm, transparency: transparency),
                    try frame("\(prefix)-f1", observation: ObservationID(observationID), telescope: telescope, site: site, target: target,
                              at: start.addingTimeInterval(70), fwhmPixels: fwhm * 1.03, transparency: transparency, file: second),
                ]
            }
            observations.append(observation("obs-a1", a1, telescope: a, site: "teide", at: minutes(11, after: d), minutes: 3, outcome: .completed,
                                            frames: try pair("teide-1m-a-a1", "obs-a1", a, teide, "ngc1023", at: minutes(11.5, after: d), fwhm: 2.6, transparency: 1)))
            observations.append(observation("obs-a2", a2, telescope: a, site: "teide", at: minutes(31, after: d), minutes: 3, outcome: .completed,
                                            frames: try pair("teide-1m-a-a2", "obs-a2", a, teide, "m74", at: minutes(31.5, after: d), fwhm: 2.9, transparency: 0.55)))
            observations.append(observation("obs-a3", a3, telescope: a, site: "teide", at: minutes(50, after: d), minutes: 0, outcome:
                .refused(Reason(.belowHorizon, "NGC 772 at 17.9° is below the horizon mask (20.0°) at dispatch")), frames: []))
            observations.append(observation("obs-a6", a6, telescope: a, site: "teide", at: minutes(241, after: d), minutes: 3, outcome: .completed,
                                            frames: try pair("teide-1m-a-a6", "obs-a6", a, teide, "ngc2403", at: minutes(241.5, after: d), fwhm: 3.8, transparency: 0.97)))

            // teide-1m-b: M 77, a camera failure, NGC 7331 cut short by the burst, the follow-up, then two after the cloud.
            observations.append(observation("obs-b1", b1, telescope: b, site: "teide", at: minutes(5, after: d), minutes: 3, outcome: .completed,
                                            frames: try pair("teide-1m-b-b1", "obs-b1", b, teide, "m77", at: minutes(5.5, after: d), fwhm: 2.7, transparency: 1)))
            observations.append(observation("obs-b3", b3, telescope: b, site: "teide", at: minutes(30, after: d), minutes: 2, outcome:
                .failed(Reason(.deviceTimeout, "camera readout did not finish within 90 s")), frames: []))
            let b2Frame = try frame("teide-1m-b-b2-f0", observation: "obs-b2", telescope: b, site: teide, target: try #require(targets["ngc7331"]),
                                    at: minutes(60.5, after: d), fwhmPixels: 2.8, transparency: 1)
            let received = minutes(65, after: d), event = minutes(64.33, after: d)
            observations.append(observation("obs-b2", b2, telescope: b, site: "teide", at: minutes(60, after: d), minutes: 5.5, outcome:
                .aborted(Reason(.preempted, "pre-empted by the follow-up of GRB 261123A")), frames: [b2Frame]))
            let grbTarget = Target(id: "grb261123a", name: "GRB 261123A", coordinates: try EquatorialCoordinates(rightAscensionDegrees: 40.2, declinationDegrees: 20.5), kind: .transient)
            let followUpRequest = ObservationRequest(
                id: "fu-grb261123a-b", target: grbTarget, exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 60, count: 3)], constraints: .followUp,
                priority: 10, kind: .followUp, alertID: "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1300001")
            let firstFrame = minutes(67, after: d)
            let followUpFrames = try (0..<3).map { index in
                try frame("teide-1m-b-fu-f\(index)", observation: "obs-fu", telescope: b, site: teide, target: grbTarget,
                          at: firstFrame.addingTimeInterval(Double(index) * 70), fwhmPixels: 2.7, transparency: 0.98)
            }
            observations.append(Observation(
                id: "obs-fu", requestID: followUpRequest.id, telescopeID: b, siteID: "teide", targetID: grbTarget.id, started: minutes(66, after: d),
                ended: minutes(71, after: d), outcome: .completed, frames: followUpFrames))
            observations.append(observation("obs-b4", b4, telescope: b, site: "teide", at: minutes(271, after: d), minutes: 3, outcome: .completed,
                                            frames: try pair("teide-1m-b-b4", "obs-b4", b, teide, "ngc2403b", at: minutes(271.5, after: d), fwhm: 3.1, transparency: 1, second: .truncated)))
            let b5Frame = try frame("teide-1m-b-b5-f0", observation: "obs-b5", telescope: b, site: teide, target: try #require(targets["ngc925"]),
                                    at: minutes(301, after: d), fwhmPixels: 3.0, transparency: 1, file: .missing)
            observations.append(observation("obs-b5", b5, telescope: b, site: "teide", at: minutes(300.5, after: d), minutes: 2, outcome: .completed, frames: [b5Frame]))

            // sutherland-1m-a: two measured observations, one only modelled, one refused at dispatch.
            observations.append(observation("obs-s1", s1, telescope: s, site: "sutherland", at: minutes(11, after: ds), minutes: 3, outcome: .completed,
                                            frames: try pair("sutherland-1m-a-s1", "obs-s1", s, sutherland, "ngc253", at: minutes(11.5, after: ds), fwhm: 2.2, transparency: 1)))
            let modelled = try frame("sutherland-1m-a-s2-f0", observation: "obs-s2", telescope: s, site: sutherland, target: try #require(targets["ngc300"]),
                                     at: minutes(41, after: ds), fwhmPixels: 2.3, transparency: 1, file: .modelOnly)
            observations.append(observation("obs-s2", s2, telescope: s, site: "sutherland", at: minutes(40.5, after: ds), minutes: 2, outcome: .completed, frames: [modelled]))
            observations.append(observation("obs-s3", s3, telescope: s, site: "sutherland", at: minutes(70, after: ds), minutes: 0, outcome:
                .refused(Reason(.airmassTooHigh, "NGC 55 at airmass 2.41 exceeds 2.00 at dispatch")), frames: []))
            let s4Frame = try frame("sutherland-1m-a-s4-f0", observation: "obs-s4", telescope: s, site: sutherland, target: try #require(targets["ngc1097"]),
                                    at: minutes(101, after: ds), fwhmPixels: 2.4, transparency: 1)
            observations.append(observation("obs-s4", s4, telescope: s, site: "sutherland", at: minutes(100.5, after: ds), minutes: 2, outcome: .completed, frames: [s4Frame]))
            for item in observations { try await store.saveObservation(item) }
            for request in [a1, a2, a3, a4, a5, a6, b1, b2, b3, b4, b5, b6, s1, s2, s3, s4, followUpRequest] { try await store.saveRequest(request) }

            // The simulator's modelled metrics for the frame it did not render.
            try await store.saveFrameQuality(FrameQuality(
                frameID: "sutherland-1m-a-s2-f0", measuredAt: minutes(42, after: ds), backgroundADU: 1_120, noiseADU: 21, fwhmPixels: 1.8,
                fwhmArcseconds: 1.67, ellipticity: 0.04, sourceCount: 212, saturatedFraction: 0, limitingMagnitude: 21.4, zeroPoint: 25,
                transparency: 0.93, source: .model))

            // The burst: its notice, the assignment that took it, and a test notice that was ignored.
            let grb = Alert(
                id: "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1300001", eventID: "GRB 261123A", eventTime: event, issuedTime: event.addingTimeInterval(25),
                mission: "Swift", noticeType: "BAT_GRB_Pos", position: grbTarget.coordinates, errorRegion: .circle(radius: .arcminutes(3)),
                significance: 11.2, kind: .gammaRayBurst)
            _ = try await store.insertAlert(AlertRecord(
                id: grb.id, receivedAt: received, transport: "vtp://127.0.0.1:8099", format: "voevent-2.0", raw: Data("<voe:VOEvent/>".utf8),
                alert: grb, status: .processed, note: "assigned to teide-1m-b"))
            try await store.saveAssignment(Assignment(
                id: "asg-grb261123a-b", alertID: grb.id, telescopeID: b, siteID: "teide", request: followUpRequest, plannedStart: minutes(66, after: d),
                leaseExpiry: minutes(76, after: d), state: .completed, reason: "earliest start: now, altitude 61°, clear"))
            let lateAlert = Alert(
                id: "ivo://gwnet/LVC#S261123ab-1-Preliminary", eventID: "S261123ab", eventTime: minutes(70, after: ds), mission: "LVK",
                noticeType: "PRELIMINARY", position: try EquatorialCoordinates(rightAscensionDegrees: 20.0, declinationDegrees: -35.0),
                errorRegion: .circle(radius: .degrees(2)), kind: .gravitationalWave)
            _ = try await store.insertAlert(AlertRecord(
                id: lateAlert.id, receivedAt: minutes(71, after: ds), transport: "cli", format: "igwn-json", raw: Data("{}".utf8), alert: lateAlert,
                status: .processed, note: "assigned to sutherland-1m-a"))
            try await store.saveAssignment(Assignment(
                id: "asg-s261123ab-s", alertID: lateAlert.id, telescopeID: s, siteID: "sutherland",
                request: ObservationRequest(id: "fu-s261123ab-s", target: Target(id: "s261123ab", name: "S261123ab", coordinates: try #require(lateAlert.position), kind: .transient),
                                            exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 120, count: 4)], kind: .followUp, alertID: lateAlert.id),
                plannedStart: minutes(75, after: ds), leaseExpiry: minutes(80, after: ds), state: .expired,
                reason: "only site with the field above 30° in darkness"))
            _ = try await store.insertAlert(AlertRecord(
                id: "ivo://nasa.gsfc.gcn/SWIFT#test-1", receivedAt: minutes(200, after: d), transport: "vtp://127.0.0.1:8099", format: "voevent-2.0",
                raw: Data("<voe:VOEvent role=\"test\"/>".utf8), alert: nil, status: .ignored, note: "test notice (role test)"))

            try await store.appendJournal(journal)

            // Reviews made the morning after: a flagged frame and an approved observation.
            try await store.saveReview(Review(subject: .frame("teide-1m-a-a1-f1"), decision: .flagged, note: "satellite trail across the galaxy", reviewer: "pi", reviewedAt: dawn.addingTimeInterval(3600)))
            try await store.saveReview(Review(subject: .observation("obs-b1"), decision: .approved, note: "", reviewer: "observer", reviewedAt: dawn.addingTimeInterval(3700)))

            return SimulatedNight(
                store: store, network: network, catalog: TargetCatalog(name: "test_survey", targets: Array(targets.values).sorted { $0.id < $1.id }),
                references: ReferenceCatalog(stars: references), teideDark: teideDark, sutherlandDark: sutherlandDark,
                reportTime: dawn.addingTimeInterval(2 * 3600), renderedTransparency: renderedTransparency, alertReceived: received,
                followUpFirstFrame: firstFrame, grbEventTime: event, teideAOpenHours: teideAOpen)
        }
    }
}
