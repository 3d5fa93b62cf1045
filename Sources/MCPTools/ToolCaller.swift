public import StarlingCore

/// Who calls a tool: the name and role of their API token, or an anonymous reader.
///
/// Over HTTP (`starling serve`'s `/mcp`) the token comes from the `Authorization` header,
/// checked like every API call; on stdio (`starling mcp`) from `--token` or `STARLING_TOKEN`,
/// checked against the store's tokens. Reading tools need no role beyond the endpoint's;
/// writing tools need the role they name (``StarlingTool/role``).
public struct ToolCaller: Sendable, Hashable {
    /// The token's name (the observer's user name in proposals); `nil` when anonymous.
    public let name: String?
    /// The token's role; `nil` when anonymous.
    public let role: AccessRole?

    public init(name: String?, role: AccessRole?) {
        self.name = name
        self.role = role
    }

    /// A caller without a token.
    public static let anonymous = ToolCaller(name: nil, role: nil)

    /// Refuses a caller whose role is below `role`, saying how to get one.
    func require(_ role: AccessRole, toUse tool: String) throws(ToolError) {
        guard let held = self.role else {
            throw ToolError(
                .forbidden,
                "\(tool) needs a token with the \(role.rawValue) role: make one with `starling token create --role \(role.rawValue)` and give it to the MCP client (Authorization: Bearer <token> over HTTP; --token or STARLING_TOKEN for `starling mcp`)")
        }
        guard held >= role else {
            throw ToolError(.forbidden, "\(tool) needs the \(role.rawValue) role; the token '\(name ?? "?")' has \(held.rawValue)")
        }
    }
}
