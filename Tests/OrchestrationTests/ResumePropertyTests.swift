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
/// nothing, overlaps nothing, loses no frame's row or quality, and completes what the
/// uninterrupted night completed, apart from what a kill interrupted.
@Suite(.serialized)
struct ResumePropertyTests {
    /// What a finished night stored.
    struct Outcome {
        let observations: [Observation]
        let frames: [(frame: FrameRecord, quality: FrameQuality?)]

        var completed: Set<String> {
            Set(observations.filter { $0.outcome == .completed }.map { "\($0.telescopeID) \($0.targetID)" })
        }
        var interrupted: [Observation] { observations.filter { $0.outcome.reason?.code == .interrupted } }
    }

    static func configuration(out: String) throws -> NightRunConfiguration {
        try NightRunTests.configuration(out: out, rendering: .sample(everyNth: 6))
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
        let store = try SQLiteStore(path: configuration.databasePath)
        let night = DateInterval(start: try NightHost(configuration: configuration).span().start.addingTimeInterval(-86_400), duration: 3 * 86_400)
        return Outcome(observations: try await store.observations(startedIn: night, site: nil), frames: try await store.frames(startedIn: night, site: nil))
    }

    @Test(.timeLimit(.minutes(20)))
    func aNightKilledAtRandomInstantsAndResumedRepeatsAndLosesNothing() async throws {
        let span = try NightHost(configuration: Self.configuration(out: NSTemporaryDirectory() + "starling-span")).span()
        let uninterrupted = try await Self.run(killedAt: [])
        #expect(uninterrupted.completed.count > 20)

        // Kills at 1, 3 and 5 random instants (fixed seeds, so a failure can be replayed).
        for (seed, count) in [(UInt64(11), 1), (23, 3), (37, 5)] {
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
            // Every frame has its row, and its quality: a rendered frame's file exists and was measured.
            for (frame, quality) in resumed.frames {
                #expect(quality != nil, "frame \(frame.id) has no quality (\(context))")
                if !frame.path.hasPrefix("modelled:") {
                    #expect(FileManager.default.fileExists(atPath: frame.path), "frame \(frame.id)'s file is missing (\(context))")
                }
            }
            // At most one interruption per telescope and kill, each recorded with its reason.
            #expect(resumed.interrupted.count <= kills.count * 13, "\(context)")
            // The same completed observations as the night without a break, apart from those a
            // kill interrupted (and what moving them changed on their telescope).
            let interruptedTelescopes = Set(resumed.interrupted.map(\.telescopeID.rawValue))
            let missing = uninterrupted.completed.subtracting(resumed.completed).filter { pair in
                !interruptedTelescopes.contains(String(pair.split(separator: " ")[0]))
            }
            #expect(missing.isEmpty, "completed without a break but not after the kills, on telescopes no kill interrupted: \(missing.sorted()) (\(context))")
            let extra = resumed.completed.subtracting(uninterrupted.completed).filter { pair in
                !interruptedTelescopes.contains(String(pair.split(separator: " ")[0]))
            }
            #expect(extra.isEmpty, "completed only after the kills, on telescopes no kill interrupted: \(extra.sorted()) (\(context))")
        }
    }
}
