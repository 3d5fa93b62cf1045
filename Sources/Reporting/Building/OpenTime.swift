import Foundation
import Persistence
import StarlingCore

/// When a telescope was open, from the journal's state changes.
///
/// A telescope is open from the moment it enters `idle`, `slewing`, `exposing` or
/// `reading-out` until it enters `closing`, `closed` or `parked`; `opening` is not yet open;
/// `fault` keeps whatever it was (a fault alone does not close a dome; the agent's closing does).
struct OpenTimeline {
    /// The open spans, in time order, within the window.
    let intervals: [DateInterval]
    /// The state changes the spans were built from.
    let transitionCount: Int

    /// Whether a state counts as open; `nil` for `fault`, which keeps the previous state.
    static func isOpen(_ state: TelescopeState) -> Bool? {
        switch state {
        case .idle, .slewing, .exposing, .readingOut: true
        case .closed, .opening, .closing, .parked: false
        case .fault: nil
        }
    }

    /// Builds the open spans of one telescope.
    ///
    /// - Parameters:
    ///   - entries: the telescope's journal entries (any kind; only state changes count), in time order.
    ///   - window: the span to clip to (the site's night).
    ///   - until: the last instant that can have happened (the report's time, if the night is not over).
    init(entries: [JournalEntry], window: DateInterval, until end: Date) {
        let transitions = entries.compactMap { entry in entry.telescopeStateChange.map { (time: entry.time, $0.from, $0.to) } }
        transitionCount = transitions.count
        let last = max(window.start, min(end, window.end))
        var intervals: [DateInterval] = []
        var isOpen = transitions.first.flatMap { Self.isOpen($0.1) } ?? false
        var openedAt: Date? = isOpen ? window.start : nil
        for (time, _, to) in transitions {
            let nowOpen = Self.isOpen(to) ?? isOpen
            if nowOpen, openedAt == nil { openedAt = time }
            if !nowOpen, let start = openedAt {
                if time > start { intervals.append(DateInterval(start: start, end: time)) }
                openedAt = nil
            }
            isOpen = nowOpen
        }
        if let start = openedAt, last > start { intervals.append(DateInterval(start: start, end: last)) }
        self.intervals = intervals.compactMap { $0.intersection(with: window) }.filter { $0.duration > 0 }
    }

    /// Hours open.
    var hours: Double { intervals.reduce(0) { $0 + $1.duration } / 3600 }

    /// Hours open within a span (e.g. astronomical darkness).
    func hours(within span: DateInterval?) -> Double {
        guard let span else { return 0 }
        return intervals.reduce(0) { $0 + ($1.intersection(with: span)?.duration ?? 0) } / 3600
    }

    /// Whether the telescope was open at an instant; `nil` when no state change was journalled.
    func isOpen(at time: Date) -> Bool? {
        guard transitionCount > 0 else { return nil }
        return intervals.contains { $0.start <= time && time < $0.end }
    }
}
