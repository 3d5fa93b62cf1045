import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MCPTools
import Orchestration
import Persistence
import StarlingCore
import Testing

@testable import Service

/// The API in-process (Hummingbird's test client) over a live network that is built but not
/// run: auth by role, JSON errors, documents, and the OpenAPI document kept true.
@Suite(.serialized)
struct APIRouteTests {
    /// A network host over the three-site scenario (not running), its server, and tokens.
    struct Fixture {
        let host: NetworkHost
        let server: StarlingServer
        let folder: String
        let viewer: String
        let observer: String
        let operatorToken: String

        /// - Parameters:
        ///   - proposals: the proposals requests are charged to (default: `proposals.yaml`).
        ///   - speed: the simulated clock's pace when the network runs (600× plays a night in a
        ///     minute and keeps a core busy; a test that needs only live agents asks for 1×).
        init(readAccess: ReadAccess = .token, proposals: ProposalBook? = nil, speed: Double = 600) async throws {
            folder = try ServeTestPaths.temporaryDirectory("routes")
            let layout = ProjectLayout(root: ServeTestPaths.packageRoot)
            let network = try layout.loadNetwork()
            let scenario = try Scenario.load(
                path: ServeTestPaths.fixtures + "/three-sites-live.yaml", context: Scenario.Context(network: network, catalogNames: layout.catalogNames))
            host = try await NetworkHost(configuration: NetworkHostConfiguration(
                network: network, catalog: try layout.loadCatalog(named: scenario.catalog), scenario: scenario, store: .sqlite(path: folder + "/starling.sqlite"),
                outputDirectory: folder, clock: .simulated(speed: speed), proposals: try proposals ?? layout.loadProposals(),
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }))
            let catalogs = try layout.catalogNames.map { (name: $0, catalog: try layout.loadCatalog(named: $0)) }
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            server = StarlingServer(
                live: host.live, configuration: ServerConfiguration(readAccess: readAccess), metrics: nil, logger: logger,
                tools: StarlingTools(context: ToolContext(live: host.live, catalogs: catalogs, surveyCatalog: nil, logger: logger)))
            let authority = TokenAuthority(store: host.live.store)
            viewer = try await authority.create(name: "viewer-test", role: .viewer, at: Date()).secret
            observer = try await authority.create(name: "observer-test", role: .observer, at: Date()).secret
            operatorToken = try await authority.create(name: "operator-test", role: .operator, at: Date()).secret
        }

        func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let application = Application(router: server.makeRouter())
            try await application.test(.router, body)
            try? FileManager.default.removeItem(atPath: folder)
        }

        /// Serves the network on a real port (for clients that speak HTTP themselves) around
        /// `body`, running it only when `running` (submitting a request needs the agents;
        /// reading and validating do not, and a network simulated at 600× is a core's work).
        func whileServing(running: Bool, _ body: @escaping @Sendable (_ port: Int) async throws -> Void) async throws {
            let host = self.host
            let task = running ? Task { try await host.run() } : nil
            if running {
                while host.live.currentPhase != .running { try await Task.sleep(for: .milliseconds(20)) }
            }
            let application = Application(router: server.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await application.test(.live) { client in
                try await body(try #require(client.port))
            }
            task?.cancel()
            _ = await task?.result
            try? FileManager.default.removeItem(atPath: folder)
        }

        /// Runs the network (its simulated clock paced at 600×) around `body`, then stops it.
        func whileRunning(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let host = self.host
            let running = Task { try await host.run() }
            while host.live.currentPhase != .running { try await Task.sleep(for: .milliseconds(20)) }
            try await test(body)
            running.cancel()
            _ = await running.result
        }
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func error(_ response: TestResponse) -> (code: String, message: String)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return nil }
        return (error["code"] as? String ?? "", error["message"] as? String ?? "")
    }

    @Test func readingNeedsAViewerTokenUnlessReadsAreOpen() async throws {
        let fixture = try await Fixture()
        let viewer = fixture.viewer
        try await fixture.test { client in
            try await client.execute(uri: "/api/telescopes", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(Self.error(response)?.code == "unauthorized")
                #expect(Self.error(response)?.message.contains("starling token create") == true)
            }
            try await client.execute(uri: "/api/telescopes", method: .get, headers: [.authorization: "Bearer stl_not-a-token"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/telescopes", method: .get, headers: Self.bearer(viewer)) { response in
                #expect(response.status == .ok)
                let telescopes = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [[String: Any]]
                #expect(telescopes?.count ?? 0 > 5)
                #expect(telescopes?.first?["state"] as? String == "closed")
            }
            // The OCS portal's header form is accepted too.
            try await client.execute(uri: "/api/network", method: .get, headers: [.authorization: "Token \(viewer)"]) { response in
                #expect(response.status == .ok)
            }
            // Operations are public.
            try await client.execute(uri: "/health", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/ready", method: .get) { response in #expect(response.status == .serviceUnavailable) }
        }
        let open = try await Fixture(readAccess: .open)
        try await open.test { client in
            try await client.execute(uri: "/api/telescopes", method: .get) { response in #expect(response.status == .ok) }
            // Writing still needs a token.
            try await client.execute(uri: "/api/reviews", method: .post, body: ByteBuffer(string: #"{"frame_id":"x","decision":"approved"}"#)) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func eachWriteNeedsItsRole() async throws {
        let fixture = try await Fixture()
        let (viewer, observer, operatorToken) = (fixture.viewer, fixture.observer, fixture.operatorToken)
        try await fixture.test { client in
            let review = ByteBuffer(string: #"{"frame_id":"no-such-frame","decision":"flagged","note":"trail"}"#)
            try await client.execute(uri: "/api/reviews", method: .post, headers: Self.bearer(viewer), body: review) { response in
                #expect(response.status == .forbidden)
                #expect(Self.error(response)?.message.contains("observer") == true)
            }
            // An observer passes the role check; the frame does not exist.
            try await client.execute(uri: "/api/reviews", method: .post, headers: Self.bearer(observer), body: review) { response in
                #expect(response.status == .notFound)
                #expect(Self.error(response)?.message.contains("no-such-frame") == true)
            }
            try await client.execute(uri: "/api/telescopes/la-palma-1m-a/close", method: .post, headers: Self.bearer(observer)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/telescopes/la-palma-1m-a/close", method: .post, headers: Self.bearer(operatorToken)) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/api/alerts", method: .post, headers: Self.bearer(observer), body: ByteBuffer(string: "<VOEvent/>")) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test func badInputGetsAJSONErrorNamingTheField() async throws {
        let fixture = try await Fixture()
        let (viewer, observer, operatorToken) = (fixture.viewer, fixture.observer, fixture.operatorToken)
        try await fixture.test { client in
            try await client.execute(uri: "/api/observations?since=yesterday", method: .get, headers: Self.bearer(viewer)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.error(response)?.message.contains("since=yesterday") == true)
            }
            try await client.execute(uri: "/api/observations?limit=0", method: .get, headers: Self.bearer(viewer)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/api/plans?site=atlantis", method: .get, headers: Self.bearer(viewer)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/no-such-thing", method: .get, headers: Self.bearer(viewer)) { response in
                #expect(response.status == .notFound)
                #expect(Self.error(response)?.message.contains("openapi.json") == true)
            }
            try await client.execute(uri: "/api/reviews", method: .post, headers: Self.bearer(observer), body: ByteBuffer(string: #"{"frame_id": 3"#)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.error(response)?.code == "invalid-json")
            }
            try await client.execute(uri: "/api/reviews", method: .post, headers: Self.bearer(observer), body: ByteBuffer(string: #"{"frame_id":"f"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.error(response)?.message.contains("decision") == true)
            }
            // Before the network runs, nothing is stored and the sender is told to try again.
            try await client.execute(uri: "/api/alerts", method: .post, headers: Self.bearer(operatorToken), body: ByteBuffer(string: "not a notice")) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(Self.error(response)?.code == "not-running")
            }
        }
    }

    @Test func anUnreadableNoticeIsStoredAndRefusedWithItsReason() async throws {
        let fixture = try await Fixture()
        let operatorToken = fixture.operatorToken
        try await fixture.whileRunning { client in
            try await client.execute(uri: "/api/alerts", method: .post, headers: Self.bearer(operatorToken), body: ByteBuffer(string: "not a notice")) { response in
                #expect(response.status == .unprocessableContent)
                let receipt = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(receipt?["outcome"] as? String == "refused")
                #expect((receipt?["reason"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test func anAlertSubmittedOverHTTPIsStoredAndListed() async throws {
        let fixture = try await Fixture()
        let (viewer, operatorToken) = (fixture.viewer, fixture.operatorToken)
        let notice = try Data(contentsOf: URL(fileURLWithPath: ServeTestPaths.packageRoot + "/simulations/alerts/swift-bat-grb-1300001.xml"))
        try await fixture.whileRunning { client in
            try await client.execute(uri: "/api/alerts", method: .post, headers: Self.bearer(operatorToken), body: ByteBuffer(bytes: notice)) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/api/alerts", method: .post, headers: Self.bearer(operatorToken), body: ByteBuffer(bytes: notice)) { response in
                let receipt = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(receipt?["outcome"] as? String == "duplicate")
            }
            try await client.execute(uri: "/api/alerts?since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z", method: .get, headers: Self.bearer(viewer)) { response in
                let page = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                let items = page?["items"] as? [[String: Any]]
                #expect(items?.count == 1)
                #expect(items?.first?["transport"] as? String == "http:operator-test")
                #expect(items?.first?["mission"] as? String == "Swift")
            }
        }
    }

    @Test func theOpenAPIDocumentListsExactlyTheRoutesServed() async throws {
        let fixture = try await Fixture()
        let document = try JSONSerialization.jsonObject(with: try Resources.data("openapi.json")) as? [String: Any]
        let paths = try #require(document?["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for (method, operation) in operations {
                documented.insert("\(method.uppercased()) \(path)")
                // The role the document states is the role the route enforces.
                let role = (operation as? [String: Any])?["x-starling-role"] as? String
                let route = APIRoutes(server: fixture.server).table.first { $0.path == path && $0.method.rawValue == method.uppercased() }
                #expect(route?.role?.rawValue == role, "\(method.uppercased()) \(path): the document says \(role ?? "public")")
            }
        }
        let served = Set(APIRoutes(server: fixture.server).table.map { "\($0.method.rawValue) \($0.path)" })
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        try? FileManager.default.removeItem(atPath: fixture.folder)
    }
}
