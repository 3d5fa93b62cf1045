public import StarlingCore

/// A notice read successfully: the normalised alert, the format it came in, and what was
/// accepted although it bends its format's rules.
public struct ParsedNotice: Sendable, Hashable {
    /// The normalised alert.
    public let alert: Alert
    /// The format the notice was read as.
    public let format: AlertFormat
    /// Deviations accepted while reading, for people (`VOEvent 1.1 namespace`,
    /// `attribute datatype read as dataType`, `FK5 (J2000) position taken as ICRS`, …); empty
    /// for a notice that follows its format to the letter.
    public let remarks: [String]

    /// Creates a parsed notice.
    public init(alert: Alert, format: AlertFormat, remarks: [String] = []) {
        self.alert = alert
        self.format = format
        self.remarks = remarks
    }
}
