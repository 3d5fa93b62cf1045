import Foundation
import StarlingCore

/// The HTML form of a night report: one self-contained page (inline CSS, no scripts, no
/// external resources) that reads on a laptop and on a phone. Wide tables scroll sideways
/// inside their own box; less important columns are hidden on narrow screens; pictures
/// scale to the width.
struct HTMLReport {
    let report: NightReport
    /// How each picture is referenced: its relative path, or a `data:` URI when embedded.
    let imageSource: (String) -> String
    /// The most frames listed in the frame tables (all are in the JSON).
    let frameTableLimit: Int

    func render() -> String {
        var html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>\(Self.css)</style>
            </head>
            <body>
            <header>
            <h1>\(escape(title))</h1>
            <p class="meta">Starling night report · built \(escape(ReportFormat.utcDateTime(report.generatedAt))) UTC · \
            covering \(escape(ReportFormat.utcDateTime(report.interval.start)))–\(escape(ReportFormat.utcDateTime(report.interval.end))) UTC · \
            all times UTC</p>
            <nav>\(Self.sections.map { "<a href=\"#\($0.id)\">\($0.title)</a>" }.joined(separator: " "))</nav>
            </header>
            <main>

            """
        // Each part opens its <section>; it is closed here.
        for part in [
            summary(), nextNight(), plannedAgainstDone(), theNight(), imageQuality(), skyMap(), followUps(), survey(), plans(), thumbnails(),
            frames(), reviews(),
        ] {
            html += part + "</section>\n"
        }
        html += "</main>\n</body>\n</html>\n"
        return html
    }

    static let sections: [(id: String, title: String)] = [
        ("summary", "Summary"), ("next-night", "Next night"), ("planned", "Planned vs done"), ("night", "The night"),
        ("quality", "Image quality"), ("sky", "Sky map"), ("follow-ups", "Follow-ups"), ("survey", "Survey"),
        ("plans", "Plans"), ("thumbnails", "Thumbnails"), ("frames", "Frames"), ("reviews", "Reviews"),
    ]

    private var title: String {
        if let site = report.sites.first, report.scope == .site { return "Night of \(report.night) · \(site.name)" }
        return "Night of \(report.night) · the network"
    }

    // MARK: Sections

    private func summary() -> String {
        let totals = report.totals
        var cards: [(String, String)] = [
            ("\(totals.completed) / \(totals.planned)", "planned observations completed"),
            ("\(totals.frames)", "frames (\(totals.framesMeasured) measured, \(totals.framesModelled) modelled)"),
            (ReportFormat.hours(totals.openHours), "open (\(ReportFormat.percent(totals.openFraction)) of dark time)"),
            (ReportFormat.hours(totals.exposureHours), "open-shutter time"),
            (ReportFormat.number(totals.medianFWHMArcseconds, 2) + "″", "median FWHM"),
            (ReportFormat.number(totals.medianLimitingMagnitude, 1), "median 5σ depth (mag)"),
            (ReportFormat.number(totals.medianTransparency, 2), "median transparency"),
            ("\(totals.followUps)", "follow-ups"),
        ]
        if totals.unplanned > 0 { cards.insert(("\(totals.unplanned)", "unplanned observations"), at: 1) }
        let problems = totals.framesCorrupt + totals.framesMissing
        if problems > 0 { cards.append(("\(problems)", "frames corrupt or missing")) }
        var html = section("summary", "Summary")
        html += "<div class=\"cards\">" + cards.map { "<div class=\"card\"><div class=\"value\">\(escape($0.0))</div><div class=\"label\">\(escape($0.1))</div></div>" }.joined() + "</div>\n"
        let lost = report.shortfalls.map { "\($0.count) to \(causeText($0.cause))" }.joined(separator: ", ")
        html += "<p>\(totals.telescopes) telescope\(totals.telescopes == 1 ? "" : "s") observed at \(report.sites.filter { $0.frames > 0 }.count) of \(report.sites.count) site\(report.sites.count == 1 ? "" : "s")."
        html += lost.isEmpty ? "</p>\n" : " Planned observations not done: \(escape(lost)).</p>\n"
        return html
    }

    private func nextNight() -> String {
        let suggestions = report.suggestions
        var html = section("next-night", "Suggestions for the next night")
        html += "<h3>Telescopes needing attention</h3>\n"
        if suggestions.telescopes.isEmpty {
            html += "<p>None: no faults, failures, bad frames or poor image quality.</p>\n"
        } else {
            html += table(
                ["Telescope", "Issue", "Detail"],
                suggestions.telescopes.map { [code($0.telescopeID.rawValue), escape($0.issue.rawValue), escape($0.detail)] })
        }
        html += "<h3>Follow-ups worth repeating</h3>\n"
        if suggestions.followUps.isEmpty {
            html += "<p>None.</p>\n"
        } else {
            html += "<ul>" + suggestions.followUps.map { "<li>\(escape($0.reason))</li>" }.joined() + "</ul>\n"
        }
        html += "<h3>Survey fields due</h3>\n"
        if suggestions.surveyFieldsDue == 0 {
            html += "<p>No survey field falls due by the next night.</p>\n"
        } else {
            html += "<p>\(suggestions.surveyFieldsDue) survey field\(suggestions.surveyFieldsDue == 1 ? " is" : "s are") due by the next night; the most urgent:</p>\n"
            html += surveyTable(suggestions.surveyFields)
        }
        return html
    }

    private func plannedAgainstDone() -> String {
        var html = section("planned", "Planned against done")
        if report.shortfalls.isEmpty {
            html += "<p>Every planned observation was completed.</p>\n"
        } else {
            html += "<p>Why planned observations were not done:</p>\n"
            html += table(
                ["Cause", "Observations", "Planned time"],
                report.shortfalls.map { [escape(causeText($0.cause)), "\($0.count)", escape(ReportFormat.hours($0.plannedHours))] },
                numeric: [1, 2])
        }
        html += "<h3>By telescope</h3>\n"
        html += table(
            ["Telescope", "Planned", "Done", "Refused", "Aborted", "Failed", "Not tried", "Dropped", "Unplanned", "Frames", "Open",
             "Exposing", "Plan"],
            report.telescopes.map { t in
                [code(t.telescopeID.rawValue), "\(t.planned)", "\(t.completed)", "\(t.refused)", "\(t.aborted)", "\(t.failed)",
                 "\(t.notAttempted)", "\(t.dropped)", "\(t.unplanned)", "\(t.frames)",
                 escape(ReportFormat.hours(t.openHours)) + (t.openHoursSource == .frames ? "*" : ""),
                 escape(ReportFormat.percent(t.exposingFraction)),
                 escape(t.ranking.map { $0 == .model ? "model" : "deterministic" } ?? "—") + (t.planVersions > 1 ? " (v\(t.planVersions))" : "")]
            },
            numeric: Array(1...11), narrowHidden: [4, 7, 8, 12])
        html += "<p class=\"note\">Exposing: open-shutter time of light frames as a share of the site's astronomical darkness.</p>\n"
        if report.telescopes.contains(where: { $0.openHoursSource == .frames }) {
            html += "<p class=\"note\">* no state changes journalled: hours open estimated from the span of the frames.</p>\n"
        }
        let notDone = report.observations.filter { $0.status != .completed }
        html += "<details><summary>All \(report.observations.count) observations (\(notDone.count) not completed)</summary>\n"
        html += table(
            ["Planned", "Telescope", "Target", "Kind", "Status", "Why", "Frames"],
            report.observations.map { entry in
                [escape(entry.plannedStart.map(ReportFormat.utcTime) ?? (entry.started.map(ReportFormat.utcTime).map { "(\($0))" } ?? "—")),
                 code(entry.telescopeID.rawValue), escape(entry.targetName ?? entry.targetID.rawValue),
                 escape(entry.kind?.rawValue ?? "—"), statusBadge(entry.status.rawValue),
                 escape(entry.reason.map { reason in entry.cause.map { "\(causeText($0)): \(reason)" } ?? reason } ?? "")
                    + (entry.review.map { " " + reviewBadge($0) } ?? ""),
                 "\(entry.frameCount)"]
            },
            numeric: [6], narrowHidden: [3])
        html += "</details>\n"
        return html
    }

    private func theNight() -> String {
        var html = section("night", "The night")
        html += figure("timeline")
        html += table(
            ["Site", "Dark (UTC)", "Dark", "Moon", "Open", "Open of dark", "Done", "Frames", "FWHM"],
            report.sites.map { site in
                let dark = site.dark.map { "\(ReportFormat.utcTime($0.start))–\(ReportFormat.utcTime($0.end))" } ?? "no astronomical night"
                let local = site.dark.flatMap { span in
                    TimeZone(identifier: site.timeZone).map { "\(ReportFormat.localTime(span.start, in: $0))–\(ReportFormat.localTime(span.end, in: $0)) local" }
                }
                return [escape(site.name) + " <span class=\"muted\">(\(code(site.siteID.rawValue)))</span>",
                        escape(dark) + (local.map { "<br><span class=\"muted\">\(escape($0))</span>" } ?? ""),
                        escape(ReportFormat.hours(site.darkHours)), escape(ReportFormat.percent(site.moonIllumination)),
                        escape(ReportFormat.hours(site.openHours)), escape(ReportFormat.percent(site.openFraction)),
                        "\(site.completed) / \(site.planned)", "\(site.frames)", escape(ReportFormat.number(site.medianFWHMArcseconds, 2))]
            },
            numeric: [2, 3, 4, 5, 6, 7, 8], narrowHidden: [3, 4])
        let notable = report.events
        html += "<h3>Journal</h3>\n"
        if notable.isEmpty {
            html += "<p>Nothing journalled besides state changes.</p>\n"
        } else {
            let shown = notable.prefix(500)
            html += table(
                ["Time", "Kind", "About", "What happened"],
                shown.map { [escape(ReportFormat.utcTime($0.time)), kindBadge($0.kind), code($0.subject), escape($0.message)] })
            if notable.count > shown.count { html += "<p class=\"note\">The first \(shown.count) of \(notable.count) entries; all are in report.json.</p>\n" }
        }
        return html
    }

    private func imageQuality() -> String {
        var html = section("quality", "Image quality")
        html += figure("image-quality")
        html += table(
            ["Telescope", "FWHM (″)", "Ellipticity", "Transparency", "5σ depth", "Frames", "Corrupt", "Missing"],
            report.telescopes.filter { $0.frames > 0 }.map { t in
                [code(t.telescopeID.rawValue), escape(ReportFormat.number(t.medianFWHMArcseconds, 2)), escape(ReportFormat.number(t.medianEllipticity, 2)),
                 escape(ReportFormat.number(t.medianTransparency, 2)), escape(ReportFormat.number(t.medianLimitingMagnitude, 1)),
                 "\(t.frames)", "\(t.framesCorrupt)", "\(t.framesMissing)"]
            },
            numeric: Array(1...7), narrowHidden: [2, 6, 7])
        html += "<p class=\"note\">Medians over light frames measured from their pixels or modelled by the simulator. Transparency is the flux of reference stars against the cloud-free zero point; depth is the 5σ point-source limit.</p>\n"
        return html
    }

    private func skyMap() -> String {
        section("sky", "Sky map") + figure("sky-map")
    }

    private func followUps() -> String {
        var html = section("follow-ups", "Follow-ups")
        guard !report.followUps.isEmpty else { return html + "<p>No alerts this night.</p>\n" }
        for followUp in report.followUps {
            let name = followUp.eventID ?? followUp.alertID.rawValue
            html += "<article class=\"followup\"><h3>\(escape(name))"
            if let mission = followUp.mission { html += " <span class=\"muted\">\(escape(mission)) \(escape(followUp.noticeType ?? ""))</span>" }
            if followUp.isRetraction { html += " <span class=\"badge bad\">retraction</span>" }
            html += "</h3>\n<p>"
            var facts: [String] = []
            if let event = followUp.eventTime { facts.append("event at \(ReportFormat.utcDateTime(event))") }
            if let received = followUp.receivedAt { facts.append("notice received at \(ReportFormat.utcDateTime(received))") }
            if let ra = followUp.rightAscensionDegrees, let dec = followUp.declinationDegrees {
                facts.append("position RA \(ReportFormat.number(ra, 3))°, Dec \(ReportFormat.number(dec, 3))°"
                    + (followUp.errorRadiusDegrees.map { " ± \(ReportFormat.number($0 * 60, 1))′" } ?? ""))
            }
            if let status = followUp.status { facts.append("\(status)" + (followUp.note.map { ": \($0)" } ?? "")) }
            html += escape(facts.joined(separator: "; ")) + ".</p>\n"
            if let first = followUp.firstFrameAt {
                html += "<p>First frame at \(escape(ReportFormat.utcTime(first))) UTC: <strong>\(escape(ReportFormat.delay(followUp.secondsFromAlertToFirstFrame)))</strong> after the notice, \(escape(ReportFormat.delay(followUp.secondsFromEventToFirstFrame))) after the event; \(followUp.frameCount) frames"
                html += followUp.depth.isEmpty ? ".</p>\n" : ", depth " + escape(depthText(followUp.depth)) + ".</p>\n"
            }
            html += coverage(followUp)
            if followUp.assignments.isEmpty {
                html += "<p>No telescope was assigned.</p>\n"
            } else {
                html += table(
                    ["Telescope", "State", "Why this telescope", "Outcomes", "First frame", "Delay", "Frames", "Depth"],
                    followUp.assignments.map { a in
                        [code(a.telescopeID.rawValue), statusBadge(a.state.rawValue), escape(a.reason), escape(a.outcomes.joined(separator: "; ")),
                         escape(a.firstFrameAt.map(ReportFormat.utcTime) ?? "—"), escape(ReportFormat.delay(a.secondsFromAlertToFirstFrame)),
                         "\(a.frameCount)", escape(depthText(a.depth))]
                    },
                    numeric: [5, 6], narrowHidden: [3, 4])
            }
            html += "</article>\n"
        }
        return html
    }

    /// A sky-map follow-up's coverage: the totals, the table per telescope, the plot.
    private func coverage(_ followUp: NightReport.FollowUp) -> String {
        if let problem = followUp.coverageProblem { return "<p>Coverage of the sky map not measured: \(escape(problem)).</p>\n" }
        guard let coverage = followUp.coverage else { return "" }
        var html = "<p>"
        let regions = coverage.credibleAreas.map { "\(ReportFormat.number($0.level * 100, 0)) % region \(ReportFormat.number($0.areaSquareDegrees, 1)) deg²" }
        html += escape("Sky map: " + regions.joined(separator: ", ")
            + (coverage.catalogCompleteness.map { "; galaxy catalog \(ReportFormat.probability($0)) complete at the event's distance" } ?? ""))
        html += ". Covered: <strong>\(escape(ReportFormat.probability(coverage.done.probability)))</strong> of the map by the frames taken, "
            + "\(escape(ReportFormat.probability(coverage.planned.probability))) planned.</p>\n"
        let withDistance = coverage.planned.probabilityWithDistance != nil
        func row(_ name: String, _ planned: NightReport.CoverageFigures, _ done: NightReport.CoverageFigures) -> [String] {
            [name, "\(planned.footprints)", escape(ReportFormat.probability(planned.probability))]
                + (withDistance ? [escape(ReportFormat.probability(planned.probabilityWithDistance))] : [])
                + [escape(ReportFormat.number(planned.areaSquareDegrees, 1)), "\(done.footprints)", escape(ReportFormat.probability(done.probability))]
                + (withDistance ? [escape(ReportFormat.probability(done.probabilityWithDistance))] : []) + [escape(ReportFormat.number(done.areaSquareDegrees, 1))]
        }
        let headers = ["Covered by", "Fields planned", "2-D"] + (withDistance ? ["3-D"] : []) + ["deg²", "Frames taken", "2-D"]
            + (withDistance ? ["3-D"] : []) + ["deg²"]
        let numeric = Array(1..<headers.count)
        html += table(
            headers, [row("<strong>all telescopes</strong>", coverage.planned, coverage.done)] + coverage.byTelescope.map { row(code($0.telescopeID.rawValue), $0.planned, $0.done) },
            numeric: numeric, narrowHidden: [])
        html += "<p class=\"muted\">" + escape("Centres inside the \(ReportFormat.number(coverage.credibleLevel * 100, 0)) % region: \(coverage.planned.centresInsideRegion) of \(coverage.planned.footprints) fields planned, \(coverage.done.centresInsideRegion) of \(coverage.done.footprints) frames taken. 2-D: the map's probability; 3-D: with its distance layers and the galaxy catalog.") + "</p>\n"
        html += figure(ReportFigures.localisationID(followUp))
        return html
    }

    private func survey() -> String {
        var html = section("survey", "Survey progress")
        guard let survey = report.survey else { return html + "<p>No survey targets with a cadence are known for this night.</p>\n" }
        html += "<div class=\"cards\">"
        for (value, label) in [
            ("\(survey.dueVisited) / \(survey.dueObservable)", "due and observable fields visited"),
            (ReportFormat.percent(survey.completion), "cadence kept"), ("\(survey.due)", "fields due of \(survey.targets)"),
            ("\(survey.visited)", "fields visited"), ("\(survey.neverVisited)", "due fields never visited"),
        ] {
            html += "<div class=\"card\"><div class=\"value\">\(escape(value))</div><div class=\"label\">\(escape(label))</div></div>"
        }
        html += "</div>\n<p class=\"note\">Targets from \(code(survey.source)). A field is due when never visited or last visited at least its cadence (less half a night) before the night; observable means above 30°, airmass ≤ 2, in astronomical darkness and 20° from the Moon at some point of the night at one of the report's sites.</p>\n"
        if !survey.overdue.isEmpty {
            html += "<h3>Due fields not visited</h3>\n" + surveyTable(survey.overdue)
        }
        return html
    }

    private func plans() -> String {
        var html = section("plans", "Plans and ranking")
        guard !report.plans.isEmpty else { return html + "<p>No plans were stored for this night.</p>\n" }
        html += table(
            ["Telescope", "Plan", "Version", "Made at", "Slots", "Ranked by", "Notes"],
            report.plans.map { p in
                [code(p.telescopeID.rawValue), code(p.planID.rawValue), "\(p.version)", escape(ReportFormat.utcTime(p.createdAt)), "\(p.entries)",
                 escape(p.model.map { "model \($0)" } ?? "deterministic core"), escape(p.notes.joined(separator: " · "))]
            },
            numeric: [2, 4], narrowHidden: [1, 3])
        for ranking in report.rankings {
            html += "<h3>\(escape(ranking.model)) ranked \(code(ranking.telescopeID.rawValue)) <span class=\"muted\">(plan \(code(ranking.planID.rawValue)), \(escape(ReportFormat.utcTime(ranking.createdAt))) UTC)</span></h3>\n"
            html += table(
                ["Start", "Target", "Merit", "Model's reason"],
                ranking.entries.map { [escape(ReportFormat.utcTime($0.start)), escape($0.targetName), escape(ReportFormat.number($0.merit, 2)), escape($0.reason)] },
                numeric: [2])
            if let trace = ranking.reasoningTrace, !trace.isEmpty {
                html += "<details><summary>The model's reasoning (\(trace.count) characters)</summary><pre>\(escape(trace))</pre></details>\n"
            } else {
                html += "<p class=\"note\">The model returned no reasoning trace.</p>\n"
            }
        }
        return html
    }

    private func thumbnails() -> String {
        var html = section("thumbnails", "Representative frames")
        guard !report.thumbnails.isEmpty else { return html + "<p>No frame measured from its pixels to show.</p>\n" }
        let frames = Dictionary(report.frames.map { ($0.frameID, $0) }, uniquingKeysWith: { first, _ in first })
        html += "<div class=\"thumbs\">\n"
        for thumbnail in report.thumbnails {
            let frame = frames[thumbnail.frameID]
            let size = thumbnail.width.map { width in " width=\"\(width)\" height=\"\(thumbnail.height ?? width)\"" } ?? ""
            html += "<figure><img src=\"\(escape(imageSource(thumbnail.file)))\"\(size) alt=\"Frame \(escape(thumbnail.frameID.rawValue))\">"
            html += "<figcaption><strong>\(escape(thumbnail.caption))</strong><br>\(code(thumbnail.frameID.rawValue))"
            if let frame {
                html += " · \(escape(frame.filter)) \(escape(ReportFormat.number(frame.exposureSeconds, 0))) s · \(escape(ReportFormat.utcTime(frame.started))) UTC"
                if let review = frame.review { html += "<br>" + reviewBadge(review) }
            }
            html += "</figcaption></figure>\n"
        }
        return html + "</div>\n"
    }

    private func frames() -> String {
        var html = section("frames", "Frames")
        let problems = report.frames.filter { [.corrupt, .missing, .unmeasured].contains($0.quality.status) || $0.review?.decision == .flagged }
        if problems.isEmpty {
            html += "<p>Every frame was read and measured (or modelled); none is flagged.</p>\n"
        } else {
            html += "<h3>Frames needing a look</h3>\n"
            html += table(
                ["Frame", "Telescope", "Started", "State", "Problem", "File"],
                problems.map { f in
                    [code(f.frameID.rawValue), code(f.telescopeID.rawValue), escape(ReportFormat.utcTime(f.started)), statusBadge(f.quality.status.rawValue),
                     escape(f.quality.problem ?? (f.quality.status == .missing ? "no file at the recorded path" : f.quality.status == .unmeasured ? "not measured yet" : ""))
                        + (f.review.map { " " + reviewBadge($0) } ?? ""),
                     code(f.path)]
                },
                narrowHidden: [1, 5])
        }
        if report.frames.count > frameTableLimit {
            html += "<p>\(report.frames.count) frames: too many to list here; every frame is in <code>report.json</code> (<code>frames</code>).</p>\n"
            return html
        }
        for telescope in report.telescopes where telescope.frames > 0 {
            let frames = report.frames.filter { $0.telescopeID == telescope.telescopeID }
            html += "<details><summary>\(code(telescope.telescopeID.rawValue)): \(frames.count) frames</summary>\n"
            html += table(
                ["Frame", "Start", "Filter", "Exp (s)", "Airmass", "State", "FWHM (″)", "Ell.", "Bkg (ADU)", "Transp.", "Depth", "Review"],
                frames.map { f in
                    let q = f.quality
                    return [code(f.frameID.rawValue), escape(ReportFormat.utcTime(f.started)), escape(f.filter),
                            escape(ReportFormat.number(f.exposureSeconds, 0)), escape(ReportFormat.number(f.airmass, 2)), statusBadge(q.status.rawValue),
                            escape(ReportFormat.number(q.fwhmArcseconds, 2)), escape(ReportFormat.number(q.ellipticity, 2)),
                            escape(ReportFormat.number(q.backgroundADU, 0)), escape(ReportFormat.number(q.transparency, 2)),
                            escape(ReportFormat.number(q.limitingMagnitude, 1)), f.review.map(reviewBadge) ?? ""]
                },
                numeric: [3, 4, 6, 7, 8, 9, 10], narrowHidden: [2, 3, 4, 7, 8])
            html += "</details>\n"
        }
        return html
    }

    private func reviews() -> String {
        var html = section("reviews", "Reviews")
        if report.reviews.isEmpty {
            html += "<p>No frame or observation of this night has been reviewed yet.</p>\n"
        } else {
            html += table(
                ["When (UTC)", "Reviewer", "Subject", "Decision", "Note"],
                report.reviews.map { r in
                    [escape(ReportFormat.utcDateTime(r.reviewedAt)), escape(r.reviewer), "\(escape(r.subjectKind.rawValue)) \(code(r.subjectID))",
                     statusBadge(r.decision.rawValue), escape(r.note)]
                })
        }
        html += "<p class=\"note\">To review: <code>starling review FRAME_ID --approve</code> or <code>starling review FRAME_ID --flag \"note\"</code> (add <code>--observation</code> for an observation id); the decision shows in later reports.</p>\n"
        return html
    }

    // MARK: Pieces

    private func section(_ id: String, _ heading: String) -> String {
        "<section id=\"\(id)\">\n<h2>\(escape(heading))</h2>\n"
    }

    private func figure(_ id: String) -> String {
        guard let figure = report.figures.first(where: { $0.id == id }) else { return "" }
        // The picture links to itself, so a phone can open it full size and zoom.
        return "<figure><a href=\"\(escape(figure.file))\"><img src=\"\(escape(imageSource(figure.file)))\" width=\"\(figure.width)\" height=\"\(figure.height)\" alt=\"\(escape(figure.title))\"></a>"
            + "<figcaption>\(escape(figure.caption))</figcaption></figure>\n"
    }

    /// A table in a sideways-scrolling box. Cells are HTML already escaped.
    private func table(_ headers: [String], _ rows: [[String]], numeric: [Int] = [], narrowHidden: [Int] = []) -> String {
        func classes(_ column: Int) -> String {
            var names: [String] = []
            if numeric.contains(column) { names.append("num") }
            if narrowHidden.contains(column) { names.append("wide") }
            return names.isEmpty ? "" : " class=\"\(names.joined(separator: " "))\""
        }
        var html = "<div class=\"scroll\"><table><thead><tr>"
        for (column, header) in headers.enumerated() { html += "<th\(classes(column))>\(escape(header))</th>" }
        html += "</tr></thead><tbody>\n"
        for row in rows {
            html += "<tr>" + row.enumerated().map { "<td\(classes($0.offset))>\($0.element)</td>" }.joined() + "</tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    private func surveyTable(_ targets: [NightReport.SurveyTarget]) -> String {
        table(
            ["Target", "Priority", "Cadence", "Last visit", "Nights since", "Observable tonight"],
            targets.map { t in
                [escape(t.name) + " <span class=\"muted\">(\(code(t.targetID.rawValue)))</span>", escape(ReportFormat.number(t.priority, 1)),
                 escape(ReportFormat.number(t.cadenceNights, 0)) + " n", escape(t.lastVisit.map(ReportFormat.utcDateTime) ?? "never"),
                 escape(ReportFormat.number(t.nightsSinceVisit, 1)), t.observableTonight ? "yes" : "no"]
            },
            numeric: [1, 2, 4], narrowHidden: [2, 3])
    }

    private func depthText(_ depth: [NightReport.Depth]) -> String {
        depth.map { "\($0.filter) \(ReportFormat.number($0.combinedLimitingMagnitude, 1)) (\($0.frames) frames, best \(ReportFormat.number($0.deepestLimitingMagnitude, 1)))" }
            .joined(separator: ", ")
    }

    private func causeText(_ cause: NightReport.Shortfall.Cause) -> String {
        switch cause {
        case .weather: "weather"
        case .fault: "faults"
        case .interruption: "interruptions"
        case .staleTarget: "stale targets refused at dispatch"
        case .closed: "telescope closed"
        case .endOfNight: "end of night"
        case .invalidRequest: "invalid requests"
        case .droppedAtReplan: "dropped at a re-plan"
        case .notReached: "not reached"
        }
    }

    private func statusBadge(_ status: String) -> String {
        let tone: String =
            switch status {
            case "completed", "measured", "approved", "accepted", "observing": "good"
            case "modelled", "offered", "not-attempted", "dropped", "unmeasured", "cancelled": "neutral"
            case "refused", "aborted", "expired": "warn"
            default: "bad"
            }
        return "<span class=\"badge \(tone)\">\(escape(status))</span>"
    }

    private func kindBadge(_ kind: String) -> String {
        let tone = ["fault", "safety"].contains(kind) ? "bad" : kind == "weather" ? "warn" : kind == "recovery" ? "good" : "neutral"
        return "<span class=\"badge \(tone)\">\(escape(kind))</span>"
    }

    private func reviewBadge(_ review: NightReport.ReviewEntry) -> String {
        statusBadge(review.decision.rawValue) + " <span class=\"muted\">\(escape(review.reviewer))"
            + (review.note.isEmpty ? "" : ": \(escape(review.note))") + "</span>"
    }

    private func code(_ text: String) -> String { "<code>\(escape(text))</code>" }

    /// Escapes text for HTML content and attribute values.
    func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static let css = """
        :root{--ink:#1d232b;--muted:#5b6570;--line:#dde2e8;--card:#f4f6f9;--accent:#0b5fa5;--good:#1e7b34;--warn:#9a5a00;--bad:#b3261e}
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%}
        body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
        header{padding:1rem clamp(.8rem,4vw,2.5rem) .6rem;border-bottom:1px solid var(--line);background:var(--card)}
        main{padding:0 clamp(.8rem,4vw,2.5rem) 3rem;max-width:80rem;margin:0 auto}
        h1{font-size:clamp(1.3rem,4vw,2rem);margin:.1rem 0 .3rem;line-height:1.2}
        h2{font-size:1.3rem;margin:2rem 0 .6rem;padding-top:.6rem;border-top:1px solid var(--line)}
        h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
        section{scroll-margin-top:.5rem}
        .meta,.muted,.note{color:var(--muted)}
        .note{font-size:.9rem}
        nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem;font-size:.95rem;margin-top:.4rem}
        nav a{color:var(--accent);text-decoration:none;white-space:nowrap}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.6rem;margin:.6rem 0}
        .card{background:var(--card);border-radius:.5rem;padding:.55rem .8rem}
        .card .value{font-size:1.4rem;font-weight:650;font-variant-numeric:tabular-nums}
        .card .label{color:var(--muted);font-size:.85rem;line-height:1.3}
        .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4rem 0 .8rem;border:1px solid var(--line);border-radius:.4rem}
        table{border-collapse:collapse;width:100%;font-size:.9rem}
        th,td{padding:.35rem .55rem;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
        tbody tr:last-child td{border-bottom:0}
        th{background:var(--card);font-weight:600;white-space:nowrap}
        .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        code{font:.86em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
        figure{margin:1rem 0}
        figure img{max-width:100%;height:auto;display:block;border:1px solid var(--line);border-radius:.3rem;background:#fff}
        figcaption{color:var(--muted);font-size:.88rem;margin-top:.35rem}
        .thumbs{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:1rem}
        .thumbs figure{margin:0}
        .thumbs img{width:100%;image-rendering:auto}
        .badge{display:inline-block;border-radius:1rem;padding:0 .5rem;font-size:.78rem;font-weight:600;white-space:nowrap;background:#e9edf2}
        .badge.good{background:#dff1e3;color:var(--good)}
        .badge.warn{background:#fbefd9;color:var(--warn)}
        .badge.bad{background:#f9e0de;color:var(--bad)}
        .badge.neutral{color:var(--muted)}
        details{margin:.6rem 0}
        summary{cursor:pointer;color:var(--accent)}
        pre{white-space:pre-wrap;word-break:break-word;background:var(--card);padding:.8rem;border-radius:.4rem;font-size:.85rem;max-height:32rem;overflow:auto}
        article.followup{border-left:3px solid var(--line);padding-left:.8rem;margin:1rem 0}
        ul{padding-left:1.2rem}
        @media (max-width:40rem){body{font-size:15px}th,td{padding:.3rem .4rem}.wide{display:none}.card .value{font-size:1.2rem}}
        @media print{nav{display:none}details{display:block}}
        """
}
