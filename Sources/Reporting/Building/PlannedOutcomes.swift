import Foundation
import Persistence
import StarlingCore

extension NightReport.Shortfall.Cause {
    /// The cause an outcome's reason code stands for.
    init(_ code: Reason.Code) {
        switch code {
        case .belowHorizon, .airmassTooHigh, .tooCloseToSun, .tooCloseToMoon, .moonTooBright, .notDarkEnough, .outsideWindow:
            self = .staleTarget
        case .weatherUnsafe, .weatherUnknown:
            self = .weather
        case .enclosureClosed:
            self = .closed
        case .telescopeFault, .deviceFault, .deviceTimeout, .disconnected, .interrupted:
            self = .fault
        case .telescopeBusy, .preempted, .operatorRequest, .leaseExpired, .retracted:
            self = .interruption
        case .endOfNight:
            self = .endOfNight
        case .unsupportedFilter, .invalidRequest:
            self = .invalidRequest
        }
    }
}

/// Planned requests against what was done: one entry per planned request (from every version
/// of every plan) and per observed request that was in no plan.
struct PlannedOutcomes {
    let entries: [NightReport.ObservationEntry]

    /// A planned slot and where it was last seen.
    private struct Slot {
        let entry: PlannedObservation
        let telescopeID: TelescopeID
        let siteID: SiteID
        /// The index of the last plan version holding it.
        let version: Int
        /// Whether the telescope's latest plan holds it.
        let isInLatestPlan: Bool
        /// The notes of the re-plan that dropped it, if one did.
        let droppedBy: NightPlan?
    }

    init(
        data: NightData, openTimelines: [TelescopeID: OpenTimeline], framesByObservation: [ObservationID: [NightReport.FrameEntry]],
        latestReviews: [String: NightReport.ReviewEntry]
    ) {
        var slots: [RequestID: Slot] = [:]
        for (telescope, versions) in data.planVersions {
            for (index, plan) in versions.enumerated() {
                for entry in plan.entries {
                    let slot = Slot(
                        entry: entry, telescopeID: telescope, siteID: plan.siteID, version: index, isInLatestPlan: index == versions.count - 1,
                        droppedBy: index + 1 < versions.count ? versions[index + 1] : nil)
                    // A request planned on two telescopes (moved by a re-plan) counts where it was planned last.
                    if let existing = slots[entry.request.id], existing.isInLatestPlan, !slot.isInLatestPlan { continue }
                    slots[entry.request.id] = slot
                }
            }
        }
        var attempts: [RequestID: [Observation]] = [:]
        for observation in data.observations { attempts[observation.requestID, default: []].append(observation) }
        var assignedRequests: [RequestID: Assignment] = [:]
        for assignment in data.assignments { assignedRequests[assignment.request.id] = assignment }

        var entries: [NightReport.ObservationEntry] = []
        for (requestID, slot) in slots {
            let tries = attempts[requestID] ?? []
            let request = slot.entry.request
            var entry = NightReport.ObservationEntry(
                requestID: requestID, targetID: request.target.id, targetName: request.target.name, kind: request.kind,
                telescopeID: slot.telescopeID, siteID: slot.siteID,
                rightAscensionDegrees: request.target.coordinates.rightAscension.degrees,
                declinationDegrees: request.target.coordinates.declination.degrees, wasPlanned: true,
                plannedStart: slot.entry.start, plannedEnd: slot.entry.end, status: .notAttempted, cause: nil, reasonCode: nil, reason: nil,
                observationID: nil, started: nil, ended: nil, attempts: tries.count, frameCount: 0, review: nil)
            if let last = tries.last {
                Self.apply(last, attempts: tries, to: &entry, frames: framesByObservation, reviews: latestReviews)
            } else if slot.isInLatestPlan {
                let (cause, reason) = Self.whyNotAttempted(slot: slot, data: data, timeline: openTimelines[slot.telescopeID])
                entry.cause = cause
                entry.reason = reason
            } else {
                entry.status = .dropped
                entry.cause = .droppedAtReplan
                let note = slot.droppedBy?.notes.first.map { ": \($0)" } ?? ""
                entry.reason = "dropped by the re-plan of \(Self.time(slot.droppedBy?.createdAt))\(note)"
            }
            entries.append(entry)
        }
        for (requestID, tries) in attempts where slots[requestID] == nil {
            guard let last = tries.last else { continue }
            let assignment = assignedRequests[requestID]
            let pointing = tries.lazy.flatMap(\.frames).compactMap(\.pointing).first
            let target = assignment?.request.target
            var entry = NightReport.ObservationEntry(
                requestID: requestID, targetID: last.targetID, targetName: target?.name, kind: assignment?.request.kind,
                telescopeID: last.telescopeID, siteID: last.siteID,
                rightAscensionDegrees: (target?.coordinates ?? pointing)?.rightAscension.degrees,
                declinationDegrees: (target?.coordinates ?? pointing)?.declination.degrees, wasPlanned: false, plannedStart: nil,
                plannedEnd: nil, status: .completed, cause: nil, reasonCode: nil, reason: nil, observationID: nil, started: nil, ended: nil,
                attempts: tries.count, frameCount: 0, review: nil)
            Self.apply(last, attempts: tries, to: &entry, frames: framesByObservation, reviews: latestReviews)
            entries.append(entry)
        }
        self.entries = entries.sorted {
            ($0.plannedStart ?? $0.started ?? .distantPast, $0.telescopeID, $0.requestID) < ($1.plannedStart ?? $1.started ?? .distantPast, $1.telescopeID, $1.requestID)
        }
    }

    /// Fills an entry from its last attempt.
    private static func apply(
        _ last: Observation, attempts: [Observation], to entry: inout NightReport.ObservationEntry,
        frames: [ObservationID: [NightReport.FrameEntry]], reviews: [String: NightReport.ReviewEntry]
    ) {
        switch last.outcome {
        case .completed: entry.status = .completed
        case .refused: entry.status = .refused
        case .aborted: entry.status = .aborted
        case .failed: entry.status = .failed
        }
        if let reason = last.outcome.reason {
            entry.cause = NightReport.Shortfall.Cause(reason.code)
            entry.reasonCode = reason.code.rawValue
            entry.reason = reason.detail
        }
        entry.observationID = last.id
        entry.started = last.started
        entry.ended = last.ended
        entry.frameCount = attempts.reduce(0) { $0 + max($1.frames.count, frames[$1.id]?.count ?? 0) }
        entry.review = reviews[ReviewKey.observation(last.id)]
    }

    /// Why a request still in the plan was never attempted: the telescope was closed (after a
    /// weather, safety or fault entry, or for no recorded reason), the slot was after the
    /// report was made, or the queue never reached it.
    private static func whyNotAttempted(slot: Slot, data: NightData, timeline: OpenTimeline?) -> (NightReport.Shortfall.Cause, String) {
        let start = slot.entry.start
        if start > data.generatedAt {
            return (.notReached, "planned for \(time(start)), after this report was made")
        }
        if timeline?.isOpen(at: start) == false {
            let telescope = slot.telescopeID.rawValue, site = slot.siteID.rawValue
            let explanation = data.journal.last { entry in
                entry.time <= start && [.weather, .safety, .fault].contains(entry.kind)
                    && (entry.subject == telescope || (entry.subject == site && entry.siteID == site))
            }
            guard let explanation else { return (.closed, "the telescope was closed at \(time(start))") }
            let cause: NightReport.Shortfall.Cause = explanation.kind == .fault ? .fault : .weather
            return (cause, "the telescope was closed at \(time(start)) after \(time(explanation.time)): \(explanation.message)")
        }
        if let dark = data.dark(at: slot.siteID), start >= dark.end {
            return (.endOfNight, "planned for \(time(start)), after astronomical dawn at \(time(dark.end))")
        }
        return (.notReached, "still in the plan for \(time(start)) but never started")
    }

    /// `HH:MM UTC`, or `—` without an instant.
    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        return ReportFormat.utcTime(date) + " UTC"
    }
}

/// Keys of the latest-review lookup.
enum ReviewKey {
    static func frame(_ id: FrameID) -> String { "frame:\(id)" }
    static func observation(_ id: ObservationID) -> String { "observation:\(id)" }
}
