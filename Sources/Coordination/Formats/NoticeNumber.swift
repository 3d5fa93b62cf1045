import Foundation
import StarlingCore

/// Numbers as notices write them in text (VOEvent `C1`, `Error2Radius`, `Param` values; JSON
/// strings holding numbers), read strictly.
///
/// Swift's `Double(String)` also accepts hexadecimal (`0x10` is 16), `nan`, `inf` and
/// `infinity`: a notice that writes those is broken, and reading them would silently change
/// what it says. Accepted here: an optional sign, decimal digits with an optional fraction,
/// and an optional exponent (`-12.5`, `.5`, `3.`, `4.5e-13`), with blanks around.
enum NoticeNumber {
    /// The value of a decimal number, or `nil` when the text is not one (or overflows).
    static func parse<S: StringProtocol>(_ text: S) -> Double? {
        let trimmed = text.trimmingWhitespace()
        var digits = 0
        var index = trimmed.utf8.startIndex
        let bytes = trimmed.utf8
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index = bytes.index(after: index) }
        while index < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            digits += 1
            index = bytes.index(after: index)
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index = bytes.index(after: index)
            while index < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                digits += 1
                index = bytes.index(after: index)
            }
        }
        guard digits > 0 else { return nil }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index = bytes.index(after: index)
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index = bytes.index(after: index) }
            var exponentDigits = 0
            while index < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                exponentDigits += 1
                index = bytes.index(after: index)
            }
            guard exponentDigits > 0 else { return nil }
        }
        guard index == bytes.endIndex, let value = Double(trimmed), value.isFinite else { return nil }
        return value
    }

    /// An integer written in decimal (`Int("0x10")` is already `nil`; this also refuses
    /// `12.0`), or `nil`.
    static func integer<S: StringProtocol>(_ text: S) -> Int? {
        Int(text.trimmingWhitespace())
    }
}
