import Foundation

/// A keyword's value, as FITS types it (FITS Standard 4.0 §4.2).
public enum FITSValue: Sendable, Hashable, CustomStringConvertible {
    /// A character string (quotes removed, `''` unescaped, trailing blanks dropped).
    case string(String)
    /// A logical `T` or `F`.
    case logical(Bool)
    /// An integer.
    case integer(Int)
    /// A floating-point number (`D` exponents accepted).
    case real(Double)
    /// A complex number `(re, im)`.
    case complex(Double, Double)
    /// The keyword has a value indicator but an empty value.
    case undefined

    /// The value as FITS writes it in a card, right-justified forms aside:
    /// `'text'`, `T`, `42`, `1.5E-05`, `(1.0, 2.0)`.
    public var description: String {
        switch self {
        case .string(let text): "'\(text.replacingOccurrences(of: "'", with: "''"))'"
        case .logical(let value): value ? "T" : "F"
        case .integer(let value): String(value)
        case .real(let value): Self.format(value)
        case .complex(let re, let im): "(\(Self.format(re)), \(Self.format(im)))"
        case .undefined: ""
        }
    }

    /// The shortest text that reads back as the same `Double`, in FITS form (`E` exponent,
    /// always a decimal point or exponent so it is not taken for an integer).
    static func format(_ value: Double) -> String {
        var text = "\(value)".uppercased()
        if !text.contains(".") && !text.contains("E") && !text.contains("N") && !text.contains("I") { text += ".0" }
        return text
    }
}

/// One 80-character header card: keyword, value and comment.
public struct FITSCard: Sendable, Hashable {
    /// The keyword, upper case (`DATE-OBS`; for `HIERARCH` cards the words after `HIERARCH`).
    public let keyword: String
    /// The value, or `nil` for commentary cards (`COMMENT`, `HISTORY`, blank keyword, or a
    /// card without a value indicator).
    public let value: FITSValue?
    /// The comment after `/`, or the text of a commentary card; `nil` when there is none.
    public let comment: String?
    /// The 80-character card image as read from a file (several for a CONTINUEd string);
    /// `nil` for a card made in code. wcslib parses these exact bytes.
    let image: String?

    /// Creates a card to write.
    public init(_ keyword: String, _ value: FITSValue?, comment: String? = nil) {
        self.keyword = keyword.uppercased()
        self.value = value
        self.comment = comment
        self.image = nil
    }

    /// Cards are equal when keyword, value and comment are; how they were laid out in a file
    /// does not count.
    public static func == (lhs: FITSCard, rhs: FITSCard) -> Bool {
        lhs.keyword == rhs.keyword && lhs.value == rhs.value && lhs.comment == rhs.comment
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keyword)
        hasher.combine(value)
        hasher.combine(comment)
    }

    init(_ keyword: String, _ value: FITSValue?, comment: String?, image: String?) {
        self.keyword = keyword.uppercased()
        self.value = value
        self.comment = comment
        self.image = image
    }
}

/// The cards of one HDU's header, in order, with typed look-ups.
///
/// Look-ups are by keyword, case-insensitive, and return the first card with that keyword.
/// The typed accessors are lenient in the ways real headers need: ``double(_:)`` also reads
/// a number written as a string (`GAIN = '1.9'`), ``string(_:)`` also returns a number's text.
///
/// ```swift
/// let header = try file.header()
/// header.string("OBJECT")        // "NGC 1316"
/// header.double("EXPTIME")       // 150.04
/// header["BITPIX"]               // .integer(16)
/// ```
public struct FITSHeader: Sendable, Hashable {
    /// Every card, in header order (`END` excluded; `CONTINUE` cards merged into the long
    /// string they continue).
    public private(set) var cards: [FITSCard]

    /// Creates a header from cards.
    public init(cards: [FITSCard] = []) { self.cards = cards }

    /// The value of the first card with this keyword, or `nil` when absent or commentary.
    public subscript(keyword: String) -> FITSValue? { card(keyword)?.value }

    /// The first card with this keyword.
    public func card(_ keyword: String) -> FITSCard? {
        let key = keyword.uppercased()
        return cards.first { $0.keyword == key && $0.value != nil }
    }

    /// Whether a card with this keyword has a value.
    public func contains(_ keyword: String) -> Bool { card(keyword) != nil }

    /// A string value, trimmed; a number's or logical's FITS text; `nil` when absent, empty
    /// or undefined.
    public func string(_ keyword: String) -> String? {
        switch self[keyword] {
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        case .none, .undefined: return nil
        case .some(let value): return value.description
        }
    }

    /// A number: a real or integer value, or a string that holds one (`'150.04'`); `nil`
    /// when absent or not a number.
    public func double(_ keyword: String) -> Double? {
        switch self[keyword] {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        case .string(let text): return Self.number(text)
        default: return nil
        }
    }

    /// An integer value (or a real with no fraction, or a string holding an integer).
    public func int(_ keyword: String) -> Int? {
        switch self[keyword] {
        case .integer(let value): return value
        case .real(let value) where value.rounded() == value && abs(value) < 9e18: return Int(value)
        case .string(let text): return Int(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// A logical value (`T`/`F`), or `nil`.
    public func bool(_ keyword: String) -> Bool? {
        if case .logical(let value) = self[keyword] { return value }
        return nil
    }

    /// The comment of the first card with this keyword.
    public func comment(_ keyword: String) -> String? { card(keyword)?.comment }

    /// Sets a keyword: replaces the first card with it, or appends a new card.
    public mutating func set(_ keyword: String, _ value: FITSValue, comment: String? = nil) {
        let card = FITSCard(keyword, value, comment: comment)
        if let index = cards.firstIndex(where: { $0.keyword == card.keyword && $0.value != nil }) {
            cards[index] = FITSCard(card.keyword, value, comment: comment ?? cards[index].comment)
        } else {
            cards.append(card)
        }
    }

    /// Removes every card with this keyword.
    public mutating func remove(_ keyword: String) {
        let key = keyword.uppercased()
        cards.removeAll { $0.keyword == key }
    }

    /// Appends a card (commentary cards such as `HISTORY` may repeat).
    public mutating func append(_ card: FITSCard) { cards.append(card) }

    /// Parses a number as FITS writes it, with a `D` exponent allowed.
    static func number(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        let normalized = trimmed.replacingOccurrences(of: "D", with: "E").replacingOccurrences(of: "d", with: "e")
        guard let value = Double(normalized), value.isFinite else { return nil }
        return value
    }
}

// MARK: Parsing card images

extension FITSHeader {
    /// Parses a run of 80-byte card images, stopping at `END`.
    init(cardImages bytes: UnsafeRawBufferPointer) {
        var cards: [FITSCard] = []
        var offset = 0
        while offset + 80 <= bytes.count {
            let image = String(decoding: bytes[offset..<offset + 80], as: UTF8.self)
            offset += 80
            let keyword = image.prefix(8).trimmingCharacters(in: .whitespaces).uppercased()
            if keyword == "END" { break }
            if keyword == "CONTINUE", let last = cards.last, case .string(let text)? = last.value, text.hasSuffix("&") {
                // Long-string convention (FITS Standard 4.0 §4.2.1.2): the value goes on in this card.
                let (value, comment) = Self.parseValueField(String(image.dropFirst(8)))
                if case .string(let more)? = value {
                    let joinedComment = [last.comment, comment].compactMap { $0 }.joined(separator: " ")
                    cards[cards.count - 1] = FITSCard(
                        last.keyword, .string(String(text.dropLast()) + more), comment: joinedComment.isEmpty ? nil : joinedComment,
                        image: nil)
                    continue
                }
            }
            let card = Self.parseCard(image)
            cards.append(FITSCard(card.keyword, card.value, comment: card.comment, image: image))
        }
        self.init(cards: cards)
    }

    /// Parses one card image.
    static func parseCard(_ image: String) -> FITSCard {
        let keyword = image.prefix(8).trimmingCharacters(in: .whitespaces).uppercased()
        if keyword == "HIERARCH", let equals = image.firstIndex(of: "=") {
            // ESO HIERARCH convention: the keyword is every word before '='.
            let name = image[image.index(image.startIndex, offsetBy: 8)..<equals].trimmingCharacters(in: .whitespaces)
            let (value, comment) = parseValueField(String(image[image.index(after: equals)...]))
            return FITSCard(name, value ?? .undefined, comment: comment)
        }
        let indicator = image.dropFirst(8).prefix(2)
        guard indicator == "= ", !["COMMENT", "HISTORY", ""].contains(keyword) else {
            let text = image.dropFirst(8).trimmingCharacters(in: .whitespaces)
            return FITSCard(keyword, nil, comment: text.isEmpty ? nil : text)
        }
        let (value, comment) = parseValueField(String(image.dropFirst(10)))
        return FITSCard(keyword, value ?? .undefined, comment: comment)
    }

    /// Parses a value field (after `= `) into its value and comment.
    static func parseValueField(_ field: String) -> (FITSValue?, String?) {
        let characters = Array(field)
        var index = 0
        while index < characters.count && characters[index] == " " { index += 1 }
        guard index < characters.count else { return (.undefined, nil) }
        if characters[index] == "'" {
            var text = ""
            index += 1
            while index < characters.count {
                if characters[index] == "'" {
                    if index + 1 < characters.count && characters[index + 1] == "'" {
                        text.append("'")
                        index += 2
                        continue
                    }
                    index += 1
                    break
                }
                text.append(characters[index])
                index += 1
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return (.string(text), comment(after: characters, from: index))
        }
        var end = index
        while end < characters.count && characters[end] != "/" { end += 1 }
        let token = String(characters[index..<end]).trimmingCharacters(in: .whitespaces)
        let remark = comment(after: characters, from: end)
        if token.isEmpty { return (.undefined, remark) }
        if token == "T" { return (.logical(true), remark) }
        if token == "F" { return (.logical(false), remark) }
        if let integer = Int(token.hasPrefix("+") ? String(token.dropFirst()) : token) { return (.integer(integer), remark) }
        if let real = number(token) { return (.real(real), remark) }
        if token.hasPrefix("("), token.hasSuffix(")") {
            let parts = token.dropFirst().dropLast().split(separator: ",").map { String($0) }
            if parts.count == 2, let re = number(parts[0]), let im = number(parts[1]) { return (.complex(re, im), remark) }
        }
        // Not a FITS value (free text after '= '): keep the text as the comment.
        return (.undefined, [token, remark].compactMap { $0 }.joined(separator: " "))
    }

    private static func comment(after characters: [Character], from start: Int) -> String? {
        var index = start
        while index < characters.count && characters[index] != "/" { index += 1 }
        guard index < characters.count else { return nil }
        let text = String(characters[(index + 1)...]).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : text
    }

    /// Whether a card image holds only printable ASCII (FITS Standard 4.0 §4.1.2.1) and,
    /// when its value is a string, that string is closed within the card.
    static func isWellFormed(_ image: String) -> Bool {
        let bytes = Array(image.utf8)
        guard bytes.allSatisfy({ (32...126).contains($0) }) else { return false }
        guard bytes.count >= 10, bytes[8] == UInt8(ascii: "="), bytes[9] == UInt8(ascii: " ") else { return true }
        var index = 10
        while index < bytes.count && bytes[index] == UInt8(ascii: " ") { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "'") else { return true }
        index += 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "'") {
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "'") {
                    index += 2
                    continue
                }
                return true
            }
            index += 1
        }
        return false
    }

    /// The header as FITS card images (80 characters each, with `END`), for wcslib's parser.
    var cardImagesForWCS: String {
        var text = ""
        for card in cards {
            if let image = card.image, image.utf8.count == 80 {
                // wcslib's header parser copies string values into fixed buffers without a
                // bound and overruns them when a closing quote is missing (found by fuzzing:
                // glibc aborts in wcspih); damaged cards are left out, as are non-ASCII ones.
                if Self.isWellFormed(image) { text += image }
                continue
            }
            guard let value = card.value else { continue }
            let keyword = card.keyword.count <= 8 ? card.keyword.padding(toLength: 8, withPad: " ", startingAt: 0) : nil
            guard let keyword else { continue }
            var line = keyword + "= "
            let valueText: String
            switch value {
            case .string: valueText = value.description.padding(toLength: max(20, value.description.count), withPad: " ", startingAt: 0)
            default: valueText = String(repeating: " ", count: max(0, 20 - value.description.count)) + value.description
            }
            line += valueText
            line = String(line.prefix(80))
            text += line.padding(toLength: 80, withPad: " ", startingAt: 0)
        }
        text += "END".padding(toLength: 80, withPad: " ", startingAt: 0)
        return text
    }
}
