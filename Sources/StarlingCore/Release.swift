/// Starling's release, as the command line (`starling --version`) and the MCP server
/// (`initialize`) report it.
public enum Release {
    /// The version, `MAJOR.MINOR.PATCH`.
    public static let version = "0.1.0"
}
