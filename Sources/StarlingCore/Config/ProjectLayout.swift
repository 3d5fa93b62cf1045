public import Foundation

/// Where a Starling installation keeps its configuration: `sites/`, `catalogs/` and
/// `simulations/` under one root.
public struct ProjectLayout: Sendable, Equatable {
    /// The folder holding `sites/`, `catalogs/` and `simulations/`.
    public let root: String

    public init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
    }

    public var sitesDirectory: String { root + "/sites" }
    public var catalogsDirectory: String { root + "/catalogs" }
    public var simulationsDirectory: String { root + "/simulations" }

    /// The proposals observers submit requests under, `proposals.yaml` (docs/ocs.md).
    public var proposalsFile: String { root + "/proposals.yaml" }

    /// The proposals, from ``proposalsFile``; none when the file does not exist.
    public func loadProposals() throws(ConfigErrors) -> ProposalBook {
        guard FileManager.default.fileExists(atPath: proposalsFile) else { return .empty }
        return try ProposalBook.load(file: proposalsFile)
    }

    /// The default scenario, `simulations/tonight.yaml`.
    public var defaultScenario: String { simulationsDirectory + "/tonight.yaml" }

    /// Finds the layout from a folder upwards: the first folder that has a `sites/` folder.
    ///
    /// - Returns: the layout, or `nil` if no folder up to `/` has `sites/`.
    public static func locate(from directory: String = FileManager.default.currentDirectoryPath) -> ProjectLayout? {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path + "/sites", isDirectory: &isDirectory), isDirectory.boolValue {
                return ProjectLayout(root: url.path)
            }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    /// Loads the network from `sites/`.
    public func loadNetwork() throws(ConfigErrors) -> ObservatoryNetwork {
        try ObservatoryNetwork.load(directory: sitesDirectory)
    }

    /// Loads a catalog by name from `catalogs/`.
    public func loadCatalog(named name: String) throws(ConfigErrors) -> TargetCatalog {
        try TargetCatalog.load(named: name, directory: catalogsDirectory)
    }

    /// The names of the catalogs in `catalogs/`.
    public var catalogNames: [String] { TargetCatalog.names(in: catalogsDirectory) }
}
