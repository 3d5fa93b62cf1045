public import Foundation
public import StarlingCore

/// A JSON value from an Alpaca response's `Value`, kept `Sendable`.
public enum AlpacaValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([AlpacaValue])
    case object([String: AlpacaValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AlpacaValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AlpacaValue].self))
        }
    }

    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var double: Double? { if case .number(let value) = self { value } else { nil } }
    public var int: Int? { double.map { Int($0.rounded()) } }
    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var array: [AlpacaValue]? { if case .array(let value) = self { value } else { nil } }
}

/// ASCOM error numbers (Alpaca API reference, "Error handling"; ASCOM `ErrorCodes`).
public enum AlpacaErrorNumber {
    public static let notImplemented = 0x400
    public static let invalidValue = 0x401
    public static let valueNotSet = 0x402
    public static let notConnected = 0x407
    public static let parked = 0x408
    public static let slaved = 0x409
    public static let invalidOperation = 0x40B
    public static let actionNotImplemented = 0x40C
    /// Driver-specific errors occupy 0x500…0xFFF.
    public static let driverBase = 0x500

    /// A short name for messages.
    public static func name(_ number: Int) -> String {
        switch number {
        case notImplemented: "NotImplemented"
        case invalidValue: "InvalidValue"
        case valueNotSet: "ValueNotSet"
        case notConnected: "NotConnected"
        case parked: "Parked"
        case slaved: "Slaved"
        case invalidOperation: "InvalidOperation"
        case actionNotImplemented: "ActionNotImplemented"
        case 0x500...0xFFF: "DriverError"
        default: "Error"
        }
    }
}

/// One decoded Alpaca answer: the transaction ids, the error (0 when none) and the value.
public struct AlpacaResponse: Sendable, Hashable {
    public let clientTransactionID: Int?
    public let serverTransactionID: Int?
    public let errorNumber: Int
    public let errorMessage: String
    public let value: AlpacaValue

    /// Decodes an HTTP answer to an Alpaca request, or throws the error it carries.
    ///
    /// The real simulator answers device errors with HTTP 200 and a non-zero `ErrorNumber`
    /// (and `ClientTransactionID` 0, whatever was sent), unknown members with 404, and
    /// misspelt parameter names (they are case-sensitive) with FastAPI's 422.
    ///
    /// - Parameters:
    ///   - status: the HTTP status.
    ///   - body: the body bytes.
    ///   - request: the request in words, for messages (`telescope 0 PUT park`).
    ///   - sentTransactionID: the `ClientTransactionID` sent; a different non-zero echo is a protocol error.
    ///   - kind: the device kind, for errors.
    /// - Throws: ``DriverError``: `.notConnected` (0x407), `.refused` (not implemented, invalid
    ///   value, parked, invalid operation), `.deviceFault` (driver errors, HTTP 5xx),
    ///   `.protocolError` (HTTP 4xx, not JSON, wrong transaction id).
    public static func decode(
        status: Int, body: Data, request: String, sentTransactionID: Int?, kind: DeviceKind
    ) throws(DriverError) -> AlpacaResponse {
        let text = String(decoding: body.prefix(600), as: UTF8.self)
        switch status {
        case 200: break
        case 400: throw DriverError(.protocolError, device: kind, "\(request): the server says bad request: \(text)")
        case 404: throw DriverError(.protocolError, device: kind, "\(request): no such device or member on this server (HTTP 404: \(text))")
        case 422:
            throw DriverError(
                .protocolError, device: kind, "\(request): parameters rejected (HTTP 422; Alpaca parameter names are case-sensitive): \(text)")
        case 500...599: throw DriverError(.deviceFault, device: kind, "\(request): server error HTTP \(status): \(text)")
        default: throw DriverError(.protocolError, device: kind, "\(request): unexpected HTTP \(status): \(text)")
        }
        struct Body: Decodable {
            let ClientTransactionID: Int?
            let ServerTransactionID: Int?
            let ErrorNumber: Int?
            let ErrorMessage: String?
            let Value: AlpacaValue?
        }
        let decoded: Body
        do {
            decoded = try JSONDecoder().decode(Body.self, from: body)
        } catch {
            throw DriverError(.protocolError, device: kind, "\(request): the answer is not an Alpaca JSON object: \(text)")
        }
        let errorNumber = decoded.ErrorNumber ?? 0
        let errorMessage = decoded.ErrorMessage ?? ""
        let response = AlpacaResponse(
            clientTransactionID: decoded.ClientTransactionID, serverTransactionID: decoded.ServerTransactionID, errorNumber: errorNumber,
            errorMessage: errorMessage, value: decoded.Value ?? .null)
        if errorNumber != 0 {
            let described = "\(request): ErrorNumber 0x\(String(errorNumber, radix: 16, uppercase: true)) (\(AlpacaErrorNumber.name(errorNumber))): \(errorMessage)"
            let code: DriverError.Code =
                switch errorNumber {
                case AlpacaErrorNumber.notConnected: .notConnected
                case AlpacaErrorNumber.notImplemented, AlpacaErrorNumber.invalidValue, AlpacaErrorNumber.valueNotSet, AlpacaErrorNumber.parked,
                    AlpacaErrorNumber.slaved, AlpacaErrorNumber.invalidOperation, AlpacaErrorNumber.actionNotImplemented:
                    .refused
                default: .deviceFault
                }
            throw DriverError(code, device: kind, described)
        }
        if let sent = sentTransactionID, let echoed = response.clientTransactionID, echoed != 0, echoed != sent {
            throw DriverError(.protocolError, device: kind, "\(request): answer for ClientTransactionID \(echoed), not \(sent)")
        }
        return response
    }
}
