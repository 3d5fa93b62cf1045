import Foundation
import Sky
import StarlingCore

/// The survey against its cadence: which targets were due, which of those could be observed
/// tonight, which were visited, and which are due next.
///
/// A target is due when it was never visited, or when its last completed visit is at least
/// its cadence minus half a night before the start of the night (visits fall at different
/// times of the night; half a night of slack keeps a five-night cadence five nights).
struct SurveyCadence {
    let progress: NightReport.SurveyProgress
    /// Targets due by the next night and not visited tonight, most urgent first, and their count.
    let dueNext: [NightReport.SurveyTarget]
    let dueNextCount: Int

    /// Slack on a cadence, nights.
    static let slackNights = 0.5
    /// The step at which observability is checked, seconds.
    static let observabilityStep: TimeInterval = 15 * 60

    init?(targets: [Target], source: String, data: NightData, visited: Set<TargetID>, listLength: Int) throws(ReportingError) {
        let survey = targets.filter { ($0.cadenceNights ?? 0) > 0 }
        guard !survey.isEmpty else { return nil }
        let nightStart = data.interval.start
        func nightsSince(_ target: Target) -> Double? {
            data.lastVisits[target.id].map { nightStart.timeIntervalSince($0) / 86_400 }
        }
        func isDue(_ target: Target, nightsAhead: Double) -> Bool {
            guard let cadence = target.cadenceNights, let since = nightsSince(target) else { return true }
            return since + nightsAhead >= cadence - Self.slackNights
        }
        let due = survey.filter { isDue($0, nightsAhead: 0) }
        let observable = try Self.observable(due, data: data)
        let dueVisited = due.filter { visited.contains($0.id) }
        let dueObservable = due.filter { observable.contains($0.id) }.count

        func entry(_ target: Target) -> NightReport.SurveyTarget {
            NightReport.SurveyTarget(
                targetID: target.id, name: target.name, priority: target.priority, cadenceNights: target.cadenceNights ?? 0,
                lastVisit: data.lastVisits[target.id], nightsSinceVisit: nightsSince(target), observableTonight: observable.contains(target.id))
        }
        /// Observable first, then higher priority, then longer since the last visit (never first).
        func urgency(_ a: Target, _ b: Target) -> Bool {
            let ao = observable.contains(a.id), bo = observable.contains(b.id)
            if ao != bo { return ao }
            if a.priority != b.priority { return a.priority > b.priority }
            let sa = nightsSince(a) ?? .infinity, sb = nightsSince(b) ?? .infinity
            if sa != sb { return sa > sb }
            return a.id < b.id
        }
        let overdue = due.filter { !visited.contains($0.id) }.sorted(by: urgency)
        progress = NightReport.SurveyProgress(
            source: source, targets: survey.count, due: due.count, dueObservable: dueObservable,
            visited: survey.filter { visited.contains($0.id) }.count, dueVisited: dueVisited.count,
            neverVisited: due.filter { data.lastVisits[$0.id] == nil }.count,
            completion: dueObservable > 0 ? Double(dueVisited.filter { observable.contains($0.id) }.count) / Double(dueObservable) : nil,
            overdue: overdue.prefix(listLength).map(entry))
        let next = survey.filter { !visited.contains($0.id) && isDue($0, nightsAhead: 1) }.sorted(by: urgency)
        dueNext = next.prefix(listLength).map(entry)
        dueNextCount = next.count
    }

    /// The targets observable at some 15-minute step of astronomical darkness from at least
    /// one of the report's sites, under the default constraints.
    private static func observable(_ targets: [Target], data: NightData) throws(ReportingError) -> Set<TargetID> {
        guard !targets.isEmpty else { return [] }
        var found: Set<TargetID> = []
        let positions = targets.map(\.coordinates)
        for site in data.sites {
            guard let dark = data.dark(at: site.id) else { continue }
            var instants: [Date] = []
            var instant = dark.start
            while instant <= dark.end {
                instants.append(instant)
                instant = instant.addingTimeInterval(observabilityStep)
            }
            let grid: VisibilityGrid
            do {
                grid = try VisibilityGrid(observer: Observer(site: site), targets: positions, instants: instants)
            } catch {
                throw ReportingError(error, while: "compute which survey targets \(site.id) could observe")
            }
            let mask = grid.observability(constraints: ObservingConstraints(), horizon: site.horizonMask)
            for (index, target) in targets.enumerated() where !found.contains(target.id) && mask.observableCount(target: index) > 0 {
                found.insert(target.id)
            }
        }
        return found
    }
}
