public import Foundation
public import StarlingCore
import Sky

/// Converts between Starling's ICRS coordinates and the *JNow* (true equator and equinox of
/// date, geocentric apparent) coordinates that INDI mounts and Alpaca mounts with
/// `EquatorialSystem` 1 take and report.
///
/// ICRS → JNow is ERFA's apparent place through the `Sky` module (light deflection, annual
/// aberration, precession-nutation; `ObservingFrame.apparentPlace(of:)`). JNow → ICRS inverts
/// it by fixed-point iteration: the transformation is a rotation within a few arcminutes of
/// the identity, so four rounds reach milliarcseconds. Without a site the observer stands at
/// sea level at 0°, 0°: the places then differ from the site's by diurnal aberration only
/// (≤ 0.32″).
public struct ApparentPlace: Sendable {
    /// The observer at the site, or at sea level at 0°, 0°.
    let observer: Observer

    /// Where the observer stands when no site is given.
    private static let equatorAtSeaLevel = try! GeodeticLocation(latitude: .degrees(0), longitude: .degrees(0), elevationMeters: 0)

    /// - Parameter site: where the mount stands; `nil` for sea level at 0°, 0°.
    public init(site: GeodeticLocation?) {
        observer = Observer(location: site ?? Self.equatorAtSeaLevel)
    }

    /// The JNow place of an ICRS position at an instant: (right ascension in hours, declination in degrees).
    /// Falls back to the ICRS values if ERFA cannot compute the instant.
    public func jnow(of target: EquatorialCoordinates, at date: Date) -> (rightAscensionHours: Double, declinationDegrees: Double) {
        guard let frame = try? observer.frame(at: date) else {
            return (target.rightAscension.degrees / 15, target.declination.degrees)
        }
        let place = frame.apparentPlace(of: target)
        return (place.rightAscension.degrees / 15, place.declination.degrees)
    }

    /// The ICRS position whose JNow place at `date` is the one given.
    /// - Throws: `CoordinateError` when the values are not finite or the declination is out of range.
    public func icrs(rightAscensionHours: Double, declinationDegrees: Double, at date: Date) throws(CoordinateError) -> EquatorialCoordinates {
        let wanted = try EquatorialCoordinates(rightAscensionDegrees: rightAscensionHours * 15, declinationDegrees: declinationDegrees)
        guard let frame = try? observer.frame(at: date) else { return wanted }
        var guess = wanted
        for _ in 0..<4 {
            let place = frame.apparentPlace(of: guess)
            var deltaRA = wanted.rightAscension.degrees - place.rightAscension.degrees
            if deltaRA > 180 { deltaRA -= 360 }
            if deltaRA < -180 { deltaRA += 360 }
            let deltaDec = wanted.declination.degrees - place.declination.degrees
            let declination = min(90, max(-90, guess.declination.degrees + deltaDec))
            guess = try EquatorialCoordinates(rightAscensionDegrees: guess.rightAscension.degrees + deltaRA, declinationDegrees: declination)
        }
        return guess
    }
}
