/// Why a sky computation could not be made.
///
/// Every input that would give a meaningless answer (NaN, an instant ERFA cannot handle, a
/// malformed IERS table) becomes one of these, never a silent NaN.
public struct SkyError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Code
    /// What went wrong and what to do.
    public let message: String

    public enum Code: String, Sendable, Hashable {
        /// A number given was NaN or infinite.
        case notFinite = "not-finite"
        /// ERFA refused the date (before −4799 or an impossible calendar date).
        case unacceptableDate = "unacceptable-date"
        /// An IERS table could not be read.
        case badIERSTable = "bad-iers-table"
        /// An argument is outside what the computation accepts.
        case invalidArgument = "invalid-argument"
    }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
