/// Parsing of angles written the way observatories write them: decimal degrees, or
/// sexagesimal with colons or spaces (`22:04:08`, `-96:27:11`, `00 30 04.593`, `+27d43m03.6s`).
public enum Sexagesimal {
    /// Parses a sexagesimal or decimal string whose first field is in the given unit.
    ///
    /// - Parameters:
    ///   - text: `"12:30:00"`, `"-05 20 11.5"`, `"+27d43m03.6s"`, `"12h30m00s"` or `"187.5"`.
    ///   - unit: what the first field counts: `.hours` for right ascension, `.degrees` otherwise.
    ///     A trailing `h` on the first field forces hours.
    /// - Returns: the angle, or `nil` when the text is not a number in either form or a
    ///   minutes/seconds field is outside 0..<60.
    public static func parse(_ text: String, unit: Unit) -> Angle? {
        var body = Substring(text.trimmingWhitespace())
        guard !body.isEmpty else { return nil }
        var negative = false
        if body.first == "-" || body.first == "+" || body.first == "−" {
            negative = body.first != "+"
            body = body.dropFirst()
        }
        var effectiveUnit = unit
        if body.contains("h") || body.contains("H") { effectiveUnit = .hours }
        let separators: Set<Character> = [":", " ", "d", "D", "h", "H", "m", "M", "s", "S", "°", "'", "\"", "′", "″"]
        let fields = body.split(whereSeparator: { separators.contains($0) }).map(String.init)
        guard (1...3).contains(fields.count) else { return nil }
        var values: [Double] = []
        for field in fields {
            guard let value = Double(field), value.isFinite, value >= 0 else { return nil }
            values.append(value)
        }
        if values.count > 1, values[1] >= 60 { return nil }
        if values.count > 2, values[2] >= 60 { return nil }
        var magnitude = values[0]
        if values.count > 1 { magnitude += values[1] / 60 }
        if values.count > 2 { magnitude += values[2] / 3600 }
        let signed = negative ? -magnitude : magnitude
        return effectiveUnit == .hours ? .hours(signed) : .degrees(signed)
    }

    /// The unit of the first field of a sexagesimal string.
    public enum Unit: Sendable { case degrees, hours }

    /// Formats an angle as `±DD:MM:SS.s` (or `HH:MM:SS.ss` for hours).
    public static func format(_ angle: Angle, unit: Unit, secondsDecimals: Int = 1) -> String {
        let value = unit == .hours ? angle.hours : angle.degrees
        let negative = value < 0
        var scale = 1.0
        for _ in 0..<secondsDecimals { scale *= 10 }
        let totalUnits = (abs(value) * 3600 * scale).rounded()
        let seconds = totalUnits.truncatingRemainder(dividingBy: 60 * scale) / scale
        let totalMinutes = Int((totalUnits / (60 * scale)).rounded(.down))
        let minutes = totalMinutes % 60
        let whole = totalMinutes / 60
        func pad(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
        var secondsText = formatFixed(seconds, decimals: secondsDecimals)
        if seconds < 10 { secondsText = "0" + secondsText }
        let sign = unit == .degrees ? (negative ? "-" : "+") : (negative ? "-" : "")
        return "\(sign)\(pad(whole)):\(pad(minutes)):\(secondsText)"
    }
}
