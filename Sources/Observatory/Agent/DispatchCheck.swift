public import Foundation
public import Sky
public import StarlingCore

/// The check every request passes the moment it would start: a plan made at dusk may be
/// stale by midnight, so nothing is observed because "it was in the plan".
///
/// Pure: the agent gathers the facts (sky frames at the start and the expected end, the
/// weather verdict, the enclosure) and obeys the verdict; tests exercise it on values.
public struct DispatchCheck: Sendable {
    public let telescope: Telescope
    public let site: Site

    public init(telescope: Telescope, site: Site) {
        self.telescope = telescope
        self.site = site
    }

    /// Whether `request` may start now and run until `end`.
    ///
    /// Checks, in order: the filters exist, the time window, darkness (the request's
    /// twilight), then at both ends: the horizon mask and mount limit, the Sun avoidance
    /// radius, the request's altitude and airmass limits, the Moon; then the weather and
    /// the enclosure.
    ///
    /// - Parameters:
    ///   - start: the sky now; `end`: the sky when the last exposure would end.
    public func verdict(
        for request: ObservationRequest, start: ObservingFrame, startDate: Date, end: ObservingFrame, endDate: Date,
        weather: WeatherSafety, enclosure: EnclosureState
    ) -> SafetyRules.Verdict {
        let missing = request.exposures.map(\.filter).filter { !telescope.filters.contains($0) }
        if let filter = missing.first {
            return .refused(Reason(
                .unsupportedFilter, "\(telescope.id) has no filter '\(filter.name)' (it has \(telescope.filters.map(\.name).joined(separator: ", ")))"))
        }
        if let window = request.window {
            if startDate < window.start {
                return .refused(Reason(.outsideWindow, "the request's window opens at \(ISO8601.string(from: window.start))"))
            }
            if startDate >= window.end {
                return .refused(Reason(.outsideWindow, "the request's window closed at \(ISO8601.string(from: window.end))"))
            }
        }
        let constraints = request.constraints
        for (frame, label) in [(start, "now"), (end, "at the end")] {
            let sun = frame.sun.horizontal.altitude
            if sun > constraints.darkness.sunAltitude {
                return .refused(Reason(
                    .notDarkEnough,
                    "Sun at \(degrees(sun)) \(label), above the \(constraints.darkness.rawValue) twilight limit \(degrees(constraints.darkness.sunAltitude))"))
            }
            let position = frame.horizontal(of: request.target.coordinates)
            let pointing = SafetyRules.mayPoint(
                at: position, sunSeparation: frame.sunSeparation(from: request.target.coordinates), horizon: site.horizonMask,
                mount: telescope.mount, policy: telescope.safety)
            if case .refused(let reason) = pointing {
                return .refused(Reason(reason.code, "\(request.target.name) \(label): \(reason.detail)"))
            }
            if position.altitude < constraints.minimumAltitude {
                return .refused(Reason(
                    .belowHorizon,
                    "\(request.target.name) \(label) at altitude \(degrees(position.altitude)), below the request's minimum \(degrees(constraints.minimumAltitude))"))
            }
            let airmass = Airmass.kastenYoung(altitudeDegrees: position.altitude.degrees)
            if airmass > constraints.maximumAirmass {
                return .refused(Reason(
                    .airmassTooHigh, "\(request.target.name) \(label) at airmass \(String(format: "%.2f", airmass)), above \(String(format: "%.2f", constraints.maximumAirmass))"))
            }
            let moon = frame.moon  // an ephemeris evaluation: once for the three Moon checks
            if moon.horizontal.altitude.degrees > 0 {
                let separation = frame.separation(from: request.target.coordinates, to: moon)
                if separation < constraints.minimumMoonSeparation {
                    return .refused(Reason(
                        .tooCloseToMoon, "\(request.target.name) \(label) is \(degrees(separation)) from the Moon, inside \(degrees(constraints.minimumMoonSeparation))"))
                }
                let illumination = ObservingFrame.illumination(sun: frame.sun, moon: moon)
                if illumination > constraints.maximumMoonIllumination {
                    return .refused(Reason(
                        .moonTooBright,
                        "the Moon is up and \(Int((illumination * 100).rounded()))% lit, above the request's \(Int((constraints.maximumMoonIllumination * 100).rounded()))%"))
                }
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

    private func degrees(_ angle: Angle) -> String { String(format: "%.1f°", angle.degrees) }
}
