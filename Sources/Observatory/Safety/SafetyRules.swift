import Foundation
public import StarlingCore

/// The telescope agent's safety rules, as plain functions of separate facts: the weather
/// (``WeatherSafety``), the enclosure (``EnclosureState``), the mount, the Sun, and where
/// the telescope would point. Nothing here reads a clock or a device; the agent gathers the
/// facts and obeys the verdicts, so the rules are tested exhaustively on values.
public enum SafetyRules {
    /// What a rule decides.
    public enum Verdict: Sendable, Hashable {
        case allowed
        case refused(Reason)

        public var isAllowed: Bool { self == .allowed }
    }

    /// Whether the enclosure may open: weather known and safe, the Sun low enough.
    ///
    /// - Parameters:
    ///   - weather: the weather verdict now (``WeatherSafety/assess(_:limits:at:graceSeconds:)``
    ///     already turns a reading older than the grace into `.unknown`).
    ///   - sunAltitude: the Sun's geometric altitude now.
    public static func mayOpen(weather: WeatherSafety, sunAltitude: Angle, policy: SafetyPolicy) -> Verdict {
        switch weather {
        case .unsafe(let reasons):
            return .refused(Reason(.weatherUnsafe, "weather unsafe: \(reasons.joined(separator: ", "))"))
        case .unknown(let age):
            let detail = age.map { "no weather reading for \(Int($0)) s (grace \(Int(policy.weatherDataGraceSeconds)) s)" } ?? "no weather reading yet"
            return .refused(Reason(.weatherUnknown, detail))
        case .safe:
            break
        }
        guard sunAltitude <= policy.maximumSunAltitudeForOpening else {
            return .refused(Reason(
                .notDarkEnough,
                "Sun at \(formatDegrees(sunAltitude)) is above \(formatDegrees(policy.maximumSunAltitudeForOpening)), the highest at which the enclosure opens"))
        }
        return .allowed
    }

    /// Whether an open enclosure must close now, and why: unsafe or unknown weather, the Sun
    /// too high, or lost contact with the controller.
    ///
    /// - Returns: the reason to close, or `nil` to stay open.
    public static func mustClose(weather: WeatherSafety, sunAltitude: Angle, secondsSinceContact: Double, policy: SafetyPolicy) -> Reason? {
        if secondsSinceContact > policy.lostContactSeconds {
            return Reason(.disconnected, "no contact with the controller for \(Int(secondsSinceContact)) s (limit \(Int(policy.lostContactSeconds)) s)")
        }
        if case .refused(let reason) = mayOpen(weather: weather, sunAltitude: sunAltitude, policy: policy) { return reason }
        return nil
    }

    /// Whether the telescope may point at a position: above the mount's own limit and the
    /// horizon mask in that direction, and outside the Sun avoidance radius.
    ///
    /// Bounds are inclusive: exactly at a limit is allowed.
    public static func mayPoint(
        at position: HorizontalCoordinates, sunSeparation: Angle, horizon: HorizonMask, mount: MountModel, policy: SafetyPolicy
    ) -> Verdict {
        let maskLimit = horizon.minimumAltitude(atAzimuth: position.azimuth)
        let limit = max(maskLimit, mount.minimumAltitude)
        if position.altitude < limit {
            return .refused(Reason(
                .belowHorizon,
                "altitude \(formatDegrees(position.altitude)) at azimuth \(formatDegrees(position.azimuth)) is below the limit \(formatDegrees(limit)) (\(maskLimit >= mount.minimumAltitude ? "horizon mask" : "mount limit"))"))
        }
        if sunSeparation < policy.sunAvoidance {
            return .refused(Reason(
                .tooCloseToSun, "\(formatDegrees(sunSeparation)) from the Sun, inside the avoidance radius \(formatDegrees(policy.sunAvoidance))"))
        }
        return .allowed
    }

    private static func formatDegrees(_ angle: Angle) -> String { String(format: "%.1f°", angle.degrees) }
}
