import Foundation

/// A proposal: observing time granted to a group of observers, per observing mode, against
/// which their requests are charged (the OCS portal's proposal and its time allocation).
public struct Proposal: Sendable, Hashable, Codable, Identifiable {
    /// The proposal's code, e.g. `STARLING-2026B-001`.
    public let id: String
    public let title: String
    /// The API token names that may submit under it; `*` admits every token.
    public let members: [String]
    /// Hours granted per mode; a mode absent here has none.
    public let allocationHours: [ObservingMode: Double]
    /// Whether it is in its semester (observers' tools list only current proposals).
    public let isCurrent: Bool

    public init(id: String, title: String, members: [String], allocationHours: [ObservingMode: Double], isCurrent: Bool = true) {
        self.id = id
        self.title = title
        self.members = members
        self.allocationHours = allocationHours
        self.isCurrent = isCurrent
    }

    /// Whether a token of this name may submit under the proposal.
    public func admits(_ tokenName: String) -> Bool { members.contains("*") || members.contains(tokenName) }
}

/// The proposals of an installation, from `proposals.yaml` (see docs/ocs.md).
public struct ProposalBook: Sendable, Hashable {
    public let proposals: [Proposal]

    public init(_ proposals: [Proposal]) { self.proposals = proposals }

    /// No proposals: the request API then refuses every request group, saying why.
    public static let empty = ProposalBook([])

    public func proposal(_ id: String) -> Proposal? { proposals.first { $0.id == id } }

    /// The proposals a token may submit under.
    public func proposals(for tokenName: String) -> [Proposal] { proposals.filter { $0.admits(tokenName) } }

    /// Reads `proposals.yaml`.
    ///
    /// ```yaml
    /// proposals:
    ///   - id: STARLING-2026B-001
    ///     title: Open time for the network's observers
    ///     members: ["*"]            # API token names; "*" for every token
    ///     current: true             # optional, default true
    ///     allocation_hours:         # hours per observing mode
    ///       normal: 200
    ///       time_critical: 20
    ///       rapid_response: 10
    /// ```
    ///
    /// - Throws: ``ConfigErrors`` naming the file, line and field of every problem.
    public static func load(file: String) throws(ConfigErrors) -> ProposalBook {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigErrors([ConfigError(.unreadable, file: file, "cannot be read: \(error.localizedDescription)")])
        }
        return try parse(text, file: file)
    }

    static let proposalKeys: Set<String> = ["id", "title", "members", "current", "allocation_hours"]
    static let modeKeys: [String: ObservingMode] = ["normal": .normal, "time_critical": .timeCritical, "rapid_response": .rapidResponse]

    /// Parses the text of `proposals.yaml`.
    public static func parse(_ text: String, file: String) throws(ConfigErrors) -> ProposalBook {
        var errors: [ConfigError] = []
        var proposals: [Proposal] = []
        do throws(ConfigError) {
            let root = try ConfigNode.parse(text, file: file).mapping()
            do throws(ConfigErrors) { try root.rejectUnknownKeys(["proposals"]) } catch { errors += error.errors }
            for node in try root.required("proposals").sequence() {
                do throws(ConfigError) {
                    let mapping = try node.mapping()
                    do throws(ConfigErrors) { try mapping.rejectUnknownKeys(proposalKeys) } catch { errors += error.errors }
                    let idNode = try mapping.required("id")
                    let id = try idNode.string()
                    if proposals.contains(where: { $0.id == id }) { throw idNode.error(.duplicate, "proposal '\(id)' is listed twice") }
                    let members = try mapping.required("members").sequence().map { node throws(ConfigError) in try node.string() }
                    var hours: [ObservingMode: Double] = [:]
                    if let allocation = mapping.child("allocation_hours") {
                        let modes = try allocation.mapping()
                        do throws(ConfigErrors) { try modes.rejectUnknownKeys(Set(modeKeys.keys)) } catch { errors += error.errors }
                        for (key, mode) in modeKeys {
                            if let value = modes.child(key) { hours[mode] = try value.double(in: 0...1_000_000) }
                        }
                    }
                    proposals.append(Proposal(
                        id: id, title: try mapping.child("title")?.string() ?? id, members: members, allocationHours: hours,
                        isCurrent: try mapping.child("current")?.bool() ?? true))
                } catch {
                    errors.append(error)
                }
            }
        } catch {
            errors.append(error)
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return ProposalBook(proposals)
    }
}
