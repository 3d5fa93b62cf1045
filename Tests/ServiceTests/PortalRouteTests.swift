import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Orchestration
@testable import Service
@testable import StarlingCore

/// The OCS request API's rules that TOM Toolkit's happy path does not reach: roles and
/// proposals, the portal's answers for bad input, unknown ids, paths with and without their
/// slash, and download links that only work as signed.
@Suite(.serialized)
struct PortalRouteTests {
    typealias Fixture = APIRouteTests.Fixture

    static func token(_ token: String) -> HTTPFields { [.authorization: "Token \(token)", .contentType: "application/json"] }

    static func json(_ response: TestResponse) -> Any? { try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) }

    /// A group for M2 with a window from the network's start, on the 1m0 imager.
    static func group(proposal: String = "STARLING-2026B-OPEN", filter: String = "r") -> ByteBuffer {
        ByteBuffer(string: """
            {"name": "portal test", "proposal": "\(proposal)", "ipp_value": 1.0, "operator": "SINGLE", "observation_type": "NORMAL",
             "requests": [{"location": {"telescope_class": "1m0"}, "windows": [{"start": "2026-11-23T20:30:00Z", "end": "2026-11-26T20:30:00Z"}],
               "configurations": [{"type": "EXPOSE", "instrument_type": "1M0-IMAGER",
                 "target": {"name": "M2", "type": "ICRS", "ra": 323.3625, "dec": -0.8233},
                 "constraints": {"max_airmass": 2.0, "min_lunar_distance": 30},
                 "instrument_configs": [{"exposure_time": 30, "exposure_count": 1, "optical_elements": {"filter": "\(filter)"}}]}]}]}
            """)
    }

    @Test func submittingNeedsTheObserverRoleAndMembershipOfTheProposal() async throws {
        let fixture = try await Fixture()
        let (viewer, observer) = (fixture.viewer, fixture.observer)
        try await fixture.whileRunning { client in
            try await client.execute(uri: "/api/requestgroups/", method: .post, headers: Self.token(viewer), body: Self.group()) { response in
                #expect(response.status == .forbidden)
            }
            // The director's proposal admits only the token named "director".
            try await client.execute(uri: "/api/requestgroups/", method: .post, headers: Self.token(observer), body: Self.group(proposal: "STARLING-2026B-DDT")) { response in
                #expect(response.status == .badRequest)
                #expect((Self.json(response) as? [String: Any])?["proposal"] as? [String] == ["You do not belong to the proposal STARLING-2026B-DDT."])
            }
            // The profile lists only what the caller may use.
            try await client.execute(uri: "/api/profile/", method: .get, headers: Self.token(observer)) { response in
                let proposals = ((Self.json(response) as? [String: Any])?["proposals"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(proposals == ["STARLING-2026B-OPEN"])
            }
        }
    }

    @Test func validationAnswersAsThePortalDoesAndSubmissionStoresWhatItValidates() async throws {
        let fixture = try await Fixture()
        let observer = fixture.observer
        try await fixture.whileRunning { client in
            // Validation always answers 200, with the errors field by field (TOM's form reads them).
            try await client.execute(uri: "/api/requestgroups/validate/", method: .post, headers: Self.token(observer), body: ByteBuffer(string: "{not json")) { response in
                #expect(response.status == .ok)
                let errors = (Self.json(response) as? [String: Any])?["errors"] as? [String: Any]
                #expect((errors?["non_field_errors"] as? [String])?.first?.hasPrefix("JSON parse error") == true)
            }
            try await client.execute(uri: "/api/requestgroups/validate", method: .post, headers: Self.token(observer), body: Self.group(filter: "Hα")) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("Invalid filter Hα for instrument 1M0-IMAGER"))
            }
            var requestID = 0, groupID = 0
            try await client.execute(uri: "/api/requestgroups/", method: .post, headers: Self.token(observer), body: Self.group()) { response in
                #expect(response.status == .created)
                let group = Self.json(response) as? [String: Any]
                groupID = group?["id"] as? Int ?? 0
                requestID = ((group?["requests"] as? [[String: Any]])?.first?["id"] as? Int) ?? 0
                #expect(group?["submitter"] as? String == "observer-test")
            }
            #expect(groupID > 0 && requestID > 0)
            // Both spellings of each path; the group is found by its request.
            for uri in ["/api/requests/\(requestID)", "/api/requests/\(requestID)/", "/api/requestgroups?request_id=\(requestID)", "/api/requestgroups/\(groupID)/"] {
                try await client.execute(uri: uri, method: .get, headers: Self.token(observer)) { response in
                    #expect(response.status == .ok, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/request_states/?ids=\(requestID),999999", method: .get, headers: Self.token(observer)) { response in
                let states = Self.json(response) as? [[String: Any]]
                #expect(states?.count == 2)
                #expect(["PENDING", "SCHEDULED", "COMPLETED"].contains(states?.first?["state"] as? String ?? ""))
                #expect(states?.last?["state"] is NSNull, "an unknown request's state is null, not left out")
            }
            try await client.execute(uri: "/api/requestgroups/\(groupID)/cancel/", method: .post, headers: Self.token(observer)) { response in
                let group = Self.json(response) as? [String: Any]
                #expect(group?["state"] as? String == "CANCELED" || group?["state"] as? String == "COMPLETED")
                #expect(group?["exposure_stopped"] is Bool)
            }
            try await client.execute(uri: "/api/requests/424242/", method: .get, headers: Self.token(observer)) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    /// Groups submitted at once to a proposal with time for few of them: the stored ones never
    /// exceed its allocation, whatever the interleaving.
    @Test func groupsSubmittedAtOnceNeverSpendMoreThanTheProposalHas() async throws {
        let tiny = Proposal(id: "TINY", title: "Tiny", members: ["*"], allocationHours: [.normal: 0.1])
        let fixture = try await Fixture(proposals: ProposalBook([tiny]))
        let (observer, desk) = (fixture.observer, fixture.host.live.requests)
        try await fixture.whileRunning { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.execute(uri: "/api/requestgroups/", method: .post, headers: Self.token(observer), body: Self.group(proposal: "TINY")) { $0.status }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let stored = try await desk.groups().filter { $0.proposalID == "TINY" }
            #expect(statuses.filter { $0 == .created }.count == stored.count)
            #expect(!stored.isEmpty && stored.count < 8, "the allocation admits some, not all")
            #expect(stored.reduce(0) { $0 + $1.durationSeconds } <= 0.1 * 3600)
        }
    }

    @Test func aDownloadLinkWorksOnlyAsSigned() async throws {
        let fixture = try await Fixture()
        let signer = fixture.server.downloads
        let now = Date()
        let query = signer.query(for: "frame:f1", now: now)
        let parts = Dictionary(uniqueKeysWithValues: query.split(separator: "&").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (kv[0], kv[1])
        })
        #expect(signer.verify("frame:f1", expires: parts["expires"], signature: parts["signature"], now: now))
        #expect(!signer.verify("frame:f2", expires: parts["expires"], signature: parts["signature"], now: now), "signed for another frame")
        #expect(!signer.verify("frame:f1", expires: parts["expires"], signature: parts["signature"], now: now.addingTimeInterval(7200)), "expired")
        #expect(!signer.verify("frame:f1", expires: parts["expires"], signature: String(repeating: "0", count: 64), now: now))
        #expect(!signer.verify("frame:f1", expires: nil, signature: nil, now: now))
        try await fixture.test { client in
            try await client.execute(uri: "/frames/f1/download?expires=9999999999&signature=00", method: .get) { response in
                #expect(response.status == .forbidden)
            }
        }
    }
}
