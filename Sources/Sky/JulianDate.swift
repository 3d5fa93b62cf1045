import Foundation
internal import CERFA

/// Conversions of UTC instants to ERFA's two-part Julian dates.
enum JulianDate {
    /// UTC as ERFA's quasi-JD: whole days since the POSIX epoch (JD 2440587.5) and the
    /// fraction of the day. POSIX time does not count leap seconds, which is what ERFA's UTC
    /// convention expects away from the leap second itself.
    static func utc(_ date: Date) -> (Double, Double) {
        let seconds = date.timeIntervalSince1970
        let days = (seconds / 86_400).rounded(.down)
        return (2_440_587.5 + days, (seconds - days * 86_400) / 86_400)
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
