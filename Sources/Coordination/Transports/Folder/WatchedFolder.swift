import Foundation
public import Logging
public import StarlingCore

/// Takes notices from files dropped into a folder: each new file is stored by the intake,
/// then moved to `processed/` (accepted, ignored or already stored) or `refused/` (refused by
/// the intake: unreadable, too large, not a notice, …).
///
/// A refused file is quarantined: it goes to `refused/` with a sidecar beside it, the same
/// name plus `.reason` (`refused/bad.xml.reason`), holding the reason, the time and the id the
/// intake stored it under; the scan goes on with the next file. No file can stop the folder:
/// the intake checks every byte before a parser sees it, and at most the intake's limit
/// (8 MiB, and one byte more to tell that it is over) is read from any file.
///
/// A file leaves the folder only after its notice is durable, so a crash loses nothing; a
/// file that was stored but not yet moved when the process died is stored again after a
/// restart, found to be a duplicate, and moved: nothing is ingested twice. Files whose names
/// start with `.` or end in `.part`/`.tmp` are being written and are left alone: write a
/// notice under such a name and rename it when complete (rename(2) is atomic).
///
/// ```swift
/// let folder = WatchedFolder(path: "/var/starling/alerts", clock: WallClock(), logger: logger)
/// let task = Task { await folder.run(into: intake) }
/// ```
public struct WatchedFolder: AlertTransport {
    /// The watched folder.
    public let path: String
    /// How often the folder is scanned.
    public let pollInterval: Duration
    private let clock: any UTCClock
    private let logger: Logger

    /// Creates a watcher; nothing happens until ``run(into:)`` or ``scan(into:)``.
    public init(path: String, pollInterval: Duration = .seconds(1), clock: any UTCClock, logger: Logger) {
        self.path = URL(fileURLWithPath: path).standardizedFileURL.path
        self.pollInterval = pollInterval
        self.clock = clock
        var logger = logger
        logger[metadataKey: "folder.path"] = "\(self.path)"
        self.logger = logger
    }

    public var name: String { "folder:\(path)" }

    /// Where handled files go.
    public var processedFolder: String { path + "/processed" }
    /// Where unreadable files go.
    public var refusedFolder: String { path + "/refused" }

    /// Scans until the task is cancelled; a scan that fails is logged and retried next time.
    public func run(into intake: AlertIntake) async {
        while !Task.isCancelled {
            do {
                try await scan(into: intake)
            } catch {
                logger.error("Alert folder scan failed", metadata: ["folder.error": "\(error)"])
            }
            do {
                try await clock.sleep(until: clock.now.advanced(by: pollInterval), tolerance: nil)
            } catch {
                break
            }
        }
    }

    /// Takes in every complete file now in the folder, oldest name first.
    ///
    /// - Returns: the receipts, in the order the files were handled.
    /// - Throws: ``AlertTransportError`` `.folderUnavailable` when the folder cannot be read
    ///   or a file cannot be moved. A notice that could not be stored stays in the folder and is
    ///   tried again on the next scan.
    @discardableResult
    public func scan(into intake: AlertIntake) async throws(AlertTransportError) -> [IntakeReceipt] {
        let manager = FileManager.default
        for folder in [processedFolder, refusedFolder] {
            do {
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw AlertTransportError(.folderUnavailable, endpoint: path, "cannot create \(folder) (\(error.localizedDescription))")
            }
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw AlertTransportError(.folderUnavailable, endpoint: path, "cannot list the folder (\(error.localizedDescription))")
        }
        var receipts: [IntakeReceipt] = []
        for name in names where !Self.isInProgress(name) {
            let file = path + "/" + name
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let data: Data
            do {
                data = try Self.read(file, upTo: NoticeBytes.maximumByteCount + 1)
            } catch {
                logger.warning("Alert file unreadable; will retry", metadata: ["folder.file": "\(name)", "folder.error": "\(error.localizedDescription)"])
                continue
            }
            let receipt: IntakeReceipt
            do {
                receipt = try await intake.submit(data, transport: name.isEmpty ? self.name : "\(self.name)/\(name)")
            } catch {
                logger.error("Alert file could not be stored; left in place", metadata: ["folder.file": "\(name)", "store.error": "\(error)"])
                continue
            }
            if case .refused(let reason) = receipt.outcome {
                let quarantined = try move(file, into: refusedFolder)
                writeReason(reason, receipt: receipt, beside: quarantined)
                logger.warning(
                    "Alert file refused and quarantined",
                    metadata: ["folder.file": "\(name)", "alert.id": "\(receipt.id)", "alert.reason": "\(reason)"])
            } else {
                try move(file, into: processedFolder)
            }
            receipts.append(receipt)
            logger.debug("Alert file taken in", metadata: ["folder.file": "\(name)", "alert.id": "\(receipt.id)"])
        }
        return receipts
    }

    /// Reads at most `limit` bytes of a file: a file over the intake's limit is refused from
    /// its first bytes, never loaded whole.
    static func read(_ file: String, upTo limit: Int) throws -> Data {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        return try handle.read(upToCount: limit) ?? Data()
    }

    /// Writes `refused/NAME.reason` beside a quarantined file. A sidecar that cannot be written
    /// is logged: the reason is in the store in any case.
    private func writeReason(_ reason: String, receipt: IntakeReceipt, beside file: String) {
        let text = "\(reason)\nrefused at \(ISO8601.string(from: clock.currentDate)); stored as \(receipt.id)\n"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file + ".reason"), options: .atomic)
        } catch {
            logger.warning("Refusal reason not written beside the file", metadata: ["folder.file": "\(file)", "folder.error": "\(error.localizedDescription)"])
        }
    }

    /// Moves a file into a folder, adding `-1`, `-2`, … before the extension if the name is
    /// taken; returns where it went.
    @discardableResult
    private func move(_ file: String, into folder: String) throws(AlertTransportError) -> String {
        let manager = FileManager.default
        let url = URL(fileURLWithPath: file)
        let base = url.deletingPathExtension().lastPathComponent
        let suffix = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        var target = folder + "/" + url.lastPathComponent
        var attempt = 1
        while manager.fileExists(atPath: target) {
            target = folder + "/\(base)-\(attempt)\(suffix)"
            attempt += 1
        }
        do {
            try manager.moveItem(atPath: file, toPath: target)
        } catch {
            throw AlertTransportError(.folderUnavailable, endpoint: path, "cannot move \(url.lastPathComponent) to \(folder) (\(error.localizedDescription))")
        }
        return target
    }

    /// Files still being written: hidden, or ending in `.part`/`.tmp`.
    static func isInProgress(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".part") || name.hasSuffix(".tmp")
    }
}
