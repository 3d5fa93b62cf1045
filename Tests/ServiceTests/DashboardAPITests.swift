import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Observatory
import Persistence
import StarlingCore
import Testing

@testable import Service

/// What the dashboard reads beyond the first API: the caller's session, why a telescope is
/// closed, what it is doing, follow-ups with their first-frame delays, lists newest first and
/// frames with pixels, and the event types the page listens to.
@Suite(.serialized)
struct DashboardAPITests {
    typealias Fixture = APIRouteTests.Fixture

    static func object(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    static func array(_ response: TestResponse) -> [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [[String: Any]]) ?? []
    }

    @Test func theSessionSaysWhatTheCallersRoleAllowsAndWhyNot() async throws {
        let fixture = try await Fixture()
        let (viewer, observer) = (fixture.viewer, fixture.observer)
        let schema = try OpenAPISchema()
        try await fixture.test { client in
            try await client.execute(uri: "/api/session", method: .get) { response in
                #expect(response.status == .ok)
                let session = Self.object(response)
                try schema.check(session, against: "Session")
                #expect(session["read_access"] as? String == "token")
                #expect(session["role"] == nil)
                let read = try #require(session["read"] as? [String: Any])
                #expect(read["allowed"] as? Bool == false)
                #expect((read["reason"] as? String)?.contains("starling token create") == true)
            }
            try await client.execute(uri: "/api/session", method: .get, headers: APIRouteTests.bearer(viewer)) { response in
                let session = Self.object(response)
                try schema.check(session, against: "Session")
                #expect(session["role"] as? String == "viewer")
                #expect(session["name"] as? String == "viewer-test")
                #expect((session["read"] as? [String: Any])?["allowed"] as? Bool == true)
                let review = try #require(session["review"] as? [String: Any])
                #expect(review["allowed"] as? Bool == false)
                #expect(review["role"] as? String == "observer")
                #expect((review["reason"] as? String)?.contains("observer") == true)
            }
            try await client.execute(uri: "/api/session", method: .get, headers: APIRouteTests.bearer(observer)) { response in
                let session = Self.object(response)
                #expect((session["review"] as? [String: Any])?["allowed"] as? Bool == true)
                #expect((session["operate"] as? [String: Any])?["allowed"] as? Bool == false)
            }
        }
        let open = try await Fixture(readAccess: .open)
        try await open.test { client in
            try await client.execute(uri: "/api/session", method: .get) { response in
                let session = Self.object(response)
                #expect(session["read_access"] as? String == "open")
                #expect((session["read"] as? [String: Any])?["allowed"] as? Bool == true)
                #expect((session["review"] as? [String: Any])?["allowed"] as? Bool == false)
            }
        }
    }

    /// At the scenario's start (20:30 UTC) Siding Spring is in daylight and La Palma is dark
    /// but has no plan yet; an operator's close is the cause until it is released.
    @Test func aClosedTelescopeSaysWhyItIsClosed() async throws {
        let fixture = try await Fixture()
        let (viewer, operatorToken) = (fixture.viewer, fixture.operatorToken)
        let schema = try OpenAPISchema()
        try await fixture.test { client in
            try await client.execute(uri: "/api/telescopes", method: .get, headers: APIRouteTests.bearer(viewer)) { response in
                let telescopes = Self.array(response)
                for telescope in telescopes { try schema.check(telescope, against: "TelescopeState") }
                let bySite = Dictionary(grouping: telescopes) { $0["site_id"] as? String ?? "" }
                for telescope in try #require(bySite["siding-spring"]) {
                    let closure = try #require(telescope["closed_because"] as? [String: Any])
                    #expect(closure["cause"] as? String == "daylight", "\(telescope)")
                    #expect((closure["detail"] as? String)?.contains("Sun at") == true)
                }
                for telescope in try #require(bySite["la-palma"]) {
                    let closure = try #require(telescope["closed_because"] as? [String: Any])
                    #expect(closure["cause"] as? String == "waiting")
                    #expect(closure["detail"] as? String == "no plan for tonight yet")
                    #expect(telescope["doing"] == nil)
                }
            }
            let close = ByteBuffer(string: #"{"reason":"dome inspection"}"#)
            try await client.execute(uri: "/api/telescopes/la-palma-1m-a/close", method: .post, headers: APIRouteTests.bearer(operatorToken), body: close) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/api/telescopes/la-palma-1m-a", method: .get, headers: APIRouteTests.bearer(viewer)) { response in
                let closure = Self.object(response)["closed_because"] as? [String: Any]
                #expect(closure?["cause"] as? String == "operator-hold")
                #expect((closure?["detail"] as? String)?.contains("dome inspection") == true)
            }
            try await client.execute(uri: "/api/telescopes/la-palma-1m-a/open", method: .post, headers: APIRouteTests.bearer(operatorToken)) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/api/telescopes/la-palma-1m-a", method: .get, headers: APIRouteTests.bearer(viewer)) { response in
                #expect((Self.object(response)["closed_because"] as? [String: Any])?["cause"] as? String == "waiting")
            }
        }
    }

    @Test(arguments: [
        // (state, fault, weather unsafe, Sun altitude °, queued, has plan, hold) → cause
        (TelescopeState.idle, false, false, -30.0, 3, true, false, nil as ClosureExplanation.Cause?),
        (.opening, false, true, 10.0, 0, false, true, nil),
        (.parked, false, false, -30.0, 0, true, true, .operatorHold),
        (.closed, true, true, 10.0, 3, true, false, .fault),
        (.fault, false, false, -30.0, 3, true, false, .fault),
        (.parked, false, true, 10.0, 3, true, false, .daylight),
        (.closing, false, true, -30.0, 3, true, false, .weather),
        (.parked, false, false, -30.0, 0, true, false, .noWorkLeft),
        (.parked, false, false, -30.0, 0, false, false, .waiting),
        (.closed, false, false, -30.0, 2, true, false, .waiting),
    ])
    func theClosureCauseIsTheOneThatKeepsTheTelescopeClosedLongest(
        state: TelescopeState, fault: Bool, unsafe: Bool, sunAltitude: Double, queued: Int, hasPlan: Bool, hold: Bool, expected: ClosureExplanation.Cause?
    ) throws {
        let network = try ProjectLayout(root: ServeTestPaths.packageRoot).loadNetwork()
        let telescope = try #require(network.locate(TelescopeID("la-palma-1m-a"))?.telescope)
        let explanation = ClosureExplanation.explain(
            state: state, faults: fault ? [.camera: Reason(.deviceTimeout, "no answer for 30 s")] : [:],
            weather: unsafe ? .unsafe(["humidity 97% > 90%"]) : .unknown(secondsSinceLastReading: 240), queued: queued, hasPlan: hasPlan,
            hold: hold ? "lightning nearby" : nil, sunAltitude: .degrees(sunAltitude), policy: telescope.safety)
        #expect(explanation?.cause == expected)
        if expected == .weather { #expect(explanation?.detail.contains("humidity 97%") == true) }
        if expected == .fault { #expect(explanation?.detail.isEmpty == false) }
    }

    @Test func theBoardKnowsWhatARunningObservationAsksForAndForgetsOldPlans() throws {
        let board = TelescopeActivityBoard(followUpCapacity: 2)
        let telescope = TelescopeID("la-palma-1m-a")
        let start = try #require(ISO8601.date(from: "2026-11-23T21:00:00Z"))
        func request(_ id: String, kind: ObservationRequest.Kind = .survey) throws -> ObservationRequest {
            let target = Target(
                id: TargetID("t-\(id)"), name: "NGC \(id)", coordinates: try EquatorialCoordinates(rightAscension: .degrees(10), declination: .degrees(-25)),
                kind: .galaxy)
            return ObservationRequest(id: RequestID(id), target: target, exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 60, count: 3)], kind: kind)
        }
        let night = try #require(CalendarDate("2026-11-23"))
        func plan(_ id: String, _ requests: [ObservationRequest]) -> NightPlan {
            NightPlan(
                id: PlanID(id), telescopeID: telescope, siteID: SiteID("la-palma"), night: night, createdAt: start,
                entries: requests.map {
                    PlannedObservation(request: $0, start: start, end: start.addingTimeInterval(300), altitudeStart: .degrees(50), altitudeEnd: .degrees(52), airmass: 1.3, merit: 1, reason: "test")
                }, ranking: .deterministic, notes: [])
        }
        board.record(.planner(.planMade(plan("p1", [try request("253"), try request("300")]))))
        board.record(.telescope(.observationStarted(telescope: telescope, request: RequestID("253"), at: start)))
        board.record(.telescope(.stateChanged(telescope: telescope, from: .slewing, to: .exposing, at: start, reason: "r 60 s on NGC 253")))
        #expect(board.request(RequestID("253"))?.target.name == "NGC 253")
        #expect(board.activity(of: telescope).running?.requestID == RequestID("253"))
        #expect(board.activity(of: telescope).lastChange?.reason == "r 60 s on NGC 253")
        #expect(board.activity(of: telescope).hasPlan)

        // A new plan retires the old one's requests, except the one running.
        board.record(.planner(.planMade(plan("p2", [try request("1365")]))))
        #expect(board.request(RequestID("300")) == nil)
        #expect(board.request(RequestID("253")) != nil)
        #expect(board.request(RequestID("1365")) != nil)

        // Follow-up requests are kept up to the capacity, oldest forgotten first.
        for id in ["f1", "f2", "f3"] { board.learn([try request(id, kind: .followUp)]) }
        #expect(board.request(RequestID("f1")) == nil)
        #expect(board.request(RequestID("f3")) != nil)

        // An unknown request is looked up once.
        #expect(board.shouldLookUp(RequestID("x")))
        #expect(!board.shouldLookUp(RequestID("x")))
    }

    @Test func aFollowUpGivesTheDelayFromTheNoticeToItsFirstLightFrame() throws {
        let received = try #require(ISO8601.date(from: "2026-11-23T21:00:00Z"))
        let target = Target(
            id: TargetID("grb"), name: "GRB 261123A", coordinates: try EquatorialCoordinates(rightAscension: .degrees(150), declination: .degrees(20)),
            kind: .transient)
        let request = ObservationRequest(
            id: RequestID("fu-1"), target: target, exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 60, count: 2)], kind: .followUp,
            alertID: AlertID("a-1"))
        let assignment = Assignment(
            id: AssignmentID("as-1"), alertID: AlertID("a-1"), telescopeID: TelescopeID("la-palma-1m-a"), siteID: SiteID("la-palma"), request: request,
            plannedStart: received.addingTimeInterval(30), leaseExpiry: received.addingTimeInterval(900), state: .completed, reason: "earliest start")
        func frame(_ id: String, _ type: FrameRecord.ImageType, after seconds: Double) -> FrameRecord {
            FrameRecord(
                id: FrameID(id), observationID: ObservationID("o-2"), telescopeID: TelescopeID("la-palma-1m-a"), path: "/nowhere/\(id).fits", imageType: type,
                filter: Filter("r"), exposureSeconds: 60, started: received.addingTimeInterval(seconds), pointing: nil, airmass: nil)
        }
        let observations = [
            Observation(
                id: ObservationID("o-1"), requestID: request.id, telescopeID: assignment.telescopeID, siteID: assignment.siteID, targetID: target.id,
                started: received.addingTimeInterval(20), ended: received.addingTimeInterval(21), outcome: .aborted(Reason(.preempted, "test")), frames: []),
            Observation(
                id: ObservationID("o-2"), requestID: request.id, telescopeID: assignment.telescopeID, siteID: assignment.siteID, targetID: target.id,
                started: received.addingTimeInterval(40), ended: received.addingTimeInterval(300), outcome: .completed,
                frames: [frame("dark", .dark, after: 45), frame("l2", .light, after: 160), frame("l1", .light, after: 95)]),
        ]
        let record = AlertRecord(id: AlertID("a-1"), receivedAt: received, transport: "folder", format: "voevent", raw: Data(), alert: nil, status: .processed)
        let document = FollowUpDocument(record, assignments: [assignment], observations: [request.id: observations])
        let json = try #require(try JSONSerialization.jsonObject(with: APIJSON.encode(document)) as? [String: Any])
        try OpenAPISchema().check(json, against: "FollowUp")
        #expect(json["seconds_from_alert_to_first_frame"] as? Double == 95)
        #expect(json["seconds_from_event_to_first_frame"] == nil)
        let leg = try #require((json["assignments"] as? [[String: Any]])?.first)
        #expect(leg["frame_count"] as? Int == 2)
        #expect((leg["observations"] as? [[String: Any]])?.count == 2)
        #expect((leg["assignment"] as? [String: Any])?["telescope_id"] as? String == "la-palma-1m-a")
    }

    @Test func followUpsListTheAlertsReceivedWithTheirAssignments() async throws {
        let fixture = try await Fixture()
        let (viewer, operatorToken) = (fixture.viewer, fixture.operatorToken)
        let notice = try Data(contentsOf: URL(fileURLWithPath: ServeTestPaths.packageRoot + "/simulations/alerts/swift-bat-grb-1300001.xml"))
        let schema = try OpenAPISchema()
        try await fixture.whileRunning { client in
            try await client.execute(uri: "/api/alerts", method: .post, headers: APIRouteTests.bearer(operatorToken), body: ByteBuffer(bytes: notice)) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/api/follow-ups?order=newest", method: .get, headers: APIRouteTests.bearer(viewer)) { response in
                #expect(response.status == .ok)
                let page = Self.object(response)
                try schema.check(page, against: "FollowUpPage")
                let items = try #require(page["items"] as? [[String: Any]])
                #expect(items.count == 1)
                #expect((items.first?["alert"] as? [String: Any])?["mission"] as? String == "Swift")
            }
            try await client.execute(uri: "/api/follow-ups?assigned=maybe", method: .get, headers: APIRouteTests.bearer(viewer)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/api/alerts?order=sideways", method: .get, headers: APIRouteTests.bearer(viewer)) { response in
                #expect(response.status == .badRequest)
                #expect(APIRouteTests.error(response)?.message.contains("oldest, newest") == true)
            }
            try await client.execute(uri: "/api/frames?has_file=true&order=newest", method: .get, headers: APIRouteTests.bearer(viewer)) { response in
                #expect(response.status == .ok)
                try schema.check(Self.object(response), against: "FramePage")
            }
        }
    }

    @Test func newestFirstReversesTheListBeforePaging() throws {
        func page(_ query: String) throws -> [Int] {
            let request = Request(
                head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/x?" + query), body: RequestBody(buffer: ByteBuffer()))
            return Array(try Query(request: request).page(Array(1...5)).items)
        }
        #expect(try page("limit=2") == [1, 2])
        #expect(try page("limit=2&order=newest") == [5, 4])
        #expect(try page("limit=2&order=newest&cursor=2") == [3, 2])
    }

    /// The page listens for every event type the stream carries, and for no other.
    @Test func theDashboardListensToEveryEventTypeTheStreamCarries() throws {
        let script = String(decoding: try Resources.data("dashboard/api.js"), as: UTF8.self)
        let start = try #require(script.range(of: "export const EVENT_TYPES = ["))
        let end = try #require(script[start.upperBound...].range(of: "];"))
        let listed = script[start.upperBound..<end.lowerBound].split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }.filter { !$0.isEmpty }
        #expect(listed == EventDocument.types)
    }

    /// Every file of the dashboard is served with its content type, and every module the
    /// page imports is one of them.
    @Test func theDashboardsFilesAreServed() async throws {
        let fixture = try await Fixture()
        let folder = ServeTestPaths.packageRoot + "/Sources/Service/Resources/dashboard"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        #expect(files.contains("index.html") && files.contains("app.js"))
        for file in files where file.hasSuffix(".js") {
            let source = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for line in source.split(separator: "\n") where line.hasPrefix("import ") {
                guard let from = line.range(of: "from \"./") else { continue }
                let name = String(line[from.upperBound...].prefix { $0 != "\"" })
                #expect(files.contains(name), "\(file) imports \(name), which is not in the dashboard")
            }
        }
        try await fixture.test { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            }
            for file in files where file != "index.html" {
                try await client.execute(uri: "/dashboard/" + file, method: .get) { response in
                    #expect(response.status == .ok, "\(file)")
                    let type = response.headers[.contentType] ?? ""
                    let expected = ["js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"][URL(fileURLWithPath: file).pathExtension]
                    #expect(expected.map { type.hasPrefix($0) } ?? true, "\(file) is served as \(type)")
                }
            }
        }
    }
}
