import Foundation
import Testing

@testable import Requests
@testable import StarlingCore

/// A request's state from what the network did with it: one rule for every endpoint.
struct RequestStateTests {
    let start = Date(timeIntervalSince1970: 1_795_435_200)

    func request() throws -> RequestGroup.Request {
        RequestGroup.Request(
            id: 7, target: RequestedTarget(name: "M2", coordinates: try EquatorialCoordinates(rightAscensionDegrees: 323.36, declinationDegrees: -0.82)),
            exposures: [ExposureSpec(filter: Filter("r"), exposureSeconds: 30)], constraints: ObservingConstraints(),
            window: DateInterval(start: start, duration: 86_400), telescopeClass: "1m0", instrumentType: "1M0-IMAGER", durationSeconds: 90)
    }

    func group(_ request: RequestGroup.Request, cancelled: Date? = nil) -> RequestGroup {
        RequestGroup(
            id: 3, name: "g", proposalID: "P", submitter: "tom", mode: .normal, ippValue: 1, created: start, cancelled: cancelled, requests: [request])
    }

    func attempt(_ number: Int, _ state: Assignment.State, _ request: RequestGroup.Request) -> Assignment {
        let observation = ObservationRequest(
            id: RequestID("request:7/f0"), target: Target(id: "request-7/f0", name: "M2", coordinates: request.target.coordinates, kind: .field),
            exposures: request.exposures, kind: .requested, alertID: "request:7")
        return Assignment(
            id: AssignmentID("request:7#f0#\(number)"), alertID: "request:7", telescopeID: "la-palma-1m-a", siteID: "la-palma", request: observation,
            plannedStart: start.addingTimeInterval(600), leaseExpiry: start.addingTimeInterval(720), state: state, reason: "test")
    }

    func state(_ assignments: [Assignment], cancelled: Date? = nil, at offset: TimeInterval = 3600) throws -> RequestState {
        let request = try request()
        return RequestState.of(request, in: group(request, cancelled: cancelled), assignments: assignments, now: start.addingTimeInterval(offset), maximumAttempts: 4)
    }

    @Test func theStatesFollowTheAssignments() throws {
        let request = try request()
        #expect(try state([]) == .pending)
        #expect(try state([attempt(1, .offered, request)]) == .scheduled)
        #expect(try state([attempt(1, .refused, request), attempt(2, .observing, request)]) == .scheduled)
        #expect(try state([attempt(1, .failed, request), attempt(2, .completed, request)]) == .completed)
        #expect(try state((1...4).map { attempt($0, .failed, request) }) == .failureLimitReached)
        #expect(try state([attempt(1, .failed, request)]) == .pending, "one failure: another telescope may still take it")
    }

    @Test func aWindowThatEndsUnobservedExpiresWhateverTheAttempts() throws {
        let request = try request()
        #expect(try state([], at: 2 * 86_400) == .windowExpired)
        #expect(try state([attempt(1, .failed, request)], at: 2 * 86_400) == .windowExpired)
        #expect(try state([attempt(1, .completed, request)], at: 2 * 86_400) == .completed)
    }

    @Test func aCancelledGroupIsCanceledUnlessItsRequestWasAlreadyDone() throws {
        let request = try request()
        #expect(try state([attempt(1, .cancelled, request)], cancelled: start) == .canceled)
        #expect(try state([attempt(1, .completed, request)], cancelled: start) == .completed)
        let cancelled = group(request, cancelled: start)
        #expect(RequestState.of(group: cancelled, requestStates: [.canceled]) == .canceled)
        #expect(RequestState.of(group: group(request), requestStates: [.completed, .windowExpired]) == .completed)
        #expect(RequestState.of(group: group(request), requestStates: [.completed, .pending]) == .pending)
    }
}
