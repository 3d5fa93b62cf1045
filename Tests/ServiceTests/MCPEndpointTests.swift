import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Service

/// `/mcp` in-process: the Model Context Protocol over streamable HTTP, behind the API's tokens.
/// (MCPClientTests drives it with the official Python client over a real process.)
@Suite(.serialized)
struct MCPEndpointTests {
    static func rpc(_ method: String, id: Int = 1, params: [String: Any] = [:]) -> ByteBuffer {
        let message: [String: Any] = ["jsonrpc": "2.0", "id": id, "method": method, "params": params]
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: message))
    }

    static func headers(_ token: String?, extra: HTTPFields = [:]) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json", .accept: "application/json, text/event-stream"]
        if let token { fields[.authorization] = "Bearer \(token)" }
        fields.append(contentsOf: extra)
        return fields
    }

    static func result(_ response: TestResponse) -> [String: Any] {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        return object?["result"] as? [String: Any] ?? object ?? [:]
    }

    static var initialize: [String: Any] {
        [
            "protocolVersion": "2025-11-25", "capabilities": [String: Any](), "clientInfo": ["name": "swift-test", "version": "1"],
        ]
    }

    @Test func aViewerInitialisesListsTheToolsAndCallsOne() async throws {
        let fixture = try await APIRouteTests.Fixture()
        let viewer = fixture.viewer
        try await fixture.test { client in
            try await client.execute(uri: "/mcp", method: .post, headers: Self.headers(viewer), body: Self.rpc("initialize", params: Self.initialize)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let result = Self.result(response)
                #expect((result["serverInfo"] as? [String: Any])?["name"] as? String == "starling")
                #expect(result["protocolVersion"] as? String == "2025-11-25")
                #expect((result["instructions"] as? String)?.contains("validate_only") == true)
            }
            try await client.execute(uri: "/mcp", method: .post, headers: Self.headers(viewer), body: Self.rpc("tools/list", id: 2)) { response in
                let tools = Self.result(response)["tools"] as? [[String: Any]] ?? []
                #expect(tools.count == 10)
                for tool in tools {
                    #expect((tool["inputSchema"] as? [String: Any])?["type"] as? String == "object", "\(tool["name"] ?? "")")
                    #expect((tool["outputSchema"] as? [String: Any])?["additionalProperties"] as? Bool == false, "\(tool["name"] ?? "")")
                }
            }
            let call = Self.rpc("tools/call", id: 3, params: ["name": "target_observability", "arguments": ["site": "la-palma", "date": "2026-11-23", "name": "M31"]])
            try await client.execute(uri: "/mcp", method: .post, headers: Self.headers(viewer), body: call) { response in
                let result = Self.result(response)
                #expect(result["isError"] as? Bool == false)
                let structured = result["structuredContent"] as? [String: Any] ?? [:]
                #expect((structured["target"] as? [String: Any])?["catalog"] as? String != nil)
                #expect((structured["not_observable"] as? [[String: Any]])?.isEmpty == false)
            }
        }
    }

    @Test func writesNeedTheirRoleAndBadArgumentsAreToolErrors() async throws {
        let fixture = try await APIRouteTests.Fixture()
        let viewer = fixture.viewer
        try await fixture.test { client in
            let submit = Self.rpc(
                "tools/call", params: ["name": "submit_observation_request", "arguments": ["proposal": "STARLING-2026B-OPEN", "name": "M31", "filter": "r", "exposure_seconds": 60]])
            try await client.execute(uri: "/mcp", method: .post, headers: Self.headers(viewer), body: submit) { response in
                #expect(response.status == .ok)
                let result = Self.result(response)
                #expect(result["isError"] as? Bool == true)
                let text = ((result["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
                #expect(text.hasPrefix("forbidden: submit_observation_request needs the observer role"), "\(text)")
            }
            let bad = Self.rpc("tools/call", params: ["name": "target_observability", "arguments": ["site": "la-palma", "ra": 400, "dec": 0]])
            try await client.execute(uri: "/mcp", method: .post, headers: Self.headers(viewer), body: bad) { response in
                let result = Self.result(response)
                #expect(result["isError"] as? Bool == true)
                let text = ((result["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
                #expect(text.hasPrefix("invalid-argument: ra: 400.0 is outside 0.0…360.0"), "\(text)")
            }
        }
    }

    @Test func theEndpointIsBehindTheTokensRefusesOtherOriginsAndHasNoStream() async throws {
        let fixture = try await APIRouteTests.Fixture()
        let viewer = fixture.viewer
        try await fixture.test { client in
            try await client.execute(uri: "/mcp", method: .post, headers: Self.headers(nil), body: Self.rpc("tools/list")) { response in
                #expect(response.status == .unauthorized)
            }
            let foreign = Self.headers(viewer, extra: [.origin: "http://evil.example"])
            try await client.execute(uri: "/mcp", method: .post, headers: foreign, body: Self.rpc("tools/list")) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/mcp", method: .get, headers: [.authorization: "Bearer \(viewer)", .accept: "text/event-stream"]) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/mcp", method: .post, headers: Self.headers(viewer), body: ByteBuffer(string: "not json")) { response in
                #expect(response.status == .badRequest)
            }
        }
    }
}
