import Foundation
public import Sky
public import StarlingCore

/// The check every request passes the moment it would start: a plan made at dusk may be
/// stale by midnight, so nothing is observed because "it was in the plan".
///
/// Pure: the agent gathers the facts (the sky when the exposures would start and end, the
/// weather verdict, the enclosure) and obeys the verdict; tests exercise it on values.
///
/// The request's constraints are Sky's ``Sky/ObservingLimits``, the rule the planners and the
/// coordinator decide by, evaluated exactly (no margin): what they chose with their margins
/// passes here. The times come from ``StarlingCore/Overheads``, the same duration they plan with.
public struct DispatchCheck: Sendable {
    public let telescope: Telescope
    public let site: Site

    public init(telescope: Telescope, site: Site) {
        self.telescope = telescope
        self.site = site
    }

    /// Whether `request`'s exposures may run from the instant of `start` to that of `end`.
    ///
    /// Checks, in order: the filters exist; then at both ends the safety rule for pointing
    /// (``SafetyRules/mayPoint(at:sunSeparation:horizon:mount:policy:)``: horizon mask, mount
    /// limit, Sun avoidance) and the request's constraints (time window, darkness, altitude,
    /// airmass as sec z, Moon separation and brightness); then the weather and the enclosure.
    ///
    /// - Parameters:
    ///   - start: the geometric sky when the first exposure would start (after the lead-in).
    ///   - end: the geometric sky when the last readout would end.
    public func verdict(
        for request: ObservationRequest, exposuresFrom start: ObservingFrame, to end: ObservingFrame, weather: WeatherSafety, enclosure: EnclosureState
    ) -> SafetyRules.Verdict {
        let missing = request.exposures.map(\.filter).filter { !telescope.filters.contains($0) }
        if let filter = missing.first {
            return .refused(Reason(
                .unsupportedFilter, "\(telescope.id) has no filter '\(filter.name)' (it has \(telescope.filters.map(\.name).joined(separator: ", ")))"))
        }
        let limits = ObservingLimits(request, telescope: telescope, site: site)
        for (frame, label) in [(start, "at the start \(start.date.hourMinuteSecond())"), (end, "at the end \(end.date.hourMinuteSecond())")] {
            let sample = ConstraintSample(frame: frame, target: request.target.coordinates)
            let position = HorizontalCoordinates(altitude: .degrees(sample.altitudeDegrees), azimuth: .degrees(sample.azimuthDegrees))
            let pointing = SafetyRules.mayPoint(
                at: position, sunSeparation: frame.sunSeparation(from: request.target.coordinates), horizon: site.horizonMask,
                mount: telescope.mount, policy: telescope.safety)
            if case .refused(let reason) = pointing {
                return .refused(Reason(reason.code, "\(request.target.name) \(label): \(reason.detail)"))
            }
            if let violation = limits.violation(sample) {
                return .refused(Reason(violation.reason.code, "\(request.target.name) \(label): \(violation.reason.detail)"))
            }
        }
        switch weather {
        case .safe: break
        case .unsafe(let reasons): return .refused(Reason(.weatherUnsafe, "weather unsafe: \(reasons.joined(separator: ", "))"))
        case .unknown: return .refused(Reason(.weatherUnknown, "no recent weather reading"))
        }
        if enclosure != .open {
            return .refused(Reason(.enclosureClosed, "the \(telescope.enclosure.kind.rawValue) is \(enclosure.rawValue)"))
        }
        return .allowed
    }
}
