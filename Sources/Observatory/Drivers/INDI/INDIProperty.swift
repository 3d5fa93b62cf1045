public import Foundation
import StarlingCore

/// The state of an INDI property: what the device says about its last command.
///
/// INDI's four states (INDI white paper, §"Property states"): `Idle` (nothing happening or
/// no information), `Ok` (the last command succeeded), `Busy` (working on it) and `Alert`
/// (it failed, or the value is out of range: for weather lights, danger).
public enum INDIPropertyState: String, Sendable, Hashable, CaseIterable {
    case idle = "Idle", ok = "Ok", busy = "Busy", alert = "Alert"

    init(parsing text: String?) { self = text.flatMap { INDIPropertyState(rawValue: $0.trimmingWhitespace()) } ?? .idle }
}

/// The kind of an INDI property vector.
public enum INDIPropertyKind: String, Sendable, Hashable, CaseIterable {
    case number = "Number", `switch` = "Switch", text = "Text", light = "Light", blob = "BLOB"
}

/// A binary large object: a camera frame, as the server sent it (base64 already decoded).
public struct INDIBLOB: Sendable, Hashable {
    /// The format, e.g. `.fits`, or `.fits.z` when zlib-compressed.
    public let format: String
    /// The size of the uncompressed data, bytes (INDI's `size` attribute).
    public let size: Int
    /// The bytes, still compressed when `format` ends in `.z`.
    public let data: Data

    public init(format: String, size: Int, data: Data) {
        self.format = format
        self.size = size
        self.data = data
    }
}

/// The value of one element of an INDI vector.
public enum INDIValue: Sendable, Hashable {
    case number(Double)
    case `switch`(Bool)
    case text(String)
    case light(INDIPropertyState)
    case blob(INDIBLOB)
}

/// One element (member) of an INDI property vector, e.g. `RA` of `EQUATORIAL_EOD_COORD`.
public struct INDIVectorElement: Sendable, Hashable {
    public let name: String
    public var label: String?
    public var value: INDIValue
    /// For numbers: the limits and printf-style format the device declared (`defNumber`).
    public var minimum: Double?
    public var maximum: Double?
    public var format: String?

    public init(name: String, label: String? = nil, value: INDIValue, minimum: Double? = nil, maximum: Double? = nil, format: String? = nil) {
        self.name = name
        self.label = label
        self.value = value
        self.minimum = minimum
        self.maximum = maximum
        self.format = format
    }
}

/// An INDI property vector: a named group of values on a device, with one state.
public struct INDIVector: Sendable, Hashable {
    public let device: String
    public let name: String
    public let kind: INDIPropertyKind
    public var state: INDIPropertyState
    public var label: String?
    public var group: String?
    /// `ro`, `wo` or `rw` (absent for lights).
    public var permission: String?
    /// For switches: `OneOfMany`, `AtMostOne` or `AnyOfMany`.
    public var rule: String?
    /// The device's worst-case time to act on a command, seconds (0 or absent: unknown).
    public var timeoutSeconds: Double?
    public var timestamp: String?
    /// The message the device attached to this definition or update, if any.
    public var message: String?
    public var elements: [INDIVectorElement]

    public init(
        device: String, name: String, kind: INDIPropertyKind, state: INDIPropertyState = .idle, label: String? = nil,
        group: String? = nil, permission: String? = nil, rule: String? = nil, timeoutSeconds: Double? = nil,
        timestamp: String? = nil, message: String? = nil, elements: [INDIVectorElement]
    ) {
        self.device = device
        self.name = name
        self.kind = kind
        self.state = state
        self.label = label
        self.group = group
        self.permission = permission
        self.rule = rule
        self.timeoutSeconds = timeoutSeconds
        self.timestamp = timestamp
        self.message = message
        self.elements = elements
    }

    /// The element with a name, if the vector has it.
    public func element(_ name: String) -> INDIVectorElement? { elements.first { $0.name == name } }

    /// A number element's value, or `nil` when absent or not a number.
    public func number(_ name: String) -> Double? {
        if case .number(let value)? = element(name)?.value { return value }
        return nil
    }

    /// Whether a switch element is On (`nil` when absent or not a switch).
    public func isOn(_ name: String) -> Bool? {
        if case .switch(let value)? = element(name)?.value { return value }
        return nil
    }

    /// A text element's value (trimmed), or `nil`.
    public func text(_ name: String) -> String? {
        if case .text(let value)? = element(name)?.value { return value }
        return nil
    }

    /// A light element's state, or `nil`.
    public func light(_ name: String) -> INDIPropertyState? {
        if case .light(let value)? = element(name)?.value { return value }
        return nil
    }

    /// A BLOB element's contents, or `nil`.
    public func blob(_ name: String) -> INDIBLOB? {
        if case .blob(let value)? = element(name)?.value { return value }
        return nil
    }

    /// The names of the switch elements that are On.
    public var switchesOn: [String] { elements.compactMap { if case .switch(true) = $0.value { $0.name } else { nil } } }

    /// This definition updated by a `set…Vector`: new state, timeout, message, and the values of
    /// the elements it names (INDI sends only the changed ones, and keeps labels and limits).
    public func updated(by update: INDIVector) -> INDIVector {
        var result = self
        result.state = update.state
        if update.timeoutSeconds != nil { result.timeoutSeconds = update.timeoutSeconds }
        result.timestamp = update.timestamp ?? timestamp
        result.message = update.message
        for element in update.elements {
            if let index = result.elements.firstIndex(where: { $0.name == element.name }) {
                result.elements[index].value = element.value
            } else {
                result.elements.append(element)
            }
        }
        return result
    }
}

/// A message a device (or the server) sent, e.g. `[INFO] Telescope slew is complete.`
public struct INDIMessage: Sendable, Hashable {
    public let device: String?
    public let text: String
    public let timestamp: String?
}

/// What the INDI server tells a client, decoded from one top-level element.
public enum INDIEvent: Sendable, Hashable {
    /// `def…Vector`: a property exists (again), with its labels, limits and values.
    case define(INDIVector)
    /// `set…Vector`: new values or state for a defined property.
    case update(INDIVector)
    /// `delProperty`: a property, or (no name) every property of a device, is gone.
    case delete(device: String, property: String?, message: String?)
    /// `message`: text for the operator.
    case message(INDIMessage)

    /// Decodes a top-level element, or returns `nil` for elements a client ignores
    /// (`getProperties`/`new…Vector` echoed by snooping, unknown tags).
    /// - Throws: ``DriverError`` `.protocolError` when a vector lacks its device or name, a number
    ///   is not a number, or a BLOB is not base64.
    public init?(_ element: INDIXMLElement) throws(DriverError) {
        let tag = element.name
        switch tag {
        case "message":
            self = .message(INDIMessage(device: element["device"], text: element["message"] ?? "", timestamp: element["timestamp"]))
            return
        case "delProperty":
            guard let device = element["device"] else { return nil }
            self = .delete(device: device, property: element["name"], message: element["message"])
            return
        default: break
        }
        let isDefinition = tag.hasPrefix("def")
        guard isDefinition || tag.hasPrefix("set"), tag.hasSuffix("Vector") else { return nil }
        let kindName = String(tag.dropFirst(3).dropLast(6))
        guard let kind = INDIPropertyKind(rawValue: kindName) else { return nil }
        guard let device = element["device"], let name = element["name"] else {
            throw DriverError(.protocolError, device: .mount, "INDI <\(tag)> without device or name: \(element.attributes)")
        }
        var elements: [INDIVectorElement] = []
        elements.reserveCapacity(element.children.count)
        for child in element.children {
            guard let elementName = child["name"] else { continue }
            let text = child.text
            let value: INDIValue
            switch kind {
            case .number:
                guard let number = INDIVector.parseNumber(text) else {
                    throw DriverError(.protocolError, device: .mount, "\(device).\(name).\(elementName): '\(text.trimmingWhitespace())' is not a number")
                }
                value = .number(number)
            case .switch:
                value = .switch(text.trimmingWhitespace() == "On")
            case .text:
                value = .text(text.trimmingWhitespace())
            case .light:
                value = .light(INDIPropertyState(parsing: text))
            case .blob:
                let format = child["format"] ?? ""
                let size = child["size"].flatMap { Int($0.trimmingWhitespace()) } ?? 0
                var data = Data()
                if !isDefinition {
                    guard let decoded = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                        throw DriverError(.protocolError, device: .camera, "\(device).\(name).\(elementName): BLOB is not valid base64")
                    }
                    data = decoded
                }
                value = .blob(INDIBLOB(format: format, size: size, data: data))
            }
            elements.append(
                INDIVectorElement(
                    name: elementName, label: child["label"], value: value,
                    minimum: child["min"].flatMap { INDIVector.parseNumber($0) }, maximum: child["max"].flatMap { INDIVector.parseNumber($0) },
                    format: child["format"].flatMap { kind == .number ? $0 : nil }))
        }
        let vector = INDIVector(
            device: device, name: name, kind: kind, state: INDIPropertyState(parsing: element["state"]), label: element["label"],
            group: element["group"], permission: element["perm"], rule: element["rule"],
            timeoutSeconds: element["timeout"].flatMap { Double($0.trimmingWhitespace()) }, timestamp: element["timestamp"],
            message: element["message"], elements: elements)
        self = isDefinition ? .define(vector) : .update(vector)
    }
}

extension INDIVector {
    /// Parses an INDI number: decimal, or sexagesimal (`16:41:41`, `-05 30 00`, `12:30.5`)
    /// as the INDI protocol allows for any number element.
    public static func parseNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingWhitespace()
        if let value = Double(trimmed) { return value }
        let parts = trimmed.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == ";" })
        guard (2...3).contains(parts.count) else { return nil }
        let negative = trimmed.hasPrefix("-")
        var total = 0.0
        var scale = 1.0
        for part in parts {
            guard let value = Double(part) else { return nil }
            total += abs(value) / scale
            scale *= 60
        }
        return negative ? -total : total
    }
}
