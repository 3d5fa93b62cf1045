import Foundation
import StarlingCore
import Synchronization

/// The encoded answers of `/api/plans`, kept until the planner next makes or restores a plan.
///
/// A night's plans change a few times a night and are read by every dashboard and script many
/// times a second; each answer reads every site's plans from the store and encodes some
/// hundreds of kilobytes, so answers are kept, keyed by what the query resolved to.
///
/// A generation counter keeps a slow reader from putting back an answer read before a plan
/// changed: ``invalidate()`` moves the generation on, and ``store(_:for:readAt:)`` keeps an
/// answer only if it was read in the current generation.
final class PlanResponseCache: Sendable {
    /// What a query resolved to: each site's night and the filters.
    struct Key: Hashable, Sendable {
        let nights: [SiteID: CalendarDate]
        let telescope: TelescopeID?
    }

    private struct State {
        var generation = 0
        var answers: [Key: Data] = [:]
    }

    /// At most this many answers are kept (a site's night and filters each make one).
    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 128) {
        self.capacity = capacity
    }

    /// The generation a reader starts in (pass it to ``store(_:for:readAt:)``).
    var generation: Int { state.withLock { $0.generation } }

    /// The kept answer for a query, if any.
    func answer(for key: Key) -> Data? {
        state.withLock { $0.answers[key] }
    }

    /// Keeps an answer read in `generation`, unless a plan changed since.
    func store(_ answer: Data, for key: Key, readAt generation: Int) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.answers.count >= capacity { state.answers.removeAll(keepingCapacity: true) }
            state.answers[key] = answer
        }
    }

    /// Forgets every answer: a plan was made or restored.
    func invalidate() {
        state.withLock { state in
            state.generation += 1
            state.answers.removeAll(keepingCapacity: true)
        }
    }

    /// Forgets the answers when an event says a plan changed.
    func observe(_ event: NetworkEvent) {
        if case .planner(let planner) = event {
            switch planner {
            case .planMade, .planRestored: invalidate()
            default: break
            }
        }
    }
}
