import Foundation

/// The whole array: every site and its telescopes, as loaded from a `sites/` directory.
///
/// ```swift
/// let network = try ObservatoryNetwork.load(directory: "sites")
/// print(network.sites.count, network.telescopeCount)
/// let (site, telescope) = network.locate(TelescopeID("xinglong-1m-a"))!
/// ```
public struct ObservatoryNetwork: Sendable {
    /// The sites, sorted by longitude from west to east.
    public let sites: [Site]

    /// Creates a network from sites, checking that telescope ids are unique across the array.
    public init(sites: [Site]) {
        self.sites = sites.sorted { $0.location.longitude < $1.location.longitude }
    }

    /// All telescopes at all sites.
    public var telescopeCount: Int { sites.reduce(0) { $0 + $1.telescopes.count } }

    /// The site with the given id.
    public func site(_ id: SiteID) -> Site? { sites.first { $0.id == id } }

    /// The site and telescope for a telescope id.
    public func locate(_ id: TelescopeID) -> (site: Site, telescope: Telescope)? {
        for site in sites {
            if let telescope = site.telescope(id) { return (site, telescope) }
        }
        return nil
    }

    /// Loads every `*.yaml` in a directory as a site, with `models.yaml` as the shared models.
    ///
    /// - Throws: ``ConfigErrors`` listing every problem in every file, including telescope ids
    ///   used at two sites.
    public static func load(directory: String) throws(ConfigErrors) -> ObservatoryNetwork {
        let files = try siteFiles(in: directory)
        let loader = try loader(forDirectory: directory)
        let diagnostics = Diagnostics()
        var sites: [Site] = []
        var telescopeOwner: [TelescopeID: String] = [:]
        for file in files {
            guard let site = diagnostics.attempt({ try loader.loadSite(path: file) }) else { continue }
            for telescope in site.telescopes {
                if let other = telescopeOwner[telescope.id] {
                    diagnostics.report(ConfigError(
                        .duplicate, file: file, field: "telescopes",
                        "telescope id '\(telescope.id)' is also used in \(other); telescope ids must be unique across the array"))
                }
                telescopeOwner[telescope.id] = file
            }
            sites.append(site)
        }
        if sites.isEmpty && diagnostics.errors.isEmpty {
            diagnostics.report(ConfigError(.missingReference, file: directory, "no site files (*.yaml) found"))
        }
        try diagnostics.throwIfAny()
        return ObservatoryNetwork(sites: sites)
    }

    /// The site files in a directory (every `*.yaml` except the models file), sorted.
    static func siteFiles(in directory: String) throws(ConfigErrors) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw ConfigErrors([ConfigError(.unreadable, file: directory, "cannot list the sites directory")])
        }
        return names.filter { $0.hasSuffix(".yaml") && $0 != SiteLoader.modelsFileName }.sorted()
            .map { directory + "/" + $0 }
    }

    /// A site loader that knows the models file in `directory`, if there is one.
    static func loader(forDirectory directory: String) throws(ConfigErrors) -> SiteLoader {
        let modelsPath = directory + "/" + SiteLoader.modelsFileName
        guard FileManager.default.fileExists(atPath: modelsPath) else { return SiteLoader() }
        return try SiteLoader(modelsText: try readText(modelsPath), file: modelsPath)
    }
}
