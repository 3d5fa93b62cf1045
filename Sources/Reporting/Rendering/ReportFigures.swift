import Foundation
import StarlingCore

/// The plots of a report, drawn from its values: image quality over the night, the
/// telescopes' timeline, and the sky map.
enum ReportFigures {
    /// A drawn figure and where it goes.
    struct Drawn {
        let figure: NightReport.Figure
        let canvas: Canvas
    }

    static func draw(_ report: NightReport) -> [Drawn] {
        [imageQuality(report), timeline(report), skyMap(report)] + report.followUps.compactMap(localisation)
    }

    /// The figure id of a follow-up's localisation plot.
    static func localisationID(_ followUp: NightReport.FollowUp) -> String {
        "localisation-" + (followUp.eventID ?? followUp.alertID.rawValue).filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    }

    /// The span the time axes show: darkness at the report's sites, widened to every frame
    /// and observation, with a little margin; the report's interval when there is nothing.
    static func timeSpan(_ report: NightReport) -> DateInterval {
        var instants = report.sites.compactMap(\.dark).flatMap { [$0.start, $0.end] }
        instants += report.frames.map(\.started)
        instants += report.observations.compactMap(\.started)
        instants += report.telescopes.flatMap(\.openIntervals).flatMap { [$0.start, $0.end] }
        guard let first = instants.min(), let last = instants.max(), last > first else { return report.interval.dateInterval }
        let margin = max(900, (last.timeIntervalSince(first)) * 0.03)
        let start = max(report.interval.start, first.addingTimeInterval(-margin))
        let end = min(report.interval.end, last.addingTimeInterval(margin))
        return end > start ? DateInterval(start: start, end: end) : DateInterval(start: first, end: last)
    }

    // MARK: Image quality

    static func imageQuality(_ report: NightReport) -> Drawn {
        // Series: telescopes in a site report, sites in the network report.
        let bySite = report.scope == .network
        let names = bySite ? report.sites.map(\.siteID.rawValue) : report.telescopes.map(\.telescopeID.rawValue)
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() { index[name] = position }
        var extra = names
        func series(_ frame: NightReport.FrameEntry) -> Int {
            let key = bySite ? frame.siteID.rawValue : frame.telescopeID.rawValue
            if let known = index[key] { return known }
            index[key] = extra.count
            extra.append(key)
            return extra.count - 1
        }
        var fwhm: [TimeSeriesChart.Point] = [], background: [TimeSeriesChart.Point] = []
        var transparency: [TimeSeriesChart.Point] = [], airmass: [TimeSeriesChart.Point] = []
        for frame in report.frames where frame.imageType == .light {
            let s = series(frame)
            let modelled = frame.quality.status == .modelled
            if let value = frame.airmass { airmass.append(.init(time: frame.started, value: value, series: s, isModelled: false)) }
            guard frame.hasMetrics else { continue }
            if let value = frame.quality.fwhmArcseconds { fwhm.append(.init(time: frame.started, value: value, series: s, isModelled: modelled)) }
            if let value = frame.quality.backgroundADU { background.append(.init(time: frame.started, value: value, series: s, isModelled: modelled)) }
            if let value = frame.quality.transparency { transparency.append(.init(time: frame.started, value: value, series: s, isModelled: modelled)) }
        }
        let chart = TimeSeriesChart(
            panels: [
                .init(title: "FWHM (″)", points: fwhm, minimumSpan: 0.5),
                .init(title: "Sky background (ADU)", points: background, minimumSpan: 10),
                .init(title: "Transparency (1 = clear)", points: transparency, including: [0], reference: 1),
                .init(title: "Airmass", points: airmass, including: [1], isInverted: true, minimumSpan: 0.3),
            ],
            seriesNames: extra, interval: timeSpan(report),
            shaded: report.scope == .site ? report.sites.compactMap(\.dark).map(\.dateInterval) : [])
        let canvas = chart.render()
        let caption = "Image quality of the light frames against time (UTC): median FWHM of point sources, sky background, "
            + "transparency against the cloud-free zero point, and airmass, one colour per \(bySite ? "site" : "telescope"). "
            + "Hollow markers are the simulator's modelled values"
            + (report.scope == .site ? "; shading is astronomical darkness." : ".")
        return Drawn(
            figure: .init(id: "image-quality", title: "Image quality over the night", file: "plots/image-quality.png", caption: caption,
                          width: canvas.width, height: canvas.height),
            canvas: canvas)
    }

    // MARK: Timeline

    static func timeline(_ report: NightReport) -> Drawn {
        var darkBySite: [SiteID: DateInterval] = [:]
        for site in report.sites { if let dark = site.dark { darkBySite[site.siteID] = dark.dateInterval } }
        var blocks: [TelescopeID: [TimelineChart.Block]] = [:]
        for entry in report.observations {
            guard let start = entry.started else { continue }
            let outcome: TimelineChart.Outcome =
                switch entry.status {
                case .completed: .completed
                case .refused: .refused
                default: .stopped
                }
            blocks[entry.telescopeID, default: []].append(.init(start: start, end: entry.ended ?? start, outcome: outcome))
        }
        var faults: [String: [Date]] = [:]
        for event in report.events where event.kind == "fault" { faults[event.subject, default: []].append(event.time) }
        let rows = report.telescopes.sorted { ($0.siteID, $0.telescopeID) < ($1.siteID, $1.telescopeID) }.map { telescope in
            TimelineChart.Row(
                label: telescope.telescopeID.rawValue, dark: darkBySite[telescope.siteID], open: telescope.openIntervals.map(\.dateInterval),
                observations: blocks[telescope.telescopeID] ?? [], faults: faults[telescope.telescopeID.rawValue] ?? [])
        }
        let canvas = TimelineChart(rows: rows, interval: timeSpan(report)).render()
        let caption = "Each telescope's night (UTC): astronomical darkness, the hours open (from the journal's state changes, "
            + "or the span of its frames when none were journalled), observations coloured by outcome, and faults."
        return Drawn(
            figure: .init(id: "timeline", title: "The night of each telescope", file: "plots/timeline.png", caption: caption,
                          width: canvas.width, height: canvas.height),
            canvas: canvas)
    }

    // MARK: Sky map

    static func skyMap(_ report: NightReport) -> Drawn {
        var marks: [SkyMapChart.Mark] = []
        for entry in report.observations {
            guard let ra = entry.rightAscensionDegrees, let dec = entry.declinationDegrees else { continue }
            let kind: SkyMapChart.Kind
            if entry.status != .completed {
                kind = .notDone
            } else {
                switch entry.kind {
                case .followUp?, .requested?: kind = .followUp
                case .calibration?: kind = .calibration
                case .survey?, nil: kind = .survey
                }
            }
            marks.append(.init(rightAscensionDegrees: ra, declinationDegrees: dec, kind: kind))
        }
        for followUp in report.followUps {
            guard let ra = followUp.rightAscensionDegrees, let dec = followUp.declinationDegrees else { continue }
            marks.append(.init(rightAscensionDegrees: ra, declinationDegrees: dec, kind: .alert))
        }
        let canvas = SkyMapChart(marks: marks).render()
        let caption = "The fields of the night on the whole sky (Mollweide projection, equatorial coordinates, right ascension "
            + "increasing to the left): observed survey fields, follow-ups and calibrations, planned fields not done, alert "
            + "positions, and the Galactic plane."
        return Drawn(
            figure: .init(id: "sky-map", title: "Sky map of the observed fields", file: "plots/sky-map.png", caption: caption,
                          width: canvas.width, height: canvas.height),
            canvas: canvas)
    }

    // MARK: Localisations

    /// A close-up of a sky-map alert: its 50 % and 90 % contours, the fields planned and the
    /// fields observed; `nil` for an alert without a measured coverage.
    static func localisation(_ followUp: NightReport.FollowUp) -> Drawn? {
        guard let coverage = followUp.coverage else { return nil }
        let plot = coverage.plot
        let view = SkyMapChart.Localisation(
            centerRightAscensionDegrees: plot.centerRightAscensionDegrees, centerDeclinationDegrees: plot.centerDeclinationDegrees,
            halfWidthDegrees: plot.halfWidthDegrees, contours: plot.contours.map { ($0.level, $0.segments) },
            footprints: plot.footprints.map { ($0.corners, $0.isDone) })
        let canvas = SkyMapChart(marks: [], width: 760, localisation: view).render()
        let name = followUp.eventID ?? followUp.alertID.rawValue
        let caption = "The sky map of \(name) around its most probable direction (gnomonic projection, north up, east left): the 50 % "
            + "and 90 % credible regions, the \(coverage.planned.footprints) fields planned (outlines) and the \(coverage.done.footprints) "
            + "frames taken (filled), each with its telescope's field of view. The planned fields hold "
            + ReportFormat.probability(coverage.planned.probability) + " of the map, the frames taken " + ReportFormat.probability(coverage.done.probability) + "."
        let id = localisationID(followUp)
        return Drawn(
            figure: .init(id: id, title: "Localisation of \(name)", file: "plots/\(id).png", caption: caption, width: canvas.width, height: canvas.height),
            canvas: canvas)
    }
}
