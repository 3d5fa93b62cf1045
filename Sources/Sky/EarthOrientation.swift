public import Foundation

/// The Earth's orientation beyond what the IAU models predict: UT1 − UTC and polar motion,
/// which the IERS measures and publishes.
///
/// Both default to zero. With UT1 − UTC = 0 the error in hour angle and azimuth is up to
/// 15″ × |UT1 − UTC| / 1 s (|UT1 − UTC| < 0.9 s by definition, so < 13.5″ on the equator);
/// ignoring polar motion (≲ 0.5″) moves positions by less than 0.5″. Read both from an
/// IERS `finals2000A` table with ``IERSTable`` for arcsecond work.
public struct EarthOrientation: Sendable, Hashable {
    /// UT1 − UTC, seconds.
    public var ut1MinusUTCSeconds: Double
    /// Polar motion x, y.
    public var polarMotionX: Angle
    public var polarMotionY: Angle

    public init(ut1MinusUTCSeconds: Double = 0, polarMotionX: Angle = .zero, polarMotionY: Angle = .zero) {
        self.ut1MinusUTCSeconds = ut1MinusUTCSeconds
        self.polarMotionX = polarMotionX
        self.polarMotionY = polarMotionY
    }

    /// No correction: UT1 = UTC and no polar motion.
    public static let none = EarthOrientation()

    /// Throws unless the values are finite and physically possible (|UT1 − UTC| < 1 s by
    /// the definition of UTC; polar motion well under 2″).
    func validate() throws(SkyError) {
        guard ut1MinusUTCSeconds.isFinite, polarMotionX.isFinite, polarMotionY.isFinite else {
            throw SkyError(.notFinite, "UT1 − UTC and polar motion must be finite numbers")
        }
        guard abs(ut1MinusUTCSeconds) < 1 else {
            throw SkyError(.invalidArgument, "UT1 − UTC \(ut1MinusUTCSeconds) s is outside −1…1 s (UTC keeps it within 0.9 s)")
        }
        guard abs(polarMotionX.arcseconds) < 2, abs(polarMotionY.arcseconds) < 2 else {
            throw SkyError(.invalidArgument, "polar motion (\(polarMotionX.arcseconds)″, \(polarMotionY.arcseconds)″) is outside ±2″")
        }
    }
}

public import StarlingCore

/// An IERS Earth-orientation table (`finals2000A.all`, `finals2000A.data`, or Bulletin A's
/// `finals.daily`), interpolated linearly between its daily rows.
///
/// Format (IERS, "finals2000A" readme): fixed columns, MJD in 8–15, PM-x in 19–27 (″),
/// PM-y in 38–46 (″), UT1−UTC in 59–68 (s), all from Bulletin A. Rows without UT1−UTC
/// (the far future) are skipped.
public struct IERSTable: Sendable {
    private let mjds: [Double]
    private let values: [EarthOrientation]

    /// The modified Julian dates the table covers.
    public var coverage: ClosedRange<Double>? { mjds.first.map { $0...mjds.last! } }

    /// Parses a table's text.
    /// - Throws: ``SkyError`` `.badIERSTable` naming the line when a row is malformed or the
    ///   table is empty.
    public init(text: String, file: String = "IERS table") throws(SkyError) {
        var mjds: [Double] = []
        var values: [EarthOrientation] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let characters = Array(line.utf8)
            guard characters.count >= 68 else { continue }
            func field(_ from: Int, _ to: Int) -> Double? {
                Double(String(decoding: characters[(from - 1)..<min(to, characters.count)], as: UTF8.self).trimmingCharacters(in: .whitespaces))
            }
            guard let mjd = field(8, 15) else {
                throw SkyError(.badIERSTable, "\(file):\(index + 1): no MJD in columns 8-15 (is this a finals2000A file?)")
            }
            guard let dut1 = field(59, 68) else { continue }
            let xp = field(19, 27) ?? 0, yp = field(38, 46) ?? 0
            if let last = mjds.last, mjd <= last {
                throw SkyError(.badIERSTable, "\(file):\(index + 1): MJD \(mjd) does not follow \(last)")
            }
            mjds.append(mjd)
            values.append(EarthOrientation(ut1MinusUTCSeconds: dut1, polarMotionX: .arcseconds(xp), polarMotionY: .arcseconds(yp)))
        }
        guard !mjds.isEmpty else { throw SkyError(.badIERSTable, "\(file): no rows with UT1-UTC found") }
        self.mjds = mjds
        self.values = values
    }

    /// The first or last row, whichever is nearer to an instant outside the table.
    public func nearestOrientation(to date: Date) -> EarthOrientation {
        let mjd = date.timeIntervalSince1970 / 86_400 + 40_587
        return mjd < mjds[0] ? values[0] : values[values.count - 1]
    }

    /// The orientation at an instant, interpolated; `nil` outside the table (the observer
    /// then uses the nearest row: UT1 − UTC drifts by about a millisecond a day, far less
    /// than the 0.9 s that assuming zero could cost).
    ///
    /// Interpolation across a leap second is avoided: UT1 − UTC jumps by 1 s there, and the
    /// value of the row before the jump is kept until the jump.
    public func orientation(at date: Date) -> EarthOrientation? {
        let mjd = date.timeIntervalSince1970 / 86_400 + 40_587
        guard let range = coverage, range.contains(mjd) else { return nil }
        var low = 0, high = mjds.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if mjds[middle] <= mjd { low = middle } else { high = middle }
        }
        let a = values[low], b = values[high]
        if low == high { return a }
        let fraction = (mjd - mjds[low]) / (mjds[high] - mjds[low])
        let jump = b.ut1MinusUTCSeconds - a.ut1MinusUTCSeconds
        let dut1 = abs(jump) > 0.5 ? a.ut1MinusUTCSeconds : a.ut1MinusUTCSeconds + fraction * jump
        return EarthOrientation(
            ut1MinusUTCSeconds: dut1,
            polarMotionX: a.polarMotionX + (b.polarMotionX - a.polarMotionX) * fraction,
            polarMotionY: a.polarMotionY + (b.polarMotionY - a.polarMotionY) * fraction)
    }
}
