/// What a caller of the HTTP API (or an MCP tool) may do, each role including the one before.
public enum AccessRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Reads the network's state, plans, observations, frames, alerts and reports.
    case viewer
    /// Also reviews frames and observations (approve, flag) and submits observation requests.
    case observer
    /// Also operates the network: submits alerts, closes and opens telescopes, manages tokens.
    case `operator`

    public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
