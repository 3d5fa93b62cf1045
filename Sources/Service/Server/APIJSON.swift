import Foundation
public import Hummingbird
import StarlingCore

/// How the API writes and reads JSON: snake_case keys, ISO 8601 instants with milliseconds
/// (UTC), sorted keys (stable output), no escaped slashes.
public enum APIJSON {
    /// The response encoder.
    public struct Encoder: ResponseEncoder {
        public init() {}

        public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
            let data = try APIJSON.encode(value)
            var buffer = ByteBuffer()
            buffer.writeBytes(data)
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
        }
    }

    /// The request decoder.
    public struct Decoder: RequestDecoder {
        public init() {}

        public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            do {
                return try APIJSON.decoder.decode(T.self, from: Data(buffer.readableBytesView))
            } catch let error as DecodingError {
                throw APIError(.badRequest, code: "invalid-json", APIJSON.describe(error))
            }
        }
    }

    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(from: date))
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(value)
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 UTC instant such as 2026-11-24T00:30:00Z")
            }
            return date
        }
        return decoder
    }()

    /// A decoding error in words, naming the field.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let names = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? "the body" : names.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): required field missing"
        case .typeMismatch(_, let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)): value missing"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "the body is not valid JSON"
        }
    }
}
