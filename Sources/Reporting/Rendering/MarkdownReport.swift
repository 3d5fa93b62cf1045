import Foundation
import StarlingCore

/// The Markdown form of a night report (GitHub-flavoured: pipe tables), for a repository, a
/// ticket or a mail; plots and thumbnails are linked from the report's folder.
struct MarkdownReport {
    let report: NightReport
    /// The most frames listed (all are in the JSON).
    let frameTableLimit: Int

    func render() -> String {
        var lines: [String] = []
        let place = report.scope == .site ? (report.sites.first?.name ?? report.siteID?.rawValue ?? "") : "the network"
        lines.append("# Night of \(report.night) · \(place)")
        lines.append("")
        lines.append("Starling night report, built \(ReportFormat.utcDateTime(report.generatedAt)) UTC; all times UTC.")
        lines.append("")

        let t = report.totals
        lines.append("## Summary")
        lines.append("")
        lines.append(
            "- **\(t.completed) of \(t.planned)** planned observations completed (\(t.refused) refused, \(t.aborted) aborted, "
                + "\(t.failed) failed, \(t.notAttempted) not attempted, \(t.dropped) dropped at re-plans); \(t.unplanned) unplanned.")
        lines.append(
            "- **\(t.frames) frames**: \(t.framesMeasured) measured from pixels, \(t.framesModelled) modelled, "
                + "\(t.framesCorrupt) corrupt, \(t.framesMissing) missing, \(t.framesUnmeasured) not yet measured.")
        lines.append(
            "- Open **\(ReportFormat.hours(t.openHours))** (\(ReportFormat.percent(t.openFraction)) of dark time); "
                + "open shutter \(ReportFormat.hours(t.exposureHours)).")
        lines.append(
            "- Median FWHM \(ReportFormat.number(t.medianFWHMArcseconds, 2))″, transparency \(ReportFormat.number(t.medianTransparency, 2)), "
                + "5σ depth \(ReportFormat.number(t.medianLimitingMagnitude, 1)) mag; \(t.followUps) follow-up(s).")
        lines.append("")

        lines.append("## Suggestions for the next night")
        lines.append("")
        let s = report.suggestions
        lines.append("**Telescopes needing attention**" + (s.telescopes.isEmpty ? ": none." : ""))
        lines.append("")
        if !s.telescopes.isEmpty {
            lines += table(["Telescope", "Issue", "Detail"], s.telescopes.map { ["`\($0.telescopeID)`", $0.issue.rawValue, $0.detail] })
        }
        lines.append("**Follow-ups worth repeating**" + (s.followUps.isEmpty ? ": none." : ""))
        lines.append("")
        for followUp in s.followUps { lines.append("- \(cell(followUp.reason))") }
        if !s.followUps.isEmpty { lines.append("") }
        lines.append("**Survey fields due**: \(s.surveyFieldsDue) by the next night.")
        lines.append("")
        if !s.surveyFields.isEmpty { lines += surveyTable(s.surveyFields) }

        lines.append("## Planned against done")
        lines.append("")
        if report.shortfalls.isEmpty {
            lines.append("Every planned observation was completed.")
            lines.append("")
        } else {
            lines += table(["Cause", "Observations", "Planned time"], report.shortfalls.map { [$0.cause.rawValue, "\($0.count)", ReportFormat.hours($0.plannedHours)] })
        }
        lines += table(
            ["Telescope", "Planned", "Done", "Refused", "Aborted", "Failed", "Not tried", "Dropped", "Unplanned", "Frames", "Open", "Exposing"],
            report.telescopes.map { x in
                ["`\(x.telescopeID)`", "\(x.planned)", "\(x.completed)", "\(x.refused)", "\(x.aborted)", "\(x.failed)", "\(x.notAttempted)",
                 "\(x.dropped)", "\(x.unplanned)", "\(x.frames)", ReportFormat.hours(x.openHours) + (x.openHoursSource == .frames ? "*" : ""),
                 ReportFormat.percent(x.exposingFraction)]
            })
        let notDone = report.observations.filter { $0.status != .completed }
        if !notDone.isEmpty {
            lines.append("Not completed:")
            lines.append("")
            lines += table(
                ["Planned", "Telescope", "Target", "Status", "Cause", "Why"],
                notDone.map { e in
                    [e.plannedStart.map(ReportFormat.utcTime) ?? "—", "`\(e.telescopeID)`", e.targetName ?? e.targetID.rawValue, e.status.rawValue,
                     e.cause?.rawValue ?? "", e.reason ?? ""]
                })
        }

        lines.append("## The night")
        lines.append("")
        lines += figure("timeline")
        lines += table(
            ["Site", "Dark (UTC)", "Dark", "Moon", "Open", "Open of dark", "Done", "Frames", "FWHM (″)"],
            report.sites.map { site in
                [site.name, site.dark.map { "\(ReportFormat.utcTime($0.start))–\(ReportFormat.utcTime($0.end))" } ?? "none",
                 ReportFormat.hours(site.darkHours), ReportFormat.percent(site.moonIllumination), ReportFormat.hours(site.openHours),
                 ReportFormat.percent(site.openFraction), "\(site.completed) / \(site.planned)", "\(site.frames)",
                 ReportFormat.number(site.medianFWHMArcseconds, 2)]
            })
        if !report.events.isEmpty {
            lines.append("Journal:")
            lines.append("")
            lines += table(["Time", "Kind", "About", "What happened"], report.events.prefix(500).map { [ReportFormat.utcTime($0.time), $0.kind, "`\($0.subject)`", $0.message] })
        }

        lines.append("## Image quality")
        lines.append("")
        lines += figure("image-quality")
        lines += table(
            ["Telescope", "FWHM (″)", "Ellipticity", "Transparency", "5σ depth", "Frames", "Corrupt", "Missing"],
            report.telescopes.filter { $0.frames > 0 }.map { x in
                ["`\(x.telescopeID)`", ReportFormat.number(x.medianFWHMArcseconds, 2), ReportFormat.number(x.medianEllipticity, 2),
                 ReportFormat.number(x.medianTransparency, 2), ReportFormat.number(x.medianLimitingMagnitude, 1), "\(x.frames)",
                 "\(x.framesCorrupt)", "\(x.framesMissing)"]
            })

        lines.append("## Sky map")
        lines.append("")
        lines += figure("sky-map")

        lines.append("## Follow-ups")
        lines.append("")
        if report.followUps.isEmpty {
            lines.append("No alerts this night.")
            lines.append("")
        }
        for followUp in report.followUps {
            // The event id comes from the notice: escaped as text, never read as markup.
            lines.append("### \(plain(followUp.eventID ?? followUp.alertID.rawValue))" + (followUp.isRetraction ? " (retraction)" : ""))
            lines.append("")
            var facts: [String] = []
            if let mission = followUp.mission { facts.append("\(mission) \(followUp.noticeType ?? "")") }
            if let received = followUp.receivedAt { facts.append("received \(ReportFormat.utcDateTime(received))") }
            if let first = followUp.firstFrameAt {
                facts.append("first frame \(ReportFormat.utcTime(first)), \(ReportFormat.delay(followUp.secondsFromAlertToFirstFrame)) after the notice")
            }
            facts.append("\(followUp.frameCount) frames")
            if !followUp.depth.isEmpty { facts.append("depth " + followUp.depth.map { "\($0.filter) \(ReportFormat.number($0.combinedLimitingMagnitude, 1))" }.joined(separator: ", ")) }
            lines.append(cell(facts.joined(separator: "; ")) + ".")
            lines.append("")
            lines += coverage(followUp)
            if !followUp.assignments.isEmpty {
                lines += table(
                    ["Telescope", "State", "Why", "First frame", "Delay", "Frames"],
                    followUp.assignments.map { a in
                        ["`\(a.telescopeID)`", a.state.rawValue, a.reason, a.firstFrameAt.map(ReportFormat.utcTime) ?? "—",
                         ReportFormat.delay(a.secondsFromAlertToFirstFrame), "\(a.frameCount)"]
                    })
            }
        }

        lines.append("## Survey progress")
        lines.append("")
        if let survey = report.survey {
            lines.append("\(survey.dueVisited) of \(survey.dueObservable) due and observable fields visited (\(ReportFormat.percent(survey.completion))); \(survey.due) of \(survey.targets) fields due, \(survey.visited) visited, \(survey.neverVisited) due fields never visited (targets from `\(survey.source)`).")
            lines.append("")
            if !survey.overdue.isEmpty { lines += surveyTable(survey.overdue) }
        } else {
            lines.append("No survey targets with a cadence are known for this night.")
            lines.append("")
        }

        lines.append("## Plans and ranking")
        lines.append("")
        if !report.plans.isEmpty {
            lines += table(
                ["Telescope", "Plan", "Version", "Slots", "Ranked by", "Notes"],
                report.plans.map { ["`\($0.telescopeID)`", "`\($0.planID)`", "\($0.version)", "\($0.entries)", $0.model.map { "model \($0)" } ?? "deterministic core", $0.notes.joined(separator: " · ")] })
        }
        for ranking in report.rankings {
            lines.append("### \(plain(ranking.model)) ranked `\(ranking.telescopeID)`")
            lines.append("")
            lines += table(["Start", "Target", "Merit", "Model's reason"], ranking.entries.map { [ReportFormat.utcTime($0.start), $0.targetName, ReportFormat.number($0.merit, 2), $0.reason] })
            if let trace = ranking.reasoningTrace, !trace.isEmpty {
                lines.append("<details><summary>The model's reasoning</summary>")
                lines.append("")
                let fence = trace.contains("```") ? "~~~~" : "```"
                lines.append(fence + "text")
                lines.append(trace)
                lines.append(fence)
                lines.append("")
                lines.append("</details>")
                lines.append("")
            }
        }

        lines.append("## Representative frames")
        lines.append("")
        for thumbnail in report.thumbnails {
            lines.append("![\(cell(thumbnail.caption))](\(thumbnail.file))")
            lines.append("")
            lines.append("*\(cell(thumbnail.caption))* — `\(thumbnail.frameID)`")
            lines.append("")
        }

        lines.append("## Frames")
        lines.append("")
        let problems = report.frames.filter { [.corrupt, .missing, .unmeasured].contains($0.quality.status) || $0.review?.decision == .flagged }
        if !problems.isEmpty {
            lines.append("Frames needing a look:")
            lines.append("")
            lines += table(
                ["Frame", "Telescope", "State", "Problem", "File"],
                problems.map { f in
                    ["`\(f.frameID)`", "`\(f.telescopeID)`", f.quality.status.rawValue,
                     (f.quality.problem ?? (f.quality.status == .missing ? "no file at the recorded path" : "")) + (f.review.map { " — \($0.decision.rawValue) by \($0.reviewer): \($0.note)" } ?? ""),
                     "`\(f.path)`"]
                })
        }
        if report.frames.count <= frameTableLimit, !report.frames.isEmpty {
            lines += table(
                ["Frame", "Telescope", "Start", "Filter", "Exp (s)", "State", "FWHM (″)", "Transp.", "Depth", "Review"],
                report.frames.map { f in
                    ["`\(f.frameID)`", "`\(f.telescopeID)`", ReportFormat.utcTime(f.started), f.filter, ReportFormat.number(f.exposureSeconds, 0),
                     f.quality.status.rawValue, ReportFormat.number(f.quality.fwhmArcseconds, 2), ReportFormat.number(f.quality.transparency, 2),
                     ReportFormat.number(f.quality.limitingMagnitude, 1), f.review.map { "\($0.decision.rawValue): \($0.note)" } ?? ""]
                })
        } else if !report.frames.isEmpty {
            lines.append("\(report.frames.count) frames: every frame is in `report.json` (`frames`).")
            lines.append("")
        }

        lines.append("## Reviews")
        lines.append("")
        if report.reviews.isEmpty {
            lines.append("No frame or observation of this night has been reviewed yet.")
            lines.append("")
        } else {
            lines += table(
                ["When (UTC)", "Reviewer", "Subject", "Decision", "Note"],
                report.reviews.map { [ReportFormat.utcDateTime($0.reviewedAt), $0.reviewer, "\($0.subjectKind.rawValue) `\($0.subjectID)`", $0.decision.rawValue, $0.note] })
        }
        lines.append("Review with `starling review FRAME_ID --approve` or `--flag \"note\"`.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A sky-map follow-up's coverage: the totals, the table per telescope, the plot.
    private func coverage(_ followUp: NightReport.FollowUp) -> [String] {
        if let problem = followUp.coverageProblem { return ["Coverage of the sky map not measured: \(cell(problem)).", ""] }
        guard let coverage = followUp.coverage else { return [] }
        var lines: [String] = []
        let regions = coverage.credibleAreas.map { "\(ReportFormat.number($0.level * 100, 0)) % region \(ReportFormat.number($0.areaSquareDegrees, 1)) deg²" }
        lines.append(cell("Sky map: " + regions.joined(separator: ", ")
            + (coverage.catalogCompleteness.map { "; galaxy catalog \(ReportFormat.probability($0)) complete at the event's distance" } ?? "") + "."))
        lines.append("")
        let withDistance = coverage.planned.probabilityWithDistance != nil
        func row(_ name: String, _ planned: NightReport.CoverageFigures, _ done: NightReport.CoverageFigures) -> [String] {
            [name, "\(planned.footprints)", ReportFormat.probability(planned.probability)] + (withDistance ? [ReportFormat.probability(planned.probabilityWithDistance)] : [])
                + [ReportFormat.number(planned.areaSquareDegrees, 1), "\(done.footprints)", ReportFormat.probability(done.probability)]
                + (withDistance ? [ReportFormat.probability(done.probabilityWithDistance)] : []) + [ReportFormat.number(done.areaSquareDegrees, 1)]
        }
        let headers = ["Covered by", "Fields planned", "2-D"] + (withDistance ? ["3-D"] : []) + ["deg²", "Frames taken", "2-D"]
            + (withDistance ? ["3-D"] : []) + ["deg²"]
        lines += table(headers, [row("**all telescopes**", coverage.planned, coverage.done)] + coverage.byTelescope.map { row("`\($0.telescopeID)`", $0.planned, $0.done) })
        lines.append(cell("Centres inside the \(ReportFormat.number(coverage.credibleLevel * 100, 0)) % region: \(coverage.planned.centresInsideRegion) of \(coverage.planned.footprints) fields planned, \(coverage.done.centresInsideRegion) of \(coverage.done.footprints) frames taken."))
        lines.append("")
        lines += figure(ReportFigures.localisationID(followUp))
        return lines
    }

    private func figure(_ id: String) -> [String] {
        guard let figure = report.figures.first(where: { $0.id == id }) else { return [] }
        return ["![\(cell(figure.title))](\(figure.file))", "", "*\(cell(figure.caption))*", ""]
    }

    private func surveyTable(_ targets: [NightReport.SurveyTarget]) -> [String] {
        table(
            ["Target", "Priority", "Cadence (nights)", "Last visit", "Nights since", "Observable tonight"],
            targets.map { t in
                ["\(t.name) (`\(t.targetID)`)", ReportFormat.number(t.priority, 1), ReportFormat.number(t.cadenceNights, 0),
                 t.lastVisit.map(ReportFormat.utcDateTime) ?? "never", ReportFormat.number(t.nightsSinceVisit, 1), t.observableTonight ? "yes" : "no"]
            })
    }

    /// A pipe table followed by a blank line; cells escaped.
    private func table(_ headers: [String], _ rows: [[String]]) -> [String] {
        var lines = ["| " + headers.map(cell).joined(separator: " | ") + " |", "|" + headers.map { _ in " --- |" }.joined()]
        for row in rows { lines.append("| " + row.map(cell).joined(separator: " | ") + " |") }
        lines.append("")
        return lines
    }

    /// Outside text (an alert's event id, a model's name) as literal Markdown text on one line
    /// after a heading's `### `, as the HTML report escapes it: the characters that could open
    /// markup there (emphasis, code, links, images, raw HTML, entities, headings' closing `#`,
    /// tables, strikethrough) backslash-escaped (CommonMark §2.4), line breaks as spaces.
    func plain(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\n", "\r": escaped += " "
            case "\\", "`", "*", "_", "[", "]", "<", ">", "#", "!", "|", "~", "&":
                escaped += "\\\(character)"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Text safe inside a table cell or emphasis: pipes escaped, line breaks as spaces, and
    /// outside `code spans` the characters that would start markup escaped (inside them a
    /// backslash would show).
    private func cell(_ text: String) -> String {
        var escaped = ""
        var inCode = false
        for character in text {
            switch character {
            case "`":
                inCode.toggle()
                escaped.append(character)
            case "|": escaped += "\\|"
            case "\n", "\r": escaped += " "
            case "*", "_", "[", "]", "<", ">":
                escaped += inCode ? String(character) : "\\\(character)"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
