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

    /// The site a user named, by its id (case ignored).
    ///
    /// - Throws: ``UnknownNameError`` naming the nearest id when the name looks like a typo.
    public func site(named name: String) throws(UnknownNameError) -> Site {
        let typed = name.trimmingWhitespace()
        if let found = sites.first(where: { $0.id.rawValue.lowercased() == typed.lowercased() }) { return found }
        throw UnknownNameError(kind: "site", name: typed, known: sites.map(\.id.rawValue))
    }

    /// The telescope a user named, by its id (case ignored), and its site; with `site`, only
    /// among that site's telescopes.
    ///
    /// - Throws: ``UnknownNameError`` naming the nearest id when the name looks like a typo,
    ///   or saying that the telescope is at another site.
    public func telescope(named name: String, at site: Site? = nil) throws(UnknownNameError) -> (site: Site, telescope: Telescope) {
        let typed = name.trimmingWhitespace()
        for candidate in sites {
            guard let telescope = candidate.telescopes.first(where: { $0.id.rawValue.lowercased() == typed.lowercased() }) else { continue }
            if let site, site.id != candidate.id {
                throw UnknownNameError(
                    kind: "telescope", name: typed, scope: "at \(site.id) (it is at \(candidate.id))", known: site.telescopes.map(\.id.rawValue))
            }
            return (candidate, telescope)
        }
        let known = (site.map { [$0] } ?? sites).flatMap { $0.telescopes.map(\.id.rawValue) }
        throw UnknownNameError(kind: "telescope", name: typed, scope: site.map { "at \($0.id)" }, known: known)
    }

    /// Loads every `*.yaml` in a directory as a site, with `models.yaml` as the shared models.
    ///
    /// - Throws: ``ConfigErrors`` listing every problem in every file, including telescope ids
    ///   used at two sites.
    public static func load(directory: String) throws(ConfigErrors) -> ObservatoryNetwork {
        let files = try siteFiles(in: directory)
        let loader = try loader(forDirectory: directory)
        let diagnostics = Diagnostics()
        var loaded: [(file: String, site: Site)] = []
        for file in files {
            guard let site = diagnostics.attempt({ try loader.loadSite(path: file) }) else { continue }
            loaded.append((file, site))
        }
        for error in duplicateTelescopeIDs(loaded) { diagnostics.report(error) }
        let sites = loaded.map(\.site)
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

    /// The cross-file rule: a telescope id names one telescope in the whole array. Each
    /// repeat is reported at its `id` line, naming the file and line of the first.
    static func duplicateTelescopeIDs(_ sites: [(file: String, site: Site)]) -> [ConfigError] {
        var owner: [TelescopeID: String] = [:]
        var errors: [ConfigError] = []
        for (file, site) in sites {
            for telescope in site.telescopes {
                if let other = owner[telescope.id] {
                    let otherLine = SiteLoader.line(ofTelescope: telescope.id, inFile: other).map { ":\($0)" } ?? ""
                    errors.append(ConfigError(
                        .duplicate, file: file, line: SiteLoader.line(ofTelescope: telescope.id, inFile: file), field: "telescopes",
                        "telescope id '\(telescope.id)' is also used in \(other)\(otherLine); telescope ids must be unique across the array"))
                } else {
                    owner[telescope.id] = file
                }
            }
        }
        return errors
    }

    /// A site loader that knows the models file in `directory`, if there is one, and the
    /// registry of known observatories in `registryDirectory` (default: `directory`), if it
    /// has one.
    static func loader(forDirectory directory: String, registryDirectory: String? = nil) throws(ConfigErrors) -> SiteLoader {
        let registry = try KnownObservatories.load(sitesDirectory: registryDirectory ?? directory)
        let modelsPath = directory + "/" + SiteLoader.modelsFileName
        guard FileManager.default.fileExists(atPath: modelsPath) else { return SiteLoader(registry: registry) }
        return try SiteLoader(modelsText: try readText(modelsPath), file: modelsPath, registry: registry)
    }
}
