import Foundation
import MCP
import Sky
import StarlingCore

/// `target_observability`: when a target rises, transits and sets at a site on a night, when
/// it is observable under the constraints, and why not the rest of the night.
///
/// The answer is Sky's ``Sky/TargetVisibility``, the computation `starling sky target` prints.
struct ObservabilityTool: StarlingTool {
    let name = "target_observability"
    let title = "Target observability"
    let description = """
        When a target (a catalog name such as "NGC 1068", "M31", "Whirlpool Galaxy", or an ICRS position) rises, transits and sets \
        at a site on a night, its altitude through the night, when it is observable and, for every other part of the night, which \
        constraint it breaks and why (daylight or twilight, horizon, altitude, airmass, the Moon). The night is the one that \
        begins on `date` (local date at the site; default tonight). Altitudes are geometric (no refraction); rise and set are the \
        target crossing 0°. Default constraints are Starling's: astronomical night, altitude ≥ 30°, airmass ≤ 2, Moon ≥ 20° away.
        """

    let parameters: [ToolParameter] = [
        ToolParameter("site", .string(), required: true, "The site's id or name (see network_status), e.g. lasilla, xinglong, haleakala."),
        ToolParameter("date", .date, "The local date the night begins on at the site (YYYY-MM-DD); default: tonight there."),
        ToolParameter("name", .string(), "A target from Starling's catalogs by id, name or alias (NGC 1068, M77, UGC 2188). Give either name or ra and dec."),
        ToolParameter("ra", .number(0...360), "Right ascension, ICRS, degrees (with dec, instead of name)."),
        ToolParameter("dec", .number(-90...90), "Declination, ICRS, degrees (with ra, instead of name)."),
        ToolParameter("min_altitude_deg", .number(0...90), "Lowest altitude allowed, degrees (default 30)."),
        ToolParameter("max_airmass", .number(1...40), "Highest airmass allowed, sec z (default 2)."),
        ToolParameter("min_moon_separation_deg", .number(0...180), "Smallest Moon–target angle allowed, degrees (default 20)."),
        ToolParameter("twilight", .string(choices: Twilight.allCases.map(\.rawValue)), "How dark the sky must be: sunset, civil, nautical or astronomical (default astronomical)."),
        ToolParameter("track_step_minutes", .integer(5...120), "Spacing of the altitude track, minutes, a multiple of 5 (default 30)."),
    ]

    var outputSchema: Value {
        let instant = Schema.nullable(Schema.instant())
        return Schema.object([
            "target": Schema.object(
                ["name": Schema.string(), "catalog": Schema.nullable(Schema.string("The catalog it was found in; null for a position given.")),
                 "ra_deg": Schema.number(), "dec_deg": Schema.number()]),
            "site": Schema.object(
                ["id": Schema.string(), "name": Schema.string(), "latitude_deg": Schema.number(), "longitude_deg": Schema.number("East positive."),
                 "elevation_m": Schema.number(), "time_zone": Schema.string()]),
            "night": Schema.object(
                ["local_date": Schema.string(), "sunset": instant, "sunrise": instant, "astronomical_dusk": instant, "astronomical_dawn": instant,
                 "nautical_dusk": instant, "nautical_dawn": instant, "moonrise": instant, "moonset": instant,
                 "moon_illumination": Schema.number("Illuminated fraction at local midnight, 0…1.", minimum: 0, maximum: 1)]),
            "constraints": Schema.object(
                ["min_altitude_deg": Schema.number(), "max_airmass": Schema.number(), "min_moon_separation_deg": Schema.number(),
                 "twilight": Schema.string(choices: Twilight.allCases.map(\.rawValue))]),
            "rise": Schema.nullable(Schema.instant("The target's centre crossing 0° (geometric) upwards during the night's local noon-to-noon, if it does.")),
            "transit": Schema.nullable(Schema.instant("The meridian crossing, if in the night's span.")),
            "set": Schema.nullable(Schema.instant("Crossing 0° downwards.")),
            "transit_altitude_deg": Schema.number("The highest geometric altitude in the night's span (at transit when it transits)."),
            "circumpolar": Schema.boolean(),
            "never_rises": Schema.boolean(),
            "observable": Schema.boolean(),
            "observable_hours": Schema.number(),
            "observable_windows": Schema.array(of: Schema.object(["start": Schema.instant(), "end": Schema.instant()])),
            "not_observable": Schema.array(
                of: Schema.object([
                    "start": Schema.instant(), "end": Schema.instant(),
                    "constraint": Schema.string(choices: ConstraintViolation.Kind.allCases.map(\.rawValue)),
                    "reason": Schema.string("The reason at the span's start, with its numbers."),
                ]), description: "Sunset to sunrise, the spans in which the target is not observable, each with the first constraint broken."),
            "altitude_track": Schema.array(
                of: Schema.object(["time": Schema.instant(), "altitude_deg": Schema.number(), "moon_separation_deg": Schema.number()]),
                description: "From sunset, every track_step_minutes: the geometric altitude and the Moon–target angle."),
            "summary": Schema.string(),
        ])
    }

    struct Document: Encodable {
        struct TargetPart: Encodable {
            let name: String
            let catalog: String?
            let raDeg: Double
            let decDeg: Double
        }
        struct SitePart: Encodable {
            let id: String
            let name: String
            let latitudeDeg: Double
            let longitudeDeg: Double
            let elevationM: Double
            let timeZone: String
        }
        struct NightPart: Encodable {
            let localDate: String
            let sunset: Date?
            let sunrise: Date?
            let astronomicalDusk: Date?
            let astronomicalDawn: Date?
            let nauticalDusk: Date?
            let nauticalDawn: Date?
            let moonrise: Date?
            let moonset: Date?
            let moonIllumination: Double
        }
        struct ConstraintsPart: Encodable {
            let minAltitudeDeg: Double
            let maxAirmass: Double
            let minMoonSeparationDeg: Double
            let twilight: String
        }
        struct Window: Encodable {
            let start: Date
            let end: Date
        }
        struct Span: Encodable {
            let start: Date
            let end: Date
            let constraint: String
            let reason: String
        }
        struct Sample: Encodable {
            let time: Date
            let altitudeDeg: Double
            let moonSeparationDeg: Double
        }
        let target: TargetPart
        let site: SitePart
        let night: NightPart
        let constraints: ConstraintsPart
        let rise: Date?
        let transit: Date?
        let set: Date?
        let transitAltitudeDeg: Double
        let circumpolar: Bool
        let neverRises: Bool
        let observable: Bool
        let observableHours: Double
        let observableWindows: [Window]
        let notObservable: [Span]
        let altitudeTrack: [Sample]
        let summary: String
    }

    func call(_ input: ToolInput, caller: ToolCaller, context: ToolContext) async throws(ToolError) -> ToolAnswer {
        let site = try context.site(try input.requiredString("site"))
        let date = input.date("date") ?? context.tonight(at: site)
        let (target, catalog) = try resolveTarget(input, context: context)
        let defaults = ObservingConstraints()
        let constraints = ObservingConstraints(
            minimumAltitude: .degrees(input.number("min_altitude_deg") ?? defaults.minimumAltitude.degrees),
            maximumAirmass: input.number("max_airmass") ?? defaults.maximumAirmass,
            minimumMoonSeparation: .degrees(input.number("min_moon_separation_deg") ?? defaults.minimumMoonSeparation.degrees),
            darkness: input.string("twilight").flatMap(Twilight.init(rawValue:)) ?? defaults.darkness)
        let trackMinutes = input.integer("track_step_minutes") ?? 30
        guard trackMinutes % 5 == 0 else { throw ToolError.invalid("track_step_minutes", "\(trackMinutes) is not a multiple of 5") }
        let visibility: TargetVisibility
        do {
            visibility = try TargetVisibility(site: site, date: date, target: target.coordinates, constraints: constraints)
        } catch {
            throw ToolError(.failed, "cannot compute \(target.name) from \(site.id) on the night of \(date): \(error)")
        }
        let windows = visibility.windows
        let stride = trackMinutes / 5
        let track = Swift.stride(from: 0, to: visibility.instants.count, by: stride).map {
            Document.Sample(
                time: visibility.instants[$0], altitudeDeg: rounded(visibility.altitudes[$0], 3), moonSeparationDeg: rounded(visibility.moonSeparations[$0], 3))
        }
        let observableWindows = visibility.observableIntervals.map { Document.Window(start: $0.start, end: $0.end) }
        let passage = visibility.passage
        let summary = Self.summary(target: target.name, site: site, date: date, visibility: visibility)
        let document = Document(
            target: .init(name: target.name, catalog: catalog, raDeg: target.coordinates.rightAscension.degrees, decDeg: target.coordinates.declination.degrees),
            site: .init(
                id: site.id.rawValue, name: site.name, latitudeDeg: site.location.latitude.degrees, longitudeDeg: site.location.longitude.degrees,
                elevationM: site.location.elevationMeters, timeZone: site.timeZone.identifier),
            night: .init(
                localDate: date.description, sunset: windows.sunset.date, sunrise: windows.sunrise.date, astronomicalDusk: windows.astronomical.dusk.date,
                astronomicalDawn: windows.astronomical.dawn.date, nauticalDusk: windows.nautical.dusk.date, nauticalDawn: windows.nautical.dawn.date,
                moonrise: windows.moonrise, moonset: windows.moonset, moonIllumination: rounded(windows.moonIllumination, 3)),
            constraints: .init(
                minAltitudeDeg: rounded(constraints.minimumAltitude.degrees, 6), maxAirmass: constraints.maximumAirmass,
                minMoonSeparationDeg: rounded(constraints.minimumMoonSeparation.degrees, 6), twilight: constraints.darkness.rawValue),
            rise: passage.rise, transit: passage.transit, set: passage.set, transitAltitudeDeg: rounded(passage.maximumAltitude.degrees),
            circumpolar: passage.isAlwaysUp, neverRises: passage.isNeverUp, observable: !visibility.observable.isEmpty,
            observableHours: rounded(visibility.observableHours), observableWindows: observableWindows,
            notObservable: visibility.unobservableSpans.map {
                Document.Span(start: $0.start, end: $0.end, constraint: $0.kind.rawValue, reason: $0.reason.detail)
            },
            altitudeTrack: track, summary: summary)
        return try ToolAnswer(summary: summary, document: document)
    }

    /// The target from `name`, or from `ra` and `dec`.
    private func resolveTarget(_ input: ToolInput, context: ToolContext) throws(ToolError) -> (Target, String?) {
        switch (input.string("name"), input.number("ra"), input.number("dec")) {
        case (let name?, nil, nil):
            switch TargetCatalog.resolveTarget(named: name, in: context.catalogs) {
            case .success(let found): return (found.target, found.catalog)
            case .failure(let error): throw ToolError(.notFound, "name: \(error.description)")
            }
        case (nil, let ra?, let dec?):
            let coordinates: EquatorialCoordinates
            do {
                coordinates = try EquatorialCoordinates(rightAscension: .degrees(ra.truncatingRemainder(dividingBy: 360)), declination: .degrees(dec))
            } catch {
                throw ToolError.invalid("ra", "\(error)")
            }
            let id = TargetID(String(format: "ra%.5f%+.5f", coordinates.rightAscension.degrees, coordinates.declination.degrees))
            return (Target(id: id, name: coordinates.description, coordinates: coordinates, kind: .field), nil)
        default:
            throw ToolError.invalid("name", "give either name, or both ra and dec (degrees)")
        }
    }

    static func summary(target: String, site: Site, date: CalendarDate, visibility: TargetVisibility) -> String {
        let passage = visibility.passage
        func time(_ date: Date?) -> String { date.map { ISO8601.string(from: $0, fractionalSeconds: false) } ?? "none" }
        var text = "\(target) from \(site.id) on the night of \(date): "
        if passage.isNeverUp {
            text += "never rises."
        } else {
            text += "rise \(time(passage.rise)), transit \(time(passage.transit)) at \(String(format: "%.1f", passage.maximumAltitude.degrees))°, set \(time(passage.set));"
        }
        if visibility.observable.isEmpty {
            let reasons = Set(visibility.unobservableSpans.map(\.kind.rawValue)).sorted().joined(separator: ", ")
            text += " not observable (\(reasons))."
        } else {
            text += String(format: " observable %.1f h: ", visibility.observableHours)
                + visibility.observableIntervals.map { "\(ISO8601.string(from: $0.start, fractionalSeconds: false))–\(ISO8601.string(from: $0.end, fractionalSeconds: false))" }
                .joined(separator: ", ") + "."
        }
        return text
    }
}
