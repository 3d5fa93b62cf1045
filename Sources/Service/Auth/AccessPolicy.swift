import Foundation
import Hummingbird
import Logging
import Orchestration
import Persistence
import StarlingCore

/// Who may read without a token.
public enum ReadAccess: String, Sendable, Hashable, CaseIterable {
    /// Reading needs a viewer token (or better): the default.
    case token
    /// Anyone may read; writing still needs a token with the right role.
    case open
}

/// Resolves the caller from `Authorization: Bearer <secret>` (or the OCS portal's
/// `Authorization: Token <secret>`) and puts the token's role and name into the context. A
/// GET may carry the secret as `?access_token=` instead, for browsers' `EventSource`, which
/// cannot set headers.
///
/// A header with an unknown or revoked secret is refused at once (401), whatever the route:
/// a client with a broken token should hear so, not be served as anonymous.
struct TokenAuthenticator: RouterMiddleware {
    typealias Context = APIContext
    let authority: TokenAuthority

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let secret: String
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["bearer", "token"].contains(parts[0].lowercased()) else {
                throw APIError(.unauthorized, code: "unauthorized", "the Authorization header should be 'Bearer <token>' (make one with `starling token create`)")
            }
            secret = parts[1].trimmingWhitespace()
        } else if request.method == .get, let query = request.uri.queryParameters.get("access_token") {
            secret = String(query)
        } else {
            return try await next(request, context)
        }
        guard let token = try await authority.authenticate(secret) else {
            throw APIError(.unauthorized, code: "unauthorized", "the token is unknown or revoked (make one with `starling token create`)")
        }
        var context = context
        context.role = token.role
        context.caller = token.name
        context.logger[metadataKey: "api.token"] = "\(token.id)"
        return try await next(request, context)
    }
}

/// The least role a route needs; reads need none when ``ReadAccess/open``.
struct AccessRequirement: Sendable {
    let role: AccessRole
    let readAccess: ReadAccess

    /// Refuses a caller whose role is below the requirement.
    func check(_ context: APIContext) throws {
        if role == .viewer, readAccess == .open { return }
        guard let caller = context.role else {
            throw APIError(.unauthorized, code: "unauthorized", "this needs a token with the \(role.rawValue) role (Authorization: Bearer <token>; `starling token create --role \(role.rawValue)`)")
        }
        guard caller >= role else {
            throw APIError(.forbidden, code: "forbidden", "this needs the \(role.rawValue) role; the token '\(context.caller ?? "?")' has \(caller.rawValue)")
        }
    }
}
