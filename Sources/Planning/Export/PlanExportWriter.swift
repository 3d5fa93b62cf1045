import Foundation
public import StarlingCore

/// Writes one telescope's night plan to disk in a ``PlanExportFormat``: the one place that
/// decides file names and what goes beside the main file.
///
/// `ekos-esl` writes the scheduler list and, in a folder beside it named after it
/// (`plan.esl` → `plan-sequences/`), one `.esq` per observation, which the list names by
/// absolute path; every other format writes one file.
public struct PlanExportWriter: Sendable {
    public let format: PlanExportFormat

    public init(format: PlanExportFormat) {
        self.format = format
    }

    /// The file name used when the destination is a folder: `plan-<telescope>-<night>.<ext>`,
    /// and `plan-<telescope>-<night>-nina.csv` for N.I.N.A., whose targets file would otherwise
    /// overwrite the CSV export in the same folder.
    public func defaultFileName(for plan: NightPlan) -> String {
        "plan-\(plan.telescopeID)-\(plan.night)\(format == .nina ? "-nina" : "").\(format.fileExtension)"
    }

    /// Writes the plan.
    ///
    /// - Parameters:
    ///   - plan: one telescope's plan for one night.
    ///   - site: its site.
    ///   - destination: a file path, or an existing folder (or a path ending in `/`), in which
    ///     case the file is named by ``defaultFileName(for:)``. Missing parent folders are made.
    /// - Returns: the absolute paths written, the main file first.
    /// - Throws: ``PlanExportError`` when a folder cannot be made or a file cannot be written.
    @discardableResult
    public func write(_ plan: NightPlan, at site: Site, to destination: String) throws(PlanExportError) -> [String] {
        let path = Self.resolve(destination, defaultName: defaultFileName(for: plan))
        var files: [(path: String, text: String)] = []
        switch format {
        case .csv: files = [(path, PlanCSV().export(plan, at: site))]
        case .ical: files = [(path, PlanICalendar().export(plan, at: site))]
        case .nina: files = [(path, NINATargetSchedulerCSV().export(plan, at: site))]
        case .ekosESQ: files = [(path, EkosSequenceQueue().export(plan, at: site))]
        case .ekosESL:
            let folder = Self.sequenceFolder(forSchedulerList: path)
            let list = EkosSchedulerList(sequenceFolder: folder)
            files = [(path, list.export(plan, at: site))]
            for (index, entry) in plan.entries.enumerated() {
                files.append((list.sequencePath(index, entry), EkosSequenceQueue().sequence(for: entry, telescope: plan.telescopeID)))
            }
        }
        for file in files { try Self.write(file.text, to: file.path) }
        return files.map(\.path)
    }

    /// The folder of an `.esl`'s sequences: beside it, named after it (`n.esl` → `n-sequences`).
    public static func sequenceFolder(forSchedulerList path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent("\(stem)-sequences").path
    }

    static func resolve(_ destination: String, defaultName: String) -> String {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: destination, isDirectory: &isFolder)
        let base = URL(fileURLWithPath: destination).standardizedFileURL
        if destination.hasSuffix("/") || (exists && isFolder.boolValue) {
            return base.appendingPathComponent(defaultName).path
        }
        return base.path
    }

    private static func write(_ text: String, to path: String) throws(PlanExportError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PlanExportError(path: folder, reason: "cannot make the folder (\(error.localizedDescription)); choose another destination")
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw PlanExportError(path: path, reason: "cannot write the file (\(error.localizedDescription)); check the folder exists and is writable")
        }
    }
}

/// A plan export that could not be written.
public struct PlanExportError: Error, Sendable, CustomStringConvertible {
    /// The file or folder that failed.
    public let path: String
    /// What went wrong and what to do.
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
