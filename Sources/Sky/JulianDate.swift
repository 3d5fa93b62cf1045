import Foundation
internal import CERFA

/// Conversions of UTC instants to ERFA's two-part Julian dates.
enum JulianDate {
    /// UTC as ERFA's quasi-JD (`eraDtf2d`): the day's Julian date and the fraction of the
    /// day, where a day with a leap second lasts 86,401 s. POSIX time (what `Date` counts)
    /// has no leap seconds, so the calendar fields are taken from it and ERFA places them in
    /// the right day length.
    static func utc(_ date: Date) throws(SkyError) -> (Double, Double) {
        let seconds = date.timeIntervalSince1970
        let days = (seconds / 86_400).rounded(.down)
        let secondOfDay = seconds - days * 86_400
        // Civil date from the day number (Richards' algorithm via ERFA's inverse, eraJd2cal).
        var year: Int32 = 0, month: Int32 = 0, day: Int32 = 0
        var fraction = 0.0
        guard eraJd2cal(2_440_587.5 + days, 0.5, &year, &month, &day, &fraction) == 0 else {
            throw SkyError(.unacceptableDate, "ERFA cannot place \(seconds) s after 1970 in its calendar")
        }
        let hour = Int32(secondOfDay / 3600), minute = Int32((secondOfDay - Double(hour) * 3600) / 60)
        let second = secondOfDay - Double(hour) * 3600 - Double(minute) * 60
        var utc1 = 0.0, utc2 = 0.0
        guard eraDtf2d("UTC", year, month, day, hour, minute, second, &utc1, &utc2) >= 0 else {
            throw SkyError(.unacceptableDate, "ERFA refuses the UTC date \(year)-\(month)-\(day)")
        }
        return (utc1, utc2)
    }

    /// Terrestrial Time for a UTC quasi-JD (`eraUtctai`, `eraTaitt`).
    static func terrestrialTime(_ utc1: Double, _ utc2: Double) throws(SkyError) -> (Double, Double) {
        var tai1 = 0.0, tai2 = 0.0, tt1 = 0.0, tt2 = 0.0
        guard eraUtctai(utc1, utc2, &tai1, &tai2) >= 0, eraTaitt(tai1, tai2, &tt1, &tt2) >= 0 else {
            throw SkyError(.unacceptableDate, "ERFA cannot convert JD \(utc1 + utc2) from UTC to TT")
        }
        return (tt1, tt2)
    }

    /// UT1 for a UTC quasi-JD and UT1 − UTC (`eraUtcut1`).
    static func universalTime(_ utc1: Double, _ utc2: Double, dut1: Double) throws(SkyError) -> (Double, Double) {
        var ut11 = 0.0, ut12 = 0.0
        guard eraUtcut1(utc1, utc2, dut1, &ut11, &ut12) >= 0 else {
            throw SkyError(.unacceptableDate, "ERFA cannot convert JD \(utc1 + utc2) from UTC to UT1")
        }
        return (ut11, ut12)
    }
}
