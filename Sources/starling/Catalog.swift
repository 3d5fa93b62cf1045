import ArgumentParser
import Foundation
import StarlingCore

extension Starling {
    struct Catalog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a target catalog from catalogs/.",
            discussion: "Without --json prints a summary and the first targets; with --json every target.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("The catalog's name (a file catalogs/NAME.csv).", valueName: "NAME"))
        var name: String

        @Option(help: "How many targets to list in the table.")
        var limit = 20

        func run() async throws {
            let layout = try options.layout()
            guard layout.catalogNames.contains(name) else {
                throw ValidationError("\(UnknownNameError(kind: "catalog", name: name, scope: "in \(layout.catalogsDirectory)", known: layout.catalogNames))")
            }
            let catalog = try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: name) }
            if options.json {
                try printJSON(CatalogDocument(catalog))
                return
            }
            let kinds = Dictionary(grouping: catalog.targets, by: \.kind).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
            print("\(catalog.name): \(catalog.targets.count) targets (\(kinds.joined(separator: ", ")))")
            var table = TextTable(headers: ["id", "name", "ra", "dec", "mag", "dist (Mpc)", "priority"], rightAligned: [4, 5, 6])
            for target in catalog.targets.prefix(limit) {
                table.append([
                    target.id.rawValue, target.name,
                    Sexagesimal.format(target.coordinates.rightAscension, unit: .hours),
                    Sexagesimal.format(target.coordinates.declination, unit: .degrees, secondsDecimals: 0),
                    target.magnitude.map { String(format: "%.2f", $0) } ?? "",
                    target.distanceMegaparsecs.map { String(format: "%.1f", $0) } ?? "",
                    String(format: "%.1f", target.priority),
                ])
            }
            print(table.render())
            if catalog.targets.count > limit { print("… \(catalog.targets.count - limit) more (use --limit or --json)") }
        }
    }
}

/// The JSON shape of `starling catalog NAME --json`.
struct CatalogDocument: Encodable {
    struct Entry: Encodable {
        let id: String
        let name: String
        let ra_deg: Double
        let dec_deg: Double
        let kind: String
        let magnitude: Double?
        let magnitude_band: String?
        let distance_mpc: Double?
        let major_axis_arcmin: Double?
        let priority: Double
        let cadence_nights: Double?
    }

    let name: String
    let count: Int
    let targets: [Entry]

    init(_ catalog: TargetCatalog) {
        name = catalog.name
        count = catalog.targets.count
        targets = catalog.targets.map { target in
            Entry(
                id: target.id.rawValue, name: target.name, ra_deg: target.coordinates.rightAscension.degrees,
                dec_deg: target.coordinates.declination.degrees, kind: target.kind.rawValue, magnitude: target.magnitude,
                magnitude_band: target.magnitudeBand?.rawValue, distance_mpc: target.distanceMegaparsecs,
                major_axis_arcmin: target.majorAxis?.arcminutes, priority: target.priority, cadence_nights: target.cadenceNights)
        }
    }
}
