import Crypto
import Foundation

/// Signs download links, so a client may fetch a frame with the link alone, as observers'
/// tools fetch archive frames (TOM Toolkit downloads a data product's `url` without its
/// token, as from LCO's archive, whose links are signed storage URLs).
///
/// A link names the frame and when it expires, with an HMAC-SHA256 over both under a key
/// made when the process starts: links stop working when they expire or the service restarts.
struct DownloadSigner: Sendable {
    /// The key's bytes (`SymmetricKey` is not `Sendable`).
    private let key: [UInt8]
    /// How long a link works.
    let lifetimeSeconds: TimeInterval

    init(lifetimeSeconds: TimeInterval = 3600) {
        key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// The query of a link to `resource` made at `now`: `expires=…&signature=…`.
    func query(for resource: String, now: Date) -> String {
        let expires = Int(now.addingTimeInterval(lifetimeSeconds).timeIntervalSince1970.rounded(.up))
        return "expires=\(expires)&signature=\(signature(resource, expires: expires))"
    }

    /// Whether a link's query is a valid, unexpired signature of `resource`.
    func verify(_ resource: String, expires: String?, signature: String?, now: Date) -> Bool {
        guard let expires, let seconds = Int(expires), let signature, Double(seconds) >= now.timeIntervalSince1970 else { return false }
        let expected = Array(self.signature(resource, expires: seconds).utf8)
        let given = Array(signature.utf8)
        // Compared in constant time.
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private func signature(_ resource: String, expires: Int) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(resource)\n\(expires)".utf8), using: SymmetricKey(data: key))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
