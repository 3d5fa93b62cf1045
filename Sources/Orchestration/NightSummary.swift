import Foundation
public import Observatory
public import Reporting
public import StarlingCore

/// The end-of-night summary `starling night` prints: per site, hours open, frames, survey
/// targets done; per telescope, the share of the dark hours it spent open and exposing; follow-ups with their alert-to-first-frame times, per sky-map alert the
/// probability covered, and what was lost and why.
///
/// Built from the network's ``Reporting/NightReport``, so the summary and the report agree.
public struct NightSummary: Sendable {
    public struct SiteLine: Sendable, Hashable {
        public let site: SiteID
        public let openHours: Double
        public let darkHours: Double
        public let planned: Int
        public let completed: Int
        public let frames: Int
    }

    /// One telescope's night: how much of the site's astronomical darkness it stood open
    /// and how much it spent exposing.
    public struct TelescopeLine: Sendable, Hashable {
        public let telescope: TelescopeID
        public let site: SiteID
        public let darkHours: Double
        public let openFraction: Double?
        public let exposureDarkHours: Double
        /// Open-shutter time of light frames as a share of the dark hours, 0…1.
        public let exposingFraction: Double?
        public let completed: Int
    }

    public struct FollowUpLine: Sendable, Hashable {
        public let alert: String
        public let telescope: TelescopeID
        public let site: SiteID
        public let state: String
        public let secondsFromAlertToFirstFrame: Double?
        public let frames: Int
    }

    /// One sky-map alert's coverage (``Reporting/NightReport/Coverage``): 2-D and 3-D
    /// probability and area, planned and done, in total and per telescope.
    public struct CoverageLine: Sendable, Hashable {
        public let alert: String
        public let regionAreaSquareDegrees: Double?
        public let planned: NightReport.CoverageFigures
        public let done: NightReport.CoverageFigures
        public let byTelescope: [NightReport.TelescopeCoverage]
    }

    public struct Loss: Sendable, Hashable {
        public let cause: String
        public let count: Int
        public let plannedHours: Double
    }

    public let night: CalendarDate
    public let sites: [SiteLine]
    public let telescopes: [TelescopeLine]
    public let followUps: [FollowUpLine]
    public let coverage: [CoverageLine]
    public let losses: [Loss]
    public let frames: Int
    public let framesRendered: Int
    public let framesModelled: Int
    public let completed: Int
    public let planned: Int
    /// How frame pixels were made, in words (the report says the same).
    public let renderingNote: String

    public init(report: NightReport, rendering: RenderingPolicy) {
        night = report.night
        sites = report.sites.map {
            SiteLine(site: $0.siteID, openHours: $0.openHours, darkHours: $0.darkHours, planned: $0.planned, completed: $0.completed, frames: $0.frames)
        }
        let darkHours = Dictionary(uniqueKeysWithValues: report.sites.map { ($0.siteID, $0.darkHours) })
        telescopes = report.telescopes.map {
            TelescopeLine(
                telescope: $0.telescopeID, site: $0.siteID, darkHours: darkHours[$0.siteID] ?? 0, openFraction: $0.openFraction,
                exposureDarkHours: $0.exposureDarkHours, exposingFraction: $0.exposingFraction, completed: $0.completed)
        }
        followUps = report.followUps.flatMap { followUp in
            followUp.assignments.map {
                FollowUpLine(
                    alert: followUp.eventID ?? followUp.alertID.rawValue, telescope: $0.telescopeID, site: $0.siteID, state: $0.state.rawValue,
                    secondsFromAlertToFirstFrame: $0.secondsFromAlertToFirstFrame, frames: $0.frameCount)
            }
        }
        coverage = report.followUps.compactMap { followUp in
            followUp.coverage.map {
                CoverageLine(
                    alert: followUp.eventID ?? followUp.alertID.rawValue, regionAreaSquareDegrees: $0.credibleAreas.first { $0.level == 0.9 }?.areaSquareDegrees,
                    planned: $0.planned, done: $0.done, byTelescope: $0.byTelescope)
            }
        }
        losses = report.shortfalls.map { Loss(cause: $0.cause.rawValue, count: $0.count, plannedHours: $0.plannedHours) }
        frames = report.totals.frames
        framesRendered = report.totals.framesMeasured + report.totals.framesCorrupt + report.totals.framesMissing
        framesModelled = report.totals.framesModelled
        completed = report.totals.completed
        planned = report.totals.planned
        renderingNote = switch rendering {
        case .all: "every frame rendered with pixels and measured"
        case .none: "no frame rendered: every frame's metrics are the simulator's model"
        case .sample(let n): "one frame in \(n) per telescope rendered with pixels and measured; the others' metrics are the simulator's model"
        }
    }
}
