import Foundation
import Logging
import Observatory
import Persistence
import PropertyBased
import StarlingCore
import Testing

@testable import Orchestration

/// A night killed at random instants and resumed each time, against the same night run
/// without a break: the store, not a checkpoint, is the truth, so the resumed night repeats
/// nothing, overlaps nothing, loses no frame's row, quality or file, records what a kill cut
/// short as interrupted, and every telescope goes back to work.
///
/// Long (a night run four times, about ten minutes on two busy cores), so it runs with
/// `STARLING_LONG_TESTS=1 swift test --filter ResumePropertyTests`, not in `make test`;
/// scripts/night-kill-resume does the same for the whole array with real SIGKILLs.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["STARLING_LONG_TESTS"] != nil, "a long test: set STARLING_LONG_TESTS=1 to run it"))
struct ResumePropertyTests {
    /// What a finished night stored.
    struct Outcome {
        let observations: [Observation]
        let frames: [(frame: FrameRecord, quality: FrameQuality?)]
        /// Rendered frames whose file was not on disk when the night ended.
        let missingFiles: [FrameRecord]

        /// A target completed on a telescope.
        struct Completion: Hashable, Comparable, CustomStringConvertible {
            let telescopeID: TelescopeID
            let targetID: TargetID

            static func < (a: Completion, b: Completion) -> Bool { (a.telescopeID.rawValue, a.targetID.rawValue) < (b.telescopeID.rawValue, b.targetID.rawValue) }
            var description: String { "\(targetID) on \(telescopeID)" }
        }

        var completed: Set<Completion> {
            Set(observations.filter { $0.outcome == .completed }.map { Completion(telescopeID: $0.telescopeID, targetID: $0.targetID) })
        }
        var interrupted: [Observation] { observations.filter { $0.outcome.reason?.code == .interrupted } }
    }

    static func configuration(out: String) throws -> NightRunConfiguration {
        try NightRunTests.configuration(out: out, rendering: .sample(everyNth: 20))
    }

    /// Runs the night, abandoning it (as a kill would) at each instant, then to the end.
    static func run(killedAt kills: [Date]) async throws -> Outcome {
        let out = NSTemporaryDirectory() + "starling-resume-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let configuration = try configuration(out: out)
        for kill in kills {
            let abandoned = try await NightHost(configuration: configuration).run(abandoningAt: kill)
            #expect(abandoned == nil, "the run should have been abandoned at \(kill)")
        }
        _ = try await NightHost(configuration: configuration).run()
        let store = try SQLiteStore(path: out + "/starling.sqlite")
        let night = DateInterval(start: try NightHost(configuration: configuration).span().start.addingTimeInterval(-86_400), duration: 3 * 86_400)
        let frames = try await store.frames(startedIn: night, site: nil)
        // Looked at here, before the run's folder is removed.
        let missing = frames.map(\.frame).filter { !$0.path.hasPrefix("modelled:") && !FileManager.default.fileExists(atPath: $0.path) }
        return Outcome(observations: try await store.observations(startedIn: night, site: nil), frames: frames, missingFiles: missing)
    }

    @Test(.timeLimit(.minutes(20)))
    func aNightKilledAtRandomInstantsAndResumedRepeatsAndLosesNothing() async throws {
        let span = try NightHost(configuration: Self.configuration(out: NSTemporaryDirectory() + "starling-span")).span()
        let uninterrupted = try await Self.run(killedAt: [])
        #expect(uninterrupted.completed.count > 20)

        // Two kills at random instants (a fixed seed, so a failure can be replayed).
        for (seed, count) in [(UInt64(23), 2)] {
            var random = SeededGenerator(seed: seed)
            let kills = (0..<count).map { _ in span.start.addingTimeInterval(span.duration * (0.1 + 0.85 * random.nextUnit())) }.sorted()
            let resumed = try await Self.run(killedAt: kills)
            let context = "seed \(seed), kills at \(kills.map { ISO8601.string(from: $0, fractionalSeconds: false) })"

            // None repeated: no request completed twice.
            let completedRequests = resumed.observations.filter { $0.outcome == .completed }.map(\.requestID)
            #expect(Set(completedRequests).count == completedRequests.count, "a request completed twice (\(context))")
            // No overlap on a telescope.
            for (telescope, observations) in Dictionary(grouping: resumed.observations, by: \.telescopeID) {
                let sorted = observations.sorted { $0.started < $1.started }
                for (earlier, later) in zip(sorted, sorted.dropFirst()) where later.started < earlier.ended {
                    Issue.record("\(telescope): \(earlier.id) and \(later.id) overlap (\(context))")
                }
            }
            // Every frame has its row and its quality; a rendered frame's file exists.
            for (frame, quality) in resumed.frames where quality == nil { Issue.record("frame \(frame.id) has no quality (\(context))") }
            #expect(resumed.missingFiles.isEmpty, "files missing: \(resumed.missingFiles.map(\.path)) (\(context))")
            // At most one interruption per telescope and kill, each recorded with its reason.
            #expect(resumed.interrupted.count <= kills.count * 13, "\(context)")
            // Every telescope comes back to work: a restart re-plans from the store, so the
            // resumed night need not repeat the uninterrupted one target for target (a re-plan
            // from a later instant may choose differently, a follow-up may go to another
            // telescope). A kill costs what was in flight (recorded as interrupted) and, for
            // each telescope, about one observation's time to open and start again; no more
            // (the livelock of issue 16 lost half the night).
            let telescopes = Set(uninterrupted.observations.map(\.telescopeID)).count
            let lost = uninterrupted.completed.subtracting(resumed.completed).sorted()
            let gained = resumed.completed.subtracting(uninterrupted.completed).sorted()
            #expect(
                resumed.completed.count + resumed.interrupted.count + kills.count * telescopes >= uninterrupted.completed.count,
                "\(resumed.completed.count) completed and \(resumed.interrupted.count) interrupted after \(kills.count) kills of \(telescopes) telescopes, \(uninterrupted.completed.count) completed without a break; not done: \(lost), done instead: \(gained) (\(context))")
        }
    }
}
