import Foundation
import StarlingCore

/// Positions and error radii as notices state them, checked the same way for every format.
///
/// A notice states right ascension in 0…360° and declination in −90…90°; a value outside is a
/// broken notice, not one to wrap: RA 400° is not "40°", and RA −10° is not "350°" (both were
/// once read so). RA 360° is the same direction as 0° and is read as it.
enum NoticePosition {
    /// The position of a notice.
    ///
    /// - Parameters:
    ///   - field: the element or key named in a refusal (`WhereWhen/…/Value2`, `ra/dec`).
    /// - Throws: ``AlertFormatError`` `.invalidValue` for a value outside its range.
    static func coordinates(
        rightAscensionDegrees ra: Double, declinationDegrees dec: Double, format: AlertFormat, field: String
    ) throws(AlertFormatError) -> EquatorialCoordinates {
        guard ra.isFinite, dec.isFinite else {
            throw AlertFormatError(.invalidValue, format: format, field: field, "RA \(ra), Dec \(dec): coordinates must be finite numbers")
        }
        guard (0...360).contains(ra) else {
            throw AlertFormatError(
                .invalidValue, format: format, field: field,
                "RA \(ra)° is outside 0…360° (a notice stating it is broken; it is not wrapped round)")
        }
        do {
            return try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec)
        } catch {
            throw AlertFormatError(.invalidValue, format: format, field: field, "RA \(ra), Dec \(dec): \(error)")
        }
    }

    /// An error radius in degrees: a finite number in 0…180.
    ///
    /// - Throws: ``AlertFormatError`` `.invalidValue` otherwise.
    static func radiusDegrees(_ radius: Double, format: AlertFormat, field: String) throws(AlertFormatError) -> Double {
        guard radius.isFinite, (0...180).contains(radius) else {
            throw AlertFormatError(.invalidValue, format: format, field: field, "\(radius)° is not a possible error radius (0…180°)")
        }
        return radius
    }
}
