import Foundation
public import Logging
import Metrics
public import Persistence
import Sky
public import StarlingCore

/// The agent that plans every telescope's night and re-plans one telescope when anything
/// changes.
///
/// An ``StarlingCore/Agent``: commands arrive in its mailbox (``send(_:)``) and are carried
/// out one at a time by ``run()``, in the order sent.
/// - `PlannerCommand.planNight(localDate:telescopes:)` plans the night that begins on a local
///   date at each site (``ArrayPlanner``), asks the reasoning model (if any) to re-rank each
///   telescope's best candidates, stores every plan through the ``PlanStore`` and emits
///   `PlannerEvent.planMade` for each, in telescope order.
/// - `PlannerCommand.replan(telescope:from:reason:)` re-plans one telescope from an instant
///   with the deterministic core only (fast, never waiting on a model): targets already
///   observed tonight anywhere and targets other telescopes plan to observe are left out; the
///   telescope starts from its last observation's pointing and filter.
/// - `PlannerCommand.resume(at:)`, after a restart, announces every telescope's latest stored
///   plan again (`PlannerEvent.planRestored`), so the night goes on as planned.
///
/// A command that fails is reported as `PlannerEvent.planningFailed` and logged; the
/// telescopes keep the plans they have. A plan's creation time comes from the injected clock;
/// nothing here reads the system clock.
///
/// ```swift
/// let agent = PlannerAgent(network: network, catalog: catalog, store: store, clock: clock, logger: logger) { event in
///     router.route(.planner(event))
/// }
/// clock.spawn(named: "planner") { try? await agent.run() }
/// agent.send(.planNight(localDate: CalendarDate("2026-11-23")!, telescopes: nil))
/// ```
public actor PlannerAgent: Agent {
    public typealias Command = PlannerCommand
    public typealias Event = PlannerEvent

    /// How the agent plans.
    public struct Configuration: Sendable {
        /// The array planner's configuration.
        public var planner: ArrayPlanner.Configuration
        /// How many of a telescope's candidates the reasoning model ranks.
        public var modelCandidates: Int

        public init(planner: ArrayPlanner.Configuration = ArrayPlanner.Configuration(), modelCandidates: Int = 12) {
            self.planner = planner
            self.modelCandidates = max(2, modelCandidates)
        }
    }

    private let network: ObservatoryNetwork
    private let catalog: TargetCatalog
    private let store: any PlanStore & ObservationStore
    private let clock: any UTCClock
    private let logger: Logger
    private let planner: ArrayPlanner
    private let configuration: Configuration
    private let model: (any ReasoningModel)?
    private let events: EventHandler<PlannerEvent>
    private let mailbox = Mailbox<PlannerCommand>()
    private var forecasts: [SiteID: any WeatherForecast]
    /// Prepared sites of the nights planned so far, by site and local date.
    private var prepared: [String: PreparedSite] = [:]
    private let plansMade = Counter(label: "starling.planner.plans")
    private let modelFallbacks = Counter(label: "starling.planner.model_fallbacks")
    private let planningSeconds = Metrics.Timer(label: "starling.planner.duration")

    /// Creates the agent.
    ///
    /// - Parameters:
    ///   - network: the array.
    ///   - catalog: the survey catalog.
    ///   - store: where plans go and where observations (for cadence and what is done) come from.
    ///   - clock: the clock plans are timestamped with.
    ///   - logger: the agent's logger (with the orchestration's metadata).
    ///   - configuration: how to plan.
    ///   - model: a reasoning model to re-rank candidates, or `nil` for the deterministic core alone.
    ///   - forecasts: expected weather per site; others use their climate.
    ///   - events: where `PlannerEvent`s go, from the agent's task.
    public init(
        network: ObservatoryNetwork, catalog: TargetCatalog, store: any PlanStore & ObservationStore, clock: any UTCClock, logger: Logger,
        configuration: Configuration = Configuration(), model: (any ReasoningModel)? = nil, forecasts: [SiteID: any WeatherForecast] = [:],
        events: @escaping EventHandler<PlannerEvent>
    ) {
        self.network = network
        self.catalog = catalog
        self.store = store
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
        self.planner = ArrayPlanner(network: network, configuration: configuration.planner)
        self.model = model
        self.forecasts = forecasts
        self.events = events
    }

    // MARK: Agent

    /// Queues a command; returns at once.
    public nonisolated func send(_ command: PlannerCommand) { mailbox.post(command) }

    /// Asks the agent to carry out what is already queued and then return from ``run()``.
    public nonisolated func stop(reason: String) { mailbox.requestStop(reason: reason) }

    /// Carries out commands as they arrive until stopped or cancelled.
    public func run() async throws {
        try await mailbox.runStoppingOnGracefulShutdown {
            while true {
                let commands = mailbox.takeAll()
                if commands.isEmpty {
                    if mailbox.stopReason != nil { return }
                    try await mailbox.wait(on: clock)
                    continue
                }
                // Handled, then the mailbox is looked at again before any sleep: rings that
                // arrived meanwhile were folded into the one that woke this task.
                for command in commands { await handle(command) }
            }
        }
    }

    /// Carries out one command and reports the outcome as events.
    ///
    /// - Returns: the plans made and stored (one per telescope, or the one re-planned); none
    ///   when the command failed (reported as `planningFailed`).
    @discardableResult
    func handle(_ command: PlannerCommand) async -> [NightPlan] {
        do throws(PlanningError) {
            switch command {
            case .planNight(let date, let telescopes):
                return try await planArray(.localDate(date), telescopes: telescopes)
            case .replan(let telescope, let time, let reason):
                return [try await replan(telescope: telescope, from: time, reason: reason)]
            case .resume(let time):
                return try await resume(at: time)
            }
        } catch {
            let telescope: TelescopeID? = if case .replan(let id, _, _) = command { id } else { nil }
            logger.error("Planning failed", metadata: ["telescope.id": "\(telescope?.rawValue ?? "all")", "error": "\(error)"])
            events(.planningFailed(telescope: telescope, reason: error.description, at: clock.currentDate))
            return []
        }
    }

    /// Replaces a site's expected weather (a new forecast, or the simulator's timeline).
    public func setForecast(_ forecast: any WeatherForecast, for site: SiteID) {
        forecasts[site] = forecast
    }

    /// Plans, stores and announces the night of some telescopes (all by default).
    func planArray(_ selection: ArrayPlanner.NightSelection, telescopes: Set<TelescopeID>? = nil) async throws(PlanningError) -> [NightPlan] {
        let started = clock.now
        let lastVisits: [TargetID: Date]
        do {
            lastVisits = try await store.lastVisits(before: started.date)
        } catch {
            throw PlanningError.store(error, while: "reading the last visits")
        }
        let arrayPlan = try planner.plan(selection, catalog: catalog.targets, lastVisits: lastVisits, forecasts: forecasts, telescopes: telescopes)
        for (id, site) in arrayPlan.sites { prepared["\(id)|\(site.night.localDate)"] = site }
        // Ask the model about every telescope (as many at once as it takes; answers may take a
        // minute each), then apply the answers one telescope after another.
        var questions: [TelescopeID: RankingRequest] = [:]
        var answers: [TelescopeID: Answered] = [:]
        if let model {
            for telescopePlan in arrayPlan.plans where telescopePlan.schedule.entries.count >= 2 {
                guard let site = arrayPlan.sites[telescopePlan.site.id] else { continue }
                switch rankingRequest(for: telescopePlan, site: site, lastVisits: lastVisits) {
                case .success(let question): questions[telescopePlan.telescope.id] = question
                case .failure(let error): answers[telescopePlan.telescope.id] = Answered(result: .failure(error), seconds: 0)
                }
            }
            answers.merge(await Self.ask(model, questions.sorted { $0.key < $1.key }), uniquingKeysWith: { first, _ in first })
        }
        var plans: [NightPlan] = []
        // Each telescope's requests, so a re-ranked plan never takes another telescope's.
        var requestsByTelescope = Dictionary(uniqueKeysWithValues: arrayPlan.plans.map { ($0.telescope.id, Set($0.schedule.entries.map(\.request.id))) })
        for telescopePlan in arrayPlan.plans {
            var schedule = telescopePlan.schedule
            var ranking = NightPlan.RankingSource.deterministic
            var notes = schedule.notes + ["\(schedule.algorithm): \(schedule.entries.count) observations, \(Int((schedule.usedFraction * 100).rounded())) % of the night used, merit \(format(schedule.totalMerit, 1))"]
            var consultation: ModelConsultation?
            if let model, let answered = answers[telescopePlan.telescope.id], let site = arrayPlan.sites[telescopePlan.site.id] {
                let taken = requestsByTelescope.filter { $0.key != telescopePlan.telescope.id }.values.reduce(into: Set<RequestID>()) { $0.formUnion($1) }
                let deterministicMerit = telescopePlan.schedule.entries.reduce(0) { $0 + $1.merit }
                let shown = questions[telescopePlan.telescope.id]?.candidates.map(\.id) ?? []
                switch answered.result.flatMap({ answer in
                    let rankedIDs = Set(answer.ranking.map(\.id))
                    let orderChanged = answer.ranking.map(\.id) != shown.filter { rankedIDs.contains($0) }
                    return apply(answer, orderChanged: orderChanged, to: telescopePlan, site: site, lastVisits: lastVisits, taken: taken)
                        .map { (answer, $0, orderChanged) }
                }) {
                case .success(let (answer, ranked, orderChanged)):
                    schedule = ranked
                    requestsByTelescope[telescopePlan.telescope.id] = Set(schedule.entries.map(\.request.id))
                    ranking = .model(name: model.name, reasoningTrace: answer.reasoningTrace)
                    consultation = ModelConsultation(
                        model: model.name, seconds: answered.seconds, candidateCount: shown.count, verdict: answer.repairs.isEmpty ? .accepted : .repaired,
                        repairs: answer.repairs, orderChanged: orderChanged,
                        scheduleChanged: ranked.entries.map(\.request.id) != telescopePlan.schedule.entries.map(\.request.id),
                        deterministicMerit: deterministicMerit, plannedMerit: ranked.entries.reduce(0) { $0 + $1.merit })
                case .failure(let error):
                    modelFallbacks.increment()
                    consultation = ModelConsultation(
                        model: model.name, seconds: answered.seconds, candidateCount: shown.count, verdict: .rejected, failureCode: error.code.rawValue,
                        failure: error.message, deterministicMerit: deterministicMerit, plannedMerit: deterministicMerit)
                    logger.notice("Model fallback", metadata: ["telescope.id": "\(telescopePlan.telescope.id)", "model.error": "\(error.code.rawValue)"])
                }
                if let consultation { notes.append(consultation.note) }
            }
            let plan = try await store(
                schedule: schedule, site: telescopePlan.site, telescope: telescopePlan.telescope, night: telescopePlan.night, ranking: ranking, notes: notes,
                modelConsultation: consultation)
            plans.append(plan)
        }
        planningSeconds.recordSeconds(clock.now.secondsSince1970 - started.secondsSince1970)
        logger.info("Array planned", metadata: ["plan.count": "\(plans.count)", "plan.observations": "\(plans.reduce(0) { $0 + $1.entries.count })"])
        for plan in plans { events(.planMade(plan)) }
        return plans
    }

    /// Announces each telescope's latest stored plan for the night containing `time` again,
    /// without the entries already done (the store has their completed observations), and
    /// re-plans from `time` the telescopes that have none.
    func resume(at time: Date) async throws(PlanningError) -> [NightPlan] {
        var plans: [NightPlan] = []
        for site in network.sites {
            let night = SiteNight.localDate(containing: time, at: site)
            let stored: [NightPlan]
            let done: Set<RequestID>
            do {
                stored = try await store.latestPlans(night: night, site: site.id)
                let since = time.addingTimeInterval(-36 * 3600)
                done = Set(try await store.observations(startedIn: DateInterval(start: since, end: time), site: site.id)
                    .filter { $0.outcome == .completed }.map(\.requestID))
            } catch {
                throw PlanningError.store(error, while: "reading the plans stored before the restart")
            }
            for telescope in site.telescopes {
                if let plan = stored.first(where: { $0.telescopeID == telescope.id }) {
                    let restored = NightPlan(
                        id: plan.id, telescopeID: plan.telescopeID, siteID: plan.siteID, night: plan.night, createdAt: plan.createdAt,
                        entries: plan.entries.filter { !done.contains($0.request.id) }, ranking: plan.ranking, notes: plan.notes,
                        modelConsultation: plan.modelConsultation)
                    events(.planRestored(restored))
                    plans.append(restored)
                } else {
                    plans.append(try await replan(telescope: telescope.id, from: time, reason: "resumed after a restart with no stored plan"))
                }
            }
        }
        logger.notice("Plans restored after a restart", metadata: ["plan.count": "\(plans.count)"])
        return plans
    }

    /// Re-plans one telescope from an instant (deterministic core only).
    func replan(telescope id: TelescopeID, from time: Date, reason: String) async throws(PlanningError) -> NightPlan {
        guard let (site, telescope) = network.locate(id) else {
            throw PlanningError(.unknownTelescope, "no telescope '\(id)' in the network (see `starling sites`)")
        }
        // The prepared night that contains `time`, else that night prepared now (after a restart:
        // the site's night that contains `time`, its pool scored for all the site's telescopes,
        // which plan from it one after another).
        let nightDate = SiteNight.localDate(containing: time, at: site)
        var preparedSite = prepared.values.first { $0.night.site.id == site.id && Self.span(of: $0.night)?.contains(time) == true }
            ?? prepared["\(site.id)|\(nightDate)"]
        if preparedSite == nil {
            let arrayPlan = try planner.plan(
                .localDate(nightDate), catalog: catalog.targets, forecasts: forecasts, telescopes: Set(site.telescopes.map(\.id)))
            preparedSite = arrayPlan.sites[site.id]
            if let preparedSite { prepared["\(site.id)|\(preparedSite.night.localDate)"] = preparedSite }
        }
        guard let preparedSite, let span = Self.span(of: preparedSite.night) else {
            let plan = try await store(
                schedule: .empty(note: "no darkness at \(site.id) around \(ISO8601.string(from: time))"), site: site, telescope: telescope,
                night: nightDate, ranking: .deterministic, notes: ["re-plan: \(reason)"])
            events(.planMade(plan))
            return plan
        }
        let night = preparedSite.night.localDate
        var excluded = Set<RequestID>()
        var origin = NightScheduler.Origin(time: time)
        let lastVisits: [TargetID: Date]
        do {
            // Cadence as it stood when the night began, as the night's first plan saw it: a
            // target's visit tonight must not make its later visits tonight worthless.
            lastVisits = try await store.lastVisits(before: min(time, span.start))
            // Done tonight anywhere in the array: not again (a later visit is another request).
            let since = min(span.start.addingTimeInterval(-12 * 3600), time)  // never an interval that ends before it starts
            let tonight = try await store.observations(startedIn: DateInterval(start: since, end: time), site: nil)
            for observation in tonight where observation.outcome == .completed { excluded.insert(observation.requestID) }
            // Where this telescope last pointed, and with which filter.
            if let last = tonight.last(where: { $0.telescopeID == id && $0.started >= span.start }),
                let target = catalog.targets.first(where: { $0.id == last.targetID })
            {
                origin.pointing = target.coordinates
                origin.filter = last.frames.last?.filter
            }
            // Planned by another telescope and still to come.
            for date in [night.adding(days: -1), night, night.adding(days: 1)] {
                for plan in try await store.latestPlans(night: date, site: nil) where plan.telescopeID != id {
                    for entry in plan.entries where entry.end > time { excluded.insert(entry.request.id) }
                }
            }
        } catch {
            throw PlanningError.store(error, while: "reading what is done tonight")
        }
        let schedule = try planner.replan(
            telescope: id, prepared: preparedSite, origin: origin, excluding: excluded, lastVisits: lastVisits,
            forecast: forecasts[site.id] ?? ClimateForecast(climate: site.climate))
        logger.notice("Re-planned", metadata: ["telescope.id": "\(id)", "replan.reason": "\(reason)", "plan.observations": "\(schedule.entries.count)"])
        let plan = try await store(
            schedule: schedule, site: site, telescope: telescope, night: night, ranking: .deterministic,
            notes: ["re-plan from \(ISO8601.string(from: time, fractionalSeconds: false)): \(reason)"] + schedule.notes
                + ["\(schedule.algorithm): \(schedule.entries.count) observations, merit \(format(schedule.totalMerit, 1))"])
        events(.planMade(plan))
        return plan
    }

    // MARK: Steps

    private static func span(of night: SiteNight) -> DateInterval? {
        guard let first = night.instants.first, let last = night.instants.last else { return nil }
        return DateInterval(start: first, end: last)
    }

    /// Makes the `NightPlan`, stores it (returning after the commit) and counts it.
    private func store(
        schedule: Schedule, site: Site, telescope: Telescope, night: CalendarDate, ranking: NightPlan.RankingSource, notes: [String],
        modelConsultation: ModelConsultation? = nil
    ) async throws(PlanningError) -> NightPlan {
        let existing: Int
        do {
            existing = try await store.plans(telescope: telescope.id, night: night).count
        } catch {
            throw PlanningError.store(error, while: "numbering the plan of \(telescope.id)")
        }
        let plan = NightPlan(
            id: PlanID("\(telescope.id)@\(night)#\(existing + 1)"), telescopeID: telescope.id, siteID: site.id, night: night,
            createdAt: clock.now.date, entries: schedule.entries, ranking: ranking, notes: notes, modelConsultation: modelConsultation)
        do {
            try await store.savePlan(plan)
        } catch {
            throw PlanningError.store(error, while: "storing the plan of \(telescope.id)")
        }
        plansMade.increment()
        logger.debug("Plan stored", metadata: ["telescope.id": "\(telescope.id)", "plan.id": "\(plan.id)", "plan.observations": "\(plan.entries.count)"])
        return plan
    }

    /// The question for the model about one telescope: its best candidates (by the core's
    /// merit) with the metrics the core computed, the weather and the local time.
    private func rankingRequest(for telescopePlan: TelescopePlan, site: PreparedSite, lastVisits: [TargetID: Date]) -> Result<RankingRequest, ModelError> {
        let schedule = telescopePlan.schedule
        // One line per target (the model ranks targets; a later visit follows its first).
        var seen = Set<TargetID>()
        let top = schedule.entries.sorted { $0.merit > $1.merit }.filter { seen.insert($0.request.target.id).inserted }.prefix(configuration.modelCandidates)
        let timeZone = telescopePlan.site.timeZone
        let forecast = forecasts[telescopePlan.site.id] ?? ClimateForecast(climate: telescopePlan.site.climate)
        let weather = forecast.expectedConditions(at: schedule.entries[schedule.entries.count / 2].start)
        var candidates: [RankingRequest.Candidate] = []
        for (rank, entry) in top.enumerated() {
            let target = entry.request.target
            let separation: Double
            do {
                separation = try site.night.observer.frame(at: entry.start).moonSeparation(from: target.coordinates).degrees
            } catch {
                return .failure(ModelError(.configuration, "cannot describe the candidates: \(error)"))
            }
            candidates.append(RankingRequest.Candidate(
                id: target.id.rawValue, name: target.name, priority: entry.request.priority, merit: (entry.merit * 1000).rounded() / 1000,
                deterministicRank: rank + 1, startUTC: ISO8601.string(from: entry.start, fractionalSeconds: false),
                startLocal: entry.start.hourMinute(in: timeZone), altitudeDegrees: (entry.altitudeStart.degrees * 10).rounded() / 10,
                airmass: (entry.airmass * 100).rounded() / 100, moonSeparationDegrees: (separation * 10).rounded() / 10,
                nightsSinceLastVisit: lastVisits[target.id].map { (entry.start.timeIntervalSince($0) / 8640).rounded() / 10 },
                cadenceNights: target.cadenceNights))
        }
        return .success(RankingRequest(
            telescope: telescopePlan.telescope.id.rawValue, site: telescopePlan.site.id.rawValue, timeZone: timeZone.identifier,
            night: telescopePlan.night.description,
            weather: "cloud \(Int((weather.cloudFraction * 100).rounded())) %, seeing \(format(weather.seeing.arcseconds, 1))″ at mid-night",
            candidates: candidates))
    }

    /// A model's answer to one question and how long the model took over it.
    private struct Answered: Sendable {
        let result: Result<RankingAnswer, ModelError>
        let seconds: Double
    }

    /// Asks the model every question, never more at once than it takes
    /// (``ReasoningModel/concurrentRequests``), so each question's time is the model's own.
    private static func ask(_ model: any ReasoningModel, _ questions: [(TelescopeID, RankingRequest)]) async -> [TelescopeID: Answered] {
        await withTaskGroup(of: (TelescopeID, Answered).self) { group in
            var answers: [TelescopeID: Answered] = [:]
            var pending = questions[...]
            func submit() {
                guard let (id, question) = pending.popFirst() else { return }
                group.addTask {
                    let clock = ContinuousClock()
                    let started = clock.now
                    let result: Result<RankingAnswer, ModelError>
                    do throws(ModelError) {
                        result = .success(try await model.rank(question))
                    } catch {
                        result = .failure(error)
                    }
                    return (id, Answered(result: result, seconds: started.duration(to: clock.now).seconds))
                }
            }
            for _ in 0..<max(1, model.concurrentRequests) { submit() }
            for await (id, answer) in group {
                answers[id] = answer
                submit()
            }
            return answers
        }
    }

    /// Re-plans a telescope with the model's order as a merit adjustment (1.5× for its first
    /// choice down to 0.5× for its last); the core still checks every constraint.
    ///
    /// A model that agrees with the core's order leaves the plan as it was (with its reasons):
    /// weighting merit by an unchanged order would move the plan without anyone asking.
    private func apply(
        _ answer: RankingAnswer, orderChanged: Bool, to telescopePlan: TelescopePlan, site: PreparedSite, lastVisits: [TargetID: Date],
        taken: Set<RequestID>
    ) -> Result<Schedule, ModelError> {
        var adjustments: [TargetID: Double] = [:]
        var reasons: [TargetID: String] = [:]
        let last = Double(max(1, answer.ranking.count - 1))
        for (rank, entry) in answer.ranking.enumerated() {
            adjustments[TargetID(entry.id)] = orderChanged ? 1.5 - Double(rank) / last : 1
            reasons[TargetID(entry.id)] = entry.reason
        }
        guard orderChanged else {
            let schedule = telescopePlan.schedule
            let entries = schedule.entries.map { entry in
                guard let reason = reasons[entry.request.target.id] else { return entry }
                return PlannedObservation(
                    request: entry.request, start: entry.start, end: entry.end, altitudeStart: entry.altitudeStart, altitudeEnd: entry.altitudeEnd,
                    airmass: entry.airmass, merit: entry.merit, reason: "model: \(reason)")
            }
            return .success(Schedule(
                entries: entries, totalMerit: schedule.totalMerit, usedFraction: schedule.usedFraction, algorithm: schedule.algorithm,
                candidateCount: schedule.candidateCount, notes: schedule.notes))
        }
        let ranked: Schedule
        do {
            ranked = try planner.replan(
                telescope: telescopePlan.telescope.id, prepared: site, origin: .nightStart, excluding: taken, lastVisits: lastVisits,
                forecast: forecasts[telescopePlan.site.id] ?? ClimateForecast(climate: telescopePlan.site.climate), adjustments: adjustments)
        } catch {
            return .failure(ModelError(.configuration, "re-planning with the model's ranking failed: \(error)"))
        }
        // Entries keep the core's merit (the model's factor taken back out), so the plan's merit
        // compares with the deterministic plan's.
        let entries = ranked.entries.map { entry in
            let target = entry.request.target.id
            return PlannedObservation(
                request: entry.request, start: entry.start, end: entry.end, altitudeStart: entry.altitudeStart, altitudeEnd: entry.altitudeEnd,
                airmass: entry.airmass, merit: entry.merit / (adjustments[target] ?? 1), reason: reasons[target].map { "model: \($0)" } ?? entry.reason)
        }
        return .success(Schedule(
            entries: entries, totalMerit: entries.reduce(0) { $0 + $1.merit }, usedFraction: ranked.usedFraction, algorithm: ranked.algorithm,
            candidateCount: ranked.candidateCount, notes: ranked.notes))
    }
}
