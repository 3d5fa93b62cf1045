import Foundation
internal import Yams

/// Reads site files (`sites/<id>.yaml`) and the shared telescope models (`sites/models.yaml`).
///
/// Every value is checked as it is read; problems are collected so that one pass reports
/// all of a file's errors, each with file, line and field. The format is documented in
/// `docs/config-format.md`.
public struct SiteLoader: Sendable {
    /// Name of the file holding shared telescope models, beside the site files.
    public static let modelsFileName = "models.yaml"

    private let models: [String: ModelEntry]
    /// The known observatories positions are cross-checked against; `nil`: no cross-check.
    private let registry: KnownObservatories?

    private struct ModelEntry: @unchecked Sendable {
        // @unchecked: Yams nodes are immutable value trees once composed.
        let mapping: ConfigMapping
    }

    /// A loader with no shared telescope models.
    ///
    /// - Parameter registry: known observatories to cross-check site positions against
    ///   (``SiteCoordinateCheck/check(latitude:longitude:elevationMeters:against:toleranceKilometers:)``).
    public init(registry: KnownObservatories? = nil) {
        models = [:]
        self.registry = registry
    }

    /// A loader that resolves `model:` references against a models file's text.
    ///
    /// - Parameter registry: known observatories to cross-check site positions against.
    public init(modelsText: String, file: String, registry: KnownObservatories? = nil) throws(ConfigErrors) {
        self.registry = registry
        let diagnostics = Diagnostics()
        var models: [String: ModelEntry] = [:]
        diagnostics.attempt {
            let root = try ConfigNode.parse(modelsText, file: file).mapping()
            try root.rejectUnknownKeys(["telescope_models"])
            let table = try root.required("telescope_models").mapping()
            for key in table.keys {
                guard let node = table.child(key) else { continue }
                guard let mapping = diagnostics.attempt({ try node.mapping() }) else { continue }
                diagnostics.attempt { try mapping.rejectUnknownKeys(Self.telescopeKeys.subtracting(["id", "model"])) }
                models[key] = ModelEntry(mapping: mapping)
            }
        }
        try diagnostics.throwIfAny()
        self.models = models
    }

    /// The names of the shared telescope models.
    public var modelNames: [String] { models.keys.sorted() }

    /// Loads one site from its file's text.
    ///
    /// - Parameters:
    ///   - text: the YAML.
    ///   - file: the path to name in errors; its base name must match the site's `id`.
    /// - Throws: ``ConfigErrors`` with every problem found.
    public func loadSite(text: String, file: String) throws(ConfigErrors) -> Site {
        let diagnostics = Diagnostics()
        let site = diagnostics.attempt { try readSite(text: text, file: file, diagnostics: diagnostics) }
        try diagnostics.throwIfAny()
        return site!!
    }

    /// Loads one site file from disk.
    public func loadSite(path: String) throws(ConfigErrors) -> Site {
        try loadSite(text: try readText(path), file: path)
    }

    /// Loads one site file and also returns its notices: findings that leave it valid, such as
    /// a 0…360° longitude read as −180…180 or a position far from every known observatory.
    ///
    /// - Returns: the site (`nil` when it has errors), every error, every notice.
    public func inspectSite(path: String) -> (site: Site?, errors: [ConfigError], notes: [ConfigError]) {
        let text: String
        do { text = try readText(path) } catch { return (nil, error.errors, []) }
        let diagnostics = Diagnostics()
        let site = diagnostics.attempt { try readSite(text: text, file: path, diagnostics: diagnostics) } ?? nil
        return (diagnostics.errors.isEmpty ? site : nil, diagnostics.errors, diagnostics.notes)
    }

    /// The line of a telescope's `id` in a site file, for errors found across files.
    static func line(ofTelescope id: TelescopeID, inFile path: String) -> Int? {
        guard let text = try? readText(path), let root = try? ConfigNode.parse(text, file: path).mapping(),
            let telescopes = try? root.child("telescopes")?.sequence()
        else { return nil }
        for node in telescopes {
            if let idNode = (try? node.mapping())?.child("id"), (try? idNode.string()) == id.rawValue { return idNode.line }
        }
        return nil
    }

    static let siteKeys: Set<String> = [
        "id", "name", "latitude_deg", "longitude_deg", "elevation_m", "timezone", "source", "horizon_mask_deg",
        "weather", "climate", "telescopes",
    ]
    static let telescopeKeys: Set<String> = [
        "id", "model", "name", "description", "aperture_m", "focal_length_mm", "throughput", "camera", "filters",
        "filter_change_s", "mount", "enclosure", "safety", "driver",
    ]

    private func readSite(text: String, file: String, diagnostics: Diagnostics) throws -> Site? {
        let root = try ConfigNode.parse(text, file: file).mapping()
        diagnostics.attempt { try root.rejectUnknownKeys(Self.siteKeys) }

        let id = diagnostics.attempt { () throws -> SiteID in
            let node = try root.required("id")
            let value = try node.string()
            try Self.checkSlug(value, node: node)
            let base = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            guard base == value else {
                throw node.error(.inconsistent, "id '\(value)' does not match the file name '\(base).yaml' (rename one of them)")
            }
            return SiteID(value)
        }
        let name = diagnostics.attempt { try root.required("name").string() }
        let source = diagnostics.attempt { try root.required("source").string() }
        let position = diagnostics.attempt { try readPosition(root, diagnostics: diagnostics) }
        let horizon = diagnostics.attempt { try Self.readHorizonMask(root.child("horizon_mask_deg")) }
        let weather = diagnostics.attempt { try Self.readWeatherSource(root.child("weather")) }
        let climate = diagnostics.attempt { try Self.readClimate(root.child("climate")) }

        var telescopes: [Telescope] = []
        if let list = diagnostics.attempt({ try root.required("telescopes").sequence() }) {
            if list.isEmpty { diagnostics.report(try root.required("telescopes").error(.outOfRange, "a site needs at least one telescope")) }
            var seen: Set<String> = []
            for node in list {
                guard let telescope = diagnostics.attempt({ try readTelescope(node, diagnostics: diagnostics) }) ?? nil else { continue }
                if !seen.insert(telescope.id.rawValue).inserted {
                    diagnostics.report(node.error(.duplicate, "telescope id '\(telescope.id)' is used twice in this site"))
                }
                telescopes.append(telescope)
            }
        }
        guard let id, let name, let source, let (location, timeZone) = position, let horizon, let weather, let climate,
            diagnostics.errors.isEmpty
        else { return nil }
        return Site(
            id: id, name: name, location: location, timeZone: timeZone, horizonMask: horizon, weatherSource: weather,
            climate: climate, telescopes: telescopes, source: source)
    }

    // MARK: Fields

    static func checkSlug(_ value: String, node: ConfigNode) throws(ConfigError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        guard !value.isEmpty, value.allSatisfy({ allowed.contains($0) }) else {
            throw node.error(.wrongType, "\(node.fieldName) '\(value)' should be lowercase letters, digits, '-' or '_'")
        }
    }

    /// Reads latitude, longitude, elevation and time zone together, so that
    /// ``SiteCoordinateCheck`` can judge them against each other and, when the loader has a
    /// registry, against the known observatories.
    private func readPosition(_ root: ConfigMapping, diagnostics: Diagnostics) throws -> (GeodeticLocation, TimeZone) {
        let nodes = [
            "latitude_deg": try root.required("latitude_deg"), "longitude_deg": try root.required("longitude_deg"),
            "elevation_m": try root.required("elevation_m"), "timezone": try root.required("timezone"),
        ]
        let latitude = try nodes["latitude_deg"]!.double()
        let longitude = try nodes["longitude_deg"]!.double()
        let elevation = try nodes["elevation_m"]!.double()
        let zoneName = try nodes["timezone"]!.string()
        var issues = SiteCoordinateCheck.check(latitude: latitude, longitude: longitude, elevationMeters: elevation, timeZone: zoneName)
        if let registry, !issues.contains(where: \.isError) {
            issues += SiteCoordinateCheck.check(latitude: latitude, longitude: longitude, elevationMeters: elevation, against: registry)
        }
        for issue in issues where !issue.isError {
            diagnostics.note(nodes[issue.field]!.error(Self.code(for: issue.kind), issue.message))
        }
        let errors = issues.filter(\.isError).map { issue in nodes[issue.field]!.error(Self.code(for: issue.kind), issue.message) }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        guard let zone = TimeZone(identifier: zoneName),
            let location = try? GeodeticLocation(latitude: .degrees(latitude), longitude: .degrees(longitude), elevationMeters: elevation)
        else {
            throw nodes["timezone"]!.error(.timeZone, "timezone '\(zoneName)' cannot be loaded on this machine (is tzdata installed?)")
        }
        return (location, zone)
    }

    private static func code(for kind: SiteCoordinateCheck.Issue.Kind) -> ConfigError.Code {
        switch kind {
        case .latitudeOutOfRange, .longitudeOutOfRange, .elevationOutOfRange, .longitudeNormalized: .outOfRange
        case .deprecatedTimeZone, .unknownTimeZone: .timeZone
        case .timeZoneHemisphere, .timeZoneOffset, .swappedCoordinates, .misplacedCoordinates, .elevationUnit, .remoteFromKnownSites: .inconsistent
        }
    }

    private static func readHorizonMask(_ node: ConfigNode?) throws -> HorizonMask {
        guard let node else { return .flat() }
        var points: [HorizonMask.Point] = []
        for pair in try node.sequence() {
            let values = try pair.sequence()
            guard values.count == 2 else {
                throw pair.error(.wrongType, "\(pair.fieldName) should be [azimuth, minimum altitude] in degrees")
            }
            let azimuth = try values[0].double(in: 0...360)
            let altitude = try values[1].double(in: 0...90)
            points.append(HorizonMask.Point(azimuth: .degrees(azimuth), altitude: .degrees(altitude)))
        }
        return HorizonMask(points: points)
    }

    private static func readWeatherSource(_ node: ConfigNode?) throws -> WeatherSource {
        guard let node else { return .simulated }
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(["source", "device", "device_number"])
        enum Kind: String, CaseIterable { case simulated, indi, alpaca }
        switch try mapping.required("source").choice(Kind.self) {
        case .simulated: return .simulated
        case .indi: return .indi(device: try mapping.required("device").string())
        case .alpaca: return .alpaca(deviceNumber: try mapping.required("device_number").int(in: 0...99))
        }
    }

    private static func readClimate(_ node: ConfigNode?) throws -> SiteClimate {
        var climate = SiteClimate()
        guard let node else { return climate }
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys([
            "clear_fraction", "median_seeing_arcsec", "dark_sky_v_mag_arcsec2", "temperature_c", "relative_humidity",
        ])
        if let value = mapping.child("clear_fraction") { climate.clearFraction = try value.double(in: 0...1) }
        if let value = mapping.child("median_seeing_arcsec") { climate.medianSeeing = .arcseconds(try value.double(in: 0.2...10)) }
        if let value = mapping.child("dark_sky_v_mag_arcsec2") { climate.darkSkyBrightness = try value.double(in: 16...23) }
        if let value = mapping.child("temperature_c") { climate.temperatureCelsius = try value.double(in: -60...50) }
        if let value = mapping.child("relative_humidity") { climate.relativeHumidity = try value.double(in: 0...1) }
        return climate
    }

    // MARK: Telescopes

    /// Looks a telescope field up in the telescope's own entry, then in its model.
    private struct TelescopeFields {
        let own: ConfigMapping
        let model: ConfigMapping?

        func child(_ key: String) -> ConfigNode? { own.child(key) ?? model?.child(key) }

        func required(_ key: String) throws(ConfigError) -> ConfigNode {
            if let node = child(key) { return node }
            return try own.required(key)
        }
    }

    private func readTelescope(_ node: ConfigNode, diagnostics: Diagnostics) throws -> Telescope? {
        let own = try node.mapping()
        diagnostics.attempt { try own.rejectUnknownKeys(Self.telescopeKeys) }
        var model: ConfigMapping?
        if let modelNode = own.child("model") {
            let name = try modelNode.string()
            guard let entry = models[name] else {
                let known = modelNames.isEmpty ? "no models are defined" : "known: \(modelNames.joined(separator: ", "))"
                throw modelNode.error(.missingReference, "model '\(name)' is not defined in \(Self.modelsFileName) (\(known))")
            }
            model = entry.mapping
        }
        let fields = TelescopeFields(own: own, model: model)
        let id = diagnostics.attempt { () throws -> TelescopeID in
            let idNode = try own.required("id")
            let value = try idNode.string()
            try Self.checkSlug(value, node: idNode)
            return TelescopeID(value)
        }
        let name = diagnostics.attempt { try fields.required("name").string() }
        let aperture = diagnostics.attempt { try fields.required("aperture_m").double(in: 0.05...12) }
        let focalLength = diagnostics.attempt { try fields.required("focal_length_mm").double(in: 50...200_000) }
        let throughput = diagnostics.attempt { try fields.child("throughput")?.double(in: 0.01...1) ?? 0.6 }
        let camera = diagnostics.attempt { try Self.readCamera(try fields.required("camera")) }
        let filters = diagnostics.attempt { () throws -> [Filter] in
            let list = try fields.required("filters").sequence()
            guard !list.isEmpty else { throw try fields.required("filters").error(.outOfRange, "filters needs at least one filter") }
            return try list.map { item throws(ConfigError) in Filter(try item.string()) }
        }
        let filterChange = diagnostics.attempt { try fields.child("filter_change_s")?.double(in: 0...600) ?? 10 }
        let mount = diagnostics.attempt { try Self.readMount(fields.child("mount")) }
        let enclosure = diagnostics.attempt { try Self.readEnclosure(fields.child("enclosure")) }
        let safety = diagnostics.attempt { try Self.readSafety(fields.child("safety")) }
        let driver = diagnostics.attempt { try Self.readDriver(fields.child("driver")) }
        guard let id, let name, let aperture, let focalLength, let throughput, let camera, let filters, let filterChange,
            let mount, let enclosure, let safety, let driver
        else { return nil }
        return Telescope(
            id: id, name: name, apertureMeters: aperture, focalLengthMillimeters: focalLength, camera: camera,
            filters: filters, mount: mount, enclosure: enclosure, filterChangeSeconds: filterChange,
            throughput: throughput, safety: safety, driver: driver)
    }

    private static func readCamera(_ node: ConfigNode) throws -> Camera {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys([
            "name", "width_px", "height_px", "pixel_size_um", "gain_e_per_adu", "read_noise_e", "full_well_e", "readout_s",
            "dark_current_e_per_s", "temperature_c",
        ])
        return Camera(
            name: try mapping.required("name").string(),
            widthPixels: try mapping.required("width_px").int(in: 16...20_000),
            heightPixels: try mapping.required("height_px").int(in: 16...20_000),
            pixelSizeMicrons: try mapping.required("pixel_size_um").double(in: 1...50),
            gain: try mapping.required("gain_e_per_adu").double(in: 0.01...100),
            readNoise: try mapping.required("read_noise_e").double(in: 0...100),
            fullWell: try mapping.required("full_well_e").double(in: 1_000...2_000_000),
            readoutSeconds: try mapping.required("readout_s").double(in: 0...600),
            darkCurrent: try mapping.child("dark_current_e_per_s")?.double(in: 0...100) ?? 0.002,
            temperatureCelsius: try mapping.child("temperature_c")?.double(in: -200...40) ?? -100)
    }

    private static func readMount(_ node: ConfigNode?) throws -> MountModel {
        guard let node else { return MountModel() }
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(["slew_rate_deg_per_s", "acceleration_deg_per_s2", "settle_s", "minimum_altitude_deg", "kind"])
        let defaults = MountModel()
        return MountModel(
            slewRateDegreesPerSecond: try mapping.child("slew_rate_deg_per_s")?.double(in: 0.1...50) ?? defaults.slewRateDegreesPerSecond,
            accelerationDegreesPerSecondSquared: try mapping.child("acceleration_deg_per_s2")?.double(in: 0.01...100)
                ?? defaults.accelerationDegreesPerSecondSquared,
            settleSeconds: try mapping.child("settle_s")?.double(in: 0...300) ?? defaults.settleSeconds,
            minimumAltitude: .degrees(try mapping.child("minimum_altitude_deg")?.double(in: 0...60) ?? defaults.minimumAltitude.degrees),
            kind: try mapping.child("kind")?.choice(MountModel.Kind.self) ?? defaults.kind)
    }

    private static func readEnclosure(_ node: ConfigNode?) throws -> EnclosureModel {
        guard let node else { return EnclosureModel() }
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(["kind", "open_s", "close_s", "rotation_deg_per_s"])
        let defaults = EnclosureModel()
        return EnclosureModel(
            kind: try mapping.child("kind")?.choice(EnclosureModel.Kind.self) ?? defaults.kind,
            openSeconds: try mapping.child("open_s")?.double(in: 1...1800) ?? defaults.openSeconds,
            closeSeconds: try mapping.child("close_s")?.double(in: 1...1800) ?? defaults.closeSeconds,
            rotationDegreesPerSecond: try mapping.child("rotation_deg_per_s")?.double(in: 0.1...30) ?? defaults.rotationDegreesPerSecond)
    }

    private static func readSafety(_ node: ConfigNode?) throws -> SafetyPolicy {
        guard let node else { return SafetyPolicy() }
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys([
            "sun_avoidance_deg", "maximum_sun_altitude_for_opening_deg", "weather_data_grace_s", "close_deadline_s",
            "lost_contact_s",
        ])
        let defaults = SafetyPolicy()
        return SafetyPolicy(
            sunAvoidance: .degrees(try mapping.child("sun_avoidance_deg")?.double(in: 5...90) ?? defaults.sunAvoidance.degrees),
            maximumSunAltitudeForOpening: .degrees(
                try mapping.child("maximum_sun_altitude_for_opening_deg")?.double(in: -18...0)
                    ?? defaults.maximumSunAltitudeForOpening.degrees),
            weatherDataGraceSeconds: try mapping.child("weather_data_grace_s")?.double(in: 1...3600) ?? defaults.weatherDataGraceSeconds,
            closeDeadlineSeconds: try mapping.child("close_deadline_s")?.double(in: 1...1800) ?? defaults.closeDeadlineSeconds,
            lostContactSeconds: try mapping.child("lost_contact_s")?.double(in: 1...86_400) ?? defaults.lostContactSeconds)
    }

    private static func readDriver(_ node: ConfigNode?) throws -> DriverConfiguration {
        guard let node else { return .simulator }
        enum Kind: String, CaseIterable { case simulator, indi, alpaca }
        if case .scalar = node.node {
            switch try node.choice(Kind.self) {
            case .simulator: return .simulator
            case .indi: return .indi(INDIConfiguration())
            case .alpaca: return .alpaca(AlpacaConfiguration())
            }
        }
        let mapping = try node.mapping()
        switch try mapping.required("kind").choice(Kind.self) {
        case .simulator:
            try mapping.rejectUnknownKeys(["kind"])
            return .simulator
        case .indi:
            try mapping.rejectUnknownKeys([
                "kind", "host", "port", "mount_device", "camera_device", "focuser_device", "filter_wheel_device", "dome_device",
                "weather_device",
            ])
            var config = INDIConfiguration()
            if let value = mapping.child("host") { config.host = try value.string() }
            if let value = mapping.child("port") { config.port = try value.int(in: 1...65_535) }
            if let value = mapping.child("mount_device") { config.mountDevice = try value.string() }
            if let value = mapping.child("camera_device") { config.cameraDevice = try value.string() }
            if let value = mapping.child("focuser_device") { config.focuserDevice = try value.string() }
            if let value = mapping.child("filter_wheel_device") { config.filterWheelDevice = try value.string() }
            if let value = mapping.child("dome_device") { config.domeDevice = try value.string() }
            if let value = mapping.child("weather_device") { config.weatherDevice = try value.string() }
            return .indi(config)
        case .alpaca:
            try mapping.rejectUnknownKeys([
                "kind", "host", "port", "telescope", "camera", "focuser", "filter_wheel", "dome", "observing_conditions",
                "safety_monitor",
            ])
            var config = AlpacaConfiguration()
            if let value = mapping.child("host") { config.host = try value.string() }
            if let value = mapping.child("port") { config.port = try value.int(in: 1...65_535) }
            if let value = mapping.child("telescope") { config.telescopeNumber = try value.int(in: 0...99) }
            if let value = mapping.child("camera") { config.cameraNumber = try value.int(in: 0...99) }
            if let value = mapping.child("focuser") { config.focuserNumber = try value.int(in: 0...99) }
            if let value = mapping.child("filter_wheel") { config.filterWheelNumber = try value.int(in: 0...99) }
            if let value = mapping.child("dome") { config.domeNumber = try value.int(in: 0...99) }
            if let value = mapping.child("observing_conditions") { config.observingConditionsNumber = try value.int(in: 0...99) }
            if let value = mapping.child("safety_monitor") { config.safetyMonitorNumber = try value.int(in: 0...99) }
            return .alpaca(config)
        }
    }
}

/// Reads a UTF-8 text file, or throws a ``ConfigError`` saying why not.
func readText(_ path: String) throws(ConfigErrors) -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw ConfigErrors([ConfigError(.unreadable, file: path, "no such file")])
    }
    guard !isDirectory.boolValue else {
        throw ConfigErrors([ConfigError(.unreadable, file: path, "is a directory, not a file")])
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ConfigErrors([ConfigError(.unreadable, file: path, "cannot be read (check its permissions)")])
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw ConfigErrors([ConfigError(.unreadable, file: path, "is not UTF-8 text")])
    }
    return text
}
