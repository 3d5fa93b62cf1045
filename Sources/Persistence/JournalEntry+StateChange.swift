public import Foundation
public import StarlingCore

extension JournalEntry {
    /// A journal line recording a telescope agent's state change, in the one form the reports
    /// read back: `"<from> → <to>: <reason>"` under ``Kind-swift.enum/stateChange``, with the
    /// telescope as the subject.
    ///
    /// Reports derive the hours a telescope was open from these lines, so whoever journals a
    /// `TelescopeEvent.stateChanged` should write it with this function.
    ///
    /// ```swift
    /// let entry = JournalEntry.stateChange(
    ///     telescope: "teide-1m-a", site: "teide", from: .opening, to: .idle, at: date, reason: "enclosure open")
    /// entry.telescopeStateChange  // (from: .opening, to: .idle)
    /// ```
    ///
    /// - Parameters:
    ///   - telescope: the telescope that changed state (the entry's subject).
    ///   - site: the telescope's site.
    ///   - from: the state it left.
    ///   - to: the state it entered.
    ///   - time: when (UTC, on the agent's clock).
    ///   - reason: why, for people (may be empty).
    public static func stateChange(
        telescope: TelescopeID, site: SiteID, from: TelescopeState, to: TelescopeState, at time: Date, reason: String
    ) -> JournalEntry {
        let transition = "\(from.rawValue) \(stateArrow) \(to.rawValue)"
        return JournalEntry(
            time: time, subject: telescope.rawValue, siteID: site.rawValue, kind: .stateChange,
            message: reason.isEmpty ? transition : "\(transition): \(reason)")
    }

    /// The telescope state change this entry records, when it is a ``Kind-swift.enum/stateChange``
    /// line written by ``stateChange(telescope:site:from:to:at:reason:)``.
    ///
    /// - Returns: `nil` for other kinds of entry, and for state-change lines in another form.
    public var telescopeStateChange: (from: TelescopeState, to: TelescopeState)? {
        guard kind == .stateChange else { return nil }
        let transition = message.split(separator: ":", maxSplits: 1).first.map(String.init) ?? message
        let states = transition.components(separatedBy: " \(Self.stateArrow) ")
        guard states.count == 2,
            let from = TelescopeState(rawValue: states[0].trimmingCharacters(in: .whitespaces)),
            let to = TelescopeState(rawValue: states[1].trimmingCharacters(in: .whitespaces))
        else { return nil }
        return (from, to)
    }

    /// The arrow between the two states of a state-change line.
    static let stateArrow = "→"
}
