import Foundation
import StarlingCore

/// Who the caller is to this API and what it may do, so a client (the dashboard) can ask for
/// a token when reading needs one and show only the actions the caller's role allows.
struct SessionDocument: Encodable, Sendable {
    /// What the caller may do, each with the role it needs.
    struct Permission: Encodable, Sendable {
        let allowed: Bool
        /// The least role it needs (`nil`: anyone, when reading is open).
        let role: String?
        /// Why it is not allowed, in words to show; absent when it is.
        let reason: String?
    }

    /// `token` (reading needs a viewer token) or `open`.
    let readAccess: String
    /// The caller's token name and role; absent for an anonymous caller.
    let name: String?
    let role: String?
    let read: Permission
    /// Approving and flagging frames and observations.
    let review: Permission
    /// Closing and opening telescopes, submitting alerts.
    let operate: Permission
}
