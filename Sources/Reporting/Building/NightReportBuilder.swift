public import Foundation
public import Persistence
import Sky
import SkyMaps
public import StarlingCore

/// Builds a ``NightReport`` from the store: one site's night or the whole network's.
///
/// Each site's records are taken from its own night (local noon to the next local noon of
/// the date), so a network report adds up nights that happen at different UTC times. Frames
/// with no stored quality are measured first when a ``FrameMeasurer`` is given (and the
/// result stored), so a report never waits on the Reporter having seen every frame.
///
/// ```swift
/// let builder = NightReportBuilder(store: store, network: network, surveyCatalog: catalog,
///                                  options: .init(measurer: FrameMeasurer(network: network)))
/// let report = try await builder.build(night: CalendarDate("2026-11-23")!, site: nil, generatedAt: clock.currentDate)
/// ```
public struct NightReportBuilder: Sendable {
    /// How a report is built.
    public struct Options: Sendable {
        /// Measures frames that have no stored quality (and stores the result); `nil` leaves
        /// them `unmeasured`.
        public var measurer: FrameMeasurer?
        /// The most thumbnails to choose.
        public var maximumThumbnails: Int
        /// The longest lists of survey targets (overdue, due next night).
        public var surveyListLength: Int
        /// Where sky maps and host galaxies come from, to measure what each sky-map follow-up
        /// covered; `nil` leaves the coverage out.
        public var skyMaps: SkyMapOptions?

        public init(measurer: FrameMeasurer? = nil, maximumThumbnails: Int = 24, surveyListLength: Int = 20, skyMaps: SkyMapOptions? = nil) {
            precondition(maximumThumbnails >= 0 && surveyListLength >= 0, "list lengths cannot be negative")
            self.measurer = measurer
            self.maximumThumbnails = maximumThumbnails
            self.surveyListLength = surveyListLength
            self.skyMaps = skyMaps
        }
    }

    private let store: any Store
    private let network: ObservatoryNetwork
    private let surveyCatalog: TargetCatalog?
    private let options: Options

    /// Creates a builder.
    ///
    /// - Parameters:
    ///   - store: where the night's records are.
    ///   - network: the sites and telescopes (for night windows, names and telescope models).
    ///   - surveyCatalog: the survey's targets with their cadences; `nil` to take the survey
    ///     targets from the night's plans.
    ///   - options: measuring, thumbnails and list lengths.
    public init(store: any Store, network: ObservatoryNetwork, surveyCatalog: TargetCatalog? = nil, options: Options = Options()) {
        self.store = store
        self.network = network
        self.surveyCatalog = surveyCatalog
        self.options = options
    }

    /// Builds the report of a night.
    ///
    /// - Parameters:
    ///   - night: the local date on which the night begins at each site.
    ///   - site: one site, or `nil` for the whole network.
    ///   - generatedAt: the report's time (UTC, from the caller's clock): a night not yet
    ///     over is reported up to this instant.
    /// - Throws: ``ReportingError`` `.unknownSite`, `.store` when the store cannot be read or
    ///   written, `.sky` when the night windows cannot be computed.
    public func build(night: CalendarDate, site: SiteID?, generatedAt: Date) async throws(ReportingError) -> NightReport {
        var data = try await NightData.load(store: store, network: network, night: night, site: site, generatedAt: generatedAt)
        if let measurer = options.measurer {
            var measured: [FrameID: FrameQuality] = [:]
            for (frame, quality) in data.frames where quality == nil {
                let measurement = measurer.measure(frame, at: generatedAt)
                do {
                    try await store.saveFrameQuality(measurement.quality)
                } catch {
                    throw ReportingError(error, while: "store the quality of frame \(frame.id)")
                }
                measured[frame.id] = measurement.quality
            }
            data = data.replacingQualities(measured)
        }
        var alertRecords: [AlertID: AlertRecord] = [:]
        for record in data.alerts { alertRecords[record.id] = record }
        for assignment in data.assignments where alertRecords[assignment.alertID] == nil {
            do {
                alertRecords[assignment.alertID] = try await store.alert(assignment.alertID)
            } catch {
                throw ReportingError(error, while: "read alert \(assignment.alertID)")
            }
        }
        var coverages: [AlertID: Result<NightReport.Coverage, CoverageProblem>] = [:]
        if let skyMaps = options.skyMaps {
            coverages = await FollowUpCoverage.compute(data: data, alertRecords: alertRecords, network: network, options: skyMaps)
        }
        return try assemble(data, alertRecords: alertRecords, coverages: coverages)
    }

    // MARK: - Assembly

    private func assemble(
        _ data: NightData, alertRecords: [AlertID: AlertRecord], coverages: [AlertID: Result<NightReport.Coverage, CoverageProblem>]
    ) throws(ReportingError) -> NightReport {
        let latestReviews = Self.latestReviews(data.reviews)
        let frames = data.frames.map { pair in frameEntry(pair.frame, quality: pair.quality, data: data, reviews: latestReviews) }
        var framesByObservation: [ObservationID: [NightReport.FrameEntry]] = [:]
        for frame in frames { framesByObservation[frame.observationID, default: []].append(frame) }

        // Telescopes: every configured telescope at the sites reported on, and any other that
        // planned, observed or journalled.
        var telescopeIDs = Set(data.sites.flatMap { $0.telescopes.map(\.id) })
        telescopeIDs.formUnion(data.planVersions.keys)
        telescopeIDs.formUnion(data.observations.map(\.telescopeID))
        telescopeIDs.formUnion(frames.map(\.telescopeID))
        var journalBySubject: [String: [JournalEntry]] = [:]
        for entry in data.journal { journalBySubject[entry.subject, default: []].append(entry) }
        for (subject, entries) in journalBySubject where entries.contains(where: { $0.telescopeStateChange != nil }) {
            telescopeIDs.insert(TelescopeID(subject))
        }
        var timelines: [TelescopeID: OpenTimeline] = [:]
        for telescope in telescopeIDs {
            let site = data.site(of: telescope)
            timelines[telescope] = OpenTimeline(
                entries: journalBySubject[telescope.rawValue] ?? [], window: data.window(of: site), until: data.observedUntil(site))
        }

        let outcomes = PlannedOutcomes(data: data, openTimelines: timelines, framesByObservation: framesByObservation, latestReviews: latestReviews)
        let telescopes = telescopeIDs.sorted().map { telescope in
            telescopeNight(
                telescope, data: data, timeline: timelines[telescope], outcomes: outcomes.entries.filter { $0.telescopeID == telescope },
                frames: frames.filter { $0.telescopeID == telescope }, journal: journalBySubject[telescope.rawValue] ?? [])
        }
        var followUps = FollowUps.build(data: data, alertRecords: alertRecords, framesByObservation: framesByObservation)
        for index in followUps.indices {
            switch coverages[followUps[index].alertID] {
            case .success(let coverage)?: followUps[index].coverage = coverage
            case .failure(let problem)?: followUps[index].coverageProblem = problem.description
            case nil: break
            }
        }
        let events = data.journal.filter { $0.kind != .stateChange }.map { entry in
            NightReport.Event(time: entry.time, subject: entry.subject, siteID: entry.siteID.map { SiteID($0) }, kind: entry.kind.rawValue, message: entry.message)
        }

        let visited = data.visitedTonight.union(data.observations.filter { $0.outcome == .completed }.map(\.targetID))
        var cadence: SurveyCadence?
        if let surveyCatalog {
            cadence = try SurveyCadence(targets: surveyCatalog.targets, source: surveyCatalog.name, data: data, visited: visited, listLength: options.surveyListLength)
        } else {
            var seen: Set<TargetID> = []
            let planned = data.planVersions.values.flatMap { $0.flatMap(\.entries) }.map(\.request)
                .filter { $0.kind == .survey }.map(\.target).filter { seen.insert($0.id).inserted }
            cadence = try SurveyCadence(targets: planned, source: "plans", data: data, visited: visited, listLength: options.surveyListLength)
        }

        var framesByAlert: [AlertID: [NightReport.FrameEntry]] = [:]
        var framesByAssignment: [AssignmentID: [NightReport.FrameEntry]] = [:]
        var observationsByRequest: [RequestID: [ObservationID]] = [:]
        for observation in data.observations { observationsByRequest[observation.requestID, default: []].append(observation.id) }
        for assignment in data.assignments {
            let assigned = (observationsByRequest[assignment.request.id] ?? []).flatMap { framesByObservation[$0] ?? [] }
            framesByAssignment[assignment.id] = assigned
            framesByAlert[assignment.alertID, default: []] += assigned
        }
        let suggestions = NightReport.Suggestions(
            surveyFields: cadence?.dueNext ?? [], surveyFieldsDue: cadence?.dueNextCount ?? 0,
            followUps: Attention.followUps(followUps, framesByAlert: framesByAlert, nightEnd: data.interval.end),
            telescopes: Attention.telescopes(telescopes, frames: frames, events: events))

        let (plans, rankings) = Self.plans(data)
        let thumbnails = Self.thumbnails(frames: frames, followUps: followUps, framesByAssignment: framesByAssignment, limit: options.maximumThumbnails)
        let reviewed = Set(frames.map { ReviewKey.frame($0.frameID) } + data.observations.map { ReviewKey.observation($0.id) })
        let reviews = data.reviews.map(Self.reviewEntry).filter { reviewed.contains("\($0.subjectKind.rawValue):\($0.subjectID)") }

        let sites = data.sites.map { site in siteNight(site, data: data, telescopes: telescopes.filter { $0.siteID == site.id }, frames: frames) }
        return NightReport(
            schemaVersion: NightReport.currentSchemaVersion, generatedAt: data.generatedAt, night: data.night,
            scope: data.scopeSite == nil ? .network : .site, siteID: data.scopeSite, interval: TimeSpan(data.interval),
            totals: Self.totals(telescopes: telescopes, frames: frames, followUps: followUps, sites: sites),
            sites: sites, telescopes: telescopes, observations: outcomes.entries, shortfalls: Self.shortfalls(outcomes.entries),
            events: events, frames: frames, followUps: followUps, survey: cadence?.progress, plans: plans, rankings: rankings,
            suggestions: suggestions, reviews: reviews, figures: [], thumbnails: thumbnails)
    }

    // MARK: Frames and reviews

    private func frameEntry(
        _ frame: FrameRecord, quality: FrameQuality?, data: NightData, reviews: [String: NightReport.ReviewEntry]
    ) -> NightReport.FrameEntry {
        NightReport.FrameEntry(
            frameID: frame.id, observationID: frame.observationID, telescopeID: frame.telescopeID,
            siteID: data.site(of: frame) ?? SiteID("unknown"), targetID: data.observationsByID[frame.observationID]?.targetID,
            imageType: frame.imageType, filter: frame.filter.name, exposureSeconds: frame.exposureSeconds, started: frame.started,
            airmass: finite(frame.airmass), rightAscensionDegrees: frame.pointing?.rightAscension.degrees,
            declinationDegrees: frame.pointing?.declination.degrees, path: frame.path, quality: Self.quality(quality),
            review: reviews[ReviewKey.frame(frame.id)])
    }

    static func quality(_ quality: FrameQuality?) -> NightReport.Quality {
        guard let quality else { return NightReport.Quality(status: .unmeasured) }
        switch quality.status {
        case .missing:
            return NightReport.Quality(status: .missing, measuredAt: quality.measuredAt)
        case .corrupt(let problem):
            return NightReport.Quality(status: .corrupt, problem: problem, measuredAt: quality.measuredAt)
        case .measured:
            return NightReport.Quality(
                status: quality.source == .model ? .modelled : .measured, measuredAt: quality.measuredAt,
                backgroundADU: finite(quality.backgroundADU), noiseADU: finite(quality.noiseADU), fwhmPixels: finite(quality.fwhmPixels),
                fwhmArcseconds: finite(quality.fwhmArcseconds), ellipticity: finite(quality.ellipticity), sourceCount: quality.sourceCount,
                saturatedFraction: finite(quality.saturatedFraction), limitingMagnitude: finite(quality.limitingMagnitude),
                zeroPoint: finite(quality.zeroPoint), transparency: finite(quality.transparency))
        }
    }

    static func reviewEntry(_ review: Review) -> NightReport.ReviewEntry {
        let (kind, id): (NightReport.ReviewEntry.SubjectKind, String) =
            switch review.subject {
            case .frame(let frame): (.frame, frame.rawValue)
            case .observation(let observation): (.observation, observation.rawValue)
            }
        return NightReport.ReviewEntry(
            subjectKind: kind, subjectID: id, decision: review.decision, note: review.note, reviewer: review.reviewer, reviewedAt: review.reviewedAt)
    }

    /// The latest review of each subject, keyed by ``ReviewKey``.
    private static func latestReviews(_ reviews: [Review]) -> [String: NightReport.ReviewEntry] {
        var latest: [String: NightReport.ReviewEntry] = [:]
        for review in reviews {
            let entry = reviewEntry(review)
            let key = "\(entry.subjectKind.rawValue):\(entry.subjectID)"
            if let existing = latest[key], existing.reviewedAt > entry.reviewedAt { continue }
            latest[key] = entry
        }
        return latest
    }

    // MARK: Telescopes and sites

    private func telescopeNight(
        _ telescope: TelescopeID, data: NightData, timeline: OpenTimeline?, outcomes: [NightReport.ObservationEntry],
        frames: [NightReport.FrameEntry], journal: [JournalEntry]
    ) -> NightReport.TelescopeNight {
        let site = data.site(of: telescope) ?? SiteID("unknown")
        let planned = outcomes.filter(\.wasPlanned)
        func count(_ status: NightReport.ObservationEntry.Status) -> Int { planned.filter { $0.status == status }.count }
        var openIntervals = timeline?.intervals ?? []
        var source: NightReport.OpenHoursSource = (timeline?.transitionCount ?? 0) > 0 ? .journal : .none
        if source == .none, let first = frames.map(\.started).min(),
            let last = frames.map({ $0.started.addingTimeInterval($0.exposureSeconds) }).max(), last > first
        {
            openIntervals = [DateInterval(start: first, end: last)]
            source = .frames
        }
        let openHours = openIntervals.reduce(0) { $0 + $1.duration } / 3600
        let dark = data.dark(at: site)
        let openDark = dark.map { span in openIntervals.reduce(0) { $0 + ($1.intersection(with: span)?.duration ?? 0) } / 3600 }
        var faults = 0, unrecovered = 0
        for entry in journal {
            if entry.kind == .fault {
                faults += 1
                unrecovered += 1
            } else if entry.kind == .recovery {
                unrecovered = max(0, unrecovered - 1)
            }
        }
        let metrics = frames.filter(\.hasMetrics)
        let versions = data.planVersions[telescope] ?? []
        let exposedDarkSeconds = dark.map { span in
            frames.filter { $0.imageType == .light }.reduce(0.0) { total, frame in
                total + (DateInterval(start: frame.started, duration: max(0, frame.exposureSeconds)).intersection(with: span)?.duration ?? 0)
            }
        } ?? 0
        return NightReport.TelescopeNight(
            telescopeID: telescope, siteID: site, name: network.locate(telescope)?.telescope.name, planned: planned.count,
            completed: count(.completed), refused: count(.refused), aborted: count(.aborted), failed: count(.failed),
            notAttempted: count(.notAttempted), dropped: count(.dropped), unplanned: outcomes.filter { !$0.wasPlanned }.count,
            frames: frames.count, framesCorrupt: frames.filter { $0.quality.status == .corrupt }.count,
            framesMissing: frames.filter { $0.quality.status == .missing }.count, openHours: openHours,
            openIntervals: openIntervals.map(TimeSpan.init), openHoursSource: source,
            openFraction: dark.flatMap { $0.duration > 0 ? (openDark ?? 0) * 3600 / $0.duration : nil },
            exposureDarkHours: exposedDarkSeconds / 3600, exposingFraction: dark.flatMap { $0.duration > 0 ? exposedDarkSeconds / $0.duration : nil },
            faults: faults, unrecoveredFaults: unrecovered,
            medianFWHMArcseconds: Statistics.median(metrics.compactMap(\.quality.fwhmArcseconds)),
            medianEllipticity: Statistics.median(metrics.compactMap(\.quality.ellipticity)),
            medianTransparency: Statistics.median(metrics.compactMap(\.quality.transparency)),
            medianLimitingMagnitude: Statistics.median(metrics.compactMap(\.quality.limitingMagnitude)),
            planVersions: versions.count, ranking: versions.last.map { Self.ranking($0.ranking) })
    }

    private func siteNight(
        _ site: Site, data: NightData, telescopes: [NightReport.TelescopeNight], frames: [NightReport.FrameEntry]
    ) -> NightReport.SiteNight {
        let windows = data.windows[site.id]
        let dark = data.dark(at: site.id)
        let darkHours = (dark?.duration ?? 0) / 3600
        let openDarkHours = telescopes.reduce(0.0) { $0 + ($1.openFraction ?? 0) * darkHours }
        let darkTotal = darkHours * Double(telescopes.count)
        return NightReport.SiteNight(
            siteID: site.id, name: site.name, timeZone: site.timeZone.identifier, window: TimeSpan(data.window(of: site.id)),
            dark: dark.map(TimeSpan.init), darkHours: darkHours, moonIllumination: windows?.moonIllumination ?? 0,
            telescopes: telescopes.map(\.telescopeID), openHours: telescopes.reduce(0) { $0 + $1.openHours },
            openFraction: darkTotal > 0 ? openDarkHours / darkTotal : nil,
            planned: telescopes.reduce(0) { $0 + $1.planned }, completed: telescopes.reduce(0) { $0 + $1.completed },
            frames: telescopes.reduce(0) { $0 + $1.frames },
            medianFWHMArcseconds: Statistics.median(frames.filter { $0.siteID == site.id && $0.hasMetrics }.compactMap(\.quality.fwhmArcseconds)))
    }

    private static func totals(
        telescopes: [NightReport.TelescopeNight], frames: [NightReport.FrameEntry], followUps: [NightReport.FollowUp],
        sites: [NightReport.SiteNight]
    ) -> NightReport.Totals {
        func sum(_ value: (NightReport.TelescopeNight) -> Int) -> Int { telescopes.reduce(0) { $0 + value($1) } }
        var byStatus: [NightReport.Quality.Status: Int] = [:]
        for frame in frames { byStatus[frame.quality.status, default: 0] += 1 }
        let metrics = frames.filter(\.hasMetrics)
        var darkBySite: [SiteID: Double] = [:]
        for site in sites { darkBySite[site.siteID] = site.darkHours }
        var darkHours = 0.0, openDark = 0.0
        for telescope in telescopes {
            let dark = darkBySite[telescope.siteID] ?? 0
            darkHours += dark
            openDark += (telescope.openFraction ?? 0) * dark
        }
        let lightSeconds = frames.filter { $0.imageType == .light }.reduce(0.0) { $0 + $1.exposureSeconds }
        let active = telescopes.filter { $0.planned + $0.unplanned + $0.frames > 0 }.count
        return NightReport.Totals(
            telescopes: active, planned: sum(\.planned), completed: sum(\.completed), refused: sum(\.refused),
            aborted: sum(\.aborted), failed: sum(\.failed), notAttempted: sum(\.notAttempted), dropped: sum(\.dropped),
            unplanned: sum(\.unplanned), frames: frames.count, framesMeasured: byStatus[.measured] ?? 0,
            framesModelled: byStatus[.modelled] ?? 0, framesCorrupt: byStatus[.corrupt] ?? 0, framesMissing: byStatus[.missing] ?? 0,
            framesUnmeasured: byStatus[.unmeasured] ?? 0, exposureHours: lightSeconds / 3600, darkHours: darkHours,
            openHours: telescopes.reduce(0.0) { $0 + $1.openHours }, openFraction: darkHours > 0 ? openDark / darkHours : nil,
            medianFWHMArcseconds: Statistics.median(metrics.compactMap(\.quality.fwhmArcseconds)),
            medianTransparency: Statistics.median(metrics.compactMap(\.quality.transparency)),
            medianLimitingMagnitude: Statistics.median(metrics.compactMap(\.quality.limitingMagnitude)),
            followUps: followUps.filter { !$0.assignments.isEmpty }.count)
    }

    /// Planned requests not done, by cause, largest first.
    private static func shortfalls(_ entries: [NightReport.ObservationEntry]) -> [NightReport.Shortfall] {
        var byCause: [NightReport.Shortfall.Cause: (count: Int, hours: Double)] = [:]
        for entry in entries where entry.wasPlanned && entry.status != .completed {
            let cause = entry.cause ?? .notReached
            var hours = 0.0
            if let start = entry.plannedStart, let end = entry.plannedEnd { hours = end.timeIntervalSince(start) / 3600 }
            byCause[cause, default: (0, 0)].count += 1
            byCause[cause, default: (0, 0)].hours += hours
        }
        return byCause.map { NightReport.Shortfall(cause: $0.key, count: $0.value.count, plannedHours: $0.value.hours) }
            .sorted { ($1.count, $0.cause.rawValue) < ($0.count, $1.cause.rawValue) }
    }

    // MARK: Plans

    static func ranking(_ source: NightPlan.RankingSource) -> NightReport.PlanSummary.Ranking {
        if case .model = source { return .model }
        return .deterministic
    }

    private static func plans(_ data: NightData) -> ([NightReport.PlanSummary], [NightReport.ModelRanking]) {
        var summaries: [NightReport.PlanSummary] = []
        var rankings: [NightReport.ModelRanking] = []
        for telescope in data.planVersions.keys.sorted() {
            guard let versions = data.planVersions[telescope], let latest = versions.last else { continue }
            var model: String?
            if case .model(let name, _) = latest.ranking { model = name }
            var notes: [String] = []
            for note in versions.flatMap(\.notes) where !notes.contains(note) { notes.append(note) }
            summaries.append(NightReport.PlanSummary(
                planID: latest.id, telescopeID: telescope, siteID: latest.siteID, createdAt: latest.createdAt, version: versions.count,
                entries: latest.entries.count, ranking: ranking(latest.ranking), model: model, notes: notes))
            for plan in versions {
                guard case .model(let name, let trace) = plan.ranking else { continue }
                rankings.append(NightReport.ModelRanking(
                    planID: plan.id, telescopeID: telescope, siteID: plan.siteID, createdAt: plan.createdAt, model: name, reasoningTrace: trace,
                    entries: plan.entries.map { entry in
                        NightReport.RankedEntry(
                            requestID: entry.request.id, targetID: entry.request.target.id, targetName: entry.request.target.name,
                            start: entry.start, merit: finite(entry.merit) ?? 0, reason: entry.reason)
                    }))
            }
        }
        return (summaries, rankings)
    }

    // MARK: Thumbnails

    /// Representative frames, all measured from their pixels: the first frame of each
    /// follow-up, frames flagged by reviewers, then the sharpest and the widest-FWHM frame of
    /// each site in turn, up to `limit`.
    static func thumbnails(
        frames: [NightReport.FrameEntry], followUps: [NightReport.FollowUp], framesByAssignment: [AssignmentID: [NightReport.FrameEntry]],
        limit: Int
    ) -> [NightReport.Thumbnail] {
        func isDrawable(_ frame: NightReport.FrameEntry) -> Bool { frame.imageType == .light && frame.quality.status == .measured }
        let drawable = frames.filter(isDrawable)
        var chosen: [(frame: NightReport.FrameEntry, caption: String)] = []
        var taken: Set<FrameID> = []
        func take(_ frame: NightReport.FrameEntry?, _ caption: String) {
            guard let frame, chosen.count < limit, taken.insert(frame.frameID).inserted else { return }
            chosen.append((frame, caption))
        }
        for followUp in followUps {
            for assignment in followUp.assignments {
                let first = (framesByAssignment[assignment.assignmentID] ?? []).filter(isDrawable).min { $0.started < $1.started }
                let name = followUp.eventID ?? followUp.alertID.rawValue
                take(first, "First frame of \(name) on \(assignment.telescopeID), \(ReportFormat.delay(assignment.secondsFromAlertToFirstFrame)) after the alert")
            }
        }
        for frame in drawable where frame.review?.decision == .flagged {
            take(frame, "Flagged by \(frame.review?.reviewer ?? "a reviewer"): \(frame.review?.note ?? "")")
        }
        let bySite = Dictionary(grouping: drawable.filter { $0.quality.fwhmArcseconds != nil || $0.quality.fwhmPixels != nil }, by: \.siteID)
        for site in bySite.keys.sorted() {
            let sorted = (bySite[site] ?? []).sorted { fwhm($0) < fwhm($1) }
            take(sorted.first, "Sharpest frame at \(site): FWHM \(fwhmText(sorted.first))")
            if sorted.count > 1 { take(sorted.last, "Widest FWHM at \(site): \(fwhmText(sorted.last))") }
        }
        return chosen.enumerated().map { index, pick in
            NightReport.Thumbnail(
                frameID: pick.frame.frameID, telescopeID: pick.frame.telescopeID,
                file: "thumbnails/\(index + 1 < 10 ? "0" : "")\(index + 1)-\(ReportFormat.fileName(pick.frame.frameID.rawValue)).png",
                caption: pick.caption)
        }
    }

    private static func fwhm(_ frame: NightReport.FrameEntry) -> Double {
        frame.quality.fwhmArcseconds ?? frame.quality.fwhmPixels ?? .infinity
    }

    private static func fwhmText(_ frame: NightReport.FrameEntry?) -> String {
        guard let frame else { return "—" }
        if let arcseconds = frame.quality.fwhmArcseconds { return ReportFormat.number(arcseconds, 2) + "″" }
        return ReportFormat.number(frame.quality.fwhmPixels, 2) + " px"
    }
}
