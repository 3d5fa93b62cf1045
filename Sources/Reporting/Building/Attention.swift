import Foundation
import StarlingCore

/// Suggestions for the next night that are rules over the night's numbers: follow-ups worth
/// repeating and telescopes needing attention. The rules are listed in `docs/reports.md`.
enum Attention {
    /// How many times the median FWHM of the other telescopes counts as poor image quality.
    static let poorFWHMRatio = 1.5
    /// The median ellipticity above which stars count as elongated.
    static let elongatedEllipticity = 0.2
    /// Below this share of its open dark time spent exposing, an open telescope counts as idle.
    static let idleExposingRatio = 0.5
    /// Open for less than this share of the dark hours, a telescope is not judged idle (the
    /// weather or a fault kept it shut; other rules speak of that).
    static let idleMinimumOpenFraction = 0.25
    /// How long after its event a follow-up is still worth repeating for its light curve, days.
    static let lightCurveDays = 7.0

    /// Follow-ups worth repeating: those with a position that no telescope has observed
    /// (retry), those observed whose event is younger than a week at the end of the night
    /// (light curve), and those with flagged frames (re-observe). Retracted events never.
    static func followUps(
        _ followUps: [NightReport.FollowUp], framesByAlert: [AlertID: [NightReport.FrameEntry]], nightEnd: Date
    ) -> [NightReport.FollowUpSuggestion] {
        let retractedEvents = Set(followUps.filter(\.isRetraction).compactMap(\.eventID))
        var suggestions: [NightReport.FollowUpSuggestion] = []
        for followUp in followUps {
            guard !followUp.isRetraction, !(followUp.eventID.map(retractedEvents.contains) ?? false) else { continue }
            guard followUp.rightAscensionDegrees != nil || !followUp.assignments.isEmpty else { continue }
            if followUp.status == "ignored" || followUp.status == "refused" { continue }
            let name = followUp.eventID ?? followUp.alertID.rawValue
            if followUp.frameCount == 0 {
                let states = followUp.assignments.map { "\($0.telescopeID) \($0.state.rawValue)" }.joined(separator: ", ")
                suggestions.append(NightReport.FollowUpSuggestion(
                    alertID: followUp.alertID, eventID: followUp.eventID,
                    reason: "\(name) has no frames yet" + (states.isEmpty ? " (no telescope assigned)" : " (\(states))") + ": retry"))
                continue
            }
            let flaggedFrames = (framesByAlert[followUp.alertID] ?? []).filter { $0.review?.decision == .flagged }
            if !flaggedFrames.isEmpty {
                suggestions.append(NightReport.FollowUpSuggestion(
                    alertID: followUp.alertID, eventID: followUp.eventID,
                    reason: "\(name): \(flaggedFrames.count) frame(s) flagged by reviewers (\(flaggedFrames[0].review?.note ?? "")): re-observe"))
                continue
            }
            if let eventTime = followUp.eventTime, nightEnd.timeIntervalSince(eventTime) < lightCurveDays * 86_400 {
                let depth = followUp.depth.map { "\($0.filter) \(ReportFormat.number($0.combinedLimitingMagnitude, 1))" }.joined(separator: ", ")
                let age = nightEnd.timeIntervalSince(eventTime) / 86_400
                suggestions.append(NightReport.FollowUpSuggestion(
                    alertID: followUp.alertID, eventID: followUp.eventID,
                    reason: "\(name) is \(ReportFormat.number(age, 1)) days old; \(followUp.frameCount) frames"
                        + (depth.isEmpty ? "" : " reached \(depth)") + ": repeat to follow the light curve"))
            }
        }
        return suggestions
    }

    /// Telescopes needing attention, most serious first within each telescope.
    static func telescopes(
        _ telescopes: [NightReport.TelescopeNight], frames: [NightReport.FrameEntry], events: [NightReport.Event]
    ) -> [NightReport.TelescopeAttention] {
        var attention: [NightReport.TelescopeAttention] = []
        let fwhms = Dictionary(uniqueKeysWithValues: telescopes.map { ($0.telescopeID, $0.medianFWHMArcseconds) })
        var flagged: [TelescopeID: [NightReport.FrameEntry]] = [:]
        for frame in frames where frame.review?.decision == .flagged { flagged[frame.telescopeID, default: []].append(frame) }
        let anyFrames = telescopes.contains { $0.frames > 0 }
        for telescope in telescopes {
            func add(_ issue: NightReport.TelescopeAttention.Issue, _ detail: String) {
                attention.append(NightReport.TelescopeAttention(telescopeID: telescope.telescopeID, siteID: telescope.siteID, issue: issue, detail: detail))
            }
            let faults = events.filter { $0.kind == "fault" && $0.subject == telescope.telescopeID.rawValue }
            if telescope.unrecoveredFaults > 0 {
                add(.unrecoveredFault, "\(telescope.unrecoveredFaults) fault(s) not recovered by the end of the night; last: \(faults.last?.message ?? "see the journal")")
            } else if telescope.faults > 0 {
                add(.faults, "\(telescope.faults) fault(s), all recovered; first: \(faults.first?.message ?? "see the journal")")
            }
            if telescope.failed > 0 {
                add(.failedObservations, "\(telescope.failed) observation(s) failed")
            }
            if telescope.framesCorrupt + telescope.framesMissing > 0 {
                add(.badFrames, "\(telescope.framesCorrupt) corrupt and \(telescope.framesMissing) missing frame(s) of \(telescope.frames)")
            }
            if let own = telescope.medianFWHMArcseconds {
                let others = telescopes.filter { $0.telescopeID != telescope.telescopeID }.compactMap { fwhms[$0.telescopeID] ?? nil }
                if let typical = Statistics.median(others), own >= poorFWHMRatio * typical {
                    add(.poorImageQuality, "median FWHM \(ReportFormat.number(own, 2))″ against \(ReportFormat.number(typical, 2))″ on the other telescopes: check focus and collimation")
                }
            }
            if let ellipticity = telescope.medianEllipticity, ellipticity >= elongatedEllipticity {
                add(.elongatedImages, "median ellipticity \(ReportFormat.number(ellipticity, 2)): check tracking, guiding and wind shake")
            }
            if telescope.planned > 0, telescope.frames == 0, anyFrames {
                add(.noFrames, "\(telescope.planned) observation(s) planned but no frames while other telescopes observed")
            }
            if let frames = flagged[telescope.telescopeID], !frames.isEmpty {
                add(.flaggedFrames, "\(frames.count) frame(s) flagged: \(frames[0].review?.note ?? "")")
            }
            if let open = telescope.openFraction, let exposing = telescope.exposingFraction, open >= idleMinimumOpenFraction,
                exposing < idleExposingRatio * open
            {
                let gap = longestGap(in: telescope.openIntervals, between: frames.filter { $0.telescopeID == telescope.telescopeID && $0.imageType == .light })
                add(.idleWhileOpen,
                    "open \(ReportFormat.percent(open)) of the dark hours but exposing \(ReportFormat.percent(exposing))"
                        + (gap.map { "; longest stretch open without a frame \(ReportFormat.hours($0.duration / 3600)) from \(ReportFormat.utcTime($0.start)) UTC" } ?? "")
                        + ": the plan held too little for it")
            }
        }
        return attention
    }

    /// The longest stretch of the open spans in which no frame was exposing.
    static func longestGap(in open: [TimeSpan], between frames: [NightReport.FrameEntry]) -> DateInterval? {
        let exposures = frames.map { DateInterval(start: $0.started, duration: max(0, $0.exposureSeconds)) }.sorted { $0.start < $1.start }
        var longest: DateInterval?
        for span in open {
            var from = span.start
            for exposure in exposures where exposure.end > span.start && exposure.start < span.end {
                if exposure.start > from, exposure.start.timeIntervalSince(from) > longest?.duration ?? 0 {
                    longest = DateInterval(start: from, end: exposure.start)
                }
                from = max(from, exposure.end)
            }
            if span.end > from, span.end.timeIntervalSince(from) > longest?.duration ?? 0 { longest = DateInterval(start: from, end: span.end) }
        }
        return longest
    }
}
