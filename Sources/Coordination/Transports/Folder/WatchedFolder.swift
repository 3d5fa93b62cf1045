import Foundation
public import Logging
public import StarlingCore

/// Takes notices from files dropped into a folder: each new file is stored by the intake,
/// then moved to `processed/` (accepted, ignored or already stored) or `refused/` (unreadable).
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
                data = try Data(contentsOf: URL(fileURLWithPath: file))
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
            let destination: String
            if case .refused = receipt.outcome { destination = refusedFolder } else { destination = processedFolder }
            try move(file, into: destination)
            receipts.append(receipt)
            logger.debug("Alert file taken in", metadata: ["folder.file": "\(name)", "alert.id": "\(receipt.id)"])
        }
        return receipts
    }

    /// Moves a file into a folder, adding `-1`, `-2`, … before the extension if the name is taken.
    private func move(_ file: String, into folder: String) throws(AlertTransportError) {
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
    }

    /// Files still being written: hidden, or ending in `.part`/`.tmp`.
    static func isInProgress(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".part") || name.hasSuffix(".tmp")
    }
}
