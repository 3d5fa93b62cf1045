public import StarlingCore

/// The instruments observers can ask for, as the OCS portal lists them: one imager per
/// class of telescope (by aperture), with the filters of that class's telescopes.
///
/// Every telescope of a class is one instrument to an observer: a request names the class
/// (`location.telescope_class`) and the instrument type, and the coordinator picks the
/// telescope of that class, with the request's filters, that can observe it soonest.
public struct InstrumentCatalog: Sendable {
    /// One instrument type.
    public struct Instrument: Sendable, Hashable {
        /// The OCS instrument type, e.g. `1M0-IMAGER`.
        public let code: String
        /// The telescope class, e.g. `1m0`.
        public let telescopeClass: String
        /// Filters every telescope of the class has, in the order the first one lists them.
        public let filters: [String]
        /// Filters only some of the class's telescopes have: requests may ask for them, and go
        /// only to those telescopes.
        public let partialFilters: [String]
        /// The class's telescopes.
        public let telescopes: [Telescope]

        /// Every filter a request may ask for.
        public var allFilters: [String] { filters + partialFilters }
    }

    public let instruments: [Instrument]

    public init(network: ObservatoryNetwork) {
        var byClass: [String: [Telescope]] = [:]
        for telescope in network.sites.flatMap(\.telescopes) { byClass[telescope.telescopeClass, default: []].append(telescope) }
        instruments = byClass.keys.sorted().map { telescopeClass in
            let telescopes = byClass[telescopeClass]!
            let names = telescopes.map { Set($0.filters.map(\.name)) }
            let common = names.dropFirst().reduce(names[0]) { $0.intersection($1) }
            let all = names.reduce(into: Set<String>()) { $0.formUnion($1) }
            var ordered: [String] = []
            for telescope in telescopes { for filter in telescope.filters where !ordered.contains(filter.name) { ordered.append(filter.name) } }
            return Instrument(
                code: "\(telescopeClass.uppercased())-IMAGER", telescopeClass: telescopeClass, filters: ordered.filter(common.contains),
                partialFilters: ordered.filter { all.contains($0) && !common.contains($0) }, telescopes: telescopes)
        }
    }

    public func instrument(_ code: String) -> Instrument? { instruments.first { $0.code == code } }

    /// The telescope classes, e.g. `0m4`, `1m0`.
    public var telescopeClasses: [String] { instruments.map(\.telescopeClass) }
}
