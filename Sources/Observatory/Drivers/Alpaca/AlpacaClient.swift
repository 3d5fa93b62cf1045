import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import StarlingCore
import Synchronization

/// The device types of the Alpaca Device API (the path segment after `/api/v1/`).
public enum AlpacaDeviceType: String, Sendable, Hashable, CaseIterable {
    case telescope, camera, focuser, filterwheel, dome, observingconditions, safetymonitor
}

/// A client of an ASCOM Alpaca server (HTTP/JSON, Alpaca Device API v1).
///
/// Every request carries `ClientID` (fixed per client) and a fresh `ClientTransactionID`;
/// GET parameters go in the query, PUT parameters in an `application/x-www-form-urlencoded`
/// body, with the API's exact (case-sensitive) names. Answers are checked by
/// ``AlpacaResponse/decode(status:body:request:sentTransactionID:kind:)``.
///
/// Why `URLSession` (FoundationNetworking, libcurl underneath) rather than a hand-made
/// HTTP/1.1 client on the INDI sockets: Alpaca is plain request/response HTTP, which libcurl
/// does completely (keep-alive, chunked bodies as uvicorn's streamed ImageBytes use, a
/// deadline per request: SWIFT-NOTES measured it honouring a 1 s timeout), and it adds no
/// package dependency. INDI, a long-lived stream, needed its own reader; Alpaca does not.
public final class AlpacaClient: Sendable {
    public let host: String
    public let port: Int
    /// The `ClientID` sent with every request.
    public let clientID: Int
    /// The deadline of one HTTP request.
    public let requestTimeout: Duration
    private let session: URLSession
    private let transactions = Mutex(0)

    /// - Parameters:
    ///   - host: the server's host.
    ///   - port: its port (11111 by convention).
    ///   - clientID: identifies this client to the server (1…4294967295).
    ///   - requestTimeout: the deadline of one request.
    public init(host: String, port: Int = 11111, clientID: Int = Int.random(in: 1...65_535), requestTimeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.requestTimeout = requestTimeout
        let configuration = URLSessionConfiguration.ephemeral
        let seconds = Double(requestTimeout.components.seconds) + Double(requestTimeout.components.attoseconds) * 1e-18
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds * 4
        configuration.httpMaximumConnectionsPerHost = 4
        session = URLSession(configuration: configuration)
    }

    /// A client for a telescope's Alpaca configuration.
    public convenience init(configuration: AlpacaConfiguration) {
        self.init(host: configuration.host, port: configuration.port)
    }

    private func nextTransactionID() -> Int {
        transactions.withLock { value in
            value = value == Int(UInt32.max) ? 1 : value + 1
            return value
        }
    }

    /// Reads a property (`GET /api/v1/{type}/{number}/{member}`).
    public func get(
        _ type: AlpacaDeviceType, _ number: Int, _ member: String, parameters: [(String, String)] = [], kind: DeviceKind
    ) async throws(DriverError) -> AlpacaResponse {
        try await call("GET", type, number, member, parameters: parameters, kind: kind)
    }

    /// Sets a property or calls a method (`PUT`, form-encoded body).
    @discardableResult
    public func put(
        _ type: AlpacaDeviceType, _ number: Int, _ member: String, parameters: [(String, String)] = [], kind: DeviceKind
    ) async throws(DriverError) -> AlpacaResponse {
        try await call("PUT", type, number, member, parameters: parameters, kind: kind)
    }

    private func call(
        _ method: String, _ type: AlpacaDeviceType, _ number: Int, _ member: String, parameters: [(String, String)], kind: DeviceKind
    ) async throws(DriverError) -> AlpacaResponse {
        let transaction = nextTransactionID()
        let request = try makeRequest(type, number, member, method: method, parameters: parameters, transaction: transaction, kind: kind)
        let what = describe(type, number, method, member, parameters)
        let (status, _, body) = try await perform(request, describing: what, kind: kind)
        return try AlpacaResponse.decode(status: status, body: body, request: what, sentTransactionID: transaction, kind: kind)
    }

    /// Downloads a camera's last image, as ImageBytes when the server offers it, else JSON.
    public func imageArray(camera number: Int) async throws(DriverError) -> AlpacaImage {
        let transaction = nextTransactionID()
        var request = try makeRequest(.camera, number, "imagearray", method: "GET", parameters: [], transaction: transaction, kind: .camera)
        request.setValue("application/imagebytes, application/json", forHTTPHeaderField: "Accept")
        let what = describe(.camera, number, "GET", "imagearray", [])
        let (status, contentType, body) = try await perform(request, describing: what, kind: .camera)
        if status == 200, contentType.contains("imagebytes") {
            return try AlpacaImage(imageBytes: body, request: what)
        }
        let response = try AlpacaResponse.decode(status: status, body: body, request: what, sentTransactionID: transaction, kind: .camera)
        return try AlpacaImage(jsonValue: response.value, request: what)
    }

    /// The form encoding of parameters (application/x-www-form-urlencoded, RFC 3986 unreserved kept).
    static func formEncode(_ parameters: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return parameters.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }

    private func makeRequest(
        _ type: AlpacaDeviceType, _ number: Int, _ member: String, method: String, parameters: [(String, String)], transaction: Int,
        kind: DeviceKind
    ) throws(DriverError) -> URLRequest {
        let all = [("ClientID", String(clientID)), ("ClientTransactionID", String(transaction))] + parameters
        let base = "http://\(host):\(port)/api/v1/\(type.rawValue)/\(number)/\(member)"
        guard let url = URL(string: method == "GET" ? base + "?" + Self.formEncode(all) : base) else {
            throw DriverError(.refused, device: kind, "cannot build an Alpaca URL from host '\(host)' and port \(port)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if method == "PUT" {
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(Self.formEncode(all).utf8)
        }
        return request
    }

    private func perform(_ request: URLRequest, describing what: String, kind: DeviceKind) async throws(DriverError) -> (Int, String, Data) {
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                throw DriverError(.protocolError, device: kind, "\(what): not an HTTP answer")
            }
            return (http.statusCode, (http.value(forHTTPHeaderField: "Content-Type") ?? "").lowercased(), data)
        } catch let error as DriverError {
            throw error
        } catch let error as URLError {
            switch error.code {
            case .timedOut: throw DriverError(.timeout, device: kind, "\(what): no answer from \(host):\(port) within \(requestTimeout)")
            case .cannotConnectToHost, .networkConnectionLost, .cannotFindHost, .notConnectedToInternet, .dnsLookupFailed:
                throw DriverError(.disconnected, device: kind, "\(what): cannot reach the Alpaca server \(host):\(port) (\(error.localizedDescription))")
            default: throw DriverError(.disconnected, device: kind, "\(what): \(error.localizedDescription)")
            }
        } catch {
            throw DriverError(.disconnected, device: kind, "\(what): \(error)")
        }
    }

    private func describe(_ type: AlpacaDeviceType, _ number: Int, _ method: String, _ member: String, _ parameters: [(String, String)]) -> String {
        let values = parameters.isEmpty ? "" : " (" + parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")"
        return "\(type.rawValue) \(number) \(method) \(member)\(values) on \(host):\(port)"
    }
}
