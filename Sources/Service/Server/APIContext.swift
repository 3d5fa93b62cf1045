public import Hummingbird
public import StarlingCore

/// The request context of the HTTP API: Hummingbird's core context, who is calling (resolved
/// from the `Authorization` header by ``TokenAuthenticator``), and snake_case JSON both ways.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller's role, or `nil` for an anonymous caller.
    public var role: AccessRole?
    /// The caller's token name (for reviews, logs and where an alert came from).
    public var caller: String?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    public var requestDecoder: APIJSON.Decoder { APIJSON.Decoder() }
    public var responseEncoder: APIJSON.Encoder { APIJSON.Encoder() }
}
