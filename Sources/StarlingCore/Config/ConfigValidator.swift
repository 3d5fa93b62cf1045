import Foundation
internal import Yams

/// Checks configuration files (sites, telescope models, catalogs, scenarios) and collects
/// every problem, for `starling validate`.
public struct ConfigValidator: Sendable {
    /// The installation whose sites and catalogs references are checked against.
    public let layout: ProjectLayout

    public init(layout: ProjectLayout) { self.layout = layout }

    /// The result of a validation run.
    public struct Report: Sendable {
        /// Files checked, in order, with what each was taken to be.
        public var checked: [(path: String, kind: FileKind)] = []
        /// Every problem found.
        public var errors: [ConfigError] = []

        public var isValid: Bool { errors.isEmpty }
    }

    /// What a configuration file is.
    public enum FileKind: String, Sendable {
        case site, telescopeModels = "telescope models", catalog, scenario

        /// The kind's name for a count of files, e.g. "19 sites".
        public func counted(_ count: Int) -> String {
            let noun = rawValue.hasSuffix("models") || count == 1 ? rawValue : rawValue + "s"
            return "\(count) \(noun)"
        }
    }

    /// Validates the whole installation: every site, every catalog, every scenario.
    public func validateAll() -> Report {
        validate(paths: [layout.sitesDirectory, layout.catalogsDirectory, layout.simulationsDirectory])
    }

    /// Validates files and folders; a folder is validated file by file (sites together,
    /// so telescope ids are checked across them).
    public func validate(paths: [String]) -> Report {
        var report = Report()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                report.errors.append(ConfigError(.unreadable, file: path, "no such file or folder"))
                continue
            }
            if isDirectory.boolValue {
                validateDirectory(path, into: &report)
            } else {
                validateFile(path, into: &report)
            }
        }
        return report
    }

    private func validateDirectory(_ directory: String, into report: inout Report) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".csv") }
            .map { directory + "/" + $0 }
        let siteFiles = files.filter { (try? classify($0)) == .site }
        for file in files { validateFile(file, into: &report) }
        // Cross-file rule: telescope ids are unique across the array.
        if siteFiles.count > 1 {
            var owner: [String: String] = [:]
            let loader = (try? modelsLoader(near: directory)) ?? SiteLoader()
            for file in siteFiles {
                guard let site = try? loader.loadSite(path: file) else { continue }
                for telescope in site.telescopes {
                    if let other = owner[telescope.id.rawValue] {
                        report.errors.append(ConfigError(
                            .duplicate, file: file, field: "telescopes",
                            "telescope id '\(telescope.id)' is also used in \(other); telescope ids must be unique across the array"))
                    }
                    owner[telescope.id.rawValue] = file
                }
            }
        }
    }

    private func validateFile(_ path: String, into report: inout Report) {
        let kind: FileKind
        do {
            kind = try classify(path)
        } catch {
            report.errors.append(contentsOf: error.errors)
            return
        }
        report.checked.append((path, kind))
        do {
            switch kind {
            case .catalog:
                _ = try TargetCatalog.load(path: path)
            case .telescopeModels:
                _ = try SiteLoader(modelsText: try readText(path), file: path)
            case .site:
                let loader = try modelsLoader(near: URL(fileURLWithPath: path).deletingLastPathComponent().path)
                _ = try loader.loadSite(path: path)
            case .scenario:
                let network = try? layout.loadNetwork()
                let context = network.map { Scenario.Context(network: $0, catalogNames: layout.catalogNames) }
                _ = try Scenario.load(path: path, context: context)
            }
        } catch {
            report.errors.append(contentsOf: error.errors)
        }
    }

    /// The loader for site files in a folder: its own `models.yaml`, else the installation's.
    private func modelsLoader(near directory: String) throws(ConfigErrors) -> SiteLoader {
        if FileManager.default.fileExists(atPath: directory + "/" + SiteLoader.modelsFileName) {
            return try ObservatoryNetwork.loader(forDirectory: directory)
        }
        return try ObservatoryNetwork.loader(forDirectory: layout.sitesDirectory)
    }

    /// Decides what a file is from its extension and its top-level keys.
    func classify(_ path: String) throws(ConfigErrors) -> FileKind {
        if path.hasSuffix(".csv") { return .catalog }
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") else {
            throw ConfigErrors([ConfigError(.unknownValue, file: path, "not a configuration file (expected .yaml or .csv)")])
        }
        let text = try readText(path)
        let keys: [String]
        do {
            keys = try ConfigNode.parse(text, file: path).mapping().keys
        } catch {
            throw ConfigErrors([error])
        }
        if keys.contains("telescope_models") { return .telescopeModels }
        if keys.contains("telescopes") { return .site }
        if keys.contains("seed") || keys.contains("faults") || keys.contains("alerts") { return .scenario }
        throw ConfigErrors([ConfigError(
            .unknownValue, file: path, line: 1,
            "cannot tell what this file is: a site has 'telescopes', telescope models 'telescope_models', a scenario 'seed'")])
    }
}
