import Foundation
import Persistence
import StarlingCore

/// Every follow-up of the night: alerts received in the report's span (network report) and
/// alerts with an assignment planned in it or an observation made under one.
enum FollowUps {
    static func build(
        data: NightData, alertRecords: [AlertID: AlertRecord], framesByObservation: [ObservationID: [NightReport.FrameEntry]]
    ) -> [NightReport.FollowUp] {
        var observationsByRequest: [RequestID: [Observation]] = [:]
        for observation in data.observations { observationsByRequest[observation.requestID, default: []].append(observation) }
        var assignmentsByAlert: [AlertID: [Assignment]] = [:]
        for assignment in data.assignments { assignmentsByAlert[assignment.alertID, default: []].append(assignment) }

        var alertIDs = Array(assignmentsByAlert.keys)
        if data.scopeSite == nil {
            // The network report lists every notice received, followed up or not.
            alertIDs += data.alerts.map(\.id).filter { assignmentsByAlert[$0] == nil }
        }
        var followUps: [NightReport.FollowUp] = []
        for alertID in Set(alertIDs) {
            let record = alertRecords[alertID]
            let alert = record?.alert
            var assignments: [NightReport.AssignmentEntry] = []
            for assignment in assignmentsByAlert[alertID] ?? [] {
                let observations = observationsByRequest[assignment.request.id] ?? []
                let frames = observations.flatMap { framesByObservation[$0.id] ?? [] }.filter { $0.imageType == .light }
                let first = frames.map(\.started).min()
                assignments.append(NightReport.AssignmentEntry(
                    assignmentID: assignment.id, telescopeID: assignment.telescopeID, siteID: assignment.siteID, state: assignment.state,
                    reason: assignment.reason, plannedStart: assignment.plannedStart,
                    outcomes: observations.map { observation in
                        observation.outcome.reason.map { "\(observation.outcome.name) (\($0.code.rawValue): \($0.detail))" } ?? observation.outcome.name
                    },
                    firstFrameAt: first,
                    secondsFromAlertToFirstFrame: delay(from: record?.receivedAt, to: first),
                    secondsFromEventToFirstFrame: delay(from: alert?.eventTime, to: first),
                    frameCount: frames.count, depth: depth(of: frames)))
            }
            let allFrames = (assignmentsByAlert[alertID] ?? []).flatMap { assignment in
                (observationsByRequest[assignment.request.id] ?? []).flatMap { framesByObservation[$0.id] ?? [] }
            }.filter { $0.imageType == .light }
            let first = allFrames.map(\.started).min()
            var radius: Double?
            if case .circle(let r)? = alert?.errorRegion { radius = r.degrees }
            followUps.append(NightReport.FollowUp(
                alertID: alertID, eventID: alert?.eventID, mission: alert?.mission, noticeType: alert?.noticeType,
                alertKind: alert?.kind.rawValue, serial: alert?.serial, isRetraction: alert?.isRetraction ?? false,
                eventTime: alert?.eventTime, receivedAt: record?.receivedAt, status: record?.status.rawValue,
                note: record.flatMap { $0.note.isEmpty ? nil : $0.note },
                rightAscensionDegrees: alert?.position?.rightAscension.degrees, declinationDegrees: alert?.position?.declination.degrees,
                errorRadiusDegrees: radius, assignments: assignments, firstFrameAt: first,
                secondsFromAlertToFirstFrame: delay(from: record?.receivedAt, to: first),
                secondsFromEventToFirstFrame: delay(from: alert?.eventTime, to: first), frameCount: allFrames.count,
                depth: depth(of: allFrames)))
        }
        return followUps.sorted { ($0.receivedAt ?? $0.eventTime ?? .distantPast, $0.alertID) < ($1.receivedAt ?? $1.eventTime ?? .distantPast, $1.alertID) }
    }

    /// Seconds between two instants when both are known.
    private static func delay(from start: Date?, to end: Date?) -> Double? {
        guard let start, let end else { return nil }
        return end.timeIntervalSince(start)
    }

    /// The depth reached per filter: the deepest single frame and the frames combined.
    static func depth(of frames: [NightReport.FrameEntry]) -> [NightReport.Depth] {
        var byFilter: [String: [Double]] = [:]
        for frame in frames where frame.hasMetrics {
            if let magnitude = frame.quality.limitingMagnitude { byFilter[frame.filter, default: []].append(magnitude) }
        }
        return byFilter.keys.sorted().compactMap { filter in
            let magnitudes = byFilter[filter] ?? []
            guard let deepest = magnitudes.max(), let combined = Statistics.combinedLimitingMagnitude(magnitudes) else { return nil }
            return NightReport.Depth(filter: filter, frames: magnitudes.count, deepestLimitingMagnitude: deepest, combinedLimitingMagnitude: combined)
        }
    }
}
