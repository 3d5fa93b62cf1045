public import StarlingCore

extension ModelConsultation {
    /// One line for the plan's notes (and so the report): the verdict, the time, the repairs or
    /// the failure, and what the answer changed.
    public var note: String {
        let time = "\(format(seconds, 1)) s"
        switch verdict {
        case .rejected:
            return "reasoning model \(model) not used after \(time) (\(failureCode ?? "error"): \(failure ?? "no reason given")); the deterministic ranking stands"
        case .accepted, .repaired:
            let mended = repairs.isEmpty ? "" : " after repair (\(repairs.joined(separator: "; ")))"
            let change = scheduleChanged ? "the plan changed" : (orderChanged ? "its order differs from the core's but the plan is the same" : "the plan is unchanged")
            let delta = deterministicMerit > 0 ? (plannedMerit - deterministicMerit) / deterministicMerit * 100 : 0
            return "ranked by \(model) in \(time)\(mended); \(change): merit \(format(plannedMerit, 2)) against \(format(deterministicMerit, 2)) "
                + "for the deterministic order (\(delta >= 0 ? "+" : "")\(format(delta, 1)) %); the deterministic core checked every constraint"
        }
    }
}
