import Crypto
public import Foundation
public import Persistence
public import StarlingCore
import Synchronization

/// Makes API tokens and recognises them.
///
/// A token's secret is 32 random bytes (from the system's secure generator) written as
/// `stl_` and 43 base64url characters; the store keeps only its SHA-256 digest, which is
/// enough for a high-entropy secret (nothing to guess, so no salt or slow hash is needed).
/// The secret is shown once, when the token is made.
///
/// ```swift
/// let authority = TokenAuthority(store: store)
/// let (token, secret) = try await authority.create(name: "night observer", role: .observer, at: Date())
/// let caller = try await authority.authenticate(secret)   // the token, or nil
/// ```
public final class TokenAuthority: Sendable {
    private let store: any TokenStore
    /// Recently seen digests (hits and misses), so a busy API does not read the store per request.
    private let cache = Mutex<[String: (token: APIToken?, seen: ContinuousClock.Instant)]>([:])
    private let cacheSeconds: Double

    /// - Parameter cacheSeconds: how long a lookup is remembered (a revocation takes effect
    ///   within this long).
    public init(store: any TokenStore, cacheSeconds: Double = 10) {
        self.store = store
        self.cacheSeconds = cacheSeconds
    }

    /// Makes and stores a token.
    ///
    /// - Returns: the stored token and its secret (shown to the user once; not kept).
    public func create(name: String, role: AccessRole, at time: Date) async throws(StoreError) -> (APIToken, secret: String) {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let secret = "stl_" + Self.base64URL(bytes)
        let idBytes = (0..<6).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let token = APIToken(id: "tok_" + Self.base64URL(idBytes), name: name, role: role, digest: Self.digest(of: secret), createdAt: time)
        try await store.saveToken(token)
        return (token, secret)
    }

    /// The token a secret belongs to, unless it is unknown or revoked.
    public func authenticate(_ secret: String) async throws(StoreError) -> APIToken? {
        let digest = Self.digest(of: secret)
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[digest] }), (now - cached.seen) < .seconds(cacheSeconds) {
            return cached.token
        }
        let token = try await store.token(digest: digest).flatMap { $0.isRevoked ? nil : $0 }
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }  // a flood of made-up secrets must not grow it without end
            cache[digest] = (token, now)
        }
        return token
    }

    /// The lower-case hex SHA-256 of a secret, as stored.
    public static func digest(of secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
