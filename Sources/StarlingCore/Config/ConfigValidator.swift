import Foundation
internal import Yams

/// Checks configuration files (sites, telescope models, catalogs, scenarios, proposals) and collects
/// every problem, for `starling validate`.
public struct ConfigValidator: Sendable {
    /// The installation whose sites and catalogs references are checked against.
    public let layout: ProjectLayout

    public init(layout: ProjectLayout) { self.layout = layout }

    /// The result of a validation run.
    public struct Report: Sendable {
        /// Files checked, in order, with what each was taken to be.
        public var checked: [(path: String, kind: FileKind)] = []
        /// Every problem found, each once.
        public private(set) var errors: [ConfigError] = []
        /// Findings that leave the files valid (a 0…360° longitude read as −180…180, a site
        /// far from every known observatory), each once.
        public private(set) var notes: [ConfigError] = []

        public var isValid: Bool { errors.isEmpty }

        /// Adds problems found by a check outside the validator (a scenario's alert files, read by
        /// Coordination), keeping each once.
        public mutating func add(_ found: [ConfigError]) { errors = (errors + found).uniqued() }
        mutating func note(_ found: [ConfigError]) { notes = (notes + found).uniqued() }
    }

    /// What a configuration file is.
    public enum FileKind: String, Sendable {
        case site, telescopeModels = "telescope models", catalog, scenario, proposals = "proposals file"

        /// The kind's name for a count of files, e.g. "19 sites".
        public func counted(_ count: Int) -> String {
            let noun = rawValue.hasSuffix("models") || count == 1 ? rawValue : rawValue + "s"
            return "\(count) \(noun)"
        }
    }

    /// Validates the whole installation: every site, every catalog, every scenario, and the
    /// proposals file when there is one.
    public func validateAll() -> Report {
        let proposals = FileManager.default.fileExists(atPath: layout.proposalsFile) ? [layout.proposalsFile] : []
        return validate(paths: [layout.sitesDirectory, layout.catalogsDirectory, layout.simulationsDirectory] + proposals)
    }

    /// Validates files and folders; a folder is validated file by file (sites together,
    /// so telescope ids are checked across them).
    public func validate(paths: [String]) -> Report {
        var report = Report()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                report.add([ConfigError(.unreadable, file: path, "no such file or folder")])
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
        var sites: [(file: String, site: Site)] = []
        for file in files {
            if let site = validateFile(file, into: &report) { sites.append((file, site)) }
        }
        // The cross-file rule, as loading the network applies it.
        report.add(ObservatoryNetwork.duplicateTelescopeIDs(sites))
    }

    /// Validates one file; returns the site when it is a valid site file.
    @discardableResult
    private func validateFile(_ path: String, into report: inout Report) -> Site? {
        let kind: FileKind
        do {
            kind = try classify(path)
        } catch {
            report.add(error.errors)
            return nil
        }
        report.checked.append((path, kind))
        do {
            switch kind {
            case .catalog:
                _ = try TargetCatalog.load(path: path)
            case .telescopeModels:
                _ = try SiteLoader(modelsText: try readText(path), file: path)
            case .site:
                let loader = try siteLoader(near: URL(fileURLWithPath: path).deletingLastPathComponent().path)
                let (site, errors, notes) = loader.inspectSite(path: path)
                report.add(errors)
                report.note(notes)
                return site
            case .scenario:
                let network = try? layout.loadNetwork()
                let context = network.map { Scenario.Context(network: $0, catalogNames: layout.catalogNames) }
                _ = try Scenario.load(path: path, context: context)
            case .proposals:
                _ = try ProposalBook.load(file: path)
            }
        } catch {
            report.add(error.errors)
        }
        return nil
    }

    /// The loader for site files in a folder: its own `models.yaml`, else the installation's;
    /// its own registry of known observatories, else the installation's.
    private func siteLoader(near directory: String) throws(ConfigErrors) -> SiteLoader {
        let hasOwnRegistry = FileManager.default.fileExists(atPath: directory + "/" + KnownObservatories.relativePath)
        let registryDirectory = hasOwnRegistry ? directory : layout.sitesDirectory
        if FileManager.default.fileExists(atPath: directory + "/" + SiteLoader.modelsFileName) {
            return try ObservatoryNetwork.loader(forDirectory: directory, registryDirectory: registryDirectory)
        }
        return try ObservatoryNetwork.loader(forDirectory: layout.sitesDirectory, registryDirectory: registryDirectory)
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
        if keys.contains("proposals") { return .proposals }
        if keys.contains("telescopes") { return .site }
        if keys.contains("seed") || keys.contains("faults") || keys.contains("alerts") { return .scenario }
        throw ConfigErrors([ConfigError(
            .unknownValue, file: path, line: 1,
            "cannot tell what this file is: a site has 'telescopes', telescope models 'telescope_models', a scenario 'seed', proposals 'proposals'")])
    }
}
