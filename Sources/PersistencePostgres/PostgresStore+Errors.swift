import Foundation
import Persistence
internal import PostgresNIO
internal import _ConnectionPoolModule

/// PostgreSQL's and postgres-nio's errors as ``Persistence/StoreError``s, in one place: each
/// code says what callers can do (retry, fix the URL, fix the server), each message what to do.
extension PostgresStore {
    static func storeError(_ error: any Error, doing what: String, to endpoint: PostgresEndpoint) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as PostgresTransactionError:
            // The statement that failed, else BEGIN or COMMIT. A failed ROLLBACK after a failed
            // statement changes nothing: the server rolls the transaction back anyway.
            if let cause = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError {
                return storeError(cause, doing: what, to: endpoint)
            }
            return StoreError(.failed, "a transaction failed while \(what) (\(endpoint))")
        case let error as PSQLError:
            return storeError(error, doing: what, to: endpoint)
        case let error as ConnectionPoolError:
            switch error {
            case .connectionCreationCircuitBreakerTripped:
                return StoreError(
                    .unavailable, "cannot reach the PostgreSQL server at \(endpoint) while \(what) (it has refused connections for a while); retry once it is back")
            case .poolShutdown:
                return StoreError(.unavailable, "the store for \(endpoint) was closed before \(what)")
            default:
                return StoreError(.unavailable, "no connection to \(endpoint) while \(what) (the request was cancelled)")
            }
        case let error as PostgresDecodingError:
            return StoreError(
                .corruptRecord, "a stored value in column \(error.columnName) could not be read while \(what) (written by an incompatible version?)",
                underlyingDescription: "\(error.postgresType) where \(error.targetType) was expected")
        case is DecodingError:
            return StoreError(.corruptRecord, "a stored record could not be decoded while \(what)", underlying: error)
        case is CancellationError:
            return StoreError(.failed, "cancelled while \(what); nothing was stored")
        default:
            return StoreError(.failed, "database failure while \(what) (\(endpoint))", underlying: error)
        }
    }

    static func storeError(_ error: PSQLError, doing what: String, to endpoint: PostgresEndpoint) -> StoreError {
        let server = serverMessage(error)
        switch error.code {
        case .server:
            return serverError(error, message: server, doing: what, to: endpoint)
        case .connectionError:
            let cause = error.underlying.map { "\($0)" }
            return StoreError(
                .unavailable,
                "cannot reach the PostgreSQL server at \(endpoint) while \(what) (is it running and listening there? check the host and port)",
                underlyingDescription: cause)
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            return StoreError(
                .unavailable,
                "the connection to \(endpoint) was lost while \(what); retry once the server is back (a write that was committing may or may not have been stored)",
                underlyingDescription: server)
        case .sslUnsupported:
            return StoreError(
                .cannotOpen, "\(endpoint) does not offer TLS, which sslmode=\(endpoint.tlsMode.rawValue) requires; enable ssl on the server or use sslmode=prefer")
        case .authMechanismRequiresPassword:
            return StoreError(
                .cannotOpen, "\(endpoint) asks for a password for \(endpoint.user): set PGPASSWORD (or put it in the URL, where process lists show it)")
        case .unsupportedAuthMechanism, .saslError:
            return StoreError(
                .cannotOpen, "\(endpoint) asks for an authentication method Starling does not speak; use scram-sha-256, md5, password or trust for \(endpoint.user) in pg_hba.conf",
                underlyingDescription: server)
        case .queryCancelled:
            return StoreError(.failed, "the query was cancelled while \(what); nothing was stored")
        case .tooManyParameters:
            return StoreError(.failed, "too many values in one statement while \(what) (store fewer at once)")
        default:
            return StoreError(.failed, "database failure while \(what) (\(endpoint))", underlyingDescription: server ?? String(reflecting: error))
        }
    }

    /// A server error by its SQLSTATE class (PostgreSQL manual, Appendix A).
    private static func serverError(_ error: PSQLError, message: String?, doing what: String, to endpoint: PostgresEndpoint) -> StoreError {
        let state = error.serverInfo?[.sqlState] ?? ""
        switch state {
        case "28P01", "28000":  // invalid_password, invalid_authorization_specification
            return StoreError(
                .cannotOpen,
                "\(endpoint) refused the user \(endpoint.user): check the user and the password (PGPASSWORD), and pg_hba.conf on the server",
                underlyingDescription: message)
        case "3D000":  // invalid_catalog_name
            return StoreError(
                .cannotOpen, "\(endpoint) has no database \(endpoint.database): create it (createdb -O \(endpoint.user) \(endpoint.database))",
                underlyingDescription: message)
        case "42501":  // insufficient_privilege
            return StoreError(
                .cannotOpen,
                "\(endpoint.user) may not do that in \(endpoint.database) while \(what): make the database theirs (ALTER DATABASE \(endpoint.database) OWNER TO \(endpoint.user))",
                underlyingDescription: message)
        case "23505":  // unique_violation
            return StoreError(.failed, "a record with that key is already stored (\(what))", underlyingDescription: message)
        case "40001", "40P01", "55P03":  // serialization_failure, deadlock_detected, lock_not_available
            return StoreError(.busy, "a concurrent transaction got in the way while \(what); retry", underlyingDescription: message)
        case "53300", "57P03":  // too_many_connections, cannot_connect_now
            return StoreError(
                .busy, "\(endpoint) accepts no more connections now while \(what); retry (or raise max_connections)", underlyingDescription: message)
        case "57P01", "57P02":  // admin_shutdown, crash_shutdown
            return StoreError(.unavailable, "\(endpoint) is shutting down while \(what); retry once it is back", underlyingDescription: message)
        case "42P01", "42703":  // undefined_table, undefined_column
            return StoreError(
                .incompatible, "\(endpoint) lacks a table or column Starling needs while \(what) (was the schema changed by hand?)",
                underlyingDescription: message)
        default:
            if state.hasPrefix("08") {  // connection_exception
                return StoreError(.unavailable, "the connection to \(endpoint) failed while \(what); retry", underlyingDescription: message)
            }
            if state.hasPrefix("53") {  // insufficient_resources: disk full, out of memory
                return StoreError(.failed, "\(endpoint) is out of resources (disk, memory) while \(what)", underlyingDescription: message)
            }
            return StoreError(.failed, "PostgreSQL refused a statement while \(what)", underlyingDescription: message)
        }
    }

    /// The server's own words: SQLSTATE, message, detail and hint. postgres-nio's description
    /// hides them (it may reach end users); a store error is for the operator.
    static func serverMessage(_ error: PSQLError) -> String? {
        guard let info = error.serverInfo else { return nil }
        var text = ""
        if let state = info[.sqlState] { text += "SQLSTATE \(state): " }
        text += info[.message] ?? "no message"
        if let detail = info[.detail] { text += " (\(detail))" }
        if let hint = info[.hint] { text += "; hint: \(hint)" }
        return text
    }
}
