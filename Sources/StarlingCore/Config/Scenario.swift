public import Foundation
internal import Yams

/// A simulated night: which date and sites, how the weather goes, which devices fail and
/// which alerts arrive when. Loaded from `simulations/<name>.yaml` (format in
/// `docs/scenario-format.md`).
public struct Scenario: Sendable {
    public let name: String
    public let description: String
    /// The local date on which every site's night begins.
    public let date: CalendarDate
    /// Seed for every random choice (weather draws, noise), so a run is reproducible.
    public let seed: UInt64
    /// The survey catalog to plan from (a name in `catalogs/`).
    public let catalog: String
    /// Which sites take part.
    public let sites: SiteSelection
    /// Optional UTC limits of the simulated span; by default each site's whole night.
    public let start: Date?
    public let end: Date?
    public let weather: WeatherScenario
    public let faults: [FaultInjection]
    public let alerts: [AlertInjection]

    public enum SiteSelection: Sendable, Equatable {
        case all
        case only([SiteID])

        /// Whether a site takes part.
        public func includes(_ id: SiteID) -> Bool {
            switch self {
            case .all: true
            case .only(let ids): ids.contains(id)
            }
        }
    }

    /// Where to find things the scenario refers to, so they can be checked while loading.
    public struct Context: Sendable {
        public let network: ObservatoryNetwork
        public let catalogNames: [String]

        public init(network: ObservatoryNetwork, catalogNames: [String]) {
            self.network = network
            self.catalogNames = catalogNames
        }
    }

    /// Loads and checks a scenario file.
    ///
    /// - Parameters:
    ///   - path: the YAML file; alert files are resolved relative to its folder.
    ///   - context: the network and catalogs to check references against; `nil` skips those checks.
    /// - Throws: ``ConfigErrors`` naming line and field of every problem.
    public static func load(path: String, context: Context?) throws(ConfigErrors) -> Scenario {
        try parse(text: try readText(path), file: path, context: context)
    }

    /// Parses and checks scenario text (see ``load(path:context:)``).
    public static func parse(text: String, file: String, context: Context?) throws(ConfigErrors) -> Scenario {
        let diagnostics = Diagnostics()
        let scenario = diagnostics.attempt { try read(text: text, file: file, context: context, diagnostics: diagnostics) }
        try diagnostics.throwIfAny()
        return scenario!!
    }

    static let keys: Set<String> = [
        "name", "description", "date", "seed", "catalog", "sites", "start", "end", "weather", "faults", "alerts",
    ]

    private static func read(text: String, file: String, context: Context?, diagnostics: Diagnostics) throws -> Scenario? {
        let root = try ConfigNode.parse(text, file: file).mapping()
        diagnostics.attempt { try root.rejectUnknownKeys(keys) }
        let name = diagnostics.attempt { try root.required("name").string() }
        let description = diagnostics.attempt { try root.child("description")?.string() ?? "" }
        let date = diagnostics.attempt { () throws -> CalendarDate in
            let node = try root.required("date")
            let text = try node.string()
            guard let date = CalendarDate(text) else { throw node.error(.wrongType, "date '\(text)' is not a YYYY-MM-DD date") }
            return date
        }
        let seed = diagnostics.attempt { () throws -> UInt64 in
            let node = try root.required("seed")
            let text = try node.string()
            guard let value = UInt64(text) else { throw node.error(.wrongType, "seed '\(text)' should be a whole number ≥ 0") }
            return value
        }
        let catalog = diagnostics.attempt { () throws -> String in
            let node = try root.required("catalog")
            let value = try node.string()
            if let context, !context.catalogNames.contains(value) {
                throw node.error(.missingReference, "catalog '\(value)' is not in catalogs/ (known: \(context.catalogNames.joined(separator: ", ")))")
            }
            return value
        }
        let sites = diagnostics.attempt { () throws -> SiteSelection in
            guard let node = root.child("sites") else { return .all }
            if case .scalar = node.node {
                let text = try node.string()
                guard text == "all" else { throw node.error(.wrongType, "sites should be 'all' or a list of site ids") }
                return .all
            }
            var ids: [SiteID] = []
            for item in try node.sequence() {
                let id = SiteID(try item.string())
                if let context, context.network.site(id) == nil {
                    throw item.error(.missingReference, "site '\(id)' is not in sites/")
                }
                ids.append(id)
            }
            return .only(ids)
        }
        let start = diagnostics.attempt { try root.child("start")?.instant() }
        let end = diagnostics.attempt { try root.child("end")?.instant() }
        if let start = start ?? nil, let end = end ?? nil, end <= start, let node = root.child("end") {
            diagnostics.report(node.error(.inconsistent, "end \(ISO8601.string(from: end)) is not after start \(ISO8601.string(from: start))"))
        }
        let weather = diagnostics.attempt { try WeatherScenario.read(root.child("weather"), context: context) }
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let faults = diagnostics.attempt { try (root.child("faults")?.sequence() ?? []).map { node in try FaultInjection.read(node, context: context) } }
        let alerts = diagnostics.attempt {
            try (root.child("alerts")?.sequence() ?? []).map { node in try AlertInjection.read(node, folder: folder) }
        }
        guard let name, let description, let date, let seed, let catalog, let sites, let start, let end, let weather,
            let faults, let alerts
        else { return nil }
        return Scenario(
            name: name, description: description, date: date, seed: seed, catalog: catalog, sites: sites, start: start,
            end: end, weather: weather, faults: faults, alerts: alerts)
    }
}

/// How the weather goes at each site through the night.
public struct WeatherScenario: Sendable {
    /// What a site's weather does when the scenario says nothing about it.
    public enum Model: String, Sendable, CaseIterable {
        /// Random clouds drawn from the site's climate (clear fraction, seeing).
        case climate
        /// Clear all night at median seeing.
        case clear
    }

    public let defaultModel: Model
    /// Explicit changes per site, in time order.
    public let changes: [SiteID: [WeatherChange]]

    public init(defaultModel: Model = .climate, changes: [SiteID: [WeatherChange]] = [:]) {
        self.defaultModel = defaultModel
        self.changes = changes
    }

    static func read(_ node: ConfigNode?, context: Scenario.Context?) throws -> WeatherScenario {
        guard let node else { return WeatherScenario() }
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(["default", "sites"])
        let model = try mapping.child("default")?.choice(Model.self) ?? .climate
        var changes: [SiteID: [WeatherChange]] = [:]
        if let sites = try mapping.child("sites")?.mapping() {
            for key in sites.keys {
                guard let list = sites.child(key) else { continue }
                let id = SiteID(key)
                if let context, context.network.site(id) == nil {
                    throw list.error(.missingReference, "weather for site '\(key)', which is not in sites/")
                }
                changes[id] = try list.sequence().map { item in try WeatherChange.read(item) }.sorted { $0.at < $1.at }
            }
        }
        return WeatherScenario(defaultModel: model, changes: changes)
    }
}

/// A change in a site's weather at an instant; fields not given keep their previous values.
public struct WeatherChange: Sendable, Hashable {
    public let at: Date
    public let cloudFraction: Double?
    public let seeing: Angle?
    public let windSpeedMetersPerSecond: Double?
    public let relativeHumidity: Double?
    public let isRaining: Bool?
    /// The weather feed stops (true) or resumes (false).
    public let feedLost: Bool?

    public init(
        at: Date, cloudFraction: Double? = nil, seeing: Angle? = nil, windSpeedMetersPerSecond: Double? = nil,
        relativeHumidity: Double? = nil, isRaining: Bool? = nil, feedLost: Bool? = nil
    ) {
        self.at = at
        self.cloudFraction = cloudFraction
        self.seeing = seeing
        self.windSpeedMetersPerSecond = windSpeedMetersPerSecond
        self.relativeHumidity = relativeHumidity
        self.isRaining = isRaining
        self.feedLost = feedLost
    }

    static func read(_ node: ConfigNode) throws -> WeatherChange {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(["at", "cloud_fraction", "seeing_arcsec", "wind_m_per_s", "relative_humidity", "rain", "feed_lost"])
        return WeatherChange(
            at: try mapping.required("at").instant(),
            cloudFraction: try mapping.child("cloud_fraction")?.double(in: 0...1),
            seeing: (try mapping.child("seeing_arcsec")?.double(in: 0.2...10)).map(Angle.arcseconds),
            windSpeedMetersPerSecond: try mapping.child("wind_m_per_s")?.double(in: 0...100),
            relativeHumidity: try mapping.child("relative_humidity")?.double(in: 0...1),
            isRaining: try mapping.child("rain")?.bool(),
            feedLost: try mapping.child("feed_lost")?.bool())
    }
}

/// A device fault injected at an instant.
public struct FaultInjection: Sendable, Hashable {
    public let at: Date
    public let telescope: TelescopeID
    public let device: DeviceKind
    public let kind: Kind
    /// How long until the device works again; `nil` for the rest of the night.
    public let durationSeconds: Double?

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The mount stops moving mid-slew.
        case stall
        /// The camera never delivers the frame.
        case timeout
        /// The dome or roof does not move.
        case stuck
        /// The weather sensor stops reporting.
        case feedLost = "feed-lost"
        /// The driver drops the connection.
        case disconnect

        /// The device kinds this fault applies to.
        public var devices: Set<DeviceKind> {
            switch self {
            case .stall: [.mount, .focuser, .filterWheel]
            case .timeout: [.camera]
            case .stuck: [.enclosure, .filterWheel, .focuser]
            case .feedLost: [.weather]
            case .disconnect: Set(DeviceKind.allCases)
            }
        }
    }

    public init(at: Date, telescope: TelescopeID, device: DeviceKind, kind: Kind, durationSeconds: Double?) {
        self.at = at
        self.telescope = telescope
        self.device = device
        self.kind = kind
        self.durationSeconds = durationSeconds
    }

    static func read(_ node: ConfigNode, context: Scenario.Context?) throws -> FaultInjection {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(["at", "telescope", "device", "kind", "duration_s"])
        let telescopeNode = try mapping.required("telescope")
        let telescope = TelescopeID(try telescopeNode.string())
        if let context, context.network.locate(telescope) == nil {
            throw telescopeNode.error(.missingReference, "telescope '\(telescope)' is not in sites/")
        }
        let device = try mapping.required("device").choice(DeviceKind.self)
        let kindNode = try mapping.required("kind")
        let kind = try kindNode.choice(Kind.self)
        guard kind.devices.contains(device) else {
            throw kindNode.error(
                .inconsistent,
                "a \(device.rawValue) cannot have fault '\(kind.rawValue)' (it applies to: \(kind.devices.map(\.rawValue).sorted().joined(separator: ", ")))")
        }
        return FaultInjection(
            at: try mapping.required("at").instant(), telescope: telescope, device: device, kind: kind,
            durationSeconds: try mapping.child("duration_s")?.double(in: 1...86_400))
    }
}

/// An alert notice delivered at an instant, read from a file.
public struct AlertInjection: Sendable, Hashable {
    public let at: Date
    /// Absolute path of the notice file.
    public let path: String

    public init(at: Date, path: String) {
        self.at = at
        self.path = path
    }

    static func read(_ node: ConfigNode, folder: String) throws -> AlertInjection {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(["at", "file"])
        let fileNode = try mapping.required("file")
        let relative = try fileNode.string()
        let path = relative.hasPrefix("/") ? relative : URL(fileURLWithPath: folder).appendingPathComponent(relative).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw fileNode.error(.missingReference, "alert file '\(relative)' does not exist (looked for \(path))")
        }
        return AlertInjection(at: try mapping.required("at").instant(), path: path)
    }
}

extension Scenario {
    /// The live network's world when no scenario is given: every site under its own climate
    /// from `date` on, no faults or alerts injected.
    public static func climate(for network: ObservatoryNetwork, at date: Date, seed: UInt64 = 1) -> Scenario {
        Scenario(
            name: "climate", description: "every site under its own climate", date: CalendarDate(date, in: TimeZone(identifier: "UTC")!),
            seed: seed, catalog: "", sites: .only(network.sites.map(\.id)), start: nil, end: nil, weather: WeatherScenario(defaultModel: .climate),
            faults: [], alerts: [])
    }

    /// The same scenario with another seed.
    public func with(seed: UInt64) -> Scenario {
        Scenario(
            name: name, description: description, date: date, seed: seed, catalog: catalog, sites: sites, start: start, end: end,
            weather: weather, faults: faults, alerts: alerts)
    }

    /// The same scenario on another night: every instant in it (start, end, weather changes,
    /// faults, alerts) moves by the whole number of days between the dates, so events keep
    /// their local times.
    public func moved(to newDate: CalendarDate) -> Scenario {
        let utc = TimeZone(identifier: "UTC")!
        let days = Int((newDate.instant(in: utc).timeIntervalSince(date.instant(in: utc)) / 86_400).rounded())
        let shift = Double(days) * 86_400
        let changes = weather.changes.mapValues { list in
            list.map {
                WeatherChange(
                    at: $0.at.addingTimeInterval(shift), cloudFraction: $0.cloudFraction, seeing: $0.seeing,
                    windSpeedMetersPerSecond: $0.windSpeedMetersPerSecond, relativeHumidity: $0.relativeHumidity, isRaining: $0.isRaining,
                    feedLost: $0.feedLost)
            }
        }
        return Scenario(
            name: name, description: description, date: newDate, seed: seed, catalog: catalog, sites: sites,
            start: start?.addingTimeInterval(shift), end: end?.addingTimeInterval(shift),
            weather: WeatherScenario(defaultModel: weather.defaultModel, changes: changes),
            faults: faults.map {
                FaultInjection(at: $0.at.addingTimeInterval(shift), telescope: $0.telescope, device: $0.device, kind: $0.kind, durationSeconds: $0.durationSeconds)
            },
            alerts: alerts.map { AlertInjection(at: $0.at.addingTimeInterval(shift), path: $0.path) })
    }
}
