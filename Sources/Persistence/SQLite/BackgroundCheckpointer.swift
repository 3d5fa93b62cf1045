import Foundation
internal import GRDB
import Synchronization

/// Copies committed pages from the write-ahead log into the database file on a background
/// queue, so that no commit waits for it.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the log past 1,000 pages:
/// that one commit then writes and syncs the database file too, milliseconds instead of the
/// usual fraction of one (it was the whole 99th percentile of alert latency). With automatic
/// checkpoints off, this runs a passive checkpoint (`SQLITE_CHECKPOINT_PASSIVE`: it never
/// waits for readers or the writer) on its own connection after every
/// ``commitsPerCheckpoint`` commits, which copies the pages and syncs the file. A second
/// passive checkpoint then runs on the writer's connection between two commits: it copies
/// only what was committed in the meantime, and it is what lets the writer start the log
/// again from its beginning (measured: after a checkpoint on another connection alone, the
/// writer kept appending and the log grew without bound), so the log stays small.
///
/// Durability does not change: every commit still syncs the log (`synchronous = FULL`); a
/// checkpoint only moves pages already safe in it, and a failed one loses nothing.
final class BackgroundCheckpointer: Sendable {
    /// Commits between checkpoints (a few hundred pages of log at most).
    static let commitsPerCheckpoint = 64

    private let connection: DatabaseQueue
    private let writer: any DatabaseWriter
    private let queue = DispatchQueue(label: "starling.sqlite.checkpoint", qos: .utility)
    private let state = Mutex<(commits: Int, isRunning: Bool)>((0, false))

    /// Opens the checkpointing connection on the database at `path` (already in WAL mode),
    /// beside the store's writer.
    init(path: String, writer: any DatabaseWriter) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.writer = writer
    }

    /// Counts a commit; every ``commitsPerCheckpoint`` commits, starts a checkpoint unless one
    /// is still running.
    func committed() {
        let starts = state.withLock { state -> Bool in
            state.commits += 1
            guard state.commits >= Self.commitsPerCheckpoint, !state.isRunning else { return false }
            state.commits = 0
            state.isRunning = true
            return true
        }
        guard starts else { return }
        queue.async { [self] in
            _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            _ = try? writer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            state.withLock { $0.isRunning = false }
        }
    }
}
